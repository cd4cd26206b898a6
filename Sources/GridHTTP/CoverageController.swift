import Foundation
import GridAnalysis
import GridGeo
import GridIO
import GridStore
import Hummingbird

/// The 5/10/15-minute coverage (DESIGN.md §3): `GET /coverage` rolls compounds up to a level
/// (GeoJSON of the areas, or of the compounds, with their ratios); `GET /coverage/gaps` answers
/// the uncovered compounds and the uncovered-area polygons of the selected grids or communities.
/// Inputs come from `CoverageService` (one store generation, re-read after an import).
struct CoverageController {
    let services: AppServices
    let coverage: CoverageService

    init(services: AppServices) {
        self.services = services
        coverage = CoverageService(db: services.db, indexes: services.indexes)
    }

    static let coverageParameters: Set<String> = ["level", "tier", "radius", "category", "method"]
    static let suggestParameters: Set<String> = ["category", "tier", "count", "candidates", "spacing"]
    static let gapParameters: Set<String> = ["tier", "radius", "category", "grid_id", "community_id", "method"]
    /// Lists: these may repeat (each value may also be comma-separated); the rest are single-valued.
    static let listParameters: Set<String> = ["tier", "radius", "category", "grid_id", "community_id"]
    /// Grids per gaps request: each costs a GEOS union and difference per tier and category.
    static let maxGapGrids = 50

    func addRoutes(to router: Router<WanggeRequestContext>) {
        router.get("/coverage", use: areas)
        router.get("/coverage/gaps", use: gaps)
        router.get("/coverage/suggest", use: suggest)
    }

    /// Checks the query and builds the options; errors name the field. `allOnly`: the category
    /// list named `all` (`category=all`: only the `all` rows, over the categories counting toward
    /// "all"; `category=canteen,health_station,all`: only the `all` rows over those two), so a
    /// client that wants "all categories together" does not download every category's rows.
    func options(_ q: Parameters, allowed: Set<String>, level: String?) throws -> (options: CoverageOptions, allOnly: Bool) {
        try q.rejectRepeats(except: Self.listParameters)
        for (k, _) in q where !allowed.contains(String(k)) {
            throw APIError.badParameter(String(k), "unknown parameter; this route takes " + allowed.sorted().joined(separator: ", "))
        }
        func list(_ name: String) -> String? {
            let all = q.getAll(name)
            return all.isEmpty ? nil : all.joined(separator: ",")
        }
        var categories = list("category"), allOnly = false
        if let c = categories {
            let parts = c.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
            if parts.contains(coverageAllCategory) {
                allOnly = true
                let rest = parts.filter { $0 != coverageAllCategory }
                categories = rest.isEmpty ? nil : rest.joined(separator: ",")
            }
        }
        do {
            let tiers = try services.db.serviceTiers()
            let method = try CoverageMethod.from(tiers, requested: q["method"].map(String.init),
                                                 networkLoaded: try coverage.data().walking != nil)
            return (try CoverageOptions.parse(tier: list("tier"), radius: list("radius"), categories: categories, level: level,
                                              knownTiers: CoverageTier.from(tiers), knownCategories: try services.db.categories(),
                                              method: method), allOnly)
        } catch let e as CoverageInputError {
            throw APIError.badParameter(e.field, e.message)
        }
    }

    /// The rows of `table` whose category is `all` (and their feature ids), in order.
    static func allRows(_ table: CoverageTable) -> CoverageTable {
        guard let c = table.columns.firstIndex(of: "category") else { return table }
        var out = table
        let keep = table.rows.indices.filter { table.rows[$0][c] == .string(coverageAllCategory) }
        out.rows = keep.map { table.rows[$0] }
        out.featureIds = keep.map { table.featureIds[$0] }
        return out
    }

    @Sendable func areas(_ request: Request, context: WanggeRequestContext) async throws -> GeoJSONResponse {
        let q = request.uri.queryParameters
        let (opts, allOnly) = try options(q, allowed: Self.coverageParameters, level: q["level"].map(String.init))
        let cov = CompoundCoverage(data: try coverage.data(), options: opts)
        // Uncovered areas cost GEOS work per grid: they come from /coverage/gaps for chosen grids
        // (and from `wangge coverage` for the whole city), so uncovered_m2 is null here.
        let full = opts.level == .compound ? cov.compoundTable() : cov.areaTable(opts.level)
        let table = allOnly ? Self.allRows(full) : full
        let geometries = try table.layer.flatMap(Layer.named).map { try coverage.geometries($0) } ?? [:]
        return try geoJSON(table, opts, geometry: { i in table.featureIds[i].flatMap { geometries[$0] } })
    }

    @Sendable func gaps(_ request: Request, context: WanggeRequestContext) async throws -> GeoJSONResponse {
        let q = request.uri.queryParameters
        let (opts, allOnly) = try options(q, allowed: Self.gapParameters, level: nil)
        let data = try coverage.data()
        let gridIds = Set(q.getAll("grid_id").flatMap { $0.split(separator: ",").map(String.init) })
        let communityIds = Set(q.getAll("community_id").flatMap { $0.split(separator: ",").map(String.init) })
        for id in gridIds where !data.grids.contains(where: { $0.id == id }) {
            throw APIError.badParameter("grid_id", "no grid with id '\(id)'")
        }
        for id in communityIds where !data.grids.contains(where: { $0.communityId == id }) {
            throw APIError.badParameter("community_id", "no grid in community '\(id)'")
        }
        guard !(gridIds.isEmpty && communityIds.isEmpty) else {
            throw APIError.badParameter("grid_id", "give grid_id or community_id (the whole city's gaps: `wangge coverage --level grid`)")
        }
        let selected = data.grids.indices.filter { i in
            gridIds.contains(data.grids[i].id) || data.grids[i].communityId.map(communityIds.contains) == true
        }
        guard selected.count <= Self.maxGapGrids else {
            throw APIError.badParameter(communityIds.isEmpty ? "grid_id" : "community_id",
                                        "\(selected.count) grids selected; at most \(Self.maxGapGrids) per request (or use `wangge coverage`)")
        }
        let selectedIds = Set(selected.map { data.grids[$0].id })
        let cov = CompoundCoverage(data: data, options: opts)
        let gaps = try coverage.gaps(cov, grids: selected)
        let (fullAreaTable, allShapes) = cov.gapTable(gaps)
        let compounds = data.compounds.indices.filter { data.compounds[$0].gridId.map(selectedIds.contains) == true }
        let fullCompoundTable = cov.compoundTable(onlyUncovered: true, compounds: compounds)
        // category=all: only the `all` features (the area rows' shapes kept in step).
        let areaRows = fullAreaTable.rows.indices.filter { i in
            !allOnly || fullAreaTable.columns.firstIndex(of: "category").map { fullAreaTable.rows[i][$0] == .string(coverageAllCategory) } == true
        }
        var areaTable = fullAreaTable
        areaTable.rows = areaRows.map { fullAreaTable.rows[$0] }
        areaTable.featureIds = areaRows.map { fullAreaTable.featureIds[$0] }
        let shapes = areaRows.map { allShapes[$0] }
        let compoundTable = allOnly ? Self.allRows(fullCompoundTable) : fullCompoundTable
        let grids = try coverage.geometries(.grids), polygons = try coverage.geometries(.compounds)

        var s = "{\"type\":\"FeatureCollection\",\"method\":\(JSONText.quoted(opts.method.name)),\"detour\":\(JSONText.number(opts.method.detour))"
        // The uncovered-area polygons are straight-line discs whatever the compounds' method.
        s += ",\"uncovered_area_method\":\(JSONText.quoted(opts.method.polygonMethod.label))"
        s += ",\"numberReturned\":\(areaTable.rows.count + compoundTable.rows.count),\"features\":["
        var first = true
        func add(_ kind: String, _ t: CoverageTable, _ i: Int, _ g: Geometry?) {
            s += first ? "\n" : ",\n"
            first = false
            let row = t.rows[i]
            let key = [kind, t.featureIds[i] ?? "", JSONText.encode(row[1 + (kind == "uncovered_area" ? 0 : 1)]), JSONText.encode(row[t.columns.firstIndex(of: "radius_m")!])]
            s += "{\"type\":\"Feature\",\"id\":" + JSONText.quoted(key.joined(separator: "/").replacingOccurrences(of: "\"", with: ""))
            s += ",\"geometry\":"
            if let g { GeoJSON.write(RingOrientation.rfc7946(g), into: &s) } else { s += "null" }
            var props = JSONObject([("kind", .string(kind))])
            for (c, v) in zip(t.columns, row) { props[c] = v }
            s += ",\"properties\":" + JSONText.encode(.object(props)) + "}"
        }
        for i in areaTable.rows.indices { add("uncovered_area", areaTable, i, shapes[i] ?? areaTable.featureIds[i].flatMap { grids[$0] }) }
        for i in compoundTable.rows.indices { add("uncovered_compound", compoundTable, i, compoundTable.featureIds[i].flatMap { polygons[$0] }) }
        s += "]}\n"
        return GeoJSONResponse(text: s)
    }

    /// `GET /coverage/suggest`: N new sites by greedy maximal covering (`Siting`), as GeoJSON
    /// points in the order taken; 400 naming the field for a bad or missing parameter.
    @Sendable func suggest(_ request: Request, context: WanggeRequestContext) async throws -> GeoJSONResponse {
        let q = request.uri.queryParameters
        for (k, _) in q where !Self.suggestParameters.contains(String(k)) {
            throw APIError.badParameter(String(k), "unknown parameter; this route takes " + Self.suggestParameters.sorted().joined(separator: ", "))
        }
        try q.rejectRepeats()
        do {
            let tiers = try services.db.serviceTiers()
            let opts = try SitingOptions.parse(category: q["category"].map(String.init), tier: q["tier"].map(String.init),
                                               count: q["count"].map(String.init), candidates: q["candidates"].map(String.init),
                                               spacing: q["spacing"].map(String.init), knownTiers: CoverageTier.from(tiers),
                                               knownCategories: try services.db.categories(), method: CoverageMethod.from(tiers))
            var inGrid: (Coordinate) -> Bool = { _ in true }
            if case .lattice = opts.candidates { inGrid = Siting.gridTest(try coverage.geometries(.grids)) }
            let result = try Siting.suggest(try coverage.data(), opts, inGrid: inGrid)
            var out = ""
            var w = CoverageWriter { out += $0 }
            try w.geoJSON(result.table, meta: result.meta) { i in .point(result.sites[i].point) }
            return GeoJSONResponse(text: out)
        } catch let e as CoverageInputError {
            throw APIError.badParameter(e.field, e.message)
        }
    }

    func geoJSON(_ table: CoverageTable, _ opts: CoverageOptions, geometry: (Int) -> Geometry?) throws -> GeoJSONResponse {
        var out = ""
        var w = CoverageWriter { out += $0 }
        var meta = JSONObject()
        meta["level"] = .string(opts.level.rawValue)
        meta["method"] = .string(opts.method.name)
        meta["detour"] = .number(opts.method.detour)
        try w.geoJSON(table, meta: meta, geometry: geometry)
        return GeoJSONResponse(text: out)
    }
}
