import GridGeo
import XCTest

final class CRSTests: XCTestCase {
    func testParsesTheNamesUsersWrite() throws {
        XCTAssertEqual(try CRS(parsing: "wgs84"), .wgs84)
        XCTAssertEqual(try CRS(parsing: "EPSG:4326"), .wgs84)
        XCTAssertEqual(try CRS(parsing: "http://www.opengis.net/def/crs/OGC/1.3/CRS84"), .wgs84)
        XCTAssertEqual(try CRS(parsing: "cgcs2000"), .epsg(4490))
        XCTAssertEqual(try CRS(parsing: "urn:ogc:def:crs:EPSG::4490"), .epsg(4490))
        XCTAssertEqual(try CRS(parsing: "GCJ02"), .gcj02)
        XCTAssertEqual(try CRS(parsing: "bd09"), .bd09)
        XCTAssertEqual(try CRS(parsing: "EPSG:4547"), .epsg(4547))
        XCTAssertEqual(try CRS(parsing: "http://www.opengis.net/def/crs/EPSG/0/3857"), .epsg(3857))
        XCTAssertThrowsError(try CRS(parsing: "EPSG:999999"))
        XCTAssertThrowsError(try CRS(parsing: "mars"))
        XCTAssertThrowsError(try CRS(parsing: ""))
    }

    func testGaussKrugerToWGS84() throws {
        // EPSG:4547 is CGCS2000 / 3-degree Gauss-Kruger CM 114E: the central meridian maps to easting 500 km.
        let t = try CoordinateTransform(.epsg(4547))
        let c = try t.toWGS84(Coordinate(500_000, 2_544_000))
        XCTAssertEqual(c.lon, 114.0, accuracy: 1e-9)
        XCTAssertEqual(c.lat, 23.0, accuracy: 0.01)
        XCTAssertThrowsError(try CoordinateTransform(.wgs84).toWGS84(Coordinate(200, 20)))
        XCTAssertThrowsError(try CoordinateTransform(.wgs84).toWGS84(Coordinate(.nan, 20)))
        XCTAssertThrowsError(try CoordinateTransform(.gcj02).toWGS84(Coordinate(114, .infinity)))
    }

    func testChinaDatumInversesAreBelowAMillimetre() {
        var worst = 0.0
        for i in 0..<200 {
            let p = Coordinate(113.8 + Double(i % 20) * 0.08, 22.5 + Double(i / 20) * 0.09)
            let g = ChinaDatum.wgs84ToGCJ02(p)
            XCTAssertGreaterThan(Geodesic.distance(p, g), 100, "GCJ-02 shifts by hundreds of metres here")
            worst = max(worst, Geodesic.distance(ChinaDatum.gcj02ToWGS84(g), p))
            worst = max(worst, Geodesic.distance(ChinaDatum.bd09ToWGS84(ChinaDatum.wgs84ToBD09(p)), p))
        }
        XCTAssertLessThan(worst, 0.001)
        // Outside China GCJ-02 is WGS84.
        XCTAssertEqual(ChinaDatum.wgs84ToGCJ02(Coordinate(2.35, 48.85)), Coordinate(2.35, 48.85))
    }

    func testGeodesicDistance() {
        // One degree of longitude at the equator on WGS84 is 111,319.49 m.
        XCTAssertEqual(Geodesic.distance(Coordinate(0, 0), Coordinate(1, 0)), 111_319.49, accuracy: 0.01)
        XCTAssertEqual(Geodesic.distance(Coordinate(179.5, 0), Coordinate(-179.5, 0)), 111_319.49, accuracy: 0.01)
    }

    func testCSVFields() throws {
        XCTAssertEqual(try CSV.fields("a,\"b,c\",\"d\"\"e\","), ["a", "b,c", "d\"e", ""])
        XCTAssertThrowsError(try CSV.fields("a,\"b"))
    }
}
