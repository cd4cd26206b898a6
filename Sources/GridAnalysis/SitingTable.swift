import GridGeo

extension SitingResult {
    /// Columns of the siting answer, one row per site in the order the greedy took them.
    /// `compound_ids` lists the newly covered compounds separated by `;`.
    public static let columns = ["rank", "site_id", "lon", "lat", "category", "tier_min", "radius_m", "method",
                                 "households_new", "population_new", "households_cumulative", "population_cumulative",
                                 "compounds_new", "compound_ids"]

    /// The sites as a table (features: the site ids; geometry: each site's point).
    public var table: CoverageTable {
        var t = CoverageTable(columns: Self.columns, layer: nil)
        for s in sites {
            t.rows.append([.int(s.rank), .string(s.id), .number(s.point.lon), .number(s.point.lat), .string(options.category)]
                          + CoverageTable.tierCells(options.tier, options.method)
                          + [.int(s.households), .int(s.population), .int(s.householdsCumulative), .int(s.populationCumulative),
                             .int(s.compounds.count), .string(s.compounds.joined(separator: ";"))])
            t.featureIds.append(s.id)
        }
        return t
    }

    /// Foreign members of the JSON/GeoJSON answers: the request and the starting coverage.
    public var meta: JSONObject {
        var m = JSONObject()
        m["category"] = .string(options.category)
        m["tier_min"] = options.tier.minutes.map(JSONValue.int) ?? .null
        m["radius_m"] = .number(options.tier.radius)
        m["method"] = .string(options.method.name)
        m["detour"] = .number(options.method.detour)
        switch options.candidates {
        case .compounds: m["candidates"] = .string("compounds")
        case .lattice(let s): m["candidates"] = .string("lattice"); m["spacing_m"] = .number(s)
        }
        m["candidate_count"] = .int(candidateCount)
        m["households_total"] = .int(householdsTotal)
        m["households_covered_before"] = .int(householdsCovered)
        m["population_total"] = .int(populationTotal)
        m["population_covered_before"] = .int(populationCovered)
        return m
    }
}
