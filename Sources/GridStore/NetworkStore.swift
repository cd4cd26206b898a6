import Foundation
import GRDB
import GridGeo

/// One edge to write: already split at junctions, with its geodesic length computed.
public struct NetworkEdgeInput: Sendable, Equatable {
    public var sourceNode: Int64
    public var targetNode: Int64
    /// Metres (the sum of the WGS84 geodesic lengths of the segments).
    public var lengthM: Double
    public var highway: String?
    public var name: String?
    public var osmWayId: Int64?
    /// Further attributes as a JSON object text, or nil.
    public var extra: String?
    /// WGS84 longitude/latitude, degrees; at least two positions.
    public var coordinates: [Coordinate]
    public init(sourceNode: Int64, targetNode: Int64, lengthM: Double, highway: String? = nil, name: String? = nil,
                osmWayId: Int64? = nil, extra: String? = nil, coordinates: [Coordinate]) {
        self.sourceNode = sourceNode; self.targetNode = targetNode; self.lengthM = lengthM; self.highway = highway
        self.name = name; self.osmWayId = osmWayId; self.extra = extra; self.coordinates = coordinates
    }
}

extension GridDatabase {
    /// Replaces the whole walking network with `edges` in one write transaction and records the
    /// import as a generation of layer `network` (so running servers rebuild their indexes, as
    /// after any import). Returns that generation. All-or-nothing: an edge with fewer than two
    /// positions, a non-finite coordinate or a negative or non-finite length throws
    /// `StoreError` naming the edge's index, and the store is unchanged.
    @discardableResult
    public func replaceNetwork(_ edges: [NetworkEdgeInput], source: String?, sourceCRS: String?) throws -> Int64 {
        for (k, e) in edges.enumerated() {
            guard e.coordinates.count >= 2 else { throw StoreError("network edge \(k): a line needs at least two positions") }
            guard e.coordinates.allSatisfy({ $0.lon.isFinite && $0.lat.isFinite }) else {
                throw StoreError("network edge \(k): coordinates must be finite numbers")
            }
            guard e.lengthM.isFinite, e.lengthM >= 0 else { throw StoreError("network edge \(k): length must be a finite number ≥ 0") }
        }
        return try write { db in
            try db.execute(literal: """
                INSERT INTO boundary_generations (layer, imported_at, source, source_crs, feature_count, repaired_count)
                VALUES ('network', strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), \(source), \(sourceCRS), \(edges.count), 0)
                """)
            let generation = db.lastInsertedRowID
            try db.execute(sql: "DELETE FROM network_edges")
            let insert = try db.makeStatement(sql: """
                INSERT INTO network_edges (source_node, target_node, length_m, highway, name, osm_way_id, extra, geom)
                VALUES (?, ?, ?, ?, ?, ?, ?, GeomFromWKB(?, 4326))
                """)
            for e in edges {
                try insert.execute(arguments: [e.sourceNode, e.targetNode, e.lengthM, e.highway, e.name, e.osmWayId, e.extra,
                                               Data(WKB.encode(.lineString(e.coordinates)))])
            }
            return generation
        }
    }
}
