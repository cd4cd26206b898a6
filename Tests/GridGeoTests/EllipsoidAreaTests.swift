import Foundation
import GridGeo
import XCTest

/// EllipsoidArea (the equal-area map's shoelace) against GeographicLib's exact geodesic polygon
/// area (`GeodesicDisc.area`, `geod_polygonarea`) on the shapes coverage measures: geodesic discs
/// of 100 m – 2.5 km, jagged grid-like polygons with and without a hole, at latitudes 0° – 60°.
final class EllipsoidAreaTests: XCTestCase {
    func testAgreesWithGeodesicAreaWithinOnePPM() {
        var worst = 0.0
        for lat in stride(from: 0.0, through: 60.0, by: 7.5) {
            let centre = Coordinate(lon: 114.4 + lat / 10, lat: lat)
            for radius in [100.0, 300.0, 1000.0, 2500.0] {
                let disc = GeodesicDisc.ring(centre: centre, radius: radius)
                let exact = GeodesicDisc.area(Polygon(rings: [disc]))
                let got = EllipsoidArea.ring(disc)
                worst = max(worst, abs(got - exact) / exact)
                XCTAssertEqual(got, exact, accuracy: exact * 1e-6, "disc of \(radius) m at \(lat)°")
                // Orientation and the closing repeat do not matter.
                XCTAssertEqual(EllipsoidArea.ring(Array(disc.reversed())), got, accuracy: got * 1e-12)
                XCTAssertEqual(EllipsoidArea.ring(Array(disc.dropLast())), got, accuracy: got * 1e-12)
            }
            // A jagged 5 km × 3 km polygon with long straight lon/lat edges (the worst case for
            // map-straight vs geodesic edges) and short zigzags.
            let d = Geodesic.degreesFor(metres: 5000, atLatitude: lat)
            var ring: Ring = [Coordinate(lon: centre.lon, lat: centre.lat), Coordinate(lon: centre.lon + d.dLon, lat: centre.lat)]
            for k in 1...10 {
                let f = Double(k) / 10
                ring.append(Coordinate(lon: centre.lon + d.dLon * (k % 2 == 0 ? 1 : 0.9), lat: centre.lat + d.dLat * 0.6 * f))
            }
            ring += [Coordinate(lon: centre.lon, lat: centre.lat + d.dLat * 0.6), ring[0]]
            let exact = GeodesicDisc.area(Polygon(rings: [ring]))
            let got = EllipsoidArea.ring(ring)
            worst = max(worst, abs(got - exact) / exact)
            XCTAssertEqual(got, exact, accuracy: exact * 1e-6, "jagged polygon at \(lat)°")
        }
        XCTAssertGreaterThan(worst, 0, "the two computations are independent")
    }

    func testDegenerateRings() {
        XCTAssertEqual(EllipsoidArea.ring([Coordinate(lon: 1, lat: 1), Coordinate(lon: 2, lat: 1)]), 0)
        XCTAssertEqual(EllipsoidArea.ring([Coordinate(lon: 1, lat: 1), Coordinate(lon: 2, lat: 1), Coordinate(lon: 3, lat: 1)]), 0, accuracy: 1e-6)
    }
}
