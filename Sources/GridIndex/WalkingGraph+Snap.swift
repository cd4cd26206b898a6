import Foundation
import GridGeo
import Synchronization

/// Where a point enters the walking network: its foot point on an edge.
public struct NetworkSnap: Sendable, Equatable {
    /// The edge (index into the graph's edge arrays).
    public let edge: Int32
    /// Metres along the edge from its source node to the foot point (0…edge length): the first
    /// leg of the split edge; the second, to the target node, is length − offset.
    public let offset: Double
    /// Geodesic metres from the point to the foot point (the access leg, counted in every distance).
    public let access: Double
    /// The foot point, WGS84.
    public let foot: Coordinate
}

/// A uniform grid of cells in longitude/latitude over the snappable edges' segments: each cell
/// lists the segments (by the flat index of their first vertex) whose bounding box meets it.
struct SegmentGrid: Sendable {
    let minLon: Double, minLat: Double
    let cellLon: Double, cellLat: Double
    let nx: Int, ny: Int
    /// CSR: the segments of cell (x, y) are items[cellStart[y * nx + x] ..< cellStart[y * nx + x + 1]].
    let cellStart: [Int32]
    let items: [Int32]
    /// The edge of each item.
    let itemEdges: [Int32]
    /// Metres, a lower bound of the geodesic width and height of a cell anywhere in the grid
    /// (used to stop the ring search).
    let minCellMetres: Double

    /// Target cell size; the grid is capped at 1,024 cells a side for large extents.
    static let cellMetres = 150.0

    init(coordinates: [Coordinate], start: [Int32], edges: [Int]) {
        var minLon = Double.infinity, minLat = Double.infinity, maxLon = -Double.infinity, maxLat = -Double.infinity
        for e in edges {
            for c in coordinates[Int(start[e])..<Int(start[e + 1])] {
                minLon = min(minLon, c.lon); maxLon = max(maxLon, c.lon); minLat = min(minLat, c.lat); maxLat = max(maxLat, c.lat)
            }
        }
        guard minLon.isFinite else {
            self.minLon = 0; self.minLat = 0; cellLon = 1; cellLat = 1; nx = 0; ny = 0
            cellStart = [0]; items = []; itemEdges = []; minCellMetres = 0
            return
        }
        let maxAbsLat = min(89.0, max(abs(minLat), abs(maxLat)))
        let d = Geodesic.degreesFor(metres: Self.cellMetres, atLatitude: (minLat + maxLat) / 2)
        let nx = max(1, min(1024, Int(((maxLon - minLon) / d.dLon).rounded(.up))))
        let ny = max(1, min(1024, Int(((maxLat - minLat) / d.dLat).rounded(.up))))
        let cellLon = max((maxLon - minLon) / Double(nx), 1e-9), cellLat = max((maxLat - minLat) / Double(ny), 1e-9)
        self.minLon = minLon; self.minLat = minLat; self.cellLon = cellLon; self.cellLat = cellLat; self.nx = nx; self.ny = ny
        // Smallest metres per degree: 110,574 m (latitude, at the equator); longitude shrinks
        // with cos φ, taken at the grid's highest latitude. 1 % below for safety.
        minCellMetres = min(cellLat * 110_574, cellLon * 111_320 * cos(maxAbsLat * .pi / 180)) * 0.99
        func cells(_ a: Coordinate, _ b: Coordinate) -> (ClosedRange<Int>, ClosedRange<Int>) {
            let x0 = Self.clamp(Int(((min(a.lon, b.lon) - minLon) / cellLon).rounded(.down)), nx)
            let x1 = Self.clamp(Int(((max(a.lon, b.lon) - minLon) / cellLon).rounded(.down)), nx)
            let y0 = Self.clamp(Int(((min(a.lat, b.lat) - minLat) / cellLat).rounded(.down)), ny)
            let y1 = Self.clamp(Int(((max(a.lat, b.lat) - minLat) / cellLat).rounded(.down)), ny)
            return (x0...x1, y0...y1)
        }
        var count = [Int32](repeating: 0, count: nx * ny + 1)
        for e in edges {
            for k in Int(start[e])..<(Int(start[e + 1]) - 1) {
                let (xs, ys) = cells(coordinates[k], coordinates[k + 1])
                for y in ys { for x in xs { count[y * nx + x + 1] += 1 } }
            }
        }
        for i in 0..<(nx * ny) { count[i + 1] += count[i] }
        var fill = count
        var items = [Int32](repeating: 0, count: Int(count[nx * ny]))
        var itemEdges = items
        for e in edges {
            for k in Int(start[e])..<(Int(start[e + 1]) - 1) {
                let (xs, ys) = cells(coordinates[k], coordinates[k + 1])
                for y in ys {
                    for x in xs {
                        let slot = Int(fill[y * nx + x]); fill[y * nx + x] += 1
                        items[slot] = Int32(k); itemEdges[slot] = Int32(e)
                    }
                }
            }
        }
        cellStart = count; self.items = items; self.itemEdges = itemEdges
    }

    static func clamp(_ v: Int, _ n: Int) -> Int { min(max(v, 0), n - 1) }
}

extension WalkingGraph {
    /// The foot point of `p` on the nearest snappable edge by geodesic distance, or nil when no
    /// component has `minComponentNodes` nodes.
    ///
    /// Search: rings of grid cells around `p`, candidates ranked in the plane tangent at `p`
    /// (east/north metres from the ellipsoid's radii of curvature at p's latitude), until the
    /// ring's lower bound exceeds the best candidate; then every candidate within 0.1 % + 1 m of
    /// the best planar distance is refined on the ellipsoid (`GeodesicFoot`) and the least
    /// geodesic distance wins (exact ties: the smaller edge index, then the smaller offset). The planar ranking errs by about
    /// tan φ · d² / R (under 2 m at 5 km from the nearest street at 23° N), far inside that
    /// margin, so the exact winner is always among the refined ones.
    ///
    /// A point farther than `maxAccessMetres` from every snappable edge is off the network (nil),
    /// as routing engines bound their search (Valhalla's `search_cutoff`, 35 km by default): it
    /// keeps the planar ranking's margin small and the work bounded for a point anywhere on Earth.
    public func snap(_ p: Coordinate) -> NetworkSnap? {
        let g = segments
        guard g.nx > 0, p.lon.isFinite, p.lat.isFinite else { return nil }
        let cutoff = Self.maxAccessMetres
        // Radii of curvature on WGS84 at p: metres per degree east and north.
        let a = 6378137.0, e2 = 0.00669437999014
        let phi = p.lat * .pi / 180, w = 1 - e2 * sin(phi) * sin(phi)
        let kx = .pi / 180 * a / sqrt(w) * cos(phi), ky = .pi / 180 * a * (1 - e2) / (w * sqrt(w))
        let cx = Int(((p.lon - g.minLon) / g.cellLon).rounded(.down)), cy = Int(((p.lat - g.minLat) / g.cellLat).rounded(.down))
        var best = Double.infinity
        var candidates: [(k: Int32, e: Int32, d: Double, t: Double)] = []
        // The planar ranking's error grows as tan φ · d² / R: far from the network (a point
        // kilometres away) the margin widens with it, so the exact winner stays among the refined.
        let curvature = abs(tan(phi)) / 6_356_752 + 1 / 6_356_752
        func margin(_ d: Double) -> Double { d * 1.001 + 1 + 2 * d * d * curvature }
        func visit(_ x: Int, _ y: Int) {
            guard x >= 0, y >= 0, x < g.nx, y < g.ny else { return }
            let cell = y * g.nx + x
            for slot in Int(g.cellStart[cell])..<Int(g.cellStart[cell + 1]) {
                let k = Int(g.items[slot])
                let ax = (coordinates[k].lon - p.lon) * kx, ay = (coordinates[k].lat - p.lat) * ky
                let bx = (coordinates[k + 1].lon - p.lon) * kx, by = (coordinates[k + 1].lat - p.lat) * ky
                let dx = bx - ax, dy = by - ay, ll = dx * dx + dy * dy
                let t = ll > 0 ? min(max(-(ax * dx + ay * dy) / ll, 0), 1) : 0
                let fx = ax + t * dx, fy = ay + t * dy
                let d = (fx * fx + fy * fy).squareRoot()
                if d <= margin(best) && d <= margin(cutoff) {
                    best = min(best, d)
                    candidates.append((Int32(k), g.itemEdges[slot], d, t))
                }
            }
        }
        // Beyond the grid on every side after this many rings.
        let far = max(abs(cx), abs(cx - g.nx + 1), abs(cy), abs(cy - g.ny + 1))
        // A point outside the grid starts at the first ring that reaches it, and every ring is
        // clipped to the grid, so the work is bounded by the grid's size wherever the point is
        // (a query at the other end of the world must not walk millions of empty rings).
        let outX = cx < 0 ? -cx : max(cx - (g.nx - 1), 0), outY = cy < 0 ? -cy : max(cy - (g.ny - 1), 0)
        var r = max(outX, outY)
        // Every cell of ring r is at least r - 1 whole cells away.
        if Double(r - 1) * g.minCellMetres > margin(cutoff) * 1.01 { return nil }
        while true {
            if r == 0 { visit(cx, cy) } else {
                let x0 = max(cx - r, 0), x1 = min(cx + r, g.nx - 1)
                for x in stride(from: x0, through: x1, by: 1) {
                    if cy - r >= 0 { visit(x, cy - r) }
                    if cy + r < g.ny { visit(x, cy + r) }
                }
                let y0 = max(cy - r + 1, 0), y1 = min(cy + r - 1, g.ny - 1)
                for y in stride(from: y0, through: y1, by: 1) {
                    if cx - r >= 0 { visit(cx - r, y) }
                    if cx + r < g.nx { visit(cx + r, y) }
                }
            }
            // Unvisited cells are ≥ r whole cells away in x or in y.
            if r >= far || Double(r) * g.minCellMetres > margin(min(best, cutoff)) * 1.01 { break }
            r += 1
        }
        var answer: NetworkSnap?
        for c in candidates where c.d <= margin(best) {
            let k = Int(c.k)
            let f = GeodesicFoot.foot(of: p, on: coordinates[k], coordinates[k + 1], startFraction: c.t)
            guard f.metres <= cutoff else { continue }
            let along = along(edge: Int(c.e)), i = k - Int(coordinateStart[Int(c.e)])
            let scale = f.length > 0 ? (along[i + 1] - along[i]) / f.length : 0
            let offset = min(max(along[i] + f.offset * scale, 0), edgeLength[Int(c.e)])
            let s = NetworkSnap(edge: c.e, offset: offset, access: f.metres, foot: f.point)
            if let cur = answer, (cur.access, cur.edge, cur.offset) <= (s.access, s.edge, s.offset) { continue }
            answer = s
        }
        return answer
    }
}

extension WalkingGraph {
    /// `snap(_:)` of every point, in order, spread over the cores (chunks of consecutive points;
    /// each answer is the single-point one, so the result does not depend on the split).
    public func snap(_ points: [Coordinate]) -> [NetworkSnap?] {
        let chunk = 256
        let chunks = (points.count + chunk - 1) / chunk
        guard chunks > 1 else { return points.map { snap($0) } }
        let parts = Mutex<[Int: [NetworkSnap?]]>([:])
        DispatchQueue.concurrentPerform(iterations: chunks) { c in
            let part = points[(c * chunk)..<min(points.count, (c + 1) * chunk)].map { snap($0) }
            parts.withLock { $0[c] = part }
        }
        return parts.withLock { done in (0..<chunks).flatMap { done[$0]! } }
    }
}
