import Foundation
import GridAnalysis
import GridGeo
import GridHTTP
import GridStore
import GridTestSupport
import Hummingbird
import HummingbirdTesting
import XCTest

/// GET /coverage/suggest through the real router on a real store: the generated city with two
/// compounds, C1 (120 households) beside a canteen and C2 (80) far from it; no health station.
final class SitingRoutesTests: XCTestCase {
    static let city = SyntheticCity(columns: 4, rows: 3)

    func makeApp() throws -> some ApplicationProtocol {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("wangge-siting-http-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: dir) }
        let db = try GridDatabase(path: dir.appendingPathComponent("s.sqlite").path)
        try db.replaceCategories([
            StationCategory(code: "canteen", nameZh: "社区食堂", nameEn: "Community canteen", countsTowardAll: true),
            StationCategory(code: "health_station", nameZh: "健康驿站", nameEn: "Health station", countsTowardAll: true),
        ])
        for (name, text) in Self.city.layers() { try db.importGeoJSON(Layer.named(name)!, data: Data(text.utf8)) }
        let u = SyntheticCity.unit, b = SyntheticCity.base
        func compound(_ id: String, _ x: Double, _ y: Double, _ hh: Int) -> String {
            let c = Coordinate(b.lon + x * u, b.lat + y * u), d = 2 * u
            return """
                {"type":"Feature","properties":{"id":"\(id)","grid_id":"\(Self.city.grids[0].id)","households":\(hh),"population":\(hh * 2)},\
                "geometry":{"type":"Polygon","coordinates":[[[\(c.lon - d),\(c.lat - d)],[\(c.lon + d),\(c.lat - d)],[\(c.lon + d),\(c.lat + d)],[\(c.lon - d),\(c.lat + d)],[\(c.lon - d),\(c.lat - d)]]]}}
                """
        }
        try db.importGeoJSON(.compounds, data: Data("{\"type\":\"FeatureCollection\",\"features\":[\(compound("C1", 8, 8, 120)),\(compound("C2", 30, 30, 80))]}".utf8))
        let k = Coordinate(b.lon + 8 * u + 0.0005, b.lat + 8 * u)
        try db.importGeoJSON(.stations, data: Data("""
            {"type":"FeatureCollection","features":[
            {"type":"Feature","properties":{"id":"K1","category":"canteen"},"geometry":{"type":"Point","coordinates":[\(k.lon),\(k.lat)]}}]}
            """.utf8))
        return Application(router: buildRouter(AppServices(db: db)))
    }

    static func features(_ body: String) throws -> (JSONObject, [JSONObject]) {
        let doc = try XCTUnwrap(try JSONParser.parse(body).objectValue)
        let f = try XCTUnwrap(doc["features"]?.arrayValue).map { try XCTUnwrap($0.objectValue) }
        return (doc, f)
    }

    func testSitesInGreedyOrder() async throws {
        let app = try makeApp()
        let d = Geodesic.distance(Coordinate(SyntheticCity.base.lon + 8 * SyntheticCity.unit, SyntheticCity.base.lat + 8 * SyntheticCity.unit),
                                  Coordinate(SyntheticCity.base.lon + 30 * SyntheticCity.unit, SyntheticCity.base.lat + 30 * SyntheticCity.unit))
        try await app.test(.router) { client in
            try await client.execute(uri: "/coverage/suggest?category=health_station&tier=5&count=3", method: .get) { r in
                XCTAssertEqual(r.status, .ok)
                XCTAssertEqual(r.headers[.contentType], "application/geo+json")
                let (doc, fs) = try Self.features(String(buffer: r.body))
                XCTAssertEqual(doc["households_total"]?.intValue, 200)
                XCTAssertEqual(doc["households_covered_before"]?.intValue, 0)
                let props = fs.compactMap { $0["properties"]?.objectValue }
                if d > 300 {
                    // Too far apart to share a site: C1 first (more households), then C2.
                    XCTAssertEqual(props.map { $0["site_id"]?.stringValue }, ["C1", "C2"])
                    XCTAssertEqual(props.map { $0["households_new"]?.intValue }, [120, 80])
                    XCTAssertEqual(props.map { $0["households_cumulative"]?.intValue }, [120, 200])
                } else {
                    XCTAssertEqual(props.map { $0["households_new"]?.intValue }, [200])
                }
                XCTAssertEqual(fs.first?["geometry"]?.objectValue?["type"]?.stringValue, "Point")
            }
            // The canteen already covers C1: only C2 is left to gain.
            try await client.execute(uri: "/coverage/suggest?category=canteen&tier=5&count=3", method: .get) { r in
                XCTAssertEqual(r.status, .ok)
                let (doc, fs) = try Self.features(String(buffer: r.body))
                XCTAssertEqual(doc["households_covered_before"]?.intValue, 120)
                let props = fs.compactMap { $0["properties"]?.objectValue }
                XCTAssertEqual(props.map { $0["compound_ids"]?.stringValue }, ["C2"])
            }
            try await client.execute(uri: "/coverage/suggest?category=health_station&tier=15&count=5&candidates=lattice&spacing=300", method: .get) { r in
                XCTAssertEqual(r.status, .ok)
                let (doc, fs) = try Self.features(String(buffer: r.body))
                XCTAssertEqual(doc["candidates"]?.stringValue, "lattice")
                let props = fs.compactMap { $0["properties"]?.objectValue }
                XCTAssertEqual(props.last?["households_cumulative"]?.intValue, 200)
                XCTAssertTrue(props.allSatisfy { $0["site_id"]?.stringValue?.hasPrefix("L") == true })
            }
        }
    }

    func testBadInputIs400NamingTheField() async throws {
        let app = try makeApp()
        let cases = [
            ("category=nope&tier=5&count=3", "category"), ("tier=5&count=3", "category"),
            ("category=canteen&tier=7&count=3", "tier"), ("category=canteen&tier=5&count=0", "count"),
            ("category=canteen&tier=5&count=101", "count"), ("category=canteen&tier=5&count=3&candidates=lattice&spacing=20", "spacing"),
            ("category=canteen&tier=5&count=3&candidates=lattice&spacing=6000", "spacing"),
            ("category=canteen&tier=5&count=3&candidates=hex", "candidates"), ("category=canteen&tier=5&count=3&foo=1", "foo"),
        ]
        try await app.test(.router) { client in
            for (q, field) in cases {
                let uri = "/coverage/suggest?" + q
                try await client.execute(uri: uri, method: .get) { r in
                    XCTAssertEqual(r.status, .badRequest, uri)
                    let o = try XCTUnwrap(try JSONParser.parse(String(buffer: r.body)).objectValue)
                    XCTAssertEqual(o["field"]?.stringValue, field, uri)
                }
            }
        }
    }
}
