import ArgumentParser
import Foundation
import GridAnalysis
import GridIndex
import GridIO
import GridGeo
import GridStore

struct Nearest: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "The k nearest service stations of many points: CSV (id,lon,lat) or GeoJSON points in, one row per station out.",
        discussion: """
            Streams: memory stays flat however many points there are. Output columns (CSV):
              \(NearestAnswer.csvHeader)
            nearest first (rank 1), by geodesic distance on the WGS84 ellipsoid in metres, ties by station id;
            walk_min = distance × detour factor ÷ walking speed (the store's walking model, see GET /tiers).
            A point with no station (of the categories, within --max-distance) gets one row with only its id.
            A bad row stops the run (exit code 1, naming its line) unless --on-error skip; with --out,
            a stopped run leaves no output file.
            Example: wangge nearest points.csv --k 3 --category canteen --crs gcj02 --out nearest.csv
            """)

    @OptionGroup var store: StoreOptions

    @Argument(help: "Points: .csv (header with lon and lat columns) or .geojson (FeatureCollection of Points); - for standard input (CSV).")
    var file: String

    @Option(help: "How many stations per point, 1-100.")
    var k: Int = NearestQuery.defaultK

    @Option(help: "A station category code (repeat, or separate with commas); default: every category.")
    var category: [String] = []

    @Option(help: "Only stations within this many metres.")
    var maxDistance: Double?

    @Option(help: "CRS of the input coordinates: wgs84 (default), cgcs2000, gcj02, bd09 or EPSG:nnnn.")
    var crs: String = "wgs84"

    @Option(name: .shortAndLong, help: "Output file (default: standard output).")
    var out: String?

    @Option(help: "csv, geojson or jsonl (default: from the --out extension, else csv).")
    var format: BatchFormat?

    @Option(help: "CSV column holding the longitude (or easting).")
    var lonColumn: String = "lon"
    @Option(help: "CSV column holding the latitude (or northing).")
    var latColumn: String = "lat"
    @Option(help: "CSV column holding the point id (default id; the line number when absent).")
    var idColumn: String = "id"

    @Option(help: "On a bad row: stop (the default; exit code 1) or skip it (report it and go on).")
    var onError: Assign.ErrorPolicy = .stop

    func run() throws {
        let parsedCRS: CRS
        do { parsedCRS = try CRS(parsing: crs) } catch { throw ValidationError("--crs: \(error)") }
        let fmt = format ?? BatchFormat.fromExtension(out)
        let isGeoJSON = file.lowercased().hasSuffix(".geojson") || file.lowercased().hasSuffix(".json")
        guard let input = file == "-" ? FileHandle.standardInput : FileHandle(forReadingAtPath: file) else {
            throw CLIError("cannot read \(file)")
        }
        let db = try store.open()
        let indexes = try Indexes.build(from: db)
        note("index of \(indexes.stations.stations.count) stations (generation \(indexes.generation)) built in \(String(format: "%.2f", indexes.buildSeconds)) s")
        let query: NearestQuery
        do {
            let categories = category.flatMap { $0.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) } }
            if categories.contains("") { throw NearestInputError(field: "category", "empty category code") }
            query = try NearestQuery(k: k, categories: categories, maxDistance: maxDistance, index: indexes.stations)
        } catch let e as NearestInputError {
            throw ValidationError("--\(e.field.replacingOccurrences(of: "_", with: "-")): \(e.message)")
        }

        let output: FileHandle
        if let out {
            guard FileManager.default.createFile(atPath: out, contents: nil), let h = FileHandle(forWritingAtPath: out) else {
                throw CLIError("cannot write \(out)")
            }
            output = h
        } else {
            output = FileHandle.standardOutput
        }
        let runner = BatchNearest(indexes: indexes, query: query, reader: try PointReader(crs: parsedCRS), format: fmt, output: output,
                                  stopOnError: onError == .stop, report: note)
        do {
            if isGeoJSON {
                try runner.runGeoJSON(input)
            } else {
                try runner.runCSV(input, id: idColumn, lon: lonColumn, lat: latColumn)
            }
        } catch {
            if let out { try? output.close(); try? FileManager.default.removeItem(atPath: out) }
            throw error
        }
        if let out {
            try output.close()
            // A stopped run writes nothing: no half-answered file is left to be mistaken for a whole one.
            if runner.stoppedOnError { try? FileManager.default.removeItem(atPath: out) }
        }
        if runner.stoppedOnError { throw ExitCode(1) }
    }
}
