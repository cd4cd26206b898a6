import ArgumentParser
import Foundation
import GridAnalysis
import GridGeo
import GridIO
import GridStore

struct Suggest: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Where to build next: N new station sites covering the most still-uncovered households (greedy maximal covering).",
        discussion: """
            Existing stations of the category stay; each step takes the candidate covering the most
            households not yet covered (ties by candidate id), the greedy for Church & ReVelle's
            maximal covering location problem (1974). Covered = geodesic distance from the site to
            a compound's access point x detour <= the tier's radius, as in `wangge coverage`. Stops
            early when no candidate adds a household. Candidates: every compound's access point
            (default), or a lattice --spacing metres apart over the grids' extent, kept inside grids.
            Columns: \(SitingResult.columns.joined(separator: ","))
            Example: wangge suggest --category canteen --tier 15 --count 5 --out sites.geojson
            """)

    @OptionGroup var store: StoreOptions

    @Option(help: "Station category code (one).")
    var category: String

    @Option(help: "Tier in minutes (one of the store's tiers: 5, 10, 15).")
    var tier: String

    @Option(help: "How many sites, 1 to 100.")
    var count: String

    @Option(help: "compounds (default: the compounds' access points) or lattice.")
    var candidates: String?

    @Option(help: "Lattice spacing in metres, 50 to 5000 (with --candidates lattice).")
    var spacing: String?

    @OptionGroup var output: TableOutputOptions

    func run() throws {
        let fmt = try output.resolvedFormat()
        let db = try store.open(existing: true)
        let options: SitingOptions
        do {
            let tiers = try db.serviceTiers()
            options = try SitingOptions.parse(category: category, tier: tier, count: count, candidates: candidates, spacing: spacing,
                                              knownTiers: CoverageTier.from(tiers), knownCategories: try db.categories(),
                                              method: CoverageMethod.from(tiers))
        } catch let e as CoverageInputError {
            throw ValidationError("--\(e.field): \(e.message)")
        }
        let t0 = Date()
        let data = try CoverageData.load(from: db, network: false)  // siting is straight-line
        var inGrid: (Coordinate) -> Bool = { _ in true }
        if case .lattice = options.candidates { inGrid = Siting.gridTest(try db.geometries(.grids)) }
        let result: SitingResult
        do {
            result = try Siting.suggest(data, options, inGrid: inGrid)
        } catch let e as CoverageInputError {
            throw ValidationError("--\(e.field): \(e.message)")
        }
        note("\(result.sites.count) sites from \(result.candidateCount) candidates, \(data.compounds.count) compounds in \(String(format: "%.3f", Date().timeIntervalSince(t0))) s")
        let table = result.table
        try output.write { w in
            switch fmt {
            case .csv: try w.csv(table)
            case .json: try w.json(table, meta: result.meta)
            case .geojson: try w.geoJSON(table, meta: result.meta) { i in .point(result.sites[i].point) }
            }
        }
    }
}
