import GridGeo
import XCTest

final class PointInPolygonTests: XCTestCase {
    let square = Polygon(rings: [[Coordinate(0, 0), Coordinate(2, 0), Coordinate(2, 2), Coordinate(0, 2), Coordinate(0, 0)],
                                 [Coordinate(0.5, 0.5), Coordinate(0.5, 1.5), Coordinate(1.5, 1.5), Coordinate(1.5, 0.5), Coordinate(0.5, 0.5)]])

    func testInsideOutsideHoleAndBoundary() {
        XCTAssertEqual(PointInPolygon.locate(Coordinate(0.25, 0.25), in: square), .inside)
        XCTAssertEqual(PointInPolygon.locate(Coordinate(1, 1), in: square), .outside, "in the hole")
        XCTAssertEqual(PointInPolygon.locate(Coordinate(3, 1), in: square), .outside)
        XCTAssertEqual(PointInPolygon.locate(Coordinate(2, 1), in: square), .boundary, "on an edge")
        XCTAssertEqual(PointInPolygon.locate(Coordinate(2, 2), in: square), .boundary, "on a vertex")
        XCTAssertEqual(PointInPolygon.locate(Coordinate(1, 0.5), in: square), .boundary, "on the hole's edge")
        XCTAssertEqual(PointInPolygon.locate(Coordinate(1, 0), in: square), .boundary, "on a horizontal edge")
        XCTAssertEqual(PointInPolygon.locate(Coordinate(-1, 2), in: square), .outside, "at a vertex's latitude, outside")
        XCTAssertEqual(PointInPolygon.locate(Coordinate(0.25, 2), in: square), .boundary)
        XCTAssertEqual(PointInPolygon.locate(Coordinate(0.25, 1.5), in: square), .inside, "at the hole's top vertex latitude")
    }

    func testRayThroughAVertexCountsOnce() {
        // A diamond: the ray from the centre's latitude passes exactly through the right vertex.
        let diamond: Ring = [Coordinate(0, -1), Coordinate(1, 0), Coordinate(0, 1), Coordinate(-1, 0), Coordinate(0, -1)]
        XCTAssertEqual(PointInPolygon.locate(Coordinate(0, 0), in: diamond), .inside)
        XCTAssertEqual(PointInPolygon.locate(Coordinate(-2, 0), in: diamond), .outside)
        XCTAssertEqual(PointInPolygon.locate(Coordinate(1, 0), in: diamond), .boundary)
    }

    func testSharedEdgeIsExactFromBothSides() {
        // Two triangles sharing a long diagonal edge with coordinates that are not exact in binary:
        // every point must be boundary for both or for neither, never inside both or neither.
        let a = Coordinate(114.123456789, 22.987654321), b = Coordinate(114.98765431, 23.123456789)
        let left: Ring = [a, b, Coordinate(114.1, 23.5), a]
        let right: Ring = [a, Coordinate(115.0, 22.5), b, a]
        var onEdge = 0
        for k in 0...10_000 {
            let t = Double(k) / 10_000
            let p = Coordinate(a.lon + (b.lon - a.lon) * t, a.lat + (b.lat - a.lat) * t)
            let l = PointInPolygon.locate(p, in: left), r = PointInPolygon.locate(p, in: right)
            if l == .boundary || r == .boundary {
                XCTAssertEqual(l, r, "point \(p) is boundary on one side only")
                onEdge += 1
            } else {
                XCTAssertNotEqual(l, r, "point \(p) is \(l) in both triangles")
            }
        }
        XCTAssertGreaterThanOrEqual(onEdge, 2, "at least the endpoints lie exactly on the edge")
    }

    func testOrientationIsExactWhereFloatsWouldLie() {
        // Collinear points whose float cross product is not zero.
        let a = Coordinate(0.1, 0.1), b = Coordinate(0.3, 0.3), c = Coordinate(0.7, 0.7)
        let naive = (a.lon - c.lon) * (b.lat - c.lat) - (a.lat - c.lat) * (b.lon - c.lon)
        _ = naive
        XCTAssertEqual(Predicates.orientation(Coordinate(0, 0), Coordinate(1, 1), Coordinate(3, 3)), 0)
        XCTAssertEqual(Predicates.orientation(Coordinate(0, 0), Coordinate(1, 0), Coordinate(0.5, 1e-300)), 1)
        XCTAssertEqual(Predicates.orientation(Coordinate(0, 0), Coordinate(1, 0), Coordinate(0.5, -1e-300)), -1)
        // 0.1, 0.3, 0.7 as doubles are not exactly on one line: the exact sign is whatever the
        // expansion says, and it must agree with the orientation of the reversed triangle.
        XCTAssertEqual(Predicates.orientation(a, b, c), -Predicates.orientation(b, a, c))
        XCTAssertEqual(Predicates.orientation(a, b, c), Predicates.orientation(b, c, a))
    }

    func testWKBRoundTripsExactly() throws {
        let g = Geometry.multiPolygon(MultiPolygon(polygons: [square, Polygon(rings: [[Coordinate(5, 5), Coordinate(6, 5), Coordinate(6, 6), Coordinate(5, 5)]])]))
        XCTAssertEqual(try WKB.decode(WKB.encode(g)), g)
        XCTAssertEqual(try WKB.decode(WKB.encode(.point(Coordinate(114.1234567891234, -22.5)))), .point(Coordinate(114.1234567891234, -22.5)))
        XCTAssertThrowsError(try WKB.decode([1, 3, 0, 0, 0, 255, 255, 255, 255]))
    }

    func testRFC7946Winding() {
        let cw: Ring = [Coordinate(0, 0), Coordinate(0, 1), Coordinate(1, 1), Coordinate(0, 0)]
        let p = RingOrientation.oriented(Polygon(rings: [cw, cw]))
        XCTAssertGreaterThan(RingOrientation.signedArea2(p.rings[0]), 0, "exterior counter-clockwise")
        XCTAssertLessThan(RingOrientation.signedArea2(p.rings[1]), 0, "holes clockwise")
    }
}
