import ArgumentParser
import Foundation
import GridAnalysis
import GridGeo
import GridIO
import GridIndex
import GridStore

struct Coverage: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "5/10/15-minute coverage: every compound's distance to the nearest station of each category, roll-ups, uncovered areas.",
        discussion: """
            Distances are from each compound's access point (its entrance, else its centroid as
            ST_Centroid computes it) to the nearest station of the category: along the walking
            network when the store has one (method network: both access legs to the foot points on
            the nearest edges count; a compound that reaches no station has no distance), else
            geodesic on WGS84 times the detour factor (method straight-line*DETOUR); --method picks
            one. covered = distance <= radius. `all` is
            covered when every selected category is (its distance is the largest of them).
            Compound level, one row per compound x tier x category (plus all):
              \(CoverageTable.compoundColumns.joined(separator: ","))
            Area levels (grid, community, street, district, city), the level's id column first:
              \(CoverageTable.areaColumns(.grid).joined(separator: ","))
            ratios weight by households and by people (empty when the area has none); area_m2 is
            the geodesic area of the area's grids, uncovered_m2 the part of it outside every circle
            (GEOS; always straight-line discs, also with method network).
            Empty cells, never NaN, where there is no station or nobody.
            Example: wangge coverage --tier 15 --categories canteen,elder_day_care --level community --out c.csv
            """)

    @OptionGroup var store: StoreOptions

    @Option(help: "Tiers in minutes, comma-separated (default: every tier: 5,10,15).")
    var tier: String?

    @Option(help: "Radii in metres instead of tiers, comma-separated (0 < r <= 10000).")
    var radius: String?

    @Option(help: "Station categories, comma-separated (default: those that count toward 'all').")
    var categories: String?

    @Option(help: "compound, grid (default), community, street, district or city.")
    var level: String?

    @Option(help: "network (along the walking network; the default when the store has one) or straight-line (geodesic x detour factor).")
    var method: String?

    @OptionGroup var output: TableOutputOptions

    func run() throws {
        let fmt = try output.resolvedFormat()
        let db = try store.open(existing: true)
        let t0 = Date()
        // Straight-line answers need no walking network: skip reading it and snapping to it.
        let data = try CoverageData.load(from: db, network: method != CoverageMethod.Kind.straightLine.rawValue)
        note("\(data.compounds.count) compounds, \(data.grids.count) grids, \(data.stations.stations.count) stations"
             + (data.walking.map { ", walking network of \($0.summary)," } ?? "")
             + " read in \(String(format: "%.2f", Date().timeIntervalSince(t0))) s")
        let options: CoverageOptions
        do {
            let tiers = try db.serviceTiers()
            options = try CoverageOptions.parse(tier: tier, radius: radius, categories: categories, level: level,
                                                knownTiers: CoverageTier.from(tiers), knownCategories: try db.categories(),
                                                method: CoverageMethod.from(tiers, requested: method, networkLoaded: data.walking != nil))
        } catch let e as CoverageInputError {
            throw ValidationError("--\(e.field == "category" ? "categories" : e.field): \(e.message)")
        }
        let t1 = Date()
        let coverage = CompoundCoverage(data: data, options: options)
        note("coverage: \(data.compounds.count) compounds x \(options.categories.count) categories x \(options.tiers.count) tiers in \(String(format: "%.3f", Date().timeIntervalSince(t1))) s")
        let table: CoverageTable
        if options.level == .compound {
            table = coverage.compoundTable()
        } else {
            let t2 = Date()
            let gaps = try CoverageGaps.compute(coverage) { done, total in note("uncovered areas: \(done)/\(total) polygons by GEOS") }
            note("uncovered areas: \(data.grids.count) grids x \(options.categories.count + 1) categories x \(options.tiers.count) tiers in \(String(format: "%.3f", Date().timeIntervalSince(t2))) s")
            table = coverage.areaTable(options.level, gaps: gaps)
        }
        var geometries: [String: Geometry] = [:]
        if fmt == .geojson, let layer = table.layer.flatMap(Layer.named) {
            geometries = try db.geometries(layer)
        }
        try output.write { w in
            var meta = JSONObject()
            meta["level"] = .string(options.level.rawValue)
            meta["method"] = .string(options.method.name)
            meta["detour"] = .number(options.method.detour)
            if options.level != .compound { meta["uncovered_area_method"] = .string(options.method.polygonMethod.label) }
            switch fmt {
            case .csv: try w.csv(table)
            case .json: try w.json(table, meta: meta)
            case .geojson: try w.geoJSON(table, meta: meta) { i in table.featureIds[i].flatMap { geometries[$0] } }
            }
        }
        note("\(table.rows.count) rows in \(String(format: "%.2f", Date().timeIntervalSince(t0))) s")
    }
}
