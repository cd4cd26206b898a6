import Foundation
import GRDB
import GridGeo

/// A layer's rows as Swift values, for building the in-memory indexes of the analysis module.
public struct StoredFeature: Sendable {
    public let id: String
    /// Attribute columns as text (numbers formatted), nil where NULL.
    public let attributes: [String: String]
    public let geometry: Geometry
    public subscript(column: String) -> String? { attributes[column] }
}

extension GridDatabase {
    /// Every row of a layer with its exact stored geometry, in storage order.
    public func storedFeatures(_ layer: Layer) throws -> [StoredFeature] {
        try writer.read { db in try Self.storedFeatures(layer, db) }
    }

    /// Several layers read in one transaction, so they come from one consistent snapshot.
    public func storedFeatures(_ layers: [Layer]) throws -> (features: [String: [StoredFeature]], generation: Int64) {
        try writer.read { db in
            var out: [String: [StoredFeature]] = [:]
            for l in layers { out[l.name] = try Self.storedFeatures(l, db) }
            let gen = try Int64.fetchOne(db, sql: "SELECT max(id) FROM boundary_generations") ?? 0
            return (out, gen)
        }
    }

    /// The newest boundary generation of any layer (0 for an empty store).
    public func currentGeneration() throws -> Int64 {
        try writer.read { db in try Int64.fetchOne(db, sql: "SELECT max(id) FROM boundary_generations") ?? 0 }
    }

    static func storedFeatures(_ layer: Layer, _ db: Database) throws -> [StoredFeature] {
        let cols = (["id"] + layer.columns.map(\.name)).joined(separator: ", ")
        let rows = try Row.fetchCursor(db, sql: "SELECT \(cols), AsBinary(geom) FROM \(layer.table) ORDER BY fid")
        var out: [StoredFeature] = []
        while let row = try rows.next() {
            var attrs: [String: String] = [:]
            for (k, c) in layer.columns.enumerated() {
                switch (row[k + 1] as DatabaseValue).storage {
                case .null, .blob: continue
                case .int64(let i): attrs[c.name] = String(i)
                case .double(let d): attrs[c.name] = JSONText.number(d)
                case .string(let s): attrs[c.name] = s
                }
            }
            let wkb: Data = row[layer.columns.count + 1]
            out.append(StoredFeature(id: row[0], attributes: attrs, geometry: try WKB.decode([UInt8](wkb))))
        }
        return out
    }

    /// Ids of the rows whose geometry covers the point, by SpatiaLite's own ST_Covers through the
    /// R*Tree: the reference the in-memory index is checked against.
    public func coveringIds(_ layer: Layer, _ p: Coordinate) throws -> [String] {
        try writer.read { db in
            try String.fetchAll(db, sql: """
                SELECT id FROM \(layer.table)
                WHERE fid IN (SELECT pkid FROM idx_\(layer.table)_geom WHERE xmin <= ? AND xmax >= ? AND ymin <= ? AND ymax >= ?)
                  AND ST_Covers(geom, MakePoint(?, ?, 4326)) = 1
                ORDER BY id
                """, arguments: [p.lon, p.lon, p.lat, p.lat, p.lon, p.lat])
        }
    }
}
