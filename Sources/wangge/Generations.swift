import ArgumentParser
import Foundation
import GridStore

struct Generations: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List the boundary generations: one per import, oldest first.",
        discussion: """
            Columns: generation, imported at (UTC), layer, features imported, polygons repaired,
            input CRS, source file. Every generation stays answerable:
              wangge assign points.csv --generation 3
              GET /assign?lon=…&lat=…&generation=3, GET /collections/grids/items?generation=3
            """)

    @OptionGroup var store: StoreOptions

    func run() throws {
        let db = try store.open(existing: true)
        let list = try db.generations()
        if list.isEmpty {
            note("no boundary generation yet: import a layer (wangge import) or load the sample city (wangge seed)")
            return
        }
        let header = ["generation", "imported_at", "layer", "features", "repaired", "crs", "source"]
        let rows = list.map { g in
            [String(g.id), g.importedAt, g.layer, String(g.featureCount), String(g.repairedCount), g.sourceCRS ?? "-", g.source ?? "-"]
        }
        // Columns padded to their widest cell (the last, the source, runs free).
        var widths = header.map(\.count)
        for r in rows { for (k, c) in r.enumerated() { widths[k] = max(widths[k], c.count) } }
        func line(_ cells: [String]) -> String {
            cells.enumerated().map { k, c in k == cells.count - 1 ? c : c.padding(toLength: widths[k], withPad: " ", startingAt: 0) }
                .joined(separator: "  ")
        }
        var out = line(header) + "\n"
        for r in rows { out += line(r) + "\n" }
        FileHandle.standardOutput.write(Data(out.utf8))
    }
}
