import Foundation
import GridGeo
import GridGEOS
import GridIndex
import GridStore
import Synchronization

/// What is left of a grid outside every circle of a category.
public enum GapShape: Sendable {
    /// The whole grid is within reach (nothing uncovered).
    case none
    /// No disc reaches the grid: all of it is uncovered (its geometry is the grid's own).
    case whole
    /// A (Multi)Polygon computed by GEOS, as little-endian MultiPolygon WKB (`GridGap.geometry()`
    /// decodes it).
    case part(Data)
}

public struct GridGap: Sendable {
    public let shape: GapShape
    /// m² uncovered on the WGS84 ellipsoid (GridGeo's `EllipsoidArea` over the part's rings,
    /// within 1e-6 of the geodesic area; the grid's own ellipsoidal `ST_Area` for `.whole`).
    public let areaM2: Double

    /// The uncovered (Multi)Polygon of a `.part`; nil otherwise.
    public func geometry() throws -> Geometry? {
        if case .part(let wkb) = shape { return try WKB.decode([UInt8](wkb)) }
        return nil
    }
}

/// The uncovered area of grids per tier and category (and `all`): each grid minus the union of
/// the geodesic discs (GridGeo's equal-area 32-gons from `geod_direct`) of the category's stations
/// within reach, computed by GEOS through its C API (GridGEOS; one `GapWorker` per core); the area
/// of `all` is the union of the categories' uncovered parts. (The same overlays through
/// SpatiaLite's SQL, `GridDatabase.uncoveredParts`, cost several times more in round trips per
/// overlay, docs/PERFORMANCE.md; they remain the tests' reference.) Only stations whose disc's
/// bounding box meets the grid's take part (found through the station index, `GapPlan`). Two
/// cases skip GEOS: no disc reaches the grid (all of it is uncovered), and one disc holds every
/// vertex of the grid with a margin (nothing is). Discs use the walking radius divided by the
/// detour factor, so the areas agree with the compounds' flags.
public struct CoverageGaps: Sendable {
    /// Indices into data.grids of the grids computed, in the order given.
    public let grids: [Int]
    private let position: [Int: Int]
    /// gaps[t][c][j]: tier t, row category c (the last is `all`), grids[j].
    private let gaps: [[[GridGap]]]

    public func gap(tier t: Int, row c: Int, grid g: Int) -> GridGap? { position[g].map { gaps[t][c][$0] } }

    /// Every tier × row category × grid of `selected` (indices into the data's grids; nil = every
    /// grid). A grid's geometry for `.whole` gaps is the grid's own (not copied here). `progress`
    /// receives (jobs done, jobs) now and then. Throws GEOSError when GEOS fails on a grid.
    public static func compute(_ coverage: CompoundCoverage, grids selected: [Int]? = nil,
                               progress: (@Sendable (Int, Int) -> Void)? = nil) throws -> CoverageGaps {
        let data = coverage.data, opts = coverage.options
        let grids = selected ?? Array(data.grids.indices)
        let nCat = opts.categories.count
        // Walking radius r means geodesic r / detour.
        let radii = opts.tiers.map { $0.radius / opts.method.detour }
        let categories = opts.categories

        // 1. Which discs reach which grid, and the cases that need no GEOS (on every core).
        let plans = Parallel.map(count: grids.count, chunk: 32) { j in
            GapPlan.make(grid: data.grids[grids[j]], stations: data.stations, categories: categories, radii: radii)
        }
        var result = Array(repeating: Array(repeating: [GridGap?](repeating: nil, count: grids.count), count: nCat + 1), count: radii.count)
        // Each (tier, station) disc once, shared by the workers (GEOS reads it per worker).
        var ringOf: [Int: Int] = [:]
        var ringKeys: [(t: Int, s: Int)] = []
        var work: [GridWork] = []
        var total = 0
        for (j, plan) in plans.enumerated() {
            for d in plan.decided { result[d.t][d.c][j] = d.gap }
            var jobs: [GapJob] = []
            for job in plan.jobs {
                let discs = job.stations.map { s in
                    let key = job.t * data.stations.stations.count + s
                    if let r = ringOf[key] { return r }
                    ringOf[key] = ringKeys.count
                    ringKeys.append((job.t, s))
                    return ringKeys.count - 1
                }
                jobs.append(GapJob(t: job.t, c: job.c, discs: discs))
            }
            total += jobs.count
            // `all` of a tier is decided here when a category leaves all of the grid uncovered, or
            // no category needs GEOS; otherwise by the worker, from the categories' parts.
            var allByWorker: [Int] = []
            for t in radii.indices {
                let rows = (0..<nCat).map { result[t][$0][j] }
                if nCat == 0 || rows.contains(where: { if case .whole? = $0?.shape { return true } else { return false } }) {
                    result[t][nCat][j] = GridGap(shape: .whole, areaM2: data.grids[grids[j]].areaM2)
                } else if rows.contains(where: { $0 == nil }) {
                    allByWorker.append(t)
                } else {
                    result[t][nCat][j] = GridGap(shape: .none, areaM2: 0)
                }
            }
            if !jobs.isEmpty { work.append(GridWork(j: j, jobs: jobs, allTiers: allByWorker)) }
        }
        let keys = ringKeys
        let rings = Parallel.map(count: keys.count, chunk: 64) { k in
            GeodesicDisc.ring(centre: data.stations.stations[keys[k].s].point, radius: radii[keys[k].t])
        }

        // 2. GEOS for the rest, grid by grid on every core.
        let done = Atomic<Int>(0), next = Atomic<Int>(0)
        let workers = max(1, min(ProcessInfo.processInfo.activeProcessorCount, 4))
        let collected = Mutex<[(t: Int, row: Int, j: Int, gap: GridGap)]>([])
        let failure = Mutex<Error?>(nil)
        let sendableWork = work, nCategories = nCat, jobCount = total
        DispatchQueue.concurrentPerform(iterations: workers) { _ in
            var mine: [(t: Int, row: Int, j: Int, gap: GridGap)] = []
            do {
                let worker = try GapWorker(rings: rings)
                // Grids are taken in id order, so a worker tends to meet a disc again in the next grid.
                while true {
                    let k = next.add(1, ordering: .relaxed).oldValue
                    guard k < sendableWork.count, failure.withLock({ $0 == nil }) else { break }
                    let w = sendableWork[k]
                    for (t, row, gap) in try worker.run(grid: data.grids[grids[w.j]], jobs: w.jobs, allTiers: w.allTiers, allRow: nCategories) {
                        mine.append((t, row, w.j, gap))
                    }
                    let d = done.add(w.jobs.count, ordering: .relaxed).newValue
                    if d / 5000 != (d - w.jobs.count) / 5000 { progress?(d, jobCount) }
                }
            } catch {
                failure.withLock { if $0 == nil { $0 = error } }
            }
            collected.withLock { $0 += mine }
        }
        if let e = failure.withLock({ $0 }) { throw e }
        for r in collected.withLock({ $0 }) { result[r.t][r.row][r.j] = r.gap }
        progress?(total, total)

        var position: [Int: Int] = [:]
        for (j, g) in grids.enumerated() { position[g] = j }
        return CoverageGaps(grids: grids, position: position, gaps: result.map { $0.map { $0.map { $0! } } })
    }
}
