import Foundation
import GridGeo

/// What a walk of bounded length from one point reaches (isochrones, issue 10 §3).
public struct NetworkReach: Sendable {
    /// Metres along the network (both access legs counted) of every node within the largest
    /// budget asked for, by dense node index.
    public let nodeDistances: [Int32: Double]
    /// Per budget, in the order given: the reached pieces of edges as WGS84 polylines (two or
    /// more vertices each), plus the access leg from the point to its foot point when it is
    /// reached. Empty when even the access leg is longer than the budget.
    public let lines: [[[Coordinate]]]
}

extension WalkingGraph {
    /// Network distances from a snapped point to every node within `limit` metres: a Dijkstra
    /// seeded at both ends of the point's edge (access leg + the leg along the edge) that stops
    /// at the first node beyond `limit`.
    public func distances(from q: NetworkSnap, within limit: Double) -> [Int32: Double] {
        var dist: [Int32: Double] = [:]
        var settled: [Int32: Double] = [:]
        var heap = NodeHeap()
        let e0 = Int(q.edge)
        for (n, d) in [(edgeSource[e0], q.access + q.offset), (edgeTarget[e0], q.access + edgeLength[e0] - q.offset)]
        where d < (dist[n] ?? .infinity) {
            dist[n] = d; heap.push(d, n)
        }
        while let (d, u) = heap.pop() {
            if d > limit { break }
            if settled[u] != nil || d > (dist[u] ?? .infinity) { continue }
            settled[u] = d
            let ui = Int(u)
            for a in Int(offsets[ui])..<Int(offsets[ui + 1]) {
                let v = targets[a]
                if settled[v] != nil { continue }
                let nd = d + lengths[a]
                if nd < (dist[v] ?? .infinity) { dist[v] = nd; heap.push(nd, v) }
            }
        }
        return settled
    }

    /// The parts of the network reached within each of `budgets` metres from a snapped point
    /// that starts at `origin`. A point x metres along edge (u, v) of length L is at network
    /// distance min(d(u) + x, d(v) + L − x), and on the point's own edge also access + |x − offset|;
    /// so each edge is reached on at most three intervals — [0, B − d(u)], [L − (B − d(v)), L] and
    /// [offset − (B − access), offset + (B − access)] — merged, and cut at exactly those lengths
    /// along the edge (geodesic interpolation within the segment holding the cut). One Dijkstra,
    /// bounded by the largest budget, serves every budget.
    public func reach(from q: NetworkSnap, origin: Coordinate, budgets: [Double]) -> NetworkReach {
        let limit = budgets.max() ?? 0
        let dist = distances(from: q, within: limit)
        // Every edge with a reached end, and the point's own edge.
        var edges = Set<Int32>([q.edge])
        for (u, _) in dist {
            for a in Int(offsets[Int(u)])..<Int(offsets[Int(u) + 1]) { edges.insert(arcEdges[a]) }
        }
        let ordered = edges.sorted()
        var lines: [[[Coordinate]]] = []
        for b in budgets {
            var pieces: [[Coordinate]] = []
            guard b >= q.access else { lines.append([]); continue }
            if q.access > 0 { pieces.append([origin, q.foot]) }
            for e in ordered {
                let len = edgeLength[Int(e)]
                var intervals: [(Double, Double)] = []
                if let du = dist[edgeSource[Int(e)]], du <= b { intervals.append((0, min(len, b - du))) }
                if let dv = dist[edgeTarget[Int(e)]], dv <= b { intervals.append((max(0, len - (b - dv)), len)) }
                if e == q.edge {
                    let r = b - q.access
                    intervals.append((max(0, q.offset - r), min(len, q.offset + r)))
                }
                intervals.sort { $0.0 < $1.0 }
                var merged: [(Double, Double)] = []
                for iv in intervals {
                    if let last = merged.last, iv.0 <= last.1 { merged[merged.count - 1].1 = max(last.1, iv.1) } else { merged.append(iv) }
                }
                for (s, t) in merged where t > s { pieces.append(piece(edge: Int(e), from: s, to: t)) }
            }
            lines.append(pieces)
        }
        return NetworkReach(nodeDistances: dist, lines: lines)
    }

    /// The part of edge e from `from` to `to` metres along it (0 ≤ from < to ≤ its length),
    /// source first: the vertices strictly between, and the ends cut at exactly those lengths.
    public func piece(edge e: Int, from s: Double, to t: Double) -> [Coordinate] {
        let lo = Int(coordinateStart[e]), hi = Int(coordinateStart[e + 1])
        let along = along(edge: e)  // indexed from lo
        func at(_ x: Double) -> Coordinate {
            // The segment k..k+1 holding x (along[] is the edge's cumulative metres).
            var k = 0
            while k + 2 < hi - lo && along[k + 1] < x { k += 1 }
            let span = along[k + 1] - along[k]
            guard span > 0 else { return coordinates[lo + k] }
            let a = coordinates[lo + k], b = coordinates[lo + k + 1]
            // along[] is scaled to the stored length; back to the segment's own geodesic metres.
            let metres = (x - along[k]) / span * Geodesic.distance(a, b)
            return Geodesic.point(from: a, toward: b, metres: metres)
        }
        var out = [at(s)]
        for k in 0..<(hi - lo) where along[k] > s && along[k] < t { out.append(coordinates[lo + k]) }
        out.append(at(t))
        return out
    }
}
