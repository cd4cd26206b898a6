import ArgumentParser
import Foundation
import GridStore

struct Export: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Write a layer as RFC 7946 GeoJSON.")

    @OptionGroup var store: StoreOptions

    @Argument(help: "Layer to export.")
    var layer: String

    @Option(name: .shortAndLong, help: "Output file (default: standard output).")
    var out: String?

    // Unconditional, so that `--generation -1` reaches the range check instead of reading as a missing value.
    @Option(parsing: .unconditional, help: "Write the layer as it stood at this boundary generation (see `wangge generations`; default: the newest).")
    var generation: Int64?

    func run() throws {
        guard let target = Layer.named(layer) else {
            throw CLIError("unknown layer '\(layer)'; layers: \(Layer.all.map(\.name).joined(separator: ", "))")
        }
        let db = try store.open(existing: true)
        if let generation {
            let latest = try db.currentGeneration()
            guard generation >= 1, generation <= latest else {
                throw CLIError("--generation \(generation): the store has generations 1 to \(latest) (see `wangge generations`)")
            }
        }
        let handle: FileHandle
        if let out {
            guard FileManager.default.createFile(atPath: out, contents: nil) else { throw CLIError("cannot write \(out)") }
            handle = try FileHandle(forWritingTo: URL(fileURLWithPath: out))
        } else {
            handle = FileHandle.standardOutput
        }
        var buffer = Data()
        try db.exportGeoJSON(target, generation: generation) { s in
            buffer.append(contentsOf: s.utf8)
            if buffer.count > 1 << 20 { handle.write(buffer); buffer.removeAll(keepingCapacity: true) }
        }
        handle.write(buffer)
        if out != nil { try handle.close() }
    }
}
