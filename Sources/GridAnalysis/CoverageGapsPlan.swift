import Foundation
import Synchronization
import GridGeo
import GridIndex
import GridStore

/// What the uncovered-area computation decides for one grid before GEOS: for each category ×
/// tier, either the answer (no disc reaches the grid: all of it is uncovered; one disc holds every
/// vertex of the grid with a margin: none is) or the stations whose discs reach it.
struct GapPlan: Sendable {
    struct Job: Sendable {
        let t: Int, c: Int
        /// Station indices, one per spot (duplicate stations at one spot give one disc).
        let stations: [Int]
    }

    var decided: [(t: Int, c: Int, gap: GridGap)] = []
    var jobs: [Job] = []

    /// Only stations whose disc's bounding box meets the grid's reach it (found through the
    /// station index, for the largest radius, then filtered per radius); `radii` are geodesic
    /// metres (the walking radius over the detour factor).
    static func make(grid g: CoverageGrid, stations: StationIndex, categories: [String], radii: [Double]) -> GapPlan {
        var plan = GapPlan()
        let inscribed = GeodesicDisc.inscribedFactor() * 0.999_999
        let centre = Coordinate(lon: (g.bbox.minLon + g.bbox.maxLon) / 2, lat: (g.bbox.minLat + g.bbox.maxLat) / 2)
        let halfDiagonal = [Coordinate(g.bbox.minLon, g.bbox.minLat), Coordinate(g.bbox.maxLon, g.bbox.minLat),
                            Coordinate(g.bbox.minLon, g.bbox.maxLat), Coordinate(g.bbox.maxLon, g.bbox.maxLat)]
            .map { Geodesic.distance(centre, $0) }.max() ?? 0
        let reach = radii.max() ?? 0
        // The vertices on the box's four sides first: a disc that misses some vertex usually
        // misses one of these, so "one disc holds every vertex" fails after a few geodesics.
        var vertices = g.vertices
        if let w = vertices.indices.min(by: { vertices[$0].lon < vertices[$1].lon }),
           let e = vertices.indices.max(by: { vertices[$0].lon < vertices[$1].lon }),
           let s = vertices.indices.min(by: { vertices[$0].lat < vertices[$1].lat }),
           let n = vertices.indices.max(by: { vertices[$0].lat < vertices[$1].lat }) {
            let first = Set([w, e, s, n])
            vertices = first.sorted().map { g.vertices[$0] } + g.vertices.indices.filter { !first.contains($0) }.map { g.vertices[$0] }
        }
        for (c, cat) in categories.enumerated() {
            let count = stations.count(category: cat)
            let near = count == 0 ? [] : stations.nearest(centre, k: count, categories: [cat],
                                                          maxDistance: (reach * 1.002 + halfDiagonal) * 1.01 + 1)
            for (t, r) in radii.enumerated() {
                let box = { (s: Int) -> Bool in
                    let p = stations.stations[s].point
                    let d = Geodesic.degreesFor(metres: r * 1.002 + 1, atLatitude: p.lat)
                    return BoundingBox(minLon: p.lon - d.dLon, minLat: p.lat - d.dLat, maxLon: p.lon + d.dLon, maxLat: p.lat + d.dLat)
                        .intersects(g.bbox)
                }
                var spots = Set<Coordinate>()
                let reaching = near.filter {
                    $0.metres <= (r * 1.002 + halfDiagonal) * 1.01 + 1 && box($0.station)
                        && spots.insert(stations.stations[$0.station].point).inserted
                }.map(\.station)
                if reaching.isEmpty {
                    plan.decided.append((t, c, GridGap(shape: .whole, areaM2: g.areaM2)))
                } else if reaching.contains(where: { s in
                    let p = stations.stations[s].point
                    return vertices.allSatisfy { Geodesic.distance(p, $0) <= r * inscribed }
                }) {
                    plan.decided.append((t, c, GridGap(shape: .none, areaM2: 0)))
                } else {
                    plan.jobs.append(Job(t: t, c: c, stations: reaching))
                }
            }
        }
        return plan
    }
}

/// A map over 0..<count on every core, in chunks taken in order; the results in index order.
enum Parallel {
    static func map<T: Sendable>(count: Int, chunk: Int, _ body: @Sendable (Int) -> T) -> [T] {
        let chunks = (count + chunk - 1) / chunk
        let parts = Mutex<[[T]]>(Array(repeating: [], count: chunks))
        let next = Atomic<Int>(0)
        let workers = max(1, min(ProcessInfo.processInfo.activeProcessorCount, 4, chunks))
        DispatchQueue.concurrentPerform(iterations: workers) { _ in
            while true {
                let k = next.add(1, ordering: .relaxed).oldValue
                guard k < chunks else { break }
                let part = (k * chunk..<min(count, (k + 1) * chunk)).map(body)
                parts.withLock { $0[k] = part }
            }
        }
        return parts.withLock { $0.flatMap { $0 } }
    }
}
