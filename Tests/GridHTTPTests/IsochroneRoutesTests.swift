import Foundation
import GridAnalysis
import GridGeo
import GridHTTP
import GridStore
import Hummingbird
import HummingbirdTesting
import XCTest

/// `GET /isochrone` and `GET /stations/{id}/isochrone` through the real router on a real store
/// (NetworkMethodRoutesTests' city: compound C1, canteen K1, and its 8×8 street lattice 0.0004°
/// apart, 64 junctions, around C1's point c, which lies 0.0001° from junction (3, 3)).
final class IsochroneRoutesTests: XCTestCase {
    typealias Net = NetworkMethodRoutesTests
    static let c = Net.c
    static let o = Coordinate(c.lon - 0.0013, c.lat - 0.0013)
    static func junction(_ i: Int, _ j: Int) -> Coordinate { Coordinate(o.lon + Double(j) * 0.0004, o.lat + Double(i) * 0.0004) }

    static func polygons(_ feature: JSONObject) throws -> MultiPolygon {
        let g = try GeoJSON.geometry(try XCTUnwrap(feature["geometry"]), path: "geometry")
        return try XCTUnwrap(g.asMultiPolygon)
    }

    func testWithoutANetworkItIsA409NamingIt() async throws {
        let db = try Net.makeStore(for: self)
        let app = Application(router: buildRouter(AppServices(db: db)))
        try await app.test(.router) { client in
            for uri in ["/isochrone?lon=\(Self.c.lon)&lat=\(Self.c.lat)", "/stations/K1/isochrone"] {
                try await client.execute(uri: uri, method: .get) { r in
                    XCTAssertEqual(r.status, .conflict, uri)
                    XCTAssertTrue(String(buffer: r.body).contains("no walking network"), String(buffer: r.body))
                }
            }
        }
    }

    func testContoursAreNestedPolygonsHoldingTheReachedJunctions() async throws {
        let db = try Net.makeStore(for: self)
        try Net.addNetwork(db)
        let app = Application(router: buildRouter(AppServices(db: db)))
        try await app.test(.router) { client in
            try await client.execute(uri: "/isochrone?lon=\(Self.c.lon)&lat=\(Self.c.lat)&minutes=5,1", method: .get) { r in
                XCTAssertEqual(r.status, .ok)
                XCTAssertEqual(r.headers[.contentType], "application/geo+json")
                let doc = try Net.json(r)
                XCTAssertEqual(doc["method"]?.stringValue, "network")
                let features = try XCTUnwrap(doc["features"]?.arrayValue).compactMap(\.objectValue)
                XCTAssertEqual(features.count, 2)
                let props = features.compactMap { $0["properties"]?.objectValue }
                XCTAssertEqual(props.map { $0["value"]?.doubleValue }, [1, 5], "shortest first")
                XCTAssertTrue(props.allSatisfy { $0["method"]?.stringValue == "network" })
                XCTAssertEqual(props[0]["center"]?.arrayValue?.compactMap(\.doubleValue), [Self.c.lon, Self.c.lat])
                let one = try Self.polygons(features[0]), five = try Self.polygons(features[1])
                // 1 minute (83.3 m): junction (3, 3), ~20 m away, is in; the far corner is not.
                XCTAssertNotEqual(PointInPolygon.locate(Self.junction(3, 3), in: one), .outside)
                XCTAssertEqual(PointInPolygon.locate(Self.junction(7, 7), in: one), .outside)
                XCTAssertNotEqual(PointInPolygon.locate(Self.c, in: one), .outside, "the point itself")
                // 5 minutes (416.7 m): every junction (the farthest is 8 blocks of ~41 m + ~20 m away).
                for i in 0..<8 { for j in 0..<8 { XCTAssertNotEqual(PointInPolygon.locate(Self.junction(i, j), in: five), .outside, "\(i),\(j)") } }
                // The whole lattice, buffered 25 m: between its own area and that of its box grown by 25 m each side.
                let side = Geodesic.distance(Self.junction(0, 0), Self.junction(0, 7)), tall = Geodesic.distance(Self.junction(0, 0), Self.junction(7, 0))
                let a5 = try XCTUnwrap(props[1]["area_m2"]?.doubleValue), a1 = try XCTUnwrap(props[0]["area_m2"]?.doubleValue)
                XCTAssertGreaterThan(a5, side * tall)
                XCTAssertLessThan(a5, (side + 50) * (tall + 50))
                XCTAssertGreaterThan(a1, 0)
                XCTAssertLessThan(a1, a5)
                XCTAssertEqual(a5, GeodesicDisc.area(five.polygons[0]), accuracy: 0.5 + a5 * 1e-6, "area_m2 (whole m²) is the polygon's geodesic area")
            }
            try await client.execute(uri: "/stations/K1/isochrone?minutes=2", method: .get) { r in
                XCTAssertEqual(r.status, .ok)
                let doc = try Net.json(r)
                XCTAssertEqual(doc["station_id"]?.stringValue, "K1")
                XCTAssertEqual(doc["features"]?.arrayValue?.count, 1)
            }
            // The default contours: 5, 10 and 15 minutes.
            try await client.execute(uri: "/stations/K1/isochrone", method: .get) { r in
                let props = try XCTUnwrap(try Net.json(r)["features"]?.arrayValue).compactMap { $0.objectValue?["properties"]?.objectValue }
                XCTAssertEqual(props.map { $0["value"]?.doubleValue }, [5, 10, 15])
            }
        }
    }

    func testBadInputIsA4xxNamingTheField() async throws {
        let db = try Net.makeStore(for: self)
        try Net.addNetwork(db)
        let app = Application(router: buildRouter(AppServices(db: db, isochroneMaxMinutes: 30)))
        let at = "lon=\(Self.c.lon)&lat=\(Self.c.lat)"
        try await app.test(.router) { client in
            let cases: [(String, HTTPResponse.Status, String, String)] = [
                ("/isochrone?\(at)&minutes=0", .badRequest, "minutes", "from 1 to 30"),
                ("/isochrone?\(at)&minutes=31", .badRequest, "minutes", "from 1 to 30"),
                ("/isochrone?\(at)&minutes=NaN", .badRequest, "minutes", "not a number"),
                ("/isochrone?\(at)&minutes=5,abc", .badRequest, "minutes", "not a number"),
                ("/isochrone?\(at)&minutes=", .badRequest, "minutes", "not a number"),
                ("/isochrone?\(at)&minutes=5,5", .badRequest, "minutes", "twice"),
                ("/isochrone?\(at)&minutes=1,2,3,4,5,6,7", .badRequest, "minutes", "at most 6"),
                ("/isochrone?lat=\(Self.c.lat)", .badRequest, "lon", "missing"),
                ("/isochrone?lon=\(Self.c.lon)&lat=NaN", .badRequest, "lat", "finite"),
                ("/isochrone?\(at)&k=3", .badRequest, "k", "unknown parameter"),
                ("/isochrone?lon=\(Self.c.lon + 0.05)&lat=\(Self.c.lat)&minutes=5,10", .unprocessableContent, "lon,lat", "farther than a 10-minute walk"),
                ("/stations/NOPE/isochrone", .notFound, "id", "NOPE"),
                ("/stations/K1/isochrone?minutes=-5", .badRequest, "minutes", "from 1 to 30"),
            ]
            for (uri, status, field, words) in cases {
                try await client.execute(uri: uri, method: .get) { r in
                    XCTAssertEqual(r.status, status, uri)
                    let body = try Net.json(r)
                    XCTAssertEqual(body["field"]?.stringValue, field, uri)
                    XCTAssertTrue(body["description"]?.stringValue?.contains(words) ?? false, "\(uri): \(body)")
                }
            }
        }
    }
}
