import Foundation
import GRDB
import GridGeo

/// A polygon GEOS made, as little-endian MultiPolygon WKB in WGS84, and its geodesic area.
public struct BufferedArea: Sendable {
    /// nil when the input had no line (then `areaM2` is 0).
    public let wkb: Data?
    /// Square metres on the WGS84 ellipsoid (SpatiaLite's `ST_Area(geom, 1)`).
    public let areaM2: Double
    public func geometry() throws -> Geometry? { try wkb.map { try WKB.decode([UInt8]($0)) } }
}

extension GridDatabase {
    /// The area within `width` metres of any of `lines` (WGS84 polylines of two or more
    /// vertices), by GEOS inside SpatiaLite: the lines go into a local azimuthal equidistant
    /// projection centred on `centre` (PROJ's `aeqd` on WGS84, through `ST_Transform`: distances
    /// from the centre are true and the scale error is under 1e-7 within 5 km of it), are buffered
    /// there by `width` metres with `quadrantSegments` segments per quarter circle (`ST_Buffer`,
    /// which unions the buffers of all the lines into one (Multi)Polygon, holes where the lines
    /// enclose a space wider than 2 × width), and come back to WGS84. The area is the
    /// ellipsoidal `ST_Area(…, 1)` of the result. Vertices of the round parts lie on the true
    /// circle, so the polygon lies within `width` of the lines and contains everything within
    /// `width · cos(π / (4 · quadrantSegments))` of them.
    public func bufferedLines(_ lines: [[Coordinate]], centre: Coordinate, width: Double, quadrantSegments: Int = 8) throws -> BufferedArea {
        guard !lines.isEmpty else { return BufferedArea(wkb: nil, areaM2: 0) }
        let projection = "+proj=aeqd +lat_0=\(centre.lat) +lon_0=\(centre.lon) +datum=WGS84 +units=m +no_defs"
        let wkb = Self.collection(lines.map { .lineString($0) })
        return try read { db in
            let stmt = try db.cachedStatement(sql: """
                SELECT AsBinary(u), ST_Area(u, 1) FROM (
                  SELECT CastToMultiPolygon(ST_Transform(
                    ST_Buffer(ST_Transform(GeomFromWKB(?1, 4326), 0, NULL, 'EPSG:4326', ?2), ?3, ?4),
                    4326, NULL, ?2, 'EPSG:4326')) AS u)
                """)
            guard let row = try Row.fetchOne(stmt, arguments: [wkb, projection, width, quadrantSegments]),
                  let out = row[0] as Data? else {
                throw StoreError("GEOS could not buffer \(lines.count) lines around \(centre.lon), \(centre.lat)")
            }
            return BufferedArea(wkb: out, areaM2: row[1] ?? 0)
        }
    }
}
