import Foundation
import GRDB
import GridGeo

/// Shapefiles are read with SpatiaLite's own ImportSHP into a scratch database (never the store),
/// then imported through the same validation as GeoJSON.
public enum Shapefile {
    public struct ReadError: Error, CustomStringConvertible {
        public let description: String
    }

    /// The features of a shapefile and the CRS its .prj names (nil without a .prj or when PROJ
    /// cannot identify it). `encoding` defaults to the .cpg file's, else UTF-8.
    public static func read(path: String, encoding: String? = nil) throws -> (features: [Feature], crs: CRS?) {
        let base = path.hasSuffix(".shp") ? String(path.dropLast(4)) : path
        guard FileManager.default.fileExists(atPath: base + ".shp") else { throw ReadError(description: "no such shapefile: \(base).shp") }
        guard FileManager.default.fileExists(atPath: base + ".dbf") else { throw ReadError(description: "\(base).dbf is missing (a shapefile needs .shp, .shx and .dbf)") }
        let charset = encoding
            ?? (try? String(contentsOfFile: base + ".cpg", encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines)
            ?? "UTF-8"
        let crs = (try? String(contentsOfFile: base + ".prj", encoding: .utf8)).flatMap { CRS.identify(wkt: $0) }

        // ImportSHP touches the file system, which SpatiaLite allows only when told to.
        setenv("SPATIALITE_SECURITY", "relaxed", 1)
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("wangge-shp-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        var config = Configuration()
        config.prepareDatabase { db in try SpatiaLite.install(on: db) }
        let scratch = try DatabaseQueue(path: dir.appendingPathComponent("scratch.sqlite").path, configuration: config)
        return try scratch.writeWithoutTransaction { db in
            _ = try Int.fetchOne(db, sql: "SELECT InitSpatialMetadata(1, 'WGS84')")
            let n = try Int.fetchOne(db, sql: "SELECT ImportSHP(?, 'shp', ?, 4326, 'geom')", arguments: [base, charset]) ?? 0
            guard n > 0, try db.tableExists("shp") else {
                throw ReadError(description: "SpatiaLite could not read \(base).shp (unsupported shape type, wrong encoding '\(charset)', or a damaged file)")
            }
            let columns = try Row.fetchAll(db, sql: "PRAGMA table_info(shp)").map { $0["name"] as String }.filter { $0 != "geom" && $0 != "pk_uid" }
            let select = "SELECT " + columns.map { "\"\($0)\"" }.joined(separator: ", ") + (columns.isEmpty ? "" : ", ") + "AsBinary(geom) FROM shp ORDER BY pk_uid"
            var features: [Feature] = []
            let rows = try Row.fetchCursor(db, sql: select)
            while let row = try rows.next() {
                var props = JSONObject()
                for (k, c) in columns.enumerated() {
                    switch (row[k] as DatabaseValue).storage {
                    case .null, .blob: props[c] = .null
                    case .int64(let i): props[c] = .int(Int(i))
                    case .double(let d): props[c] = .number(d)
                    case .string(let s): props[c] = .string(s)
                    }
                }
                let wkb: Data? = row[columns.count]
                let geometry = try wkb.map { try WKB.decode([UInt8]($0)) }
                features.append(Feature(id: nil, properties: props, geometry: geometry))
            }
            return (features, crs)
        }
    }
}

extension GridDatabase {
    /// Imports a shapefile, all-or-nothing. The CRS is options.crs, else the .prj's, else WGS84.
    public func importShapefile(_ layer: Layer, path: String, encoding: String? = nil, options: ImportOptions = ImportOptions(), progress: ImportProgress? = nil) throws -> ImportReport {
        let read: (features: [Feature], crs: CRS?)
        do { read = try Shapefile.read(path: path, encoding: encoding) } catch {
            throw ImportError(layer: layer.name, problems: [ImportProblem(message: "\(error)")], total: 1)
        }
        return try importFeatures(layer, read.features, crs: options.crs ?? read.crs ?? .wgs84, options: options, progress: progress)
    }
}
