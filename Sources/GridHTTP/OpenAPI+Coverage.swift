import GridAnalysis

/// The coverage endpoints (issue 9 §3) in the API definition.
extension OpenAPI {
    static func coveragePaths() -> [(String, J)] {
        let tier: J = [
            "name": "tier", "in": "query", "required": false, "style": "form", "explode": false,
            "description": .string("circle tiers in minutes, comma-separated: \(CoverageTier.defaults.map { "\($0.minutes!) (\(Int($0.radius)) m)" }.joined(separator: ", ")); default every tier; not with `radius`"),
            "schema": ["type": "array", "items": ["type": "integer", "enum": .array(CoverageTier.defaults.map { .int($0.minutes!) })]],
        ]
        let radius: J = [
            "name": "radius", "in": "query", "required": false, "style": "form", "explode": false,
            "description": "radii in metres instead of tiers, comma-separated",
            "schema": ["type": "array", "maxItems": .int(CoverageOptions.maxRadii),
                       "items": ["type": "number", "exclusiveMinimum": true, "minimum": 0, "maximum": .double(CoverageOptions.maxRadius)]],
        ]
        let category: J = [
            "name": "category", "in": "query", "required": false, "style": "form", "explode": true,
            "description": "station category codes (see /categories; repeat or comma-separate); default the categories that count toward `all`. The code `all` keeps only the `all` features: `category=all` alone is `all` over the counting categories, `category=canteen,health_station,all` is `all` over those two (one feature per area instead of one per category)",
            "schema": ["type": "array", "items": ["type": "string"]],
        ]
        let method: J = [
            "name": "method", "in": "query", "required": false,
            "description": "network: along the walking network (both access legs, from the point to its foot point on the nearest edge of a component of at least 50 nodes, count); straight-line: geodesic distance × the detour factor. Default network when the store holds a walking network, else straight-line; network without one is a 400 naming `method`",
            "schema": ["type": "string", "enum": .strings(CoverageMethod.Kind.allCases.map(\.rawValue))],
        ]
        let level: J = [
            "name": "level", "in": "query", "required": false,
            "description": "compound (one feature per compound, tier and category), or the area level to roll up to (default grid)",
            "schema": ["type": "string", "enum": .strings(CoverageLevel.allCases.map(\.rawValue)), "default": "grid"],
        ]
        func ids(_ name: String, _ what: String) -> J {
            ["name": .string(name), "in": "query", "required": false, "style": "form", "explode": true,
             "description": .string("these \(what) (repeat or comma-separate); grid_id or community_id is required, at most \(CoverageController.maxGapGrids) grids in all"),
             "schema": ["type": "array", "items": ["type": "string"]]]
        }
        func collection(_ props: [String]) -> J {
            [
                "type": "object", "required": ["type", "features"],
                "properties": [
                    "type": ["type": "string", "enum": ["FeatureCollection"]],
                    "method": ["type": "string", "enum": .strings(CoverageMethod.Kind.allCases.map(\.rawValue)),
                               "description": "how distances were measured: network (along the walking network) or straight-line (geodesic × detour)"],
                    "detour": ["type": "number", "description": "the straight-line detour factor (applied to distances only with method straight-line)"],
                    "uncovered_area_method": ["type": "string", "description": "/coverage/gaps: how the uncovered-area polygons were drawn (always straight-line discs, `straight-line*<detour>`)"],
                    "numberReturned": ["type": "integer"],
                    "features": ["type": "array", "items": [
                        "type": "object", "required": ["type", "geometry", "properties"],
                        "properties": [
                            "type": ["type": "string", "enum": ["Feature"]],
                            "id": ["type": "string"],
                            "geometry": ["type": "object", "nullable": true],
                            "properties": ["type": "object", "properties": .object(props.map { ($0, ["nullable": true]) })],
                        ],
                    ]],
                ],
            ]
        }
        return [
            ("/coverage", get("coverage by compound or area", """
                Households and people within the life-service circles (5/10/15-minute walk, GB 50180-2018) of each station \
                category. A compound is covered when the walking distance from its access point (its entrance, else its centroid \
                as ST_Centroid computes it) to the nearest station of the category is at most the radius; walking distance is the \
                distance along the walking network when the store holds one (`method` network: both access legs to the foot points \
                on the nearest edges count; a compound that reaches no station of a category is uncovered with a null distance), \
                else the geodesic distance on WGS84 times the detour factor (`method` straight-line); `method=` chooses. Each \
                feature's `method` column says which (`network`, or `straight-line*<detour>`). `all` is covered when every selected \
                category is. Area levels give one feature per area, tier and category (plus `all`) with the columns of \
                `wangge coverage` (ratios by households and by people, null when the area has none; `area_m2` the geodesic area of \
                its grids; `uncovered_m2` is null here: uncovered areas come from /coverage/gaps or `wangge coverage`); \
                `level=compound` gives one per compound. The city has a null geometry.
                """, tag: "Coverage", id: "coverage", parameters: [level, tier, radius, category, method],
                ok: ok(OGC.Media.geoJSON, collection(CoverageTable.areaColumns(.grid) + CoverageTable.compoundColumns)))),
            ("/coverage/gaps", get("uncovered compounds and areas", """
                The uncovered-area polygons of the selected grids (`grid_id`) or communities' grids (`community_id`), one feature \
                per grid, tier and category (plus `all`) with something uncovered (`kind` uncovered_area: the grid minus the union \
                of the geodesic discs of the category's stations, by GEOS, area in m² geodesic), and their uncovered compounds \
                (`kind` uncovered_compound, the compound's polygon). The uncovered compounds follow `method` (network by default \
                when a walking network is loaded); the uncovered-area polygons are always straight-line discs (walking radius ÷ \
                detour factor), their rows' `method` says `straight-line*<detour>` and the collection's `uncovered_area_method` too: \
                polygons of the area reachable along the network are isochrone work, not done here.
                """, tag: "Coverage", id: "coverage_gaps",
                parameters: [tier, radius, category, ids("grid_id", "grids"), ids("community_id", "communities"), method],
                ok: ok(OGC.Media.geoJSON, collection(["kind"] + CoverageTable.gapColumns + CoverageTable.compoundColumns)))),
            ("/coverage/suggest", get("where to build next", """
                Ranks `count` new station sites of one category that cover the most still-uncovered households at one tier,                 existing stations fixed: the greedy for the maximal covering location problem (Church & ReVelle, 1974): each step                 takes the candidate covering the most households not yet covered, ties by candidate id; it stops early when no                 candidate adds a household. Covered is the coverage rule (geodesic distance to the compound's access point × detour                 ≤ radius, inclusive). Candidates are the compounds' access points (id = compound id) or a lattice `spacing` metres                 apart over the grids' extent, kept inside some grid (id `L<row>-<col>`). One Point feature per site in the order                 taken, with the households and people it newly covers, the cumulative totals and the newly covered compounds                 (`compound_ids`, `;`-separated); the collection carries the starting coverage (`households_covered_before`,                 `households_total`, …). 400 names the field for an unknown category or tier, a count outside 1–100 or a spacing                 outside 50–5000 m.
                """, tag: "Coverage", id: "coverage_suggest", parameters: [
                    ["name": "category", "in": "query", "required": true, "description": "one station category code (see /categories)",
                     "schema": ["type": "string"]],
                    ["name": "tier", "in": "query", "required": true, "description": "one tier in minutes",
                     "schema": ["type": "integer", "enum": .array(CoverageTier.defaults.map { .int($0.minutes!) })]],
                    ["name": "count", "in": "query", "required": true, "description": "how many sites",
                     "schema": ["type": "integer", "minimum": .int(SitingOptions.countRange.lowerBound), "maximum": .int(SitingOptions.countRange.upperBound)]],
                    ["name": "candidates", "in": "query", "required": false, "description": "where sites may go",
                     "schema": ["type": "string", "enum": ["compounds", "lattice"], "default": "compounds"]],
                    ["name": "spacing", "in": "query", "required": false, "description": "lattice spacing in metres (required with, and only with, candidates=lattice)",
                     "schema": ["type": "number", "minimum": .double(SitingOptions.spacingRange.lowerBound), "maximum": .double(SitingOptions.spacingRange.upperBound)]],
                ],
                ok: ok(OGC.Media.geoJSON, collection(SitingResult.columns)))),
        ]
    }
}
