import ArgumentParser
import Foundation
import GridIO
import GridStore

struct Seed: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Load the bundled sample city (geodata/, with its walking network) and seed tables (seeds/) into the store, replacing its layers.")

    @OptionGroup var store: StoreOptions

    @Option(help: "Folder holding geodata/ and seeds/ (default: found from the working directory or the executable).")
    var root: String?

    func run() throws {
        let db = try store.open()
        try loadSample(into: db, root: root)
    }
}

func loadSample(into db: GridDatabase, root: String?) throws {
    guard let url = root.map({ URL(fileURLWithPath: $0) }) ?? SampleCity.locateRoot() else {
        throw CLIError("cannot find geodata/ and seeds/; run from the repository or pass --root (or set WANGGE_HOME)")
    }
    note("loading the sample city from \(url.path)")
    try SampleCity.load(into: db, root: url) { note("  \($0)") }
    // The walking network (geodata/network.geojson), through the same reader as `wangge import network`.
    let network = url.appendingPathComponent("geodata/network.geojson")
    if FileManager.default.fileExists(atPath: network.path) {
        let result: NetworkImport.Result
        do { result = try NetworkImport.read(path: network.path) } catch let e as NetworkImportError { throw CLIError("\(e)") }
        try db.replaceNetwork(result.edges, source: "geodata/network.geojson", sourceCRS: result.crs)
        note("  network: \(result.edges.count) edges, \(result.report.nodes) nodes")
    }
}
