import Foundation
import GRDB
import GridGeo

extension GridDatabase {
    /// Every current feature's exact stored geometry of a layer, by id (for answers that draw
    /// areas, e.g. coverage as GeoJSON).
    public func geometries(_ layer: Layer) throws -> [String: Geometry] {
        try read { db in
            var out: [String: Geometry] = [:]
            let rows = try Row.fetchCursor(db, sql: "SELECT id, AsBinary(geom) FROM \(layer.table)")
            while let row = try rows.next() {
                let wkb: Data = row[1]
                out[row[0]] = try WKB.decode([UInt8](wkb))
            }
            return out
        }
    }
}
