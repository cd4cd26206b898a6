import GridGeo

/// Coverage answers as a table of typed cells, the one shape every wire format (CSV, JSON,
/// GeoJSON in GridIO) writes from, so the CLI and HTTP say the same thing in the same columns.
/// A nil/`.null` cell is written empty in CSV, `null` in JSON: never NaN.
public struct CoverageTable: Sendable {
    public let columns: [String]
    public var rows: [[JSONValue]] = []
    /// For each row, the id of the feature whose geometry a GeoJSON writer attaches (a compound,
    /// grid, community, street or district id; nil for the city), and the layer it is in.
    public var featureIds: [String?] = []
    public let layer: String?

    public init(columns: [String], layer: String?) { self.columns = columns; self.layer = layer }

    public static let compoundColumns = ["compound_id", "grid_id", "category", "tier_min", "radius_m", "method", "station_id",
                                         "distance_m", "covered", "households", "population"]

    /// Area levels: their own id column first (grid_id, community_id, …, city_id).
    public static func areaColumns(_ level: CoverageLevel) -> [String] {
        ["\(level.rawValue)_id", "category", "tier_min", "radius_m", "method", "compounds", "households", "households_covered",
         "ratio_households", "population", "population_covered", "ratio_population", "area_m2", "uncovered_m2"]
    }

    public static let gapColumns = ["grid_id", "category", "tier_min", "radius_m", "method", "area_m2", "uncovered_m2"]

    /// Millimetres (distances) and square millimetres are all a reader needs.
    static func metres(_ d: Double) -> JSONValue { .number((d * 1000).rounded() / 1000) }
    static func optional(_ v: Double?) -> JSONValue { v.map(JSONValue.number) ?? .null }
    static func optional(_ v: Int?) -> JSONValue { v.map(JSONValue.int) ?? .null }
    static func tierCells(_ t: CoverageTier, _ m: CoverageMethod) -> [JSONValue] {
        [optional(t.minutes), .number(t.radius), .string(m.label)]
    }
}

extension CompoundCoverage {
    /// One row per compound × tier × category (each selected one, then `all`), compounds by id.
    /// `onlyUncovered` keeps the rows whose compound is not covered (the gaps answer).
    public func compoundTable(onlyUncovered: Bool = false, compounds selected: [Int]? = nil) -> CoverageTable {
        var table = CoverageTable(columns: CoverageTable.compoundColumns, layer: "compounds")
        let cats = rowCategories
        for k in selected ?? Array(data.compounds.indices) {
            let c = data.compounds[k]
            for tier in options.tiers {
                for (ci, cat) in cats.enumerated() {
                    let covered = covered(row: ci, k, tier)
                    if onlyUncovered && covered { continue }
                    table.rows.append([.string(c.id), c.gridId.map(JSONValue.string) ?? .null, .string(cat)]
                                      + CoverageTable.tierCells(tier, options.method)
                                      + [stationId(row: ci, k).map(JSONValue.string) ?? .null,
                                         walking(row: ci, k).map(CoverageTable.metres) ?? .null,
                                         .bool(covered), CoverageTable.optional(c.households), CoverageTable.optional(c.population)])
                    table.featureIds.append(c.id)
                }
            }
        }
        return table
    }

    /// The roll-ups at an area level as rows (see `rollUp`).
    public func areaTable(_ level: CoverageLevel, gaps: CoverageGaps? = nil) -> CoverageTable {
        let layer: String? = level == .city ? nil : level == .community ? "communities" : level.rawValue + "s"
        var table = CoverageTable(columns: CoverageTable.areaColumns(level), layer: layer)
        for a in rollUp(level, gaps: gaps) {
            table.rows.append([.string(a.id), .string(a.category)] + CoverageTable.tierCells(a.tier, options.method) + [
                .int(a.compounds), .int(a.households), .int(a.householdsCovered), CoverageTable.optional(a.ratioHouseholds),
                .int(a.population), .int(a.populationCovered), CoverageTable.optional(a.ratioPopulation),
                CoverageTable.metres(a.areaM2), a.uncoveredM2.map(CoverageTable.metres) ?? .null,
            ])
            table.featureIds.append(level == .city ? nil : a.id)
        }
        return table
    }

    /// The uncovered area of each computed grid per tier and row category, with its shape: only
    /// grids with something uncovered. The polygons are straight-line discs whatever the
    /// compounds' method (`CoverageMethod.polygonMethod`), and their rows' `method` says so. Shapes are returned beside the table (nil = the grid's own
    /// geometry, for a grid no disc reaches).
    public func gapTable(_ gaps: CoverageGaps) -> (table: CoverageTable, shapes: [Geometry?]) {
        var table = CoverageTable(columns: CoverageTable.gapColumns, layer: "grids")
        var shapes: [Geometry?] = []
        for (t, tier) in options.tiers.enumerated() {
            for gi in gaps.grids {
                let g = data.grids[gi]
                for (c, cat) in rowCategories.enumerated() {
                    guard let gap = gaps.gap(tier: t, row: c, grid: gi) else { continue }
                    switch gap.shape {
                    case .none: continue
                    case .whole: shapes.append(nil)
                    case .part: shapes.append(try? gap.geometry())
                    }
                    table.rows.append([.string(g.id), .string(cat)] + CoverageTable.tierCells(tier, options.method.polygonMethod)
                                      + [CoverageTable.metres(g.areaM2), CoverageTable.metres(gap.areaM2)])
                    table.featureIds.append(g.id)
                }
            }
        }
        return (table, shapes)
    }
}
