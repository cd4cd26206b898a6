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

    @OptionGroup var input: PointInputOptions

    @Option(name: .shortAndLong, help: "Output file (default: standard output).")
    var out: String?

    @Option(help: "csv, geojson or jsonl (default: from the --out extension, else csv).")
    var format: BatchFormat?

    @Flag(help: "For points outside every grid, also find the nearest grid and its geodesic distance (nearest_grid_id, nearest_m).")
    var nearest = false

    // Unconditional, so that `--generation -1` reaches the range check instead of reading as a missing value.
    @Option(parsing: .unconditional, help: "Assign against this boundary generation (see `wangge generations`; default the newest).")
    var generation: Int64?

    @Option(help: "On a bad row: skip it (report it and go on) or stop.")
    var onError: ErrorPolicy = .skip

    enum ErrorPolicy: String, ExpressibleByArgument, CaseIterable { case skip, stop }

    func run() throws {
        let fmt = format ?? BatchFormat.fromExtension(out)
        let source = try input.open()
        let db = try store.open(existing: true)
        let index: AssignmentIndex
        do { index = try AssignmentIndex.build(from: db, generation: generation) } catch let e as UnknownGeneration {
            throw CLIError("--generation: \(e)")
        }
        note("index of \(index.gridInfo.count) grids and \(index.compoundInfo.count) compounds (generation \(index.generation)) built in \(String(format: "%.2f", index.buildSeconds)) s")

        let output = try openOutput(out)
        let runner = BatchAssigner(index: index, reader: try input.reader(), format: fmt, output: output.fileDescriptor,
                                   stopOnError: onError == .stop, nearest: nearest, report: note)
        do {
            if input.isGeoJSON {
                try runner.runGeoJSON(source.fileDescriptor, crsGiven: input.crs != nil)
            } else {
                try runner.runCSV(source.fileDescriptor, ids: input.ids, lon: input.lonColumn, lat: input.latColumn, encoding: try input.textEncoding())
            }
        } catch let e as BatchInputError {
            throw CLIError("\(input.file): \(e.description)")
        }
        if out != nil { try output.close() }
        if runner.stoppedOnError { throw ExitCode(1) }
    }

}


extension BatchFormat: ExpressibleByArgument {}
