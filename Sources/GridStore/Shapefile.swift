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
            let nulls = (try? Data(contentsOf: URL(fileURLWithPath: base + ".dbf"))).flatMap(nullNumericCells(dbf:))
            let rowCount = try Int.fetchOne(db, sql: "SELECT count(*) FROM shp") ?? 0
            // Aligned by position: only when ImportSHP read exactly the live records.
            let nullCells = nulls?.count == rowCount ? nulls : nil
            var features: [Feature] = []
            let rows = try Row.fetchCursor(db, sql: select)
            while let row = try rows.next() {
                var props = JSONObject()
                let rowNulls = nullCells?[features.count] ?? []
                for (k, c) in columns.enumerated() {
                    if rowNulls.contains(c.lowercased()) { props[c] = .null; continue }
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

extension Shapefile {
    /// For each live record of a .dbf (deleted ones skipped, in file order), the lower-cased names of
    /// its numeric fields (types N and F) whose cell is null: filled with `*` (how GDAL and shapelib
    /// write a null number) or blank (dBase's empty value). SpatiaLite's ImportSHP reads both as 0,
    /// which would put a compound without a known entrance at entrance 0°, 0° and give households 0
    /// where the count is unknown. Nil when the header is not a dBase table this reader understands.
    /// Layout after the dBase III/IV header as the shapefile specification (ESRI, 1998) references it.
    static func nullNumericCells(dbf: Data) -> [Set<String>]? {
        let b = [UInt8](dbf)
        guard b.count >= 32 else { return nil }
        func u16(_ i: Int) -> Int { Int(b[i]) | Int(b[i + 1]) << 8 }
        let records = Int(b[4]) | Int(b[5]) << 8 | Int(b[6]) << 16 | Int(b[7]) << 24
        let headerLength = u16(8), recordLength = u16(10)
        guard headerLength >= 33, recordLength >= 1, headerLength <= b.count else { return nil }
        var fields: [(name: String, offset: Int, length: Int, numeric: Bool)] = []
        var offset = 1  // byte 0 of a record is its deletion flag
        var at = 32
        while at + 32 <= headerLength, b[at] != 0x0D {
            let nameBytes = b[at..<at + 11].prefix { $0 != 0 }
            let name = String(decoding: nameBytes, as: UTF8.self).lowercased()
            let type = b[at + 11], length = Int(b[at + 16])
            fields.append((name, offset, length, type == UInt8(ascii: "N") || type == UInt8(ascii: "F")))
            offset += length
            at += 32
        }
        guard offset <= recordLength else { return nil }
        var out: [Set<String>] = []
        for r in 0..<records {
            let start = headerLength + r * recordLength
            guard start + recordLength <= b.count else { return nil }
            if b[start] == UInt8(ascii: "*") { continue }
            var nulls = Set<String>()
            for f in fields where f.numeric {
                let cell = b[(start + f.offset)..<(start + f.offset + f.length)]
                if cell.allSatisfy({ $0 == UInt8(ascii: "*") || $0 == UInt8(ascii: " ") }) { nulls.insert(f.name) }
            }
            out.append(nulls)
        }
        return out
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
