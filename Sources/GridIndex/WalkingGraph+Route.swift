import Foundation
import GridGeo

/// Points attached to the network at their foot points (stations, usually), grouped by edge so
/// a search that reaches an edge's end finds what lies along it.
public struct NetworkAttachments: Sendable {
    public struct Item: Sendable {
        /// The caller's id (e.g. a station's position in the station index).
        public let id: Int
        public let offset: Double
        public let access: Double
    }
    public let byEdge: [Int32: [Item]]
    /// Ids that did not snap (no component large enough): they are never reached.
    public let unattached: [Int]

    /// `points`: the caller's id and its snap (nil: not on the network).
    public init(_ points: [(id: Int, snap: NetworkSnap?)]) {
        var byEdge: [Int32: [Item]] = [:]
        var unattached: [Int] = []
        for (id, s) in points {
            guard let s else { unattached.append(id); continue }
            byEdge[s.edge, default: []].append(Item(id: id, offset: s.offset, access: s.access))
        }
        self.byEdge = byEdge
        self.unattached = unattached
    }

    public var isEmpty: Bool { byEdge.isEmpty }
}

/// Network distances from a set of sources to every node (one multi-source Dijkstra): each
/// node's least distance and the source it comes from.
public struct NetworkField: Sendable {
    /// Metres per node (infinity: unreachable from every source).
    public let distance: [Double]
    /// The id of the source each node's distance comes from (-1: none).
    public let origin: [Int]
    let sources: NetworkAttachments
    let graph: WalkingGraph

    /// The nearest source of a snapped point and its network distance in metres: both access
    /// legs, plus the walk along the edges; exact for a source on the point's own edge (the
    /// direct walk |offset − offset′| along it is a candidate beside the walks through either
    /// end). Ties go to the smaller id. nil when no source is reachable.
    public func nearest(_ snap: NetworkSnap) -> (id: Int, metres: Double)? {
        let e = Int(snap.edge)
        let u = Int(graph.edgeSource[e]), v = Int(graph.edgeTarget[e])
        var best: (id: Int, metres: Double)?
        func offer(_ id: Int, _ m: Double) {
            guard m.isFinite, id >= 0 else { return }
            if let b = best, b.metres < m || (b.metres == m && b.id <= id) { return }
            best = (id, m)
        }
        offer(origin[u], distance[u] + snap.offset)
        offer(origin[v], distance[v] + (graph.edgeLength[e] - snap.offset))
        for s in sources.byEdge[snap.edge] ?? [] { offer(s.id, s.access + abs(s.offset - snap.offset)) }
        return best.map { ($0.id, $0.metres + snap.access) }
    }
}

/// A binary min-heap of (metres, node) with lazy deletion (stale entries are skipped on pop).
struct NodeHeap {
    private var keys: [Double] = []
    private var nodes: [Int32] = []
    var isEmpty: Bool { keys.isEmpty }

    mutating func push(_ key: Double, _ node: Int32) {
        keys.append(key); nodes.append(node)
        var i = keys.count - 1
        while i > 0 {
            let p = (i - 1) / 2
            guard keys[p] > keys[i] else { break }
            keys.swapAt(p, i); nodes.swapAt(p, i); i = p
        }
    }

    mutating func pop() -> (key: Double, node: Int32)? {
        guard let top = keys.first else { return nil }
        let node = nodes[0]
        let lastKey = keys.removeLast(), lastNode = nodes.removeLast()
        if !keys.isEmpty {
            keys[0] = lastKey; nodes[0] = lastNode
            var i = 0
            let n = keys.count
            while true {
                let l = 2 * i + 1, r = l + 1
                var m = i
                if l < n && keys[l] < keys[m] { m = l }
                if r < n && keys[r] < keys[m] { m = r }
                if m == i { break }
                keys.swapAt(m, i); nodes.swapAt(m, i); i = m
            }
        }
        return (top, node)
    }
}

extension WalkingGraph {
    /// Multi-source Dijkstra (binary heap): every source enters at both ends of its edge with
    /// its access leg plus the leg along the edge as initial distance; one pass gives every
    /// node's distance to the nearest source. O((V + E) log V).
    public func field(from sources: NetworkAttachments) -> NetworkField {
        var dist = [Double](repeating: .infinity, count: nodeCount)
        var origin = [Int](repeating: -1, count: nodeCount)
        var heap = NodeHeap()
        func seed(_ n: Int32, _ d: Double, _ id: Int) {
            let i = Int(n)
            if d < dist[i] || (d == dist[i] && id < origin[i]) { dist[i] = d; origin[i] = id; heap.push(d, n) }
        }
        for (e, items) in sources.byEdge {
            let len = edgeLength[Int(e)]
            for s in items {
                seed(edgeSource[Int(e)], s.access + s.offset, s.id)
                seed(edgeTarget[Int(e)], s.access + (len - s.offset), s.id)
            }
        }
        var settled = [Bool](repeating: false, count: nodeCount)
        while let (d, u) = heap.pop() {
            let ui = Int(u)
            if settled[ui] || d > dist[ui] { continue }
            settled[ui] = true
            for k in Int(offsets[ui])..<Int(offsets[ui + 1]) {
                let v = Int(targets[k])
                if settled[v] { continue }
                let nd = d + lengths[k]
                if nd < dist[v] || (nd == dist[v] && origin[ui] < origin[v]) {
                    dist[v] = nd; origin[v] = origin[ui]; heap.push(nd, Int32(v))
                }
            }
        }
        return NetworkField(distance: dist, origin: origin, sources: sources, graph: self)
    }

    /// The `k` nearest attached targets of a snapped point by network distance (both access
    /// legs counted), nearest first, ties by id; only ids `accept` keeps, only within
    /// `maxDistance` metres when given. A Dijkstra from the point's foot point that stops once
    /// the k-th best target found is no farther than the next node to settle (so the answer is
    /// exact), or when the next node is beyond `maxDistance`.
    public func nearest(from q: NetworkSnap, k: Int, targets attached: NetworkAttachments, maxDistance: Double? = nil,
                        accept: (Int) -> Bool = { _ in true }) -> [(id: Int, metres: Double)] {
        guard k > 0 else { return [] }
        var best: [Int: Double] = [:]
        func offer(_ id: Int, _ m: Double) {
            guard accept(id) else { return }
            if let b = best[id], b <= m { return }
            best[id] = m
        }
        // Targets on the point's own edge: the direct walk along it.
        for t in attached.byEdge[q.edge] ?? [] { offer(t.id, q.access + abs(t.offset - q.offset) + t.access) }
        var dist: [Int32: Double] = [:]
        var settled = Set<Int32>()
        var heap = NodeHeap()
        let e0 = Int(q.edge)
        for (n, d) in [(edgeSource[e0], q.access + q.offset), (edgeTarget[e0], q.access + edgeLength[e0] - q.offset)]
        where d < (dist[n] ?? .infinity) {
            dist[n] = d; heap.push(d, n)
        }
        func kth() -> Double {
            guard best.count >= k else { return .infinity }
            var v = Array(best.values)
            v.sort()
            return v[k - 1]
        }
        let limit = maxDistance ?? .infinity
        var bound = Double.infinity
        var dirty = true
        while let (d, u) = heap.pop() {
            if settled.contains(u) || d > (dist[u] ?? .infinity) { continue }
            if dirty { bound = kth(); dirty = false }
            if bound <= d || d > limit { break }
            settled.insert(u)
            let ui = Int(u)
            for a in Int(offsets[ui])..<Int(offsets[ui + 1]) {
                let e = arcEdges[a]
                if let list = attached.byEdge[e] {
                    let len = edgeLength[Int(e)], loop = edgeSource[Int(e)] == edgeTarget[Int(e)]
                    for t in list {
                        let along = loop ? min(t.offset, len - t.offset) : (edgeSource[Int(e)] == u ? t.offset : len - t.offset)
                        offer(t.id, d + along + t.access)
                    }
                    dirty = true
                }
                let v = targets[a]
                if settled.contains(v) { continue }
                let nd = d + lengths[a]
                if nd < (dist[v] ?? .infinity) { dist[v] = nd; heap.push(nd, v) }
            }
        }
        var found: [(id: Int, metres: Double)] = []
        for (id, m) in best where m <= limit { found.append((id, m)) }
        found.sort { $0.metres != $1.metres ? $0.metres < $1.metres : $0.id < $1.id }
        return Array(found.prefix(k))
    }
}
