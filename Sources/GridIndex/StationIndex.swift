import Foundation
import GridGeo
import GridStore

/// A service station as the nearest-station answers need it, resolved once at build time.
public struct StationInfo: Sendable, Equatable {
    public let id: String
    /// Station category code (seeds/station_categories.csv).
    public let category: String
    public let name: String?
    /// county, town, community or compound.
    public let level: String?
    public let gridId: String?, communityId: String?, streetId: String?, districtId: String?, compoundId: String?
    /// WGS84 longitude-latitude.
    public let point: Coordinate
    public init(id: String, category: String, name: String? = nil, level: String? = nil, gridId: String? = nil,
                communityId: String? = nil, streetId: String? = nil, districtId: String? = nil, compoundId: String? = nil,
                point: Coordinate) {
        self.id = id; self.category = category; self.name = name; self.level = level
        self.gridId = gridId; self.communityId = communityId; self.streetId = streetId
        self.districtId = districtId; self.compoundId = compoundId; self.point = point
    }
}

/// The k nearest service stations of a point by geodesic distance on the WGS84 ellipsoid
/// (DESIGN §3, nearest station), built from one store snapshot and never mutated.
///
/// Exact, not approximate: candidates are ranked by `Geodesic.distance` (Karney's algorithm as
/// PROJ ships it), ties broken by station id. Fast: one 3-D k-d tree per category (and one for
/// all) over the stations' Earth-centred (ECEF) positions. The straight-line (chord) distance
/// through the ellipsoid never exceeds the geodesic distance, and the geodesic exceeds the chord
/// by at most c³/24R² (see `chordUpperBound`), so chords alone decide which stations can be among
/// the k nearest: a best-first search visits boxes in order of their chord lower bound and stops
/// once it exceeds the upper bound of the k-th smallest chord; geodesics are computed only for the
/// stations under that bound (usually k, a few more near a tie).
public final class StationIndex: Sendable {
    /// Every station, sorted by id, so a smaller position is a smaller id (the tie rule).
    public let stations: [StationInfo]
    /// Category codes present among the stations, sorted.
    public let categories: [String]
    /// Every category a query may name: the store's station categories (seeds/station_categories.csv)
    /// and any code present among the stations, sorted. A code outside it is a caller's mistake.
    public let knownCategories: [String]
    private let ecef: [BoundaryDistance.ECEF]
    private let trees: [String: Tree]
    /// Every station in one tree, for questions about every category.
    private let all: Tree
    /// Boundary generation of the snapshot (0 when built from a plain list).
    public let generation: Int64

    /// Stations in any order; duplicate positions are fine (ties go to the smaller id).
    /// `knownCategories`: the category codes the store defines, beyond those present.
    public init(stations: [StationInfo], knownCategories: [String] = [], generation: Int64 = 0) {
        let sorted = stations.sorted { $0.id < $1.id }
        self.stations = sorted
        self.generation = generation
        let ecef = sorted.map { BoundaryDistance.ECEF($0.point) }
        self.ecef = ecef
        var byCategory: [String: [Int32]] = [:]
        for (i, s) in sorted.enumerated() { byCategory[s.category, default: []].append(Int32(i)) }
        categories = byCategory.keys.sorted()
        self.knownCategories = Set(knownCategories).union(byCategory.keys).sorted()
        trees = byCategory.mapValues { Tree($0, ecef) }
        all = Tree((0..<Int32(sorted.count)).map { $0 }, ecef)
    }

    /// The stations of one store snapshot (one boundary generation).
    public convenience init(_ snapshot: StoreSnapshot, knownCategories: [String]) {
        self.init(records: snapshot.stations, knownCategories: knownCategories, generation: snapshot.generation)
    }

    convenience init(records: [StationRecord], knownCategories: [String], generation: Int64) {
        self.init(stations: records.map { r in
            StationInfo(id: r.id, category: r.category, name: r.name, level: r.level, gridId: r.gridId,
                        communityId: r.communityId, streetId: r.streetId, districtId: r.districtId,
                        compoundId: r.compoundId, point: r.point)
        }, knownCategories: knownCategories, generation: generation)
    }

    /// Reads the newest generation's stations (only them: not the polygons and network a full
    /// snapshot holds) and builds the index from them.
    public static func build(from db: GridDatabase) throws -> StationIndex {
        let (generation, records) = try db.stationSnapshot()
        return StationIndex(records: records, knownCategories: try db.categories().map(\.code), generation: generation)
    }

    /// How many stations a category holds (0 for an unknown one).
    public func count(category: String) -> Int { trees[category]?.items.count ?? 0 }

    /// The k nearest stations to `p` (WGS84) by geodesic distance on WGS84 in metres, nearest
    /// first, ties by station id. `categories` nil means every category; unknown codes match
    /// nothing. With `maxDistance`, only stations at most that many metres away (inclusive).
    /// Returns positions in `stations` with their distances; fewer than k when fewer qualify.
    public func nearest(_ p: Coordinate, k: Int, categories: Set<String>? = nil, maxDistance: Double? = nil) -> [(station: Int, metres: Double)] {
        guard k > 0 else { return [] }
        var selected: [Tree]
        if let categories, !Set(self.categories).isSubset(of: categories) {
            selected = categories.sorted().compactMap { trees[$0] }
        } else {
            selected = all.items.isEmpty ? [] : [all]
        }
        let q = BoundaryDistance.ECEF(p)
        let limit = maxDistance ?? .infinity
        // Phase 1, chords only: the k smallest chords so far bound the k-th geodesic from above
        // (each station's geodesic is at most `chordUpperBound` of its chord), and no station
        // whose chord exceeds that bound can be among the k nearest (the chord never exceeds the
        // geodesic). Every station under the bound is kept as a candidate.
        var kChords = Best(k: k)
        var candidates: [(s: Int, c: Double)] = []
        var bound = limit
        var heap = Heap()
        for (t, tree) in selected.enumerated() where !tree.items.isEmpty {
            heap.push(tree.boxDistance(0, q), Int32(t), 0)
        }
        while let top = heap.pop() {
            // The margin keeps the bounds bounds against rounding at very short range.
            if top.lb - Self.margin > bound { break }
            let tree = selected[Int(top.tree)]
            let node = tree.nodes[Int(top.node)]
            if node.left < 0 {
                for j in Int(node.start)..<Int(node.end) {
                    let s = Int(tree.items[j])
                    let c = q.chord(ecef[s])
                    if c - Self.margin > bound { continue }
                    candidates.append((s, c))
                    kChords.offer(s, c)
                    if kChords.items.count == k { bound = Swift.min(limit, Self.chordUpperBound(kChords.worst)) }
                }
            } else {
                let l = tree.boxDistance(Int(node.left), q), r = tree.boxDistance(Int(node.right), q)
                if l - Self.margin <= bound { heap.push(l, top.tree, node.left) }
                if r - Self.margin <= bound { heap.push(r, top.tree, node.right) }
            }
        }
        // Phase 2: geodesics for the survivors only (usually k, a few more near a tie), ranked by
        // (distance, position) — position order is id order.
        var best = Best(k: k)
        for (s, c) in candidates where c - Self.margin <= bound {
            let d = Geodesic.distance(p, stations[s].point)
            if d <= limit { best.offer(s, d) }
        }
        return best.items.map { (station: $0.s, metres: $0.d) }
    }

    /// The smallest radius of curvature of the WGS84 ellipsoid (b²/a, meridional at the equator,
    /// 6,335,439 m), rounded down.
    static let minCurvatureRadius = 6_335_000.0

    /// An upper bound of the geodesic distance between two points whose chord is `c` metres.
    /// A geodesic's curvature in space is the surface's normal curvature along it, at most 1/R
    /// (R the smallest radius of curvature), so by Schur's comparison theorem its chord is at
    /// least that of a circular arc of radius R of the same length: length ≤ 2R·asin(c / 2R),
    /// about c + c³/24R² (1 µm over a 1 km chord, 1 mm over 10 km). Used below 1,000 km only,
    /// far inside the half circle the comparison needs; infinity beyond.
    @inline(__always) static func chordUpperBound(_ c: Double) -> Double {
        guard c < 1_000_000 else { return .infinity }
        let r = minCurvatureRadius
        return 2 * r * asin(c / (2 * r)) * (1 + 1e-12) + margin
    }

    /// Metres taken off every chord bound against rounding (ECEF coordinates are ~6.4e6 m, so
    /// a double's ulp there is ~1e-9 m; the geodesic itself is good to ~15 nm).
    static let margin = 1e-6

    /// The k best so far, sorted by (distance, position).
    private struct Best {
        let k: Int
        var items: [(s: Int, d: Double)] = []
        init(k: Int) { self.k = k; items.reserveCapacity(Swift.min(k, 128) + 1) }
        /// The k-th distance, or infinity while fewer than k are known.
        var worst: Double { items.count < k ? .infinity : items[items.count - 1].d }
        mutating func offer(_ s: Int, _ d: Double) {
            if items.count == k {
                let w = items[k - 1]
                guard d < w.d || (d == w.d && s < w.s) else { return }
                items.removeLast()
            }
            var i = items.count
            while i > 0, d < items[i - 1].d || (d == items[i - 1].d && s < items[i - 1].s) { i -= 1 }
            items.insert((s, d), at: i)
        }
    }

    /// A binary min-heap of nodes to visit, keyed by their lower bound.
    private struct Heap {
        var a: [(lb: Double, tree: Int32, node: Int32)] = []
        mutating func push(_ lb: Double, _ tree: Int32, _ node: Int32) {
            a.append((lb, tree, node))
            var i = a.count - 1
            while i > 0 {
                let p = (i - 1) / 2
                if a[p].lb <= a[i].lb { break }
                a.swapAt(p, i); i = p
            }
        }
        mutating func pop() -> (lb: Double, tree: Int32, node: Int32)? {
            guard let first = a.first else { return nil }
            let last = a.removeLast()
            if a.isEmpty { return first }
            a[0] = last
            var i = 0
            while true {
                let l = 2 * i + 1, r = l + 1
                var m = i
                if l < a.count, a[l].lb < a[m].lb { m = l }
                if r < a.count, a[r].lb < a[m].lb { m = r }
                if m == i { break }
                a.swapAt(i, m); i = m
            }
            return first
        }
    }

    /// A k-d tree over ECEF points: each node holds the box of its points; leaves hold up to
    /// `leafSize` of them as a slice of `items`.
    struct Tree: Sendable {
        struct Node: Sendable {
            var minX, minY, minZ, maxX, maxY, maxZ: Double
            var start, end: Int32
            var left: Int32 = -1, right: Int32 = -1
        }
        static let leafSize = 8
        let items: [Int32]
        let nodes: [Node]

        init(_ members: [Int32], _ ecef: [BoundaryDistance.ECEF]) {
            var items = members
            var nodes: [Node] = []
            func build(_ lo: Int, _ hi: Int) -> Int32 {
                var n = Node(minX: .infinity, minY: .infinity, minZ: .infinity, maxX: -.infinity, maxY: -.infinity, maxZ: -.infinity,
                             start: Int32(lo), end: Int32(hi))
                for i in lo..<hi {
                    let e = ecef[Int(items[i])]
                    n.minX = Swift.min(n.minX, e.x); n.maxX = Swift.max(n.maxX, e.x)
                    n.minY = Swift.min(n.minY, e.y); n.maxY = Swift.max(n.maxY, e.y)
                    n.minZ = Swift.min(n.minZ, e.z); n.maxZ = Swift.max(n.maxZ, e.z)
                }
                let me = Int32(nodes.count)
                nodes.append(n)
                guard hi - lo > Self.leafSize else { return me }
                // Split the widest axis at the median (ties by position, so the build is deterministic).
                let w = (n.maxX - n.minX, n.maxY - n.minY, n.maxZ - n.minZ)
                let axis = w.0 >= w.1 && w.0 >= w.2 ? 0 : (w.1 >= w.2 ? 1 : 2)
                func key(_ s: Int32) -> Double { let e = ecef[Int(s)]; return axis == 0 ? e.x : (axis == 1 ? e.y : e.z) }
                items[lo..<hi].sort { key($0) != key($1) ? key($0) < key($1) : $0 < $1 }
                let mid = (lo + hi) / 2
                let l = build(lo, mid), r = build(mid, hi)
                nodes[Int(me)].left = l; nodes[Int(me)].right = r
                return me
            }
            if !items.isEmpty { _ = build(0, items.count) }
            self.items = items
            self.nodes = nodes
        }

        /// Euclidean distance from q to node's box (0 inside): a lower bound of the chord, hence
        /// of the geodesic distance, to every station in the node.
        @inline(__always) func boxDistance(_ i: Int, _ q: BoundaryDistance.ECEF) -> Double {
            let n = nodes[i]
            let dx = Swift.max(n.minX - q.x, 0, q.x - n.maxX)
            let dy = Swift.max(n.minY - q.y, 0, q.y - n.maxY)
            let dz = Swift.max(n.minZ - q.z, 0, q.z - n.maxZ)
            return (dx * dx + dy * dy + dz * dz).squareRoot()
        }
    }
}
