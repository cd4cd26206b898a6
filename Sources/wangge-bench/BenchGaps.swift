import ArgumentParser
import Foundation
import GridAnalysis
import GridStore

/// The uncovered-area stage alone, in process, repeated: what `wangge coverage --level grid`
/// prints once per run, with the fastest and slowest of several runs on one loaded store.
struct BenchGaps: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gaps",
        abstract: "Uncovered areas (polygons and m²) of every grid x category (+ all) x tier, in process, straight-line discs.")

    @OptionGroup var store: StoreOptions

    @Option(help: "Tiers, as `wangge coverage --tier`.")
    var tier: String = "5,10,15"

    @Option(help: "Categories, as `wangge coverage --categories` (default: those counting toward all).")
    var categories: String?

    @Option(help: "Runs (the fastest and the slowest are printed).")
    var runs: Int = 3

    func run() throws {
        let db = try store.open()
        let data = try CoverageData.load(from: db, network: false)
        let tiers = try db.serviceTiers()
        let options = try CoverageOptions.parse(tier: tier, radius: nil, categories: categories, level: "grid",
                                                knownTiers: CoverageTier.from(tiers), knownCategories: try db.categories(),
                                                method: CoverageMethod.from(tiers, requested: "straight-line", networkLoaded: false))
        let coverage = CompoundCoverage(data: data, options: options)
        var times: [Double] = []
        var total = 0.0
        for _ in 0..<max(1, runs) {
            let t0 = Date()
            let gaps = try CoverageGaps.compute(coverage)
            times.append(Date().timeIntervalSince(t0))
            total = 0
            for t in options.tiers.indices {
                for c in 0...options.categories.count {
                    for g in data.grids.indices { total += gaps.gap(tier: t, row: c, grid: g)!.areaM2 }
                }
            }
        }
        print(String(format: "wangge uncovered areas: %d grids x %d categories (+ all) x %d tiers, %d runs: fastest %.3f s, slowest %.3f s (uncovered m2 summed: %.0f)",
                     data.grids.count, options.categories.count, options.tiers.count, times.count,
                     times.min()!, times.max()!, total))
    }
}
