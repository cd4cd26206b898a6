import ArgumentParser
import Foundation
import GridIndex
import GridIO
import GridGeo
import GridStore

struct Assign: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Assign points to grids in bulk: CSV (id,lon,lat) or GeoJSON points in, one row per point out.",
        discussion: """
            Streams: memory stays flat however many points there are. Output columns (CSV):
              \(Assignment.csvHeader)
            candidates are ';'-separated (every grid covering the point; on a shared edge or vertex
            there are several and boundary is true); the primary grid_id is the smallest covering id.
            Outside every grid, grid_id is empty; with --nearest, nearest_grid_id / nearest_m name the
            nearest grid and its geodesic distance in metres.
            Example: wangge assign points.csv --crs gcj02 --out assigned.csv
            """)

    @OptionGroup var store: StoreOptions

    @Argument(help: "Points: .csv (RFC 4180, a header naming the id, lon and lat columns) or .geojson (FeatureCollection of Points); - for standard input (CSV).")
    var file: String

    @Option(help: "CRS of the input coordinates: wgs84, cgcs2000, gcj02, bd09 or EPSG:nnnn (default: a GeoJSON input's own crs member, else wgs84).")
    var crs: String?

    @Option(help: "Text encoding of a CSV input: UTF-8 (default, checked strictly) or any name iconv knows (GB18030, GBK, BIG5, UTF-16 …).")
    var encoding: String = "UTF-8"

    @Option(name: .shortAndLong, help: "Output file (default: standard output).")
    var out: String?

    @Option(help: "csv, geojson or jsonl (default: from the --out extension, else csv).")
    var format: BatchFormat?

    @Option(help: "CSV column holding the longitude (or easting).")
    var lonColumn: String = "lon"
    @Option(help: "CSV column holding the latitude (or northing).")
    var latColumn: String = "lat"
    @Option(help: "CSV column holding the point id (default id). A missing id column is an error.")
    var idColumn: String?

    @Flag(help: "The CSV has no id column: use each record's line number as its id.")
    var lineIds = false

    @Flag(help: "For points outside every grid, also find the nearest grid and its geodesic distance (nearest_grid_id, nearest_m).")
    var nearest = false

    @Option(help: "Assign against this boundary generation (see `wangge generations`; default the newest).")
    var generation: Int64?

    @Option(help: "On a bad row: skip it (report it and go on) or stop.")
    var onError: ErrorPolicy = .skip

    enum ErrorPolicy: String, ExpressibleByArgument, CaseIterable { case skip, stop }

    func run() throws {
        let parsedCRS: CRS
        do { parsedCRS = try CRS(parsing: crs ?? "wgs84") } catch { throw ValidationError("--crs: \(error)") }
        let textEncoding: TextEncoding
        do { textEncoding = try TextEncoding(named: encoding) } catch { throw ValidationError("--encoding: \(error)") }
        if lineIds && idColumn != nil { throw ValidationError("--line-ids and --id-column exclude each other") }
        let fmt = format ?? BatchFormat.fromExtension(out)
        let isGeoJSON = file.lowercased().hasSuffix(".geojson") || file.lowercased().hasSuffix(".json")
        guard let input = file == "-" ? FileHandle.standardInput : FileHandle(forReadingAtPath: file) else {
            throw CLIError("cannot read \(file)")
        }
        let db = try store.open()
        let index: AssignmentIndex
        do { index = try AssignmentIndex.build(from: db, generation: generation) } catch let e as UnknownGeneration {
            throw CLIError("--generation: \(e)")
        }
        note("index of \(index.gridInfo.count) grids and \(index.compoundInfo.count) compounds (generation \(index.generation)) built in \(String(format: "%.2f", index.buildSeconds)) s")

        let output: FileHandle
        if let out {
            guard FileManager.default.createFile(atPath: out, contents: nil), let h = FileHandle(forWritingAtPath: out) else {
                throw CLIError("cannot write \(out)")
            }
            output = h
        } else {
            output = FileHandle.standardOutput
        }
        let runner = BatchAssigner(index: index, reader: try PointReader(crs: parsedCRS), format: fmt, output: output.fileDescriptor,
                                   stopOnError: onError == .stop, nearest: nearest, report: note)
        do {
            if isGeoJSON {
                try runner.runGeoJSON(input.fileDescriptor, crsGiven: crs != nil)
            } else {
                try runner.runCSV(input.fileDescriptor, ids: lineIds ? .lineNumber : .column(idColumn ?? "id"), lon: lonColumn, lat: latColumn,
                                  encoding: textEncoding)
            }
        } catch let e as BatchInputError {
            throw CLIError("\(file): \(e.description)")
        }
        if out != nil { try output.close() }
        if runner.stoppedOnError { throw ExitCode(1) }
    }

}


extension BatchFormat: ExpressibleByArgument {}
