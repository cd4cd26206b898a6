import Foundation
import GridAnalysis
import GridGeo
import GridIndex
import GridStore
import GridTestSupport
import XCTest

/// Hand-made walking networks near 23° N and a brute-force reference: snapping by ternary search
/// of the geodesic distance along every segment, distances by a plain O(V²) Dijkstra over the
/// graph with every snapped point inserted as a node that splits its edge. The hard cases: two
/// stations on one edge, a query on a station's edge, loops, parallel edges, an island of fewer
/// than 50 nodes beside a point, components no station is on.
final class WalkingGraphTests: XCTestCase {
    // MARK: networks

    /// An n×m lattice of streets `step` degrees apart from `origin`; each edge bends through a
    /// midpoint nudged sideways (two segments), lengths are geodesic sums as the import computes them.
    static func lattice(_ origin: Coordinate, n: Int, m: Int, step: Double = 0.001, firstNode: Int64 = 0, firstId: Int64 = 1,
                        drop: (Int) -> Bool = { _ in false }) -> [NetworkEdgeRecord] {
        var out: [NetworkEdgeRecord] = []
        func c(_ i: Int, _ j: Int) -> Coordinate { Coordinate(origin.lon + Double(j) * step, origin.lat + Double(i) * step) }
        func id(_ i: Int, _ j: Int) -> Int64 { firstNode + Int64(i * m + j) }
        var k = 0
        for i in 0..<n {
            for j in 0..<m {
                for (di, dj) in [(0, 1), (1, 0)] where i + di < n && j + dj < m {
                    defer { k += 1 }
                    if drop(k) { continue }
                    let a = c(i, j), b = c(i + di, j + dj)
                    let mid = Coordinate((a.lon + b.lon) / 2 + Double(di) * step * 0.07, (a.lat + b.lat) / 2 + Double(dj) * step * 0.05)
                    out.append(edge(firstId + Int64(out.count), id(i, j), id(i + di, j + dj), [a, mid, b]))
                }
            }
        }
        return out
    }

    static func edge(_ id: Int64, _ s: Int64, _ t: Int64, _ cs: [Coordinate]) -> NetworkEdgeRecord {
        var len = 0.0
        for i in 1..<cs.count { len += Geodesic.distance(cs[i - 1], cs[i]) }
        return NetworkEdgeRecord(id: id, sourceNode: s, targetNode: t, lengthM: len, highway: "footway", name: nil, osmWayId: nil, coordinates: cs)
    }

    static let origin = Coordinate(114.40, 23.10)

    // MARK: the reference

    /// Brute force: the least geodesic distance from p to each edge (ternary search along each
    /// segment, interpolated in lon/lat: on segments of ~60 m the geodesic departs from that
    /// line by well under 0.1 mm), over the edges `allowed` keeps.
    static func bruteSnap(_ p: Coordinate, _ edges: [NetworkEdgeRecord], allowed: (Int) -> Bool) -> (edge: Int, offset: Double, access: Double)? {
        var best: (edge: Int, offset: Double, access: Double)?
        for (e, r) in edges.enumerated() where allowed(e) {
            var before = 0.0
            for i in 1..<r.coordinates.count {
                let a = r.coordinates[i - 1], b = r.coordinates[i]
                func at(_ t: Double) -> Coordinate { Coordinate(a.lon + (b.lon - a.lon) * t, a.lat + (b.lat - a.lat) * t) }
                var lo = 0.0, hi = 1.0
                for _ in 0..<80 {
                    let m1 = lo + (hi - lo) / 3, m2 = hi - (hi - lo) / 3
                    if Geodesic.distance(p, at(m1)) <= Geodesic.distance(p, at(m2)) { hi = m2 } else { lo = m1 }
                }
                let t = (lo + hi) / 2, d = Geodesic.distance(p, at(t))
                if best == nil || d < best!.access - 1e-9 { best = (e, before + Geodesic.distance(a, at(t)), d) }
                before += Geodesic.distance(a, b)
            }
        }
        return best
    }

    /// Node components of the edge list (by store node id) and their sizes.
    static func componentSize(_ edges: [NetworkEdgeRecord]) -> [Int64: Int] {
        var parent: [Int64: Int64] = [:]
        func find(_ x: Int64) -> Int64 { var x = x; while let p = parent[x], p != x { x = p }; return x }
        for e in edges {
            for n in [e.sourceNode, e.targetNode] where parent[n] == nil { parent[n] = n }
            let a = find(e.sourceNode), b = find(e.targetNode)
            if a != b { parent[a] = b }
        }
        var size: [Int64: Int] = [:]
        for n in parent.keys { size[find(n), default: 0] += 1 }
        var out: [Int64: Int] = [:]
        for n in parent.keys { out[n] = size[find(n)] }
        return out
    }

    /// Distances from every source (id, point) to every query point by a plain Dijkstra over the
    /// graph split at every snapped point; nil where none is reached.
    static func reference(_ edges: [NetworkEdgeRecord], sources: [Coordinate], queries: [Coordinate], minNodes: Int = 50)
        -> [(id: Int, metres: Double)?] {
        let sizes = componentSize(edges)
        let allowed = { (e: Int) in sizes[edges[e].sourceNode]! >= minNodes }
        // Nodes: store nodes, then one per source, then one per query.
        var index: [Int64: Int] = [:]
        for e in edges { for n in [e.sourceNode, e.targetNode] where index[n] == nil { index[n] = index.count } }
        let base = index.count
        var adj = [[(Int, Double)]](repeating: [], count: base + sources.count + queries.count)
        func link(_ a: Int, _ b: Int, _ w: Double) { adj[a].append((b, w)); adj[b].append((a, w)) }
        var splits: [Int: [(offset: Double, node: Int, access: Double)]] = [:]
        for (i, p) in (sources + queries).enumerated() {
            guard let s = bruteSnap(p, edges, allowed: allowed) else { continue }
            splits[s.edge, default: []].append((s.offset, base + i, s.access))
        }
        for (e, r) in edges.enumerated() {
            var chain: [(Double, Int)] = [(0, index[r.sourceNode]!)]
            for s in (splits[e] ?? []).sorted(by: { $0.offset < $1.offset }) {
                let v = adj.count; adj.append([])  // the foot point; the point hangs off it by its access leg
                chain.append((s.offset, v)); link(v, s.node, s.access)
            }
            chain.append((r.lengthM, index[r.targetNode]!))
            for k in 1..<chain.count { link(chain[k - 1].1, chain[k].1, chain[k].0 - chain[k - 1].0) }
        }
        var dist = [Double](repeating: .infinity, count: adj.count), from = [Int](repeating: -1, count: adj.count)
        var done = [Bool](repeating: false, count: adj.count)
        for i in sources.indices { dist[base + i] = 0; from[base + i] = i }
        while true {
            var u = -1
            for v in adj.indices where !done[v] && dist[v].isFinite && (u < 0 || dist[v] < dist[u]) { u = v }
            if u < 0 { break }
            done[u] = true
            for (v, w) in adj[u] where dist[u] + w < dist[v] { dist[v] = dist[u] + w; from[v] = from[u] }
        }
        return queries.indices.map { q in
            let v = base + sources.count + q
            return dist[v].isFinite ? (from[v], dist[v]) : nil
        }
    }

    // MARK: tests

    func testSnapIsTheGeodesicFootPointOnTheNearestEdge() {
        let edges = Self.lattice(Self.origin, n: 8, m: 8)
        let g = WalkingGraph(edges)
        XCTAssertEqual(g.nodeCount, 64)
        XCTAssertEqual(g.componentSizes, [64])
        var rng = SplitMix64(seed: 11)
        for _ in 0..<150 {
            // Around the lattice and up to ~1 km beyond it.
            let p = Coordinate(Self.origin.lon + Double.random(in: -0.01...0.017, using: &rng),
                               Self.origin.lat + Double.random(in: -0.01...0.017, using: &rng))
            let s = g.snap(p)!, b = Self.bruteSnap(p, edges, allowed: { _ in true })!
            XCTAssertEqual(s.access, b.access, accuracy: 1e-4, "access leg of \(p)")
            if Int(s.edge) == b.edge {
                XCTAssertEqual(s.offset, b.offset, accuracy: 1e-3, "foot point of \(p)")
            }
            XCTAssertEqual(Geodesic.distance(p, s.foot), s.access, accuracy: 1e-6)
        }
    }

    func testSnappingManyPointsOnEveryCoreGivesEachPointsOwnSnapInOrder() {
        // More points than one chunk (256), so the work is split; a NaN point snaps to nothing.
        let edges = Self.lattice(Self.origin, n: 8, m: 8)
        let g = WalkingGraph(edges)
        var rng = SplitMix64(seed: 12)
        var points = (0..<700).map { _ in
            Coordinate(Self.origin.lon + Double.random(in: -0.005...0.012, using: &rng),
                       Self.origin.lat + Double.random(in: -0.005...0.012, using: &rng))
        }
        points[300] = Coordinate(lon: .nan, lat: Self.origin.lat)
        let all = g.snap(points)
        XCTAssertEqual(all.count, points.count)
        for (p, s) in zip(points, all) { XCTAssertEqual(s, g.snap(p), "\(p)") }
        XCTAssertNil(all[300])
        XCTAssertTrue(WalkingGraph([]).snap(points).allSatisfy { $0 == nil })
    }

    func testAPointFarFromTheNetworkSnapsToTheSameEdgeAsBruteForceOrIsOffTheNetworkBeyondTheCutoff() {
        // Found by schemathesis: /nearest at the far side of the world walked millions of empty
        // rings of the segment grid before reaching it; then every segment of a large network
        // became a candidate there (the planar margin grows with the distance squared).
        let edges = Self.lattice(Self.origin, n: 8, m: 8)
        let g = WalkingGraph(edges)
        for p in [Coordinate(lon: -179.9, lat: -89.9), Coordinate(lon: 179.9, lat: 89.9), Coordinate(lon: 0, lat: 0),
                  Coordinate(lon: Self.origin.lon + 0.5, lat: Self.origin.lat - 0.3)] {
            let b = Self.bruteSnap(p, edges, allowed: { _ in true })!
            XCTAssertGreaterThan(b.access, WalkingGraph.maxAccessMetres)
            XCTAssertNil(g.snap(p), "\(p) is \(b.access) m from the network")
        }
        // Inside the cutoff, far or near, the same edge and access leg as brute force.
        for p in [Coordinate(lon: Self.origin.lon + 0.2, lat: Self.origin.lat - 0.15), Coordinate(lon: Self.origin.lon - 0.1, lat: Self.origin.lat + 0.05),
                  Coordinate(lon: Self.origin.lon + 0.03, lat: Self.origin.lat + 0.02)] {
            let b = Self.bruteSnap(p, edges, allowed: { _ in true })!
            XCTAssertLessThan(b.access, WalkingGraph.maxAccessMetres)
            let s = try! XCTUnwrap(g.snap(p), "\(p)")
            XCTAssertEqual(s.access, b.access, accuracy: 1e-3 * b.access / 1000 + 1e-4, "access leg of \(p)")
        }
    }

    func testDistancesEqualTheReferenceWithSharedEdgesLoopsAndParallelEdges() {
        var edges = Self.lattice(Self.origin, n: 8, m: 8, drop: { $0 % 7 == 3 })
        let a = Self.origin, b = Coordinate(a.lon + 0.001, a.lat)
        let c = Coordinate(a.lon + 0.003, a.lat + 0.003)
        // A parallel edge between nodes 0 and 1 bending south (longer), a loop at node 27.
        edges.append(Self.edge(900, 0, 1, [a, Coordinate(a.lon + 0.0005, a.lat - 0.0004), b]))
        edges.append(Self.edge(901, 27, 27, [c, Coordinate(c.lon + 0.0003, c.lat + 0.0006), Coordinate(c.lon + 0.0006, c.lat), c]))
        let g = WalkingGraph(edges)
        var rng = SplitMix64(seed: 5)
        func random() -> Coordinate {
            Coordinate(Self.origin.lon + Double.random(in: -0.001...0.008, using: &rng), Self.origin.lat + Double.random(in: -0.001...0.008, using: &rng))
        }
        // Two stations beside one edge, one on the loop, one beside the parallel edge, some random.
        var stations = [Coordinate(a.lon + 0.0002, a.lat + 0.0001), Coordinate(a.lon + 0.0008, a.lat + 0.0001),
                        Coordinate(c.lon + 0.0003, c.lat + 0.0005), Coordinate(a.lon + 0.0005, a.lat - 0.0005)]
        for _ in 0..<6 { stations.append(random()) }
        // Queries: between the two stations on their edge, beyond them on it, on the loop, random.
        var queries = [Coordinate(a.lon + 0.0005, a.lat + 0.0002), Coordinate(a.lon + 0.0009, a.lat - 0.0001),
                       Coordinate(c.lon + 0.0004, c.lat + 0.0003), Coordinate(a.lon + 0.0003, a.lat - 0.0003)]
        for _ in 0..<40 { queries.append(random()) }
        let reference = Self.reference(edges, sources: stations, queries: queries)
        let attached = NetworkAttachments(stations.enumerated().map { ($0.offset, g.snap($0.element)) })
        let field = g.field(from: attached)
        for (q, p) in queries.enumerated() {
            let r = reference[q]!
            let s = g.snap(p)!
            let viaField = field.nearest(s)!
            XCTAssertEqual(viaField.metres, r.metres, accuracy: 1e-3, "query \(q)")
            let knn = g.nearest(from: s, k: 3, targets: attached)
            XCTAssertEqual(knn.count, 3)
            XCTAssertEqual(knn[0].metres, r.metres, accuracy: 1e-3, "k-NN query \(q)")
            XCTAssertEqual(knn[0].metres, viaField.metres, accuracy: 1e-9)
            XCTAssertTrue(zip(knn, knn.dropFirst()).allSatisfy { $0.metres <= $1.metres })
            // The network never beats the straight line from the point to the station.
            XCTAssertGreaterThanOrEqual(knn[0].metres + 1e-6, Geodesic.distance(p, stations[knn[0].id]))
        }
        // The k-NN answer equals one field per station, for every rank.
        let single = stations.indices.map { i in g.field(from: NetworkAttachments([(i, g.snap(stations[i]))])) }
        for p in queries.prefix(12) {
            let s = g.snap(p)!
            let all = single.enumerated().map { (id: $0.offset, metres: $0.element.nearest(s)!.metres) }
                .sorted { $0.metres != $1.metres ? $0.metres < $1.metres : $0.id < $1.id }
            let knn = g.nearest(from: s, k: 5, targets: attached)
            XCTAssertEqual(knn.map(\.id), all.prefix(5).map(\.id))
            for (x, y) in zip(knn, all) { XCTAssertEqual(x.metres, y.metres, accuracy: 1e-9) }
        }
    }

    func testQueryOnTheStationsEdgeWalksStraightAlongIt() {
        let edges = Self.lattice(Self.origin, n: 8, m: 8)
        let g = WalkingGraph(edges)
        let a = Self.origin
        let station = Coordinate(a.lon + 0.0002, a.lat + 0.00003), query = Coordinate(a.lon + 0.0007, a.lat - 0.00002)
        let ss = g.snap(station)!, qs = g.snap(query)!
        XCTAssertEqual(ss.edge, qs.edge)
        let expected = ss.access + abs(ss.offset - qs.offset) + qs.access
        let field = g.field(from: NetworkAttachments([(0, ss)]))
        XCTAssertEqual(field.nearest(qs)!.metres, expected, accuracy: 1e-9)
        XCTAssertEqual(g.nearest(from: qs, k: 1, targets: NetworkAttachments([(0, ss)]))[0].metres, expected, accuracy: 1e-9)
        // The walk between the feet follows the edge through its bent midpoint.
        let mid = Coordinate(a.lon + 0.0005, a.lat + 0.00005)
        XCTAssertEqual(abs(ss.offset - qs.offset), Geodesic.distance(ss.foot, mid) + Geodesic.distance(mid, qs.foot), accuracy: 0.001)
    }

    func testAnIslandUnderFiftyNodesTakesNoPoint() {
        var edges = Self.lattice(Self.origin, n: 8, m: 8)  // 64 nodes
        // A courtyard path of 3 nodes 300 m east of the lattice; a compound right beside it.
        let i0 = Coordinate(Self.origin.lon + 0.010, Self.origin.lat + 0.003)
        let i1 = Coordinate(i0.lon + 0.0005, i0.lat), i2 = Coordinate(i1.lon, i1.lat + 0.0005)
        edges.append(Self.edge(500, 1000, 1001, [i0, i1]))
        edges.append(Self.edge(501, 1001, 1002, [i1, i2]))
        let compound = Coordinate(i0.lon + 0.0002, i0.lat + 0.00005)
        // Not level with a bent edge's midpoint: there the two halves would be exactly as near (a tie).
        let station = Coordinate(Self.origin.lon + 0.003, Self.origin.lat + 0.0036)

        let g = WalkingGraph(edges)
        XCTAssertEqual(g.componentSizes.sorted(), [3, 64])
        let s = g.snap(compound)!
        XCTAssertTrue(g.snappable(edge: Int(s.edge)))
        XCTAssertGreaterThan(s.access, 250, "snapped past the island to the lattice")
        let field = g.field(from: NetworkAttachments([(0, g.snap(station))]))
        let r = Self.reference(edges, sources: [station], queries: [compound])[0]!
        XCTAssertEqual(field.nearest(s)!.metres, r.metres, accuracy: 1e-3)

        // Allowed onto the island (minimum 2 nodes), the compound is stranded: no distance.
        let loose = WalkingGraph(edges, minComponentNodes: 2)
        let ls = loose.snap(compound)!
        XCTAssertLessThan(ls.access, 10)
        XCTAssertNil(loose.field(from: NetworkAttachments([(0, loose.snap(station))])).nearest(ls))
        XCTAssertTrue(loose.nearest(from: ls, k: 3, targets: NetworkAttachments([(0, loose.snap(station))])).isEmpty)
        XCTAssertNil(Self.reference(edges, sources: [station], queries: [compound], minNodes: 2)[0])
    }

    func testAComponentWithoutStationsIsUnreachableAndNoNetworkSnapsNothing() {
        let west = Self.lattice(Self.origin, n: 8, m: 8)
        let east = Self.lattice(Coordinate(Self.origin.lon + 0.02, Self.origin.lat), n: 8, m: 8, firstNode: 100, firstId: 1000)
        let g = WalkingGraph(west + east)
        XCTAssertEqual(g.componentSizes, [64, 64])
        let station = g.snap(Coordinate(Self.origin.lon + 0.002, Self.origin.lat + 0.002))
        let field = g.field(from: NetworkAttachments([(0, station)]))
        let there = g.snap(Coordinate(Self.origin.lon + 0.023, Self.origin.lat + 0.002))!
        XCTAssertNil(field.nearest(there))
        XCTAssertTrue(g.nearest(from: there, k: 2, targets: NetworkAttachments([(0, station)])).isEmpty)
        // maxDistance bounds the search.
        let here = g.snap(Coordinate(Self.origin.lon + 0.0025, Self.origin.lat + 0.002))!
        let d = field.nearest(here)!.metres
        XCTAssertEqual(g.nearest(from: here, k: 1, targets: NetworkAttachments([(0, station)]), maxDistance: d).count, 1)
        XCTAssertTrue(g.nearest(from: here, k: 1, targets: NetworkAttachments([(0, station)]), maxDistance: d - 0.01).isEmpty)

        XCTAssertNil(WalkingGraph([]).snap(Self.origin))
        let tiny = WalkingGraph(Array(west.prefix(3)))
        XCTAssertNil(tiny.snap(Self.origin), "no component of 50 nodes: nothing to snap to")
    }

    func testLoopStationReachesItsNodeTheShorterWayRound() {
        var edges = Self.lattice(Self.origin, n: 8, m: 8)
        let c = Coordinate(Self.origin.lon + 0.003, Self.origin.lat + 0.003)  // node 27
        let loop = Self.edge(901, 27, 27, [c, Coordinate(c.lon + 0.0003, c.lat + 0.0006), Coordinate(c.lon + 0.0006, c.lat), c])
        edges.append(loop)
        let g = WalkingGraph(edges)
        let st = g.snap(Coordinate(c.lon + 0.00055, c.lat + 0.00008))!
        XCTAssertEqual(g.edgeIds[Int(st.edge)], 901)
        let field = g.field(from: NetworkAttachments([(0, st)]))
        let node = g.nodeIds.firstIndex(of: 27)!
        XCTAssertEqual(field.distance[node], st.access + min(st.offset, loop.lengthM - st.offset), accuracy: 1e-9)
        XCTAssertLessThan(loop.lengthM - st.offset, st.offset, "the station is nearer the loop's end than its start")
    }
}
