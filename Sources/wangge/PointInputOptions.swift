import ArgumentParser
import Foundation
import GridGeo
import GridIO

/// The points file and how to read it, shared by the batch subcommands (`assign`, `nearest`).
struct PointInputOptions: ParsableArguments {
    @Argument(help: "Points: .csv (RFC 4180, a header naming the id, lon and lat columns) or .geojson (FeatureCollection of Points); - for standard input (CSV).")
    var file: String

    @Option(help: "CRS of the input coordinates: wgs84, cgcs2000, gcj02, bd09 or EPSG:nnnn (default: a GeoJSON input's own crs member, else wgs84).")
    var crs: String?

    @Option(help: "Text encoding of a CSV input: UTF-8 (default, checked strictly) or any name iconv knows (GB18030, GBK, BIG5, UTF-16 …).")
    var encoding: String = "UTF-8"

    @Option(help: "CSV column holding the longitude (or easting).")
    var lonColumn: String = "lon"
    @Option(help: "CSV column holding the latitude (or northing).")
    var latColumn: String = "lat"
    @Option(help: "CSV column holding the point id (default id). A missing id column is an error.")
    var idColumn: String?

    @Flag(help: "The CSV has no id column: use each record's line number as its id.")
    var lineIds = false

    func validate() throws {
        if lineIds && idColumn != nil { throw ValidationError("--line-ids and --id-column exclude each other") }
        _ = try reader()
        _ = try textEncoding()
    }

    var isGeoJSON: Bool { file.lowercased().hasSuffix(".geojson") || file.lowercased().hasSuffix(".json") }
    var ids: PointColumns.IDSource { lineIds ? .lineNumber : .column(idColumn ?? "id") }

    func reader() throws -> PointReader {
        do { return try PointReader(crs: try CRS(parsing: crs ?? "wgs84")) } catch { throw ValidationError("--crs: \(error)") }
    }

    func textEncoding() throws -> TextEncoding {
        do { return try TextEncoding(named: encoding) } catch { throw ValidationError("--encoding: \(error)") }
    }

    func open() throws -> FileHandle {
        guard let input = file == "-" ? FileHandle.standardInput : FileHandle(forReadingAtPath: file) else {
            throw CLIError("cannot read \(file)")
        }
        return input
    }
}
