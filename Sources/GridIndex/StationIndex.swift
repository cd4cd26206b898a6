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
/// PROJ ships it), ties broken by station id. Fast: one 3-D k-d tree per category over the
/// stations' Earth-centred (ECEF) positions. The straight-line (chord) distance through the
/// ellipsoid never exceeds the geodesic distance, so the distance from the query's ECEF point to a
/// node's box is a proven lower bound for every station in it: a best-first search visits boxes in
/// order of that bound and stops once the bound exceeds the k-th geodesic distance found, and a
/// station whose own chord already exceeds it gets no geodesic at all.
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
    }

    /// Reads the stations layer and its boundary generation in one snapshot, and the category codes.
    public static func build(from db: GridDatabase) throws -> StationIndex {
        let snap = try db.storedFeatures([Layer.stations])
        return StationIndex(stations: stationInfos(snap.features["stations"] ?? []),
                            knownCategories: try db.categories().map(\.code), generation: snap.generation)
    }

    /// The one place that knows how the store hands stations over. Rows without a point are skipped
    /// (the stations layer's geometry column is POINT NOT NULL, so there are none).
    static func stationInfos(_ features: [StoredFeature]) -> [StationInfo] {
        features.compactMap { f in
            guard case .point(let p) = f.geometry else { return nil }
            return StationInfo(id: f.id, category: f["category"] ?? "", name: f["name"], level: f["level"],
                               gridId: f["grid_id"], communityId: f["community_id"], streetId: f["street_id"],
                               districtId: f["district_id"], compoundId: f["compound_id"], point: p)
        }
    }

    /// How many stations a category holds (0 for an unknown one).
    public func count(category: String) -> Int { trees[category]?.items.count ?? 0 }

    /// The k nearest stations to `p` (WGS84) by geodesic distance on WGS84 in metres, nearest
    /// first, ties by station id. `categories` nil means every category; unknown codes match
    /// nothing. With `maxDistance`, only stations at most that many metres away (inclusive).
    /// Returns positions in `stations` with their distances; fewer than k when fewer qualify.
    public func nearest(_ p: Coordinate, k: Int, categories: Set<String>? = nil, maxDistance: Double? = nil) -> [(station: Int, metres: Double)] {
        guard k > 0 else { return [] }
        let selected: [Tree] = categories.map { $0.sorted().compactMap { trees[$0] } } ?? self.categories.compactMap { trees[$0] }
        let q = BoundaryDistance.ECEF(p)
        let limit = maxDistance ?? .infinity
        var best = Best(k: k)
        // Min-heap of (lower bound, tree, node).
        var heap = Heap()
        for (t, tree) in selected.enumerated() where !tree.items.isEmpty {
            heap.push(tree.boxDistance(0, q), Int32(t), 0)
        }
        while let top = heap.pop() {
            let bound = Swift.min(best.worst, limit)
            // The chord may round a few nanometres above the true geodesic at very short range:
            // the margin keeps the bound a bound.
            if top.lb - Self.margin > bound { break }
            let tree = selected[Int(top.tree)]
            let node = tree.nodes[Int(top.node)]
            if node.left < 0 {
                for j in Int(node.start)..<Int(node.end) {
                    let s = Int(tree.items[j])
                    if q.chord(ecef[s]) - Self.margin > Swift.min(best.worst, limit) { continue }
                    let d = Geodesic.distance(p, stations[s].point)
                    if d <= limit { best.offer(s, d) }
                }
            } else {
                let l = tree.boxDistance(Int(node.left), q), r = tree.boxDistance(Int(node.right), q)
                if l - Self.margin <= bound { heap.push(l, top.tree, node.left) }
                if r - Self.margin <= bound { heap.push(r, top.tree, node.right) }
            }
        }
        return best.items.map { (station: $0.s, metres: $0.d) }
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
