import Foundation
import GRDB
import GridGeo

/// A compound as coverage sees it: where its residents leave it (the access point) and how many
/// live there.
public struct CompoundAccess: Sendable, Hashable {
    public let id: String
    public let gridId, communityId, streetId, districtId: String?
    /// nil when the store has no figure (counted as 0 in sums).
    public let households, population: Int?
    /// The entrance (`entrance_lon`, `entrance_lat`) where both are set, else the centroid as
    /// SpatiaLite's `ST_Centroid` (GEOS) computes it, in lon/lat degrees. The centroid of an
    /// L-shaped compound can lie outside it; that is the contract (DESIGN.md §3).
    public let point: Coordinate
    public let fromEntrance: Bool
}

/// A grid with what the coverage roll-ups and the uncovered-area computation need.
public struct CoverageGrid: Sendable {
    public let id: String
    public let communityId, streetId, districtId: String?
    /// Geodesic area in m² on WGS84 (SpatiaLite's ellipsoidal `ST_Area(geom, 1)`).
    public let areaM2: Double
    public let bbox: BoundingBox
    /// Every vertex of the grid, to test cheaply whether one disc covers all of it.
    public let vertices: [Coordinate]
    /// The grid's (Multi)Polygon as the store holds it, as WKB (`AsBinary(geom)`), for GEOS.
    public let wkb: Data
}

/// The part of a grid outside every disc: a (Multi)Polygon from GEOS, as WKB (decoded only by
/// the answers that draw it), and its geodesic area.
public struct UncoveredPart: Sendable {
    /// nil when nothing is left (then `areaM2` is 0).
    public let wkb: Data?
    public let areaM2: Double
    public func geometry() throws -> Geometry? { try wkb.map { try WKB.decode([UInt8]($0)) } }
}

extension GridDatabase {
    /// Every compound's access point (entrance, else `ST_Centroid`), households and population,
    /// ordered by id. The centroid is computed by SpatiaLite so that it is exactly the one the
    /// contract names.
    public func compoundAccessPoints() throws -> [CompoundAccess] {
        try read { db in
            let rows = try Row.fetchCursor(db, sql: """
                SELECT id, grid_id, community_id, street_id, district_id, households, population,
                       entrance_lon, entrance_lat, X(c), Y(c)
                FROM (SELECT *, ST_Centroid(geom) AS c FROM compounds) ORDER BY id
                """)
            var out: [CompoundAccess] = []
            while let r = try rows.next() {
                let eLon: Double? = r[7], eLat: Double? = r[8]
                let entrance = eLon.flatMap { lon in eLat.map { Coordinate(lon: lon, lat: $0) } }
                guard let p = entrance ?? (r[9] as Double?).flatMap({ x in (r[10] as Double?).map { Coordinate(lon: x, lat: $0) } }) else {
                    throw StoreError("compound \(r[0] as String) has no centroid (empty geometry?)")
                }
                out.append(CompoundAccess(
                    id: r[0], gridId: r[1], communityId: r[2], streetId: r[3], districtId: r[4],
                    households: r[5], population: r[6], point: p, fromEntrance: entrance != nil))
            }
            return out
        }
    }

    /// Every grid with its parents, geodesic area and vertices, ordered by id.
    public func coverageGrids() throws -> [CoverageGrid] {
        try read { db in
            let rows = try Row.fetchCursor(db, sql: """
                SELECT id, community_id, street_id, district_id, ST_Area(geom, 1), AsBinary(geom) FROM grids ORDER BY id
                """)
            var out: [CoverageGrid] = []
            while let r = try rows.next() {
                let wkb: Data = r[5]
                let g = try WKB.decode([UInt8](wkb))
                let vs = g.coordinates
                out.append(CoverageGrid(id: r[0], communityId: r[1], streetId: r[2], districtId: r[3],
                                        areaM2: r[4] ?? 0, bbox: BoundingBox(vs), vertices: vs, wkb: wkb))
            }
            return out
        }
    }

    /// The stored geometry of one grid (nil when there is no such grid).
    public func gridGeometry(id: String) throws -> Geometry? {
        try read { db in
            guard let wkb = try Data.fetchOne(db, sql: "SELECT AsBinary(geom) FROM grids WHERE id = ?", arguments: [id]) else { return nil }
            return try WKB.decode([UInt8](wkb))
        }
    }

    /// For each job (a grid id and the rings of the discs that reach it), the part of the grid
    /// outside the union of the discs (the reference the tests hold GridAnalysis's GEOS C-API path
    /// against; the product computes it in GridGEOS): `ST_Difference(grid, ST_UnaryUnion(discs))` by GEOS inside
    /// SpatiaLite, its area by the ellipsoidal `ST_Area(…, 1)`. Jobs run on one read connection in
    /// the order given; `each` receives the job's index and its result. Throws when a grid id
    /// names no grid.
    public func uncoveredParts(_ jobs: [(gridId: String, discs: [Ring])], each: (Int, UncoveredPart) throws -> Void) throws {
        try read { db in
            let stmt = try db.cachedStatement(sql: """
                SELECT AsBinary(u), ST_Area(u, 1) FROM (
                  SELECT CastToMultiPolygon(ST_Difference(geom, ST_UnaryUnion(GeomFromWKB(?1, 4326)))) AS u
                  FROM grids WHERE id = ?2)
                """)
            for (k, job) in jobs.enumerated() {
                let discs = Self.collection(job.discs.map { .polygon(Polygon(rings: [$0])) })
                guard let part = try Self.part(stmt, [discs, job.gridId]) else { throw StoreError("no grid with id \(job.gridId)") }
                try each(k, part)
            }
        }
    }

    /// The union of several (possibly overlapping) MultiPolygons given as WKB (as
    /// `uncoveredParts` returns them), by GEOS (`ST_UnaryUnion`), with its ellipsoidal area: the
    /// area uncovered for at least one of several categories.
    public func unionOfParts(_ parts: [Data]) throws -> UncoveredPart {
        try read { db in
            let stmt = try db.cachedStatement(sql: """
                SELECT AsBinary(u), ST_Area(u, 1) FROM (SELECT CastToMultiPolygon(ST_UnaryUnion(GeomFromWKB(?1, 4326))) AS u)
                """)
            return try Self.part(stmt, [try Self.collection(multiPolygons: parts)]) ?? UncoveredPart(wkb: nil, areaM2: 0)
        }
    }

    /// A GeometryCollection of the member polygons of little-endian MultiPolygon WKBs, spliced
    /// without decoding (SpatiaLite reads a collection of Polygons, not of MultiPolygons): a
    /// MultiPolygon is a 9-byte header and count followed by complete Polygon WKBs.
    static func collection(multiPolygons parts: [Data]) throws -> Data {
        var count: UInt32 = 0
        var body = Data()
        for p in parts {
            let b = [UInt8](p)
            guard b.count >= 9, b[0] == 1, b[1] == 6, b[2] == 0, b[3] == 0, b[4] == 0 else {
                throw StoreError("expected a little-endian MultiPolygon WKB")
            }
            count += UInt32(b[5]) | UInt32(b[6]) << 8 | UInt32(b[7]) << 16 | UInt32(b[8]) << 24
            body.append(contentsOf: b[9...])
        }
        var out = Data([1, 7, 0, 0, 0])
        withUnsafeBytes(of: count.littleEndian) { out.append(contentsOf: $0) }
        return out + body
    }

    /// nil when the statement returns no row (no such grid).
    private static func part(_ stmt: Statement, _ arguments: StatementArguments) throws -> UncoveredPart? {
        guard let row = try Row.fetchOne(stmt, arguments: arguments) else { return nil }
        guard let out = row[0] as Data? else { return UncoveredPart(wkb: nil, areaM2: 0) }
        return UncoveredPart(wkb: out, areaM2: row[1] ?? 0)
    }

    /// A WKB GeometryCollection of the geometries: overlapping members are fine for
    /// `ST_UnaryUnion`, which a MultiPolygon's validity rules would not allow.
    static func collection(_ members: [Geometry]) -> Data {
        var bytes: [UInt8] = [1, 7, 0, 0, 0]
        withUnsafeBytes(of: UInt32(members.count).littleEndian) { bytes.append(contentsOf: $0) }
        for m in members { bytes += WKB.encode(m) }
        return Data(bytes)
    }
}
