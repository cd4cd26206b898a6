import ArgumentParser
import Foundation
import GridStore

/// Benchmarks, kept out of the product binary: measured on demand, never as timed tests
/// (scripts/bench-assign.sh runs the whole comparison; docs/PERFORMANCE.md records the results).
@main
struct WanggeBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "wangge-bench",
        abstract: "wangge's benchmarks (see docs/PERFORMANCE.md).",
        subcommands: [BenchAssign.self, BenchCity.self, BenchNearest.self])
}

struct StoreOptions: ParsableArguments {
    @Option(help: "Path of the SpatiaLite store to measure.")
    var db: String = "data/wangge.sqlite"

    func open() throws -> GridDatabase {
        do { return try GridDatabase(path: db) } catch {
            throw ValidationError("cannot open store \(db): \(error)")
        }
    }
}
