import GridGeo

/// An immutable point-location index over a set of (multi)polygons, exact under covers semantics:
/// `covering(p)` returns every polygon whose closed area holds p, and says for each whether p is on
/// its boundary. Two levels:
///
/// 1. A uniform cell grid over the extent. Each cell lists the polygons that can cover a point of
///    the cell: *interior* polygons (the whole cell, slightly enlarged, lies inside the polygon's
///    interior, so no edge test is needed) and *mixed* polygons (some edge may touch the cell).
///    Most cells of a tiling hold one interior entry and answer with no arithmetic at all.
/// 2. For mixed polygons, per-polygon latitude bands: every edge is listed in each band its
///    latitude range touches, so the crossing-number test of a point only visits the edges of its
///    band. The test uses GridGeo's exact orientation, so a point on a shared edge is on the
///    boundary of both neighbours, never of one by rounding luck.
///
/// Polygons are numbered in the order given; callers sort them by id so that "smallest index"
/// is "smallest id".
public struct PolygonIndex: Sendable {
    public let count: Int
    /// Vertices of every ring of every polygon, rings closed (first vertex repeated last).
    /// Edge e runs from vertex e to vertex e + 1; edges that would join two rings are never listed.
    let lon: [Double]
    let lat: [Double]
    public let boxes: [BoundingBox]

    // Latitude bands per polygon: band b of polygon k covers edges bandEdges[bandStart[bandBase[k] + b] ..< bandStart[bandBase[k] + b + 1]].
    let bandMinLat: [Double]
    let bandScale: [Double]
    let bandCount: [Int32]
    let bandBase: [Int32]
    let bandStart: [Int32]
    let bandEdges: [Int32]
    /// The edges of polygon k are polyEdges[polyEdgeStart[k] ..< polyEdgeStart[k + 1]].
    let polyEdgeStart: [Int32]
    let polyEdges: [Int32]

    // The cell grid.
    // (Variables only so that init can use the band test while it builds them; never changed after.)
    public private(set) var extent = BoundingBox(minLon: 0, minLat: 0, maxLon: 0, maxLat: 0)
    public private(set) var nx = 1, ny = 1
    private(set) var invW = 1.0, invH = 1.0
    private(set) var cellStart: [Int32] = [0, 0]
    /// Polygon index, with `interiorFlag` set when the whole cell is inside its interior.
    private(set) var cellEntries: [UInt32] = []
    static let interiorFlag: UInt32 = 1 << 31

    public struct Stats: Sendable {
        public let polygons: Int, vertices: Int, cells: Int, cellEntries: Int, interiorCells: Int, bandEdges: Int
        /// Bytes held by the index arrays.
        public let bytes: Int
    }

    public var stats: Stats {
        var interiorOnly = 0
        for c in 0..<(nx * ny) {
            let s = Int(cellStart[c]), e = Int(cellStart[c + 1])
            if e - s == 1, cellEntries[s] & Self.interiorFlag != 0 { interiorOnly += 1 }
        }
        let bytes = lon.count * 16 + polyEdges.count * 4 + boxes.count * 32 + count * (8 + 8 + 4 + 4 + 8) + bandStart.count * 4 + bandEdges.count * 4
            + cellStart.count * 4 + cellEntries.count * 4
        return Stats(polygons: count, vertices: lon.count, cells: nx * ny, cellEntries: cellEntries.count,
                     interiorCells: interiorOnly, bandEdges: bandEdges.count, bytes: bytes)
    }

    /// - Parameter cellsPerPolygon: size of the cell grid relative to the number of polygons.
    public init(_ polygons: [MultiPolygon], cellsPerPolygon: Int = 48) {
        count = polygons.count
        var lon: [Double] = [], lat: [Double] = []
        var boxes: [BoundingBox] = []
        var edgeOwner: [Int32] = []  // per listed edge: its polygon
        var edges: [Int32] = []
        for (k, m) in polygons.enumerated() {
            var box = BoundingBox(minLon: .infinity, minLat: .infinity, maxLon: -.infinity, maxLat: -.infinity)
            for poly in m.polygons {
                for ring in poly.rings where ring.count >= 2 {
                    let start = lon.count
                    for c in ring { lon.append(c.lon); lat.append(c.lat); box.extend(c) }
                    if ring.first != ring.last { lon.append(ring[0].lon); lat.append(ring[0].lat) }
                    for e in start..<(lon.count - 1) where lon[e] != lon[e + 1] || lat[e] != lat[e + 1] {
                        edges.append(Int32(e)); edgeOwner.append(Int32(k))
                    }
                }
            }
            boxes.append(box)
        }
        self.lon = lon; self.lat = lat; self.boxes = boxes
        // Edges were appended polygon by polygon, so they are already grouped by owner.
        var polyEdgeStart = [Int32](repeating: 0, count: count + 1)
        for o in edgeOwner { polyEdgeStart[Int(o) + 1] += 1 }
        for k in 0..<count { polyEdgeStart[k + 1] += polyEdgeStart[k] }
        self.polyEdgeStart = polyEdgeStart
        self.polyEdges = edges

        // Bands: about two edges per band, at most 4096 per polygon.
        var edgesOf = [[Int32]](repeating: [], count: count)
        for (i, e) in edges.enumerated() { edgesOf[Int(edgeOwner[i])].append(e) }
        var bandMinLat = [Double](repeating: 0, count: count), bandScale = [Double](repeating: 0, count: count)
        var bandCount = [Int32](repeating: 1, count: count), bandBase = [Int32](repeating: 0, count: count)
        var bandStart: [Int32] = [], bandEdges: [Int32] = []
        for k in 0..<count {
            let b = boxes[k]
            let n = max(1, min(4096, edgesOf[k].count / 2))
            let height = b.maxLat - b.minLat
            bandMinLat[k] = b.minLat
            bandScale[k] = height > 0 ? Double(n) / height : 0
            bandCount[k] = Int32(n)
            bandBase[k] = Int32(bandStart.count)
            var lists = [[Int32]](repeating: [], count: n)
            for e in edgesOf[k] {
                let i = Int(e)
                let lo = Swift.min(lat[i], lat[i + 1]), hi = Swift.max(lat[i], lat[i + 1])
                let b0 = Self.band(lo, bandMinLat[k], bandScale[k], n), b1 = Self.band(hi, bandMinLat[k], bandScale[k], n)
                for j in b0...b1 { lists[j].append(e) }
            }
            for l in lists { bandStart.append(Int32(bandEdges.count)); bandEdges.append(contentsOf: l) }
            bandStart.append(Int32(bandEdges.count))
        }
        self.bandMinLat = bandMinLat; self.bandScale = bandScale; self.bandCount = bandCount
        self.bandBase = bandBase; self.bandStart = bandStart; self.bandEdges = bandEdges

        // The cell grid: square-ish cells in degrees, about cellsPerPolygon cells per polygon.
        var ext = BoundingBox(minLon: .infinity, minLat: .infinity, maxLon: -.infinity, maxLat: -.infinity)
        for b in boxes where !b.isEmpty { ext.extend(b) }
        if ext.isEmpty { ext = BoundingBox(minLon: 0, minLat: 0, maxLon: 0, maxLat: 0) }
        extent = ext
        let w = Swift.max(ext.maxLon - ext.minLon, 1e-9), h = Swift.max(ext.maxLat - ext.minLat, 1e-9)
        let target = Double(Swift.min(Swift.max(count * cellsPerPolygon, 1), 8_000_000))
        let side = (w * h / target).squareRoot()
        let nx = Swift.max(1, Swift.min(8192, Int((w / side).rounded(.up))))
        let ny = Swift.max(1, Swift.min(8192, Int((h / side).rounded(.up))))
        self.nx = nx; self.ny = ny
        let invW = Double(nx) / w, invH = Double(ny) / h
        self.invW = invW; self.invH = invH
        let cellW = w / Double(nx), cellH = h / Double(ny)

        // A cell is the set of points `cell(of:)` maps to it; rounding can move a point across a
        // cell line by ~1e-12 cells, so every test below uses the cell enlarged by 1e-6 of its size.
        let mx = cellW * 1e-6, my = cellH * 1e-6
        func rect(_ i: Int, _ j: Int) -> BoundingBox {
            BoundingBox(minLon: ext.minLon + Double(i) * cellW - mx, minLat: ext.minLat + Double(j) * cellH - my,
                        maxLon: ext.minLon + Double(i + 1) * cellW + mx, maxLat: ext.minLat + Double(j + 1) * cellH + my)
        }
        func cellRange(_ b: BoundingBox) -> (Int, Int, Int, Int) {
            let i0 = Swift.max(0, Int(((b.minLon - mx - ext.minLon) * invW).rounded(.down)))
            let i1 = Swift.min(nx - 1, Int(((b.maxLon + mx - ext.minLon) * invW).rounded(.down)))
            let j0 = Swift.max(0, Int(((b.minLat - my - ext.minLat) * invH).rounded(.down)))
            let j1 = Swift.min(ny - 1, Int(((b.maxLat + my - ext.minLat) * invH).rounded(.down)))
            return (i0, i1, j0, j1)
        }

        // (polygon << 32 | cell) for every cell an edge of the polygon may touch.
        var mixed: [UInt64] = []
        for (n, e) in edges.enumerated() {
            let i = Int(e)
            let a = Coordinate(lon[i], lat[i]), b = Coordinate(lon[i + 1], lat[i + 1])
            let eb = BoundingBox([a, b])
            let (i0, i1, j0, j1) = cellRange(eb)
            guard i0 <= i1, j0 <= j1 else { continue }
            let owner = UInt64(edgeOwner[n]) << 32
            for j in j0...j1 {
                for ii in i0...i1 where Self.segmentMayTouch(a, b, rect(ii, j)) {
                    mixed.append(owner | UInt64(j * nx + ii))
                }
            }
        }
        mixed.sort()

        // Every cell of a polygon's box that no edge touches lies wholly inside or wholly outside.
        var pairs: [UInt64] = []  // (cell << 32 | entry)
        var cursor = 0
        for k in 0..<count where !boxes[k].isEmpty {
            var mine = Set<Int>()
            while cursor < mixed.count, Int(mixed[cursor] >> 32) == k {
                let c = Int(mixed[cursor] & 0xffff_ffff)
                if mine.insert(c).inserted { pairs.append(UInt64(c) << 32 | UInt64(k)) }
                cursor += 1
            }
            let (i0, i1, j0, j1) = cellRange(boxes[k])
            guard i0 <= i1, j0 <= j1 else { continue }
            for j in j0...j1 {
                for ii in i0...i1 where !mine.contains(j * nx + ii) {
                    let r = rect(ii, j)
                    let centre = Coordinate((r.minLon + r.maxLon) / 2, (r.minLat + r.maxLat) / 2)
                    if locateUnchecked(k, centre) == .inside {
                        pairs.append(UInt64(j * nx + ii) << 32 | UInt64(k) | UInt64(Self.interiorFlag))
                    }
                }
            }
        }
        pairs.sort()
        var cellStart = [Int32](repeating: 0, count: nx * ny + 1)
        var cellEntries: [UInt32] = []
        cellEntries.reserveCapacity(pairs.count)
        var p = 0
        for c in 0..<(nx * ny) {
            cellStart[c] = Int32(cellEntries.count)
            while p < pairs.count, Int(pairs[p] >> 32) == c {
                cellEntries.append(UInt32(truncatingIfNeeded: pairs[p]))
                p += 1
            }
        }
        cellStart[nx * ny] = Int32(cellEntries.count)
        self.cellStart = cellStart
        self.cellEntries = cellEntries
    }

    @inline(__always)
    static func band(_ y: Double, _ minLat: Double, _ scale: Double, _ n: Int) -> Int {
        let v = (y - minLat) * scale
        if !(v > 0) { return 0 }
        return Swift.min(n - 1, Int(v))
    }

    /// Conservative: false only when the segment certainly misses the rectangle.
    static func segmentMayTouch(_ a: Coordinate, _ b: Coordinate, _ r: BoundingBox) -> Bool {
        if Swift.max(a.lon, b.lon) < r.minLon || Swift.min(a.lon, b.lon) > r.maxLon { return false }
        if Swift.max(a.lat, b.lat) < r.minLat || Swift.min(a.lat, b.lat) > r.maxLat { return false }
        let dx = b.lon - a.lon, dy = b.lat - a.lat
        let tol = 1e-9 * (abs(dx) + abs(dy)) * ((r.maxLon - r.minLon) + (r.maxLat - r.minLat) + abs(a.lon) * 1e-6 + abs(a.lat) * 1e-6)
        var pos = 0, neg = 0
        for c in [Coordinate(r.minLon, r.minLat), Coordinate(r.maxLon, r.minLat), Coordinate(r.minLon, r.maxLat), Coordinate(r.maxLon, r.maxLat)] {
            let s = dx * (c.lat - a.lat) - dy * (c.lon - a.lon)
            if s > tol { pos += 1 } else if s < -tol { neg += 1 } else { return true }
        }
        return pos > 0 && neg > 0
    }

    /// The cell a point falls in, or -1 outside the extent.
    @inline(__always)
    func cell(of p: Coordinate) -> Int {
        guard p.lon >= extent.minLon, p.lon <= extent.maxLon, p.lat >= extent.minLat, p.lat <= extent.maxLat else { return -1 }
        let i = Swift.min(nx - 1, Int((p.lon - extent.minLon) * invW))
        let j = Swift.min(ny - 1, Int((p.lat - extent.minLat) * invH))
        return j * nx + i
    }

    /// Where p lies relative to polygon k, by the crossing number over the edges of p's band only.
    /// Same rules as GridGeo's PointInPolygon (half-open in latitude, exact orientation), summed
    /// over every ring of the (valid) multipolygon.
    public func locate(_ k: Int, _ p: Coordinate) -> Location {
        guard boxes[k].contains(p) else { return .outside }
        return locateUnchecked(k, p)
    }

    @inline(__always)
    func locateUnchecked(_ k: Int, _ p: Coordinate) -> Location {
        let n = Int(bandCount[k])
        let b = Int(bandBase[k]) + Self.band(p.lat, bandMinLat[k], bandScale[k], n)
        var inside = false
        for idx in Int(bandStart[b])..<Int(bandStart[b + 1]) {
            let e = Int(bandEdges[idx])
            let alon = lon[e], alat = lat[e], blon = lon[e + 1], blat = lat[e + 1]
            if (alat > p.lat) != (blat > p.lat) {
                let o = Predicates.orientation(Coordinate(alon, alat), Coordinate(blon, blat), p)
                if o == 0 { return .boundary }
                if (o > 0) == (blat > alat) { inside.toggle() }
            } else if alat == p.lat && blat == p.lat {
                if (alon <= p.lon && p.lon <= blon) || (blon <= p.lon && p.lon <= alon) { return .boundary }
            } else if (alat == p.lat && alon == p.lon) || (blat == p.lat && blon == p.lon) {
                return .boundary
            }
        }
        return inside ? .inside : .outside
    }

    /// The smallest-numbered polygon covering p (-1 when none) and whether p is on the boundary of
    /// any covering polygon. The allocation-free hot path for bulk assignment.
    @inline(__always)
    public func primary(_ p: Coordinate) -> (index: Int, boundary: Bool) {
        let c = cell(of: p)
        if c < 0 { return (-1, false) }
        let s = Int(cellStart[c]), e = Int(cellStart[c + 1])
        var best = -1
        var boundary = false
        for i in s..<e {
            let entry = cellEntries[i]
            let k = Int(entry & ~Self.interiorFlag)
            if entry & Self.interiorFlag != 0 {
                if best < 0 || k < best { best = k }
                continue
            }
            switch locate(k, p) {
            case .outside: break
            case .boundary: boundary = true; if best < 0 || k < best { best = k }
            case .inside: if best < 0 || k < best { best = k }
            }
        }
        return (best, boundary)
    }

    /// Every polygon covering p, in index order, with its location (inside or boundary).
    public func covering(_ p: Coordinate) -> [(index: Int, location: Location)] {
        let c = cell(of: p)
        if c < 0 { return [] }
        var out: [(index: Int, location: Location)] = []
        for i in Int(cellStart[c])..<Int(cellStart[c + 1]) {
            let entry = cellEntries[i]
            let k = Int(entry & ~Self.interiorFlag)
            if entry & Self.interiorFlag != 0 { out.append((k, .inside)); continue }
            let l = locate(k, p)
            if l != .outside { out.append((k, l)) }
        }
        out.sort { $0.index < $1.index }
        return out
    }

    /// Every edge of polygon k (for distance computations).
    @inline(__always)
    func forEachEdge(_ k: Int, _ body: (Coordinate, Coordinate) -> Void) {
        for idx in Int(polyEdgeStart[k])..<Int(polyEdgeStart[k + 1]) {
            let e = Int(polyEdges[idx])
            body(Coordinate(lon[e], lat[e]), Coordinate(lon[e + 1], lat[e + 1]))
        }
    }
}
