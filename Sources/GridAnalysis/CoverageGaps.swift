import Foundation
import GridGeo
import GridIndex
import GridStore
import Synchronization

/// What is left of a grid outside every circle of a category.
public enum GapShape: Sendable {
    /// The whole grid is within reach (nothing uncovered).
    case none
    /// No disc reaches the grid: all of it is uncovered (its geometry is the grid's own).
    case whole
    /// A (Multi)Polygon computed by GEOS, as WKB (`GridGap.geometry()` decodes it).
    case part(Data)
}

public struct GridGap: Sendable {
    public let shape: GapShape
    /// Geodesic m² uncovered (ellipsoidal ST_Area; the grid's own area for `.whole`).
    public let areaM2: Double

    /// The uncovered (Multi)Polygon of a `.part`; nil otherwise.
    public func geometry() throws -> Geometry? {
        if case .part(let wkb) = shape { return try WKB.decode([UInt8](wkb)) }
        return nil
    }
}

/// The uncovered area of grids per tier and category (and `all`): each grid minus the union of
/// the geodesic discs (GridGeo's equal-area 32-gons from `geod_direct`) of the category's stations
/// within reach, computed by GEOS through SpatiaLite (`ST_Difference`, `ST_UnaryUnion`); the area
/// of `all` is the union of the categories' uncovered parts. Only stations whose disc's bounding
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

    public func gap(tier t: Int, row c: Int, grid g: Int) -> GridGap? { position[g].map { gaps[t][c][$0] } }

    /// A grid's geometry for `.whole` gaps comes from the store.
    public static func compute(_ coverage: CompoundCoverage, db: GridDatabase, grids selected: [Int]? = nil,
                               progress: (@Sendable (Int, Int) -> Void)? = nil) throws -> CoverageGaps {
        let data = coverage.data, opts = coverage.options
        let grids = selected ?? Array(data.grids.indices)
        let nCat = opts.categories.count
        // Walking radius r means geodesic r / detour.
        let radii = opts.tiers.map { $0.radius / opts.method.detour }
        let inscribed = GeodesicDisc.inscribedFactor() * 0.999_999

        // 1. Which discs reach which grid, and the cases that need no GEOS.
        struct Job { let t: Int, c: Int, j: Int; let stations: [Int] }
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

        // 2. GEOS for the rest, on as many read connections as there are cores.
        let total = jobs.count
        let done = Atomic<Int>(0)
        let workers = max(1, min(ProcessInfo.processInfo.activeProcessorCount, 4))
        let collected = Mutex<[(Int, GridGap)]>([])
        let failure = Mutex<Error?>(nil)
        let stations = data.stations
        let ids = grids.map { data.grids[$0].id }
        let sendableJobs = jobs.map { (t: $0.t, j: $0.j, stations: $0.stations) }
        DispatchQueue.concurrentPerform(iterations: workers) { w in
            var rings: [Int: Ring] = [:]  // per tier·station, reused across neighbouring grids
            var mine: [(Int, GridGap)] = []
            var batch: [(gridId: String, discs: [Ring])] = []
            var which: [Int] = []
            for k in stride(from: w, to: total, by: workers) {
                let job = sendableJobs[k]
                let discs = job.stations.map { s -> Ring in
                    let key = job.t * stations.stations.count + s
                    if let r = rings[key] { return r }
                    let r = GeodesicDisc.ring(centre: stations.stations[s].point, radius: radii[job.t])
                    rings[key] = r
                    return r
                }
                batch.append((ids[job.j], discs)); which.append(k)
            }
            do {
                try db.uncoveredParts(batch) { n, part in
                    // Splitting a grid's edges where discs cross them moves its geodesic area by
                    // ~1e-7: never report more uncovered than the grid has.
                    let area = min(part.areaM2, data.grids[grids[sendableJobs[which[n]].j]].areaM2)
                    let gap = part.wkb.map { GridGap(shape: .part($0), areaM2: area) } ?? GridGap(shape: .none, areaM2: 0)
                    mine.append((which[n], gap))
                    let d = done.add(1, ordering: .relaxed).newValue
                    if d % 5000 == 0 { progress?(d, total) }
                }
            } catch {
                failure.withLock { if $0 == nil { $0 = error } }
            }
            collected.withLock { $0 += mine }
        }
        if let e = failure.withLock({ $0 }) { throw e }
        for (k, gap) in collected.withLock({ $0 }) {
            let job = jobs[k]
            result[job.t][job.c][job.j] = gap
        }
        progress?(total, total)

        // 3. `all`: uncovered for at least one category = the union of the uncovered parts.
        var unions: [(t: Int, j: Int, parts: [Data])] = []
        for t in radii.indices {
            for j in grids.indices {
                let list = (0..<nCat).map { result[t][$0][j]! }
                let g = data.grids[grids[j]]
                if nCat == 0 || list.contains(where: { if case .whole = $0.shape { return true } else { return false } }) {
                    result[t][nCat][j] = GridGap(shape: .whole, areaM2: g.areaM2)
                    continue
                }
                let parts = list.compactMap { gap -> Data? in if case .part(let p) = gap.shape { return p } else { return nil } }
                if parts.isEmpty {
                    result[t][nCat][j] = GridGap(shape: .none, areaM2: 0)
                } else if parts.count == 1 {
                    result[t][nCat][j] = list.first { if case .part = $0.shape { return true } else { return false } }
                } else {
                    unions.append((t, j, parts))
                }
            }
        }
        let unionJobs = unions
        let unionResults = Mutex<[(Int, GridGap)]>([])
        DispatchQueue.concurrentPerform(iterations: workers) { w in
            var mine: [(Int, GridGap)] = []
            for k in stride(from: w, to: unionJobs.count, by: workers) {
                do {
                    let u = try db.unionOfParts(unionJobs[k].parts)
                    let area = min(u.areaM2, data.grids[grids[unionJobs[k].j]].areaM2)
                    mine.append((k, u.wkb.map { GridGap(shape: .part($0), areaM2: area) } ?? GridGap(shape: .none, areaM2: 0)))
                } catch {
                    failure.withLock { if $0 == nil { $0 = error } }
                    break
                }
            }
            unionResults.withLock { $0 += mine }
        }
        if let e = failure.withLock({ $0 }) { throw e }
        for (k, gap) in unionResults.withLock({ $0 }) { result[unions[k].t][nCat][unions[k].j] = gap }

        var position: [Int: Int] = [:]
        for (j, g) in grids.enumerated() { position[g] = j }
        return CoverageGaps(grids: grids, position: position, gaps: result.map { $0.map { $0.map { $0! } } })
    }
}
