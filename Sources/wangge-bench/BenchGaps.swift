import ArgumentParser
import Foundation
import GridAnalysis
import GridStore

struct BenchGaps: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gaps",
        abstract: "Uncovered areas of every grid x category (+ all) x tier, in process: areas only (what `wangge coverage --level grid` computes) and with the polygons (what GET /coverage/gaps draws).")

    @OptionGroup var store: StoreOptions

    @Option(help: "Tiers, as `wangge coverage --tier`.")
    var tier: String = "5,10,15"

    @Option(help: "Categories, as `wangge coverage --categories` (default: those counting toward all).")
    var categories: String?

    @Option(help: "Runs of each (the fastest is printed).")
    var runs: Int = 1

    func run() throws {
        let db = try store.open()
        let data = try CoverageData.load(from: db)
        let tiers = try db.serviceTiers()
        let options = try CoverageOptions.parse(tier: tier, radius: nil, categories: categories, level: "grid",
                                                knownTiers: CoverageTier.from(tiers), knownCategories: try db.categories(),
                                                method: CoverageMethod.from(tiers, requested: "straight-line", networkLoaded: false))
        let coverage = CompoundCoverage(data: data, options: options)
        for polygons in [false, true] {
            var best = Double.infinity
            var last: CoverageGaps?
            for _ in 0..<max(1, runs) {
                let t0 = Date()
                last = try CoverageGaps.compute(coverage, polygons: polygons)
                best = min(best, Date().timeIntervalSince(t0))
            }
            let g = last!
            print("wangge uncovered areas\(polygons ? " and polygons" : ""): \(data.grids.count) grids x \(options.categories.count + 1) categories x \(options.tiers.count) tiers in \(String(format: "%.3f", best)) s (GEOS for \(g.geosGrids) grids, \(g.overlayGrids) by overlays)")
        }
    }
}
