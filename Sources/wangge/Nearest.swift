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
            nearest first (rank 1), ties by station id, by distance in metres: along the walking network
            when the store has one (method network, both access legs included), else geodesic on the WGS84
            ellipsoid (--method straight-line); walk_min = distance (× detour factor for straight-line)
            ÷ walking speed (the store's walking model, see GET /tiers).
            A point with no station (of the categories, within --max-distance) gets one row with only its id.
            A bad row stops the run (exit code 1, naming its line) unless --on-error skip; with --out,
            a stopped run leaves no output file.
            Example: wangge nearest points.csv --k 3 --category canteen --crs gcj02 --out nearest.csv
            """)

    @OptionGroup var store: StoreOptions

    @OptionGroup var input: PointInputOptions

    @Option(help: "How many stations per point, 1-100.")
    var k: Int = NearestQuery.defaultK

    @Option(help: "A station category code (repeat, or separate with commas); default: every category.")
    var category: [String] = []

    @Option(help: "Only stations within this many metres.")
    var maxDistance: Double?

    @Option(help: "network (along the walking network; the default when the store has one) or straight-line (geodesic x detour factor).")
    var method: String?

    @Option(name: .shortAndLong, help: "Output file (default: standard output).")
    var out: String?

    @Option(help: "csv, geojson or jsonl (default: from the --out extension, else csv).")
    var format: BatchFormat?

    @Option(help: "On a bad row: stop (the default; exit code 1) or skip it (report it and go on).")
    var onError: Assign.ErrorPolicy = .stop

    func run() throws {
        let fmt = format ?? BatchFormat.fromExtension(out)
        let source = try input.open()
        let db = try store.open(existing: true)
        let indexes = try Indexes.build(from: db)
        note("index of \(indexes.stations.stations.count) stations (generation \(indexes.generation)) built in \(String(format: "%.2f", indexes.buildSeconds)) s")
        let query: NearestQuery
        do {
            let categories = category.flatMap { $0.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) } }
            if categories.contains("") { throw NearestInputError(field: "category", "empty category code") }
            query = try NearestQuery(k: k, categories: categories, maxDistance: maxDistance, index: indexes.stations,
                                     method: method, networkLoaded: indexes.walking != nil)
        } catch let e as NearestInputError {
            throw ValidationError("--\(e.field.replacingOccurrences(of: "_", with: "-")): \(e.message)")
        }

        let output = try openOutput(out)
        let runner = BatchNearest(indexes: indexes, query: query, reader: try input.reader(), format: fmt, output: output,
                                  stopOnError: onError == .stop, report: note)
        do {
            if input.isGeoJSON {
                try runner.runGeoJSON(source.fileDescriptor, crsGiven: input.crs != nil)
            } else {
                try runner.runCSV(source.fileDescriptor, ids: input.ids, lon: input.lonColumn, lat: input.latColumn, encoding: try input.textEncoding())
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
