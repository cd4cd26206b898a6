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
    /// Part of the grid is uncovered: the (Multi)Polygon computed by GEOS, as little-endian
    /// MultiPolygon WKB (`GridGap.geometry()` decodes it), or nil when the computation was asked
    /// for areas only (`CoverageGaps.compute(…, polygons: false)`).
    case part(Data?)
}

public struct GridGap: Sendable {
    public let shape: GapShape
    /// Geodesic m² uncovered (`geod_polygonarea` of the GEOS faces; the grid's own ellipsoidal
    /// `ST_Area` for `.whole`).
    public let areaM2: Double

    /// The uncovered (Multi)Polygon of a `.part`; nil otherwise.
    public func geometry() throws -> Geometry? {
        if case .part(let wkb?) = shape { return try WKB.decode([UInt8](wkb)) }
        return nil
    }
}

/// The uncovered area of grids per tier and category (and `all`): each grid minus the union of
/// the geodesic discs (GridGeo's equal-area 32-gons from `geod_direct`) of the category's stations
/// within reach, computed by GEOS (its C API, GridGEOS: one arrangement of the grid and every disc
/// reaching it per grid, see `GapWorker`); the area of `all` is the union of the categories'
/// uncovered parts. Only stations whose disc's bounding
/// box meets the grid's take part (found through the station index). Two cases skip GEOS: no disc
/// reaches the grid (all of it is uncovered), and one disc holds every vertex of the grid with a
/// margin (nothing is). Discs use the walking radius divided by the detour factor, so the areas
/// agree with the compounds' flags.
public struct CoverageGaps: Sendable {
    /// Indices into data.grids of the grids computed, in the order given.
    public let grids: [Int]
    private let position: [Int: Int]
    /// gaps[t][c][j]: tier t, row category c (the last is `all`), grids[j].
    private let gaps: [[[GridGap]]]
    /// Whether `.part` gaps carry their polygon (`compute(…, polygons: true)`).
    public let polygons: Bool
    /// Grids that needed GEOS, and those of them computed by overlays because their arrangement's
    /// faces did not add up to the grid (see `GapWorker`).
    public let geosGrids: Int, overlayGrids: Int

    public func gap(tier t: Int, row c: Int, grid g: Int) -> GridGap? { position[g].map { gaps[t][c][$0] } }

    /// Every tier × row category × grid of `selected` (indices into the data's grids; nil = every
    /// grid). With `polygons: false` only the areas are computed (`.part(nil)`), which is all the
    /// area tables need; `gapTable` needs the polygons. `progress` receives (jobs done, jobs)
    /// now and then. Throws GEOSError when GEOS fails on a grid.
    public static func compute(_ coverage: CompoundCoverage, grids selected: [Int]? = nil, polygons: Bool = true,
                               progress: (@Sendable (Int, Int) -> Void)? = nil) throws -> CoverageGaps {
        try compute(coverage, grids: selected, polygons: polygons, arrangements: true, progress: progress)
    }

    /// `arrangements: false` makes every grid take the overlays path (one GEOS difference per
    /// category × tier), which the arrangements are tested against.
    static func compute(_ coverage: CompoundCoverage, grids selected: [Int]?, polygons: Bool, arrangements: Bool,
                        progress: (@Sendable (Int, Int) -> Void)?) throws -> CoverageGaps {
        let data = coverage.data, opts = coverage.options
        let grids = selected ?? Array(data.grids.indices)
        let nCat = opts.categories.count
        // Walking radius r means geodesic r / detour.
        let radii = opts.tiers.map { $0.radius / opts.method.detour }
        let inscribed = GeodesicDisc.inscribedFactor() * 0.999_999

        // 1. Which discs reach which grid, and the cases that need no GEOS.
        struct Job { let t: Int, c: Int, j: Int; let stations: [Int] }
        let polygons = polygons
        var jobs: [Job] = []
        var result = Array(repeating: Array(repeating: [GridGap?](repeating: nil, count: grids.count), count: nCat + 1), count: radii.count)
        for (j, gi) in grids.enumerated() {
            let g = data.grids[gi]
            let centre = Coordinate(lon: (g.bbox.minLon + g.bbox.maxLon) / 2, lat: (g.bbox.minLat + g.bbox.maxLat) / 2)
            let halfDiagonal = [Coordinate(g.bbox.minLon, g.bbox.minLat), Coordinate(g.bbox.maxLon, g.bbox.minLat),
                                Coordinate(g.bbox.minLon, g.bbox.maxLat), Coordinate(g.bbox.maxLon, g.bbox.maxLat)]
                .map { Geodesic.distance(centre, $0) }.max() ?? 0
            for (c, cat) in opts.categories.enumerated() {
                let count = data.stations.count(category: cat)
                // Every station whose disc may meet the grid, for the largest radius; smaller ones filter it.
                let reach = radii.max() ?? 0
                let near = count == 0 ? [] : data.stations.nearest(centre, k: count, categories: [cat],
                                                                     maxDistance: (reach * 1.002 + halfDiagonal) * 1.01 + 1)
                for (t, r) in radii.enumerated() {
                    let box = { (s: Int) -> Bool in
                        let p = data.stations.stations[s].point
                        let d = Geodesic.degreesFor(metres: r * 1.002 + 1, atLatitude: p.lat)
                        return BoundingBox(minLon: p.lon - d.dLon, minLat: p.lat - d.dLat, maxLon: p.lon + d.dLon, maxLat: p.lat + d.dLat)
                            .intersects(g.bbox)
                    }
                    var spots = Set<Coordinate>()  // duplicate stations at one spot give one disc
                    let reaching = near.filter {
                        $0.metres <= (r * 1.002 + halfDiagonal) * 1.01 + 1 && box($0.station)
                            && spots.insert(data.stations.stations[$0.station].point).inserted
                    }.map(\.station)
                    if reaching.isEmpty {
                        result[t][c][j] = GridGap(shape: .whole, areaM2: g.areaM2)
                    } else if reaching.contains(where: { s in
                        let p = data.stations.stations[s].point
                        return g.vertices.allSatisfy { Geodesic.distance(p, $0) <= r * inscribed }
                    }) {
                        result[t][c][j] = GridGap(shape: .none, areaM2: 0)
                    } else {
                        jobs.append(Job(t: t, c: c, j: j, stations: reaching))
                    }
                }
            }
        }

        // 2. GEOS for the rest, grid by grid (each grid and disc is built once as a GEOS geometry
        //    and serves every category and tier), on every core.
        var byGrid: [Int: [GapJob]] = [:]
        for job in jobs { byGrid[job.j, default: []].append(GapJob(t: job.t, c: job.c, stations: job.stations)) }
        // `all` of a tier is decided here when a category leaves all of the grid uncovered, or no
        // category needs GEOS; otherwise by the worker, from the categories' parts.
        var work: [GridWork] = []
        for j in grids.indices {
            let list = byGrid[j] ?? []
            var allByWorker: [Int] = []
            for t in radii.indices {
                let whole = nCat == 0 || (0..<nCat).contains { c in
                    if case .whole? = result[t][c][j]?.shape { return true } else { return false }
                }
                if whole {
                    result[t][nCat][j] = GridGap(shape: .whole, areaM2: data.grids[grids[j]].areaM2)
                } else if list.contains(where: { $0.t == t }) {
                    allByWorker.append(t)
                } else {
                    result[t][nCat][j] = GridGap(shape: .none, areaM2: 0)
                }
            }
            if !list.isEmpty { work.append(GridWork(j: j, jobs: list, allTiers: allByWorker)) }
        }
        let total = jobs.count
        let done = Atomic<Int>(0), next = Atomic<Int>(0), overlays = Atomic<Int>(0)
        let workers = max(1, min(ProcessInfo.processInfo.activeProcessorCount, 4))
        let collected = Mutex<[(t: Int, row: Int, j: Int, gap: GridGap)]>([])
        let failure = Mutex<Error?>(nil)
        let stations = data.stations
        let sendableWork = work, nCategories = nCat
        DispatchQueue.concurrentPerform(iterations: workers) { _ in
            var mine: [(t: Int, row: Int, j: Int, gap: GridGap)] = []
            var worker: GapWorker?
            do {
                worker = try GapWorker(stations: stations, radii: radii, polygons: polygons, arrangements: arrangements)
                while true {
                    let k = next.add(1, ordering: .relaxed).oldValue
                    guard k < sendableWork.count, failure.withLock({ $0 == nil }) else { break }
                    let w = sendableWork[k]
                    let grid = data.grids[grids[w.j]]
                    for (t, row, gap) in try worker!.run(grid: grid, jobs: w.jobs, allTiers: w.allTiers, allRow: nCategories) {
                        mine.append((t, row, w.j, gap))
                    }
                    let d = done.add(w.jobs.count, ordering: .relaxed).newValue
                    if d / 5000 != (d - w.jobs.count) / 5000 { progress?(d, total) }
                }
            } catch {
                failure.withLock { if $0 == nil { $0 = error } }
            }
            collected.withLock { $0 += mine }
            overlays.add(worker?.overlayGrids ?? 0, ordering: .relaxed)
        }
        if let e = failure.withLock({ $0 }) { throw e }
        for r in collected.withLock({ $0 }) { result[r.t][r.row][r.j] = r.gap }
        progress?(total, total)

        var position: [Int: Int] = [:]
        for (j, g) in grids.enumerated() { position[g] = j }
        return CoverageGaps(grids: grids, position: position, gaps: result.map { $0.map { $0.map { $0! } } }, polygons: polygons,
                            geosGrids: work.count, overlayGrids: overlays.load(ordering: .relaxed))
    }
}
