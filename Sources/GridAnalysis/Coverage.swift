import Foundation
import GridGeo
import GridIndex
import GridStore
import Synchronization

/// Everything coverage reads, from one store snapshot: compounds with their access points, grids
/// with their areas, the station k-NN index, the category table, and the walking network (when
/// the store has one) with every station and compound access point snapped onto it.
public struct CoverageData: Sendable {
    public let compounds: [CompoundAccess]
    public let grids: [CoverageGrid]
    public let stations: StationIndex
    public let categories: [StationCategory]
    /// nil when the store holds no walking network.
    public let walking: WalkingGraph?
    /// Foot points of `stations.stations` and of `compounds` on `walking` (nil entries: not on
    /// the network, i.e. no component of the minimum size); empty without a network.
    public let stationSnaps: [NetworkSnap?]
    public let compoundSnaps: [NetworkSnap?]

    /// `stationSnaps`: the stations' foot points on `walking` when already computed (the server's
    /// `Indexes.stationSnaps`, parallel to `stations.stations`); else they are snapped here. The
    /// compounds are snapped here, on every core.
    public init(compounds: [CompoundAccess], grids: [CoverageGrid], stations: StationIndex, categories: [StationCategory],
                walking: WalkingGraph? = nil, stationSnaps: [NetworkSnap?]? = nil) {
        self.compounds = compounds; self.grids = grids; self.stations = stations; self.categories = categories
        self.walking = walking
        if let walking {
            if let stationSnaps {
                precondition(stationSnaps.count == stations.stations.count, "one snap per station of the index")
                self.stationSnaps = stationSnaps
            } else {
                self.stationSnaps = walking.snap(stations.stations.map(\.point))
            }
            compoundSnaps = walking.snap(compounds.map(\.point))
        } else {
            self.stationSnaps = []; compoundSnaps = []
        }
    }

    /// Reads the store; `stations`, `walking` and `stationSnaps` reuse what is already built (the
    /// server's `Indexes` of the same generation: its station index, walking graph and the
    /// stations' foot points on it), else they are built from the store (no walking graph when
    /// the network table is empty). `network: false` leaves the walking network out (no read,
    /// no graph, no snapping) for answers that are straight-line only.
    public static func load(from db: GridDatabase, stations: StationIndex? = nil, walking: WalkingGraph? = nil,
                            stationSnaps: [NetworkSnap?]? = nil, network: Bool = true) throws -> CoverageData {
        let graph: WalkingGraph?
        if !network { graph = nil } else if let walking { graph = walking } else {
            let edges = try db.networkEdges()
            graph = edges.isEmpty ? nil : WalkingGraph(edges)
        }
        let index = try stations ?? StationIndex.build(from: db)
        return CoverageData(compounds: try db.compoundAccessPoints(), grids: try db.coverageGrids(),
                            stations: index, categories: try db.categories(), walking: graph,
                            stationSnaps: network && stations != nil && walking != nil ? stationSnaps : nil)
    }
}

/// The category code of the "every selected category" rows.
public let coverageAllCategory = "all"

/// Per compound and category, the nearest station (DESIGN.md §3, coverage) from the compound's
/// access point. Straight-line: by geodesic distance on WGS84 through the station index (ties by
/// station id), walking = geodesic × detour. Network: by network distance (both access legs
/// included) from one multi-source Dijkstra per category over the walking graph (ties by station
/// id), walking = that distance; a compound that reaches no station of the category (not on the
/// network, or on a part no station is on) has none. A tier's flag is `walking ≤ radius` (inclusive).
public struct CompoundCoverage: Sendable {
    public let data: CoverageData
    public let options: CoverageOptions
    /// nearest[c][k] for options.categories[c] and data.compounds[k]: the station (an index into
    /// data.stations.stations) and its distance in metres (geodesic, or network for method
    /// network); nil when no station of the category is reached (then the compound is uncovered
    /// and has no distance).
    public let nearest: [[(station: Int, metres: Double)?]]

    /// With method network and no walking graph in `data` (a caller that skipped
    /// `CoverageMethod.parse`), every compound is uncovered.
    public init(data: CoverageData, options: CoverageOptions) {
        self.data = data
        self.options = options
        if options.method.kind == .network {
            nearest = Self.networkNearest(data, options.categories)
        } else {
            nearest = options.categories.map { c in
                let cat: Set<String> = [c]
                return data.compounds.map { data.stations.nearest($0.point, k: 1, categories: cat).first }
            }
        }
    }

    /// One multi-source Dijkstra per category, categories spread over the cores.
    static func networkNearest(_ data: CoverageData, _ categories: [String]) -> [[(station: Int, metres: Double)?]] {
        guard let graph = data.walking else { return categories.map { _ in data.compounds.map { _ in nil } } }
        let out = Mutex<[Int: [(station: Int, metres: Double)?]]>([:])
        DispatchQueue.concurrentPerform(iterations: categories.count) { c in
            let sources = NetworkAttachments(data.stations.stations.indices
                .filter { data.stations.stations[$0].category == categories[c] }
                .map { ($0, data.stationSnaps[$0]) })
            let field = graph.field(from: sources)
            let row = data.compoundSnaps.map { s in s.flatMap { field.nearest($0) }.map { (station: $0.id, metres: $0.metres) } }
            out.withLock { $0[c] = row }
        }
        let rows = out.withLock { $0 }
        return categories.indices.map { rows[$0]! }
    }

    /// Walking distance in metres (geodesic × detour, or the network distance) from compound k
    /// to category c's nearest station; nil when there is none.
    public func walking(_ c: Int, _ k: Int) -> Double? { nearest[c][k].map { $0.metres * options.method.factor } }

    /// The walking distance within which every selected category is reached (the largest of the
    /// per-category distances); nil when some category has no station or none is selected.
    public func walkingAll(_ k: Int) -> Double? {
        guard !options.categories.isEmpty else { return nil }
        var worst = 0.0
        for c in options.categories.indices {
            guard let w = walking(c, k) else { return nil }
            worst = max(worst, w)
        }
        return worst
    }

    public func covered(_ c: Int, _ k: Int, _ tier: CoverageTier) -> Bool { walking(c, k).map { $0 <= tier.radius } ?? false }
    public func coveredAll(_ k: Int, _ tier: CoverageTier) -> Bool { walkingAll(k).map { $0 <= tier.radius } ?? false }

    /// Categories as rows are written: each selected one, then `all`.
    public var rowCategories: [String] { options.categories + [coverageAllCategory] }

    /// Distance for a row category index (the last one is `all`).
    public func walking(row c: Int, _ k: Int) -> Double? { c == options.categories.count ? walkingAll(k) : walking(c, k) }
    public func covered(row c: Int, _ k: Int, _ tier: CoverageTier) -> Bool {
        c == options.categories.count ? coveredAll(k, tier) : covered(c, k, tier)
    }
    /// The nearest station's id for a row category (none for `all`).
    public func stationId(row c: Int, _ k: Int) -> String? {
        c == options.categories.count ? nil : nearest[c][k].map { data.stations.stations[$0.station].id }
    }
}

/// One area's figures for one category (or `all`) and tier.
public struct AreaCoverage: Sendable {
    public let id: String
    public let category: String
    public let tier: CoverageTier
    public var compounds = 0
    public var households = 0, householdsCovered = 0
    public var population = 0, populationCovered = 0
    /// Geodesic m² of the area's grids; the uncovered part of them when gaps were computed.
    public var areaM2 = 0.0
    public var uncoveredM2: Double?

    /// Covered share of households / people; nil when the area has none (never NaN).
    public var ratioHouseholds: Double? { households > 0 ? Double(householdsCovered) / Double(households) : nil }
    public var ratioPopulation: Double? { population > 0 ? Double(populationCovered) / Double(population) : nil }
}

extension CompoundCoverage {
    /// The id of the area a compound counts in at `level` (its grid_id, community_id, … as stored,
    /// falling back to its grid's parents; `city` for the city).
    static func areaId(_ level: CoverageLevel, compound c: CompoundAccess, grid g: CoverageGrid?) -> String? {
        switch level {
        case .compound: return c.id
        case .grid: return c.gridId
        case .community: return c.communityId ?? g?.communityId
        case .street: return c.streetId ?? g?.streetId
        case .district: return c.districtId ?? g?.districtId
        case .city: return "city"
        }
    }

    static func areaId(_ level: CoverageLevel, grid g: CoverageGrid) -> String? {
        switch level {
        case .compound: return nil
        case .grid: return g.id
        case .community: return g.communityId
        case .street: return g.streetId
        case .district: return g.districtId
        case .city: return "city"
        }
    }

    /// Roll-ups at an area level: for each tier, each row category and each area (every area that
    /// holds a grid or a compound, sorted by id), compounds, households and people inside the
    /// circle, weighted sums exact in integers. `gaps`, when given, fills `uncoveredM2` with the
    /// sum over the area's grids. Order: tier, then area, then category.
    public func rollUp(_ level: CoverageLevel, gaps: CoverageGaps? = nil) -> [AreaCoverage] {
        precondition(level != .compound)
        let gridById = Dictionary(data.grids.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        var areaIds = Set<String>()
        var gridsOf: [String: [Int]] = [:]
        for (i, g) in data.grids.enumerated() {
            if let a = Self.areaId(level, grid: g) { areaIds.insert(a); gridsOf[a, default: []].append(i) }
        }
        var compoundsOf: [String: [Int]] = [:]
        for (k, c) in data.compounds.enumerated() {
            if let a = Self.areaId(level, compound: c, grid: c.gridId.flatMap { gridById[$0] }) {
                areaIds.insert(a); compoundsOf[a, default: []].append(k)
            }
        }
        let ids = areaIds.sorted()
        let cats = rowCategories
        var out: [AreaCoverage] = []
        out.reserveCapacity(options.tiers.count * ids.count * cats.count)
        for (t, tier) in options.tiers.enumerated() {
            for id in ids {
                let gridList = gridsOf[id] ?? []
                let area = gridList.reduce(0.0) { $0 + data.grids[$1].areaM2 }
                for (c, cat) in cats.enumerated() {
                    var a = AreaCoverage(id: id, category: cat, tier: tier)
                    a.areaM2 = area
                    for k in compoundsOf[id] ?? [] {
                        let h = data.compounds[k].households ?? 0, p = data.compounds[k].population ?? 0
                        a.compounds += 1; a.households += h; a.population += p
                        if covered(row: c, k, tier) { a.householdsCovered += h; a.populationCovered += p }
                    }
                    if let gaps {
                        a.uncoveredM2 = gridList.reduce(0.0) { $0 + (gaps.gap(tier: t, row: c, grid: $1)?.areaM2 ?? 0) }
                    }
                    out.append(a)
                }
            }
        }
        return out
    }
}
