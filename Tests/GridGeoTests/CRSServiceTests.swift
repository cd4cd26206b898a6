import Dispatch
import Synchronization
import GridGeo
import XCTest

/// The CRS service: names parse without building anything, PROJ transformations are shared and
/// safe under concurrent use, and every coordinate check (range, area of use, the China region)
/// gives a message that names the CRS and the likely mistake.
final class CRSServiceTests: XCTestCase {
    func testEachPairIsCreatedOnceAndShared() throws {
        let a = try CRSService.shared.transform(from: .epsg(4547), to: .wgs84)
        let b = try CRSService.shared.transform(from: .epsg(4547), to: .wgs84)
        XCTAssertTrue(a === b)
        XCTAssertFalse(a === (try CRSService.shared.transform(from: .wgs84, to: .epsg(4547))))
        XCTAssertThrowsError(try CRSService.shared.transform(from: .gcj02, to: .wgs84))
    }

    func testConcurrentUseGivesTheSameAnswersAsOneThread() throws {
        let t = try CRSService.shared.transform(from: .wgs84, to: .epsg(4547))
        let points = (0..<2000).map { Coordinate(113.9 + Double($0 % 50) * 0.03, 22.6 + Double($0 / 50) * 0.03) }
        let expected = try points.map { try t.forward($0) }
        let mismatches = Counter(0)
        DispatchQueue.concurrentPerform(iterations: 8) { _ in
            for (p, e) in zip(points, expected) where (try? t.forward(p)) != e {
                mismatches.add(1)
            }
        }
        XCTAssertEqual(mismatches.value, 0)
    }

    func testCatalogKnowsNameKindAndAreaOfUse() throws {
        let gk = try XCTUnwrap(CRSCatalog.shared.definition(epsg: 4547))
        XCTAssertEqual(gk.kind, .projected)
        XCTAssertTrue(gk.name.contains("Gauss-Kruger CM 114E"), gk.name)
        let area = try XCTUnwrap(gk.area)
        XCTAssertEqual(area.west, 112.5, accuracy: 1e-9)
        XCTAssertEqual(area.east, 115.5, accuracy: 1e-9)
        XCTAssertTrue(area.contains(Coordinate(114.42, 23.10)))
        XCTAssertFalse(area.contains(Coordinate(109.5, 0.0002)))
        XCTAssertEqual(CRSCatalog.shared.definition(epsg: 4490)?.kind, .geographic)
        XCTAssertNil(CRSCatalog.shared.definition(epsg: 999_999))
        XCTAssertNil(CRSCatalog.shared.definition(epsg: 5773), "a vertical CRS is no map coordinate")
        // An area crossing ±180° (EPSG:3832, PDC Mercator, 98.69°E to 70.35°W).
        let pacific = try XCTUnwrap(CRSCatalog.shared.definition(epsg: 3832)?.area)
        XCTAssertGreaterThan(pacific.west, pacific.east)
        XCTAssertTrue(pacific.contains(Coordinate(179.9, 0)) && pacific.contains(Coordinate(-179.9, 0)))
        XCTAssertFalse(pacific.contains(Coordinate(0, 0)))
    }

    func testDegreesSentAsGaussKrugerAreRefusedNamingTheMistake() throws {
        let t = try CoordinateTransform(.epsg(4547))
        XCTAssertThrowsError(try t.toWGS84(Coordinate(114.42, 23.10))) { e in
            let m = (e as? CoordinateRangeError)?.message ?? ""
            XCTAssertNil((e as? CoordinateRangeError)?.axis)
            XCTAssertTrue(m.contains("EPSG:4547 (CGCS2000 / 3-degree Gauss-Kruger CM 114E)"), m)
            XCTAssertTrue(m.contains("look like longitude and latitude in degrees"), m)
            XCTAssertTrue(m.contains("112.5..115.5"), m)
        }
        // Northing first (EPSG's own axis order) where wangge takes easting first.
        let en = try CRSService.shared.transform(from: .wgs84, to: .epsg(4547)).forward(Coordinate(114.42, 23.10))
        XCTAssertThrowsError(try t.toWGS84(Coordinate(en.lat, en.lon))) { e in
            XCTAssertTrue("\(e)".contains("Easting and northing look swapped"), "\(e)")
        }
        XCTAssertEqual(Geodesic.distance(try t.toWGS84(en), Coordinate(114.42, 23.10)), 0, accuracy: 0.001)
        // Just over the zone's edge (within the 1° margin) is still taken; far beyond is not.
        let over = try CRSService.shared.transform(from: .wgs84, to: .epsg(4547)).forward(Coordinate(116.2, 23.0))
        XCTAssertNoThrow(try t.toWGS84(over))
        let far = try CRSService.shared.transform(from: .wgs84, to: .epsg(4547)).forward(Coordinate(117.0, 23.0))
        XCTAssertThrowsError(try t.toWGS84(far))
    }

    func testGeographicEPSGAndCGCS2000KeepToTheirArea() throws {
        let cgcs = try CoordinateTransform(.epsg(4490))
        XCTAssertEqual(try cgcs.toWGS84(Coordinate(114.42, 23.10)), Coordinate(114.42, 23.10), "EPSG:4490 is taken as WGS84")
        XCTAssertThrowsError(try cgcs.toWGS84(Coordinate(2.35, 48.85))) { e in
            XCTAssertTrue("\(e)".contains("EPSG:4490"), "\(e)")
        }
        XCTAssertThrowsError(try cgcs.toWGS84(Coordinate(23.10, 114.42))) { e in
            XCTAssertEqual((e as? CoordinateRangeError)?.axis, .y)
            XCTAssertTrue("\(e)".contains("swapped"), "\(e)")
        }
        XCTAssertThrowsError(try CoordinateTransform(.epsg(3857)).toWGS84(Coordinate(0, 30_000_000)))
        XCTAssertNoThrow(try CoordinateTransform(.wgs84).toWGS84(Coordinate(-179.99, -89.99)), "WGS84's area is the world")
    }

    func testGCJ02AndBD09AppliesOnlyInChina() throws {
        let gcj = try CoordinateTransform(.gcj02), bd = try CoordinateTransform(.bd09)
        // Osaka, Seoul and Pyongyang sit inside the old one-box test and were shifted by ~500 m.
        for (place, p) in [("Osaka", Coordinate(135.5023, 34.6937)), ("Seoul", Coordinate(126.9780, 37.5665)),
                           ("Pyongyang", Coordinate(125.7625, 39.0392)), ("Taipei", Coordinate(121.5654, 25.0330)),
                           ("Ulaanbaatar", Coordinate(106.9057, 47.8864)), ("Hanoi", Coordinate(105.8342, 21.0278)),
                           ("the old box's western edge", Coordinate(72.01, 40)), ("Paris", Coordinate(2.35, 48.85))] {
            XCTAssertFalse(ChinaDatum.applies(at: p), place)
            for t in [gcj, bd] {
                XCTAssertThrowsError(try t.toWGS84(p), place) { e in
                    XCTAssertTrue("\(e)".contains("outside the region where \(t.crs) is used"), "\(e)")
                    XCTAssertTrue("\(e)".contains("name the CRS wgs84"), "\(e)")
                }
            }
            XCTAssertEqual(ChinaDatum.wgs84ToGCJ02(p), p, "\(place): outside China GCJ-02 is WGS84")
        }
        for (place, p) in [("Huizhou", Coordinate(114.4165, 23.1115)), ("Hong Kong", Coordinate(114.1694, 22.3193)),
                           ("Haikou", Coordinate(110.3312, 20.0311)), ("Urumqi", Coordinate(87.6168, 43.8256)),
                           ("Harbin", Coordinate(126.5350, 45.8038)), ("Lhasa", Coordinate(91.1409, 29.6456))] {
            XCTAssertTrue(ChinaDatum.applies(at: p), place)
            let g = ChinaDatum.wgs84ToGCJ02(p)
            XCTAssertGreaterThan(Geodesic.distance(p, g), 100, place)
            XCTAssertEqual(Geodesic.distance(try gcj.toWGS84(g), p), 0, accuracy: 0.001, place)
            XCTAssertEqual(Geodesic.distance(try bd.toWGS84(ChinaDatum.wgs84ToBD09(p)), p), 0, accuracy: 0.001, place)
        }
    }

    func testRangeChecksNameTheAxis() {
        for (c, axis) in [(Coordinate(.nan, 23), CoordinateRangeError.Axis.x), (Coordinate(114, .infinity), .y),
                          (Coordinate(181, 23), .x), (Coordinate(114, -91), .y)] {
            XCTAssertThrowsError(try CoordinateTransform.checkLonLat(c)) { e in XCTAssertEqual((e as? CoordinateRangeError)?.axis, axis) }
        }
    }
}

/// A counter for the concurrency test (Synchronization's Atomic needs a stable address: a class).
private final class Counter: Sendable {
    private let v: Atomic<Int>
    init(_ value: Int) { v = .init(value) }
    func add(_ n: Int) { v.wrappingAdd(n, ordering: .relaxed) }
    var value: Int { v.load(ordering: .relaxed) }
}
