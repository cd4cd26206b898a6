import Foundation
import GridGeo
import GridIndex
import GridStore

/// Where new stations could go: the compounds' access points, or a regular lattice.
public enum SitingCandidates: Sendable, Equatable {
    /// Every compound's access point (entrance, else centroid), id = the compound's id.
    case compounds
    /// A lattice `spacing` metres apart (geodesic, measured at the centre of the grids' extent)
    /// over the grids' extent, kept only where some grid covers the point (boundary included).
    case lattice(spacing: Double)
}

/// What to site: one category, one tier, how many sites and from which candidates.
public struct SitingOptions: Sendable {
    public let category: String
    public let tier: CoverageTier
    public let count: Int
    public let candidates: SitingCandidates
    public let method: CoverageMethod

    public init(category: String, tier: CoverageTier, count: Int, candidates: SitingCandidates, method: CoverageMethod = CoverageMethod()) {
        self.category = category; self.tier = tier; self.count = count; self.candidates = candidates; self.method = method
    }

    public static let countRange = 1...100
    public static let spacingRange = 50.0...5000.0
    /// Lattice points tested per request (bounds the time of one answer; the sample city at 50 m is 11.4 M).
    public static let maxLatticePoints = 20_000_000

    /// Parses user text. `category` must be a known category code, `tier` a known tier in
    /// minutes, `count` an integer in 1–100, `candidates` `compounds` (default) or `lattice`,
    /// `spacing` metres in 50–5,000 (required with, and only with, `lattice`). Throws
    /// `CoverageInputError` naming the field.
    public static func parse(category: String?, tier: String?, count: String?, candidates: String?, spacing: String?,
                             knownTiers: [CoverageTier], knownCategories: [StationCategory],
                             method: CoverageMethod = CoverageMethod()) throws -> SitingOptions {
        guard let category, !category.isEmpty else { throw CoverageInputError("category", "required: one station category") }
        guard knownCategories.contains(where: { $0.code == category }) else {
            throw CoverageInputError("category", "unknown category '\(category)'; categories: \(knownCategories.map(\.code).joined(separator: ", "))")
        }
        let tiersText = knownTiers.compactMap(\.minutes).map(String.init).joined(separator: ", ")
        guard let tier else { throw CoverageInputError("tier", "required: one tier in minutes (\(tiersText))") }
        guard let m = Int(tier), let t = knownTiers.first(where: { $0.minutes == m }) else {
            throw CoverageInputError("tier", "unknown tier '\(tier)'; tiers (minutes): \(tiersText)")
        }
        guard let count else { throw CoverageInputError("count", "required: how many sites, 1 to 100") }
        guard let n = Int(count), countRange.contains(n) else {
            throw CoverageInputError("count", "an integer from 1 to 100, found '\(count)'")
        }
        var cand = SitingCandidates.compounds
        switch candidates ?? "compounds" {
        case "compounds":
            if spacing != nil { throw CoverageInputError("spacing", "only with candidates=lattice") }
        case "lattice":
            guard let spacing else { throw CoverageInputError("spacing", "required with candidates=lattice: metres from 50 to 5000") }
            guard let s = DecimalText.double(spacing), s.isFinite, spacingRange.contains(s) else {
                throw CoverageInputError("spacing", "metres from 50 to 5000, found '\(spacing)'")
            }
            cand = .lattice(spacing: s)
        case let other:
            throw CoverageInputError("candidates", "unknown candidates '\(other)'; give compounds or lattice")
        }
        return SitingOptions(category: category, tier: t, count: n, candidates: cand, method: method)
    }
}

/// One suggested site, in the order the greedy took it.
public struct SitingSite: Sendable, Equatable {
    public let rank: Int
    /// The candidate's id: a compound id, or `L<row>-<col>` (4 digits each, row 0 at the south).
    public let id: String
    public let point: Coordinate
    /// Households and people of the compounds this site covers that neither the existing
    /// stations nor an earlier site covered (missing figures count 0).
    public let households: Int, population: Int
    public let householdsCumulative: Int, populationCumulative: Int
    /// Ids of those newly covered compounds, sorted.
    public let compounds: [String]
}

/// The answer: the sites and the starting point they improve on.
public struct SitingResult: Sendable {
    public let options: SitingOptions
    public let sites: [SitingSite]
    public let candidateCount: Int
    /// Households (and people) already covered by the existing stations, and in all.
    public let householdsCovered: Int, householdsTotal: Int
    public let populationCovered: Int, populationTotal: Int
}

/// Greedy maximal covering (the maximal covering location problem, Church & ReVelle 1974, "The
/// maximal covering location problem", Papers of the Regional Science Association 32): existing
/// stations of the category are fixed; each step takes the candidate covering the most households
/// not yet covered (ties by candidate id), until `count` sites or no candidate adds a household.
/// A candidate covers a compound when geodesic(candidate, access point) × detour ≤ radius
/// (inclusive), the coverage rule of DESIGN.md §3. Candidate → compound sets come from a k-d tree
/// (`StationIndex`) over the uncovered compounds' access points, radius-limited: no all-pairs scan.
public enum Siting {
    /// `inGrid` decides which lattice points are kept (unused for compound candidates).
    public static func suggest(_ data: CoverageData, _ options: SitingOptions, inGrid: (Coordinate) -> Bool) throws -> SitingResult {
        let cov = CompoundCoverage(data: data, options: CoverageOptions(tiers: [options.tier], categories: [options.category],
                                                                        level: .compound, method: options.method))
        let compounds = data.compounds
        var hhCovered = 0, popCovered = 0, hhTotal = 0, popTotal = 0
        var uncovered: [Int] = []
        for k in compounds.indices {
            let h = compounds[k].households ?? 0, p = compounds[k].population ?? 0
            hhTotal += h; popTotal += p
            if cov.covered(0, k, options.tier) { hhCovered += h; popCovered += p } else { uncovered.append(k) }
        }
        let candidates = try candidatePoints(data, options.candidates, inGrid: inGrid)
        // The uncovered compounds as "stations" of one category; ids zero-padded positions so the
        // index's id order is the position order.
        let index = StationIndex(stations: uncovered.enumerated().map { i, k in
            StationInfo(id: String(format: "%010d", i), category: "u", point: compounds[k].point)
        })
        let geodesicLimit = options.tier.radius / options.method.detour
        // sets[c]: positions in `uncovered` candidate c covers.
        var sets: [[Int]] = []
        sets.reserveCapacity(candidates.count)
        for c in candidates {
            let hits = uncovered.isEmpty ? [] : index.nearest(c.point, k: uncovered.count, maxDistance: geodesicLimit * (1 + 1e-9))
            sets.append(hits.filter { $0.metres * options.method.detour <= options.tier.radius }.map(\.station))
        }
        // Candidates in id order, so the first best found is the tie winner.
        let order = candidates.indices.sorted { candidates[$0].id < candidates[$1].id }
        var taken = [Bool](repeating: false, count: uncovered.count)
        var sites: [SitingSite] = []
        var cumH = hhCovered, cumP = popCovered
        while sites.count < options.count {
            var best = -1, bestGain = 0
            for c in order {
                var gain = 0
                for u in sets[c] where !taken[u] { gain += compounds[uncovered[u]].households ?? 0 }
                if gain > bestGain { best = c; bestGain = gain }
            }
            guard best >= 0 else { break }
            var h = 0, p = 0
            var ids: [String] = []
            for u in sets[best] where !taken[u] {
                taken[u] = true
                let k = uncovered[u]
                h += compounds[k].households ?? 0; p += compounds[k].population ?? 0
                ids.append(compounds[k].id)
            }
            cumH += h; cumP += p
            sites.append(SitingSite(rank: sites.count + 1, id: candidates[best].id, point: candidates[best].point,
                                    households: h, population: p, householdsCumulative: cumH, populationCumulative: cumP,
                                    compounds: ids.sorted()))
        }
        return SitingResult(options: options, sites: sites, candidateCount: candidates.count, householdsCovered: hhCovered,
                            householdsTotal: hhTotal, populationCovered: popCovered, populationTotal: popTotal)
    }

    /// The candidate sites with their ids.
    public static func candidatePoints(_ data: CoverageData, _ kind: SitingCandidates,
                                       inGrid: (Coordinate) -> Bool) throws -> [(id: String, point: Coordinate)] {
        switch kind {
        case .compounds:
            return data.compounds.map { ($0.id, $0.point) }
        case .lattice(let spacing):
            guard let first = data.grids.first else { return [] }
            var box = first.bbox
            for g in data.grids.dropFirst() {
                box = BoundingBox(minLon: min(box.minLon, g.bbox.minLon), minLat: min(box.minLat, g.bbox.minLat),
                                  maxLon: max(box.maxLon, g.bbox.maxLon), maxLat: max(box.maxLat, g.bbox.maxLat))
            }
            let step = latticeStep(box, spacing: spacing)
            let rows = Int(((box.maxLat - box.minLat) / step.dLat).rounded(.down)) + 1
            let cols = Int(((box.maxLon - box.minLon) / step.dLon).rounded(.down)) + 1
            guard rows * cols <= SitingOptions.maxLatticePoints else {
                throw CoverageInputError("spacing", "\(rows * cols) lattice points over the grids' extent; at most \(SitingOptions.maxLatticePoints): give a larger spacing")
            }
            var out: [(id: String, point: Coordinate)] = []
            for r in 0..<rows {
                for c in 0..<cols {
                    let p = Coordinate(lon: box.minLon + Double(c) * step.dLon, lat: box.minLat + Double(r) * step.dLat)
                    if inGrid(p) { out.append((String(format: "L%04d-%04d", r, c), p)) }
                }
            }
            return out
        }
    }

    /// Degrees of longitude and latitude that `spacing` metres span at the centre of the box,
    /// measured by geodesic over ±0.0005° (the lattice's rule; checks/ repeats it with pyproj).
    public static func latticeStep(_ box: BoundingBox, spacing: Double) -> (dLon: Double, dLat: Double) {
        let lon = (box.minLon + box.maxLon) / 2, lat = (box.minLat + box.maxLat) / 2
        let perLat = Geodesic.distance(Coordinate(lon: lon, lat: lat - 0.0005), Coordinate(lon: lon, lat: lat + 0.0005)) / 0.001
        let perLon = Geodesic.distance(Coordinate(lon: lon - 0.0005, lat: lat), Coordinate(lon: lon + 0.0005, lat: lat)) / 0.001
        return (spacing / perLon, spacing / perLat)
    }
}

extension Siting {
    /// A point-in-grids test for lattice candidates: true when some grid's polygon covers the
    /// point (boundary included), by the grid layer's `PolygonIndex`.
    public static func gridTest(_ grids: [String: Geometry]) -> @Sendable (Coordinate) -> Bool {
        let polygons: [MultiPolygon] = grids.keys.sorted().compactMap { id in
            switch grids[id]! {
            case .polygon(let p): return MultiPolygon(polygons: [p])
            case .multiPolygon(let m): return m
            default: return nil
            }
        }
        let index = PolygonIndex(polygons)
        return { index.primary($0).index >= 0 }
    }
}
