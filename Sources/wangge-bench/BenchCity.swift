import ArgumentParser
import Foundation
import GridTestSupport

/// Writes a generated city (GridTestSupport's SyntheticCity: jagged grids on a lattice, shared
/// vertices, a hole with an enclave, an exclave) as one GeoJSON file per layer, for `wangge
/// import`: the bulk benchmark's city, not the sample city.
struct BenchCity: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "city",
        abstract: "Write a generated city (districts, streets, communities, grids, compounds) as GeoJSON files.")

    @Option(help: "Lattice columns.")
    var columns: Int = 20
    @Option(help: "Lattice rows.")
    var rows: Int = 15
    @Option(help: "Folder to write <layer>.geojson into.")
    var out: String

    func run() throws {
        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        let city = SyntheticCity(columns: columns, rows: rows)
        for (name, text) in city.layers() {
            try Data(text.utf8).write(to: URL(fileURLWithPath: out).appendingPathComponent("\(name).geojson"))
        }
        print("\(city.grids.count) grids written to \(out)")
    }
}
