import Foundation
import GridGeo
import GridIndex
import GridStore
import XCTest

/// `WalkingGraph.reach` and `piece`, the geometry isochrones are buffered from, on
/// WalkingGraphTests' 8×8 lattice of bent edges (~100 m blocks near 23° N).
final class WalkingReachTests: XCTestCase {
    static let edges = WalkingGraphTests.lattice(WalkingGraphTests.origin, n: 8, m: 8)
    static let graph = WalkingGraph(edges)

    static func length(_ line: [Coordinate]) -> Double {
        zip(line, line.dropFirst()).reduce(0) { $0 + Geodesic.distance($1.0, $1.1) }
    }

    func testAPieceIsCutAtExactlyTheLengthsAskedFor() {
        let g = Self.graph
        for e in [0, 7, 40, 101] {
            let len = g.edgeLength[e]
            for (s, t) in [(0.0, len), (0.0, len * 0.3), (len * 0.25, len * 0.75), (len * 0.6, len)] {
                let p = g.piece(edge: e, from: s, to: t)
                XCTAssertEqual(Self.length(p), t - s, accuracy: 1e-6, "edge \(e) \(s)…\(t)")
                // The cut points lie on the edge, at s and t from its source along it.
                XCTAssertEqual(Self.length(g.piece(edge: e, from: 0, to: s == 0 ? len : s)), s == 0 ? len : s, accuracy: 1e-6)
            }
        }
    }

    func testReachedLengthGrowsWithTheBudgetAndEndsAtTheWholeNetwork() {
        let g = Self.graph
        let p = Coordinate(WalkingGraphTests.origin.lon + 0.00331, WalkingGraphTests.origin.lat + 0.00347)
        let snap = try! XCTUnwrap(g.snap(p))
        let total = Self.edges.reduce(0) { $0 + $1.lengthM }
        let budgets = [snap.access / 2, 150, 400, 100_000]
        let reach = g.reach(from: snap, origin: p, budgets: budgets)
        XCTAssertTrue(reach.lines[0].isEmpty, "the access leg alone is longer than the budget")
        let lengths = reach.lines.map { $0.reduce(0) { $0 + Self.length($1) } }
        XCTAssertLessThan(lengths[1], lengths[2])
        XCTAssertEqual(lengths[3], total + snap.access, accuracy: 1e-3, "every edge whole, and the access leg")
        // Within 150 m the pieces' total is the sum over edges of the reached intervals from the node
        // distances (merged): an edge taken whole instead of cut, or a direct walk along the point's own
        // edge left out, changes it. (The Helsinki check compares the polygons with networkx.)
        let cut = reach.lines[1].dropFirst()  // the access leg first
        XCTAssertEqual(reach.lines[1].first?.first, p)
        let covered = cut.reduce(0) { $0 + Self.length($1) }
        // Exact: Σ over edges of the reached length, from the node distances.
        var expected = 0.0
        for e in 0..<g.edgeCount {
            let len = g.edgeLength[e]
            var ivs: [(Double, Double)] = []
            if let du = reach.nodeDistances[g.edgeSource[e]], du <= 150 { ivs.append((0, min(len, 150 - du))) }
            if let dv = reach.nodeDistances[g.edgeTarget[e]], dv <= 150 { ivs.append((max(0, len - (150 - dv)), len)) }
            if e == Int(snap.edge) { ivs.append((max(0, snap.offset - (150 - snap.access)), min(len, snap.offset + (150 - snap.access)))) }
            ivs.sort { $0.0 < $1.0 }
            var end = -Double.infinity
            for (a, b) in ivs { let a2 = max(a, end); if b > a2 { expected += b - a2 }; end = max(end, b) }
        }
        XCTAssertEqual(covered, expected, accuracy: 1e-3)
    }
}
