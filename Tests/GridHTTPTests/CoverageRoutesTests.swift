import Foundation
import GridAnalysis
import GridGeo
import GridHTTP
import GridStore
import GridTestSupport
import Hummingbird
import HummingbirdTesting
import XCTest

/// /coverage and /coverage/gaps through the real router on a real store: the generated city with
/// its one compound C1 (households 120) and two canteens, one beside C1 and one far away.
final class CoverageRoutesTests: XCTestCase {
    static let city = SyntheticCity(columns: 4, rows: 3)

    func makeApp() throws -> (some ApplicationProtocol, GridDatabase) {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("wangge-coverage-http-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: dir) }
        let db = try GridDatabase(path: dir.appendingPathComponent("s.sqlite").path)
        try db.replaceCategories([
            StationCategory(code: "canteen", nameZh: "社区食堂", nameEn: "Community canteen", countsTowardAll: true),
            StationCategory(code: "health_station", nameZh: "健康驿站", nameEn: "Health station", countsTowardAll: true),
        ])
        for (name, text) in Self.city.layers() { try db.importGeoJSON(Layer.named(name)!, data: Data(text.utf8)) }
        let c = Coordinate(SyntheticCity.base.lon + 8 * SyntheticCity.unit, SyntheticCity.base.lat + 8 * SyntheticCity.unit)
        let d = 4 * SyntheticCity.unit
        let square = "[[[\(c.lon - d),\(c.lat - d)],[\(c.lon + d),\(c.lat - d)],[\(c.lon + d),\(c.lat + d)],[\(c.lon - d),\(c.lat + d)],[\(c.lon - d),\(c.lat - d)]]]"
        try db.importGeoJSON(.compounds, data: Data("""
            {"type":"FeatureCollection","features":[{"type":"Feature","properties":{"id":"C1","grid_id":"\(Self.city.grids[0].id)",\
            "households":120,"population":300},"geometry":{"type":"Polygon","coordinates":\(square)}}]}
            """.utf8))
        try db.importGeoJSON(.stations, data: Data("""
            {"type":"FeatureCollection","features":[
            {"type":"Feature","properties":{"id":"K1","category":"canteen"},"geometry":{"type":"Point","coordinates":[\(c.lon + 0.001),\(c.lat)]}},
            {"type":"Feature","properties":{"id":"K2","category":"canteen"},"geometry":{"type":"Point","coordinates":[\(c.lon + 0.2),\(c.lat)]}}]}
            """.utf8))
        return (Application(router: buildRouter(AppServices(db: db))), db)
    }

    func testGridLevelRatiosAndAreas() async throws {
        let (app, db) = try makeApp()
        let grids = try db.coverageGrids()
        try await app.test(.router) { client in
            try await client.execute(uri: "/coverage?level=grid&tier=5&category=canteen,health_station", method: .get) { r in
                XCTAssertEqual(r.status, .ok)
                XCTAssertEqual(r.headers[.contentType], "application/geo+json")
                let doc = try XCTUnwrap(try JSONParser.parse(String(buffer: r.body)).objectValue)
                XCTAssertEqual(doc["method"]?.stringValue, "straight-line")
                let features = try XCTUnwrap(doc["features"]?.arrayValue)
                XCTAssertEqual(features.count, grids.count * 3)  // canteen, health_station and all
                for f in features {
                    let o = try XCTUnwrap(f.objectValue?["properties"]?.objectValue)
                    XCTAssertNotNil(f.objectValue?["geometry"]?.objectValue, "each area carries its grid's geometry")
                    let id = try XCTUnwrap(o["grid_id"]?.stringValue)
                    let g = try XCTUnwrap(grids.first { $0.id == id })
                    XCTAssertEqual(o["area_m2"]?.doubleValue ?? 0, g.areaM2, accuracy: 0.001)
                    XCTAssertEqual(o["uncovered_m2"], .null, "uncovered areas come from /coverage/gaps")
                    if id == Self.city.grids[0].id, o["category"]?.stringValue == "canteen" {
                        XCTAssertEqual(o["households"]?.intValue, 120)
                        XCTAssertEqual(o["households_covered"]?.intValue, 120)  // K1 is ~100 m away
                        XCTAssertEqual(o["ratio_households"]?.doubleValue, 1)
                    } else if id != Self.city.grids[0].id {
                        XCTAssertEqual(o["households"]?.intValue, 0)
                        XCTAssertEqual(o["ratio_households"], .null, "no households: null, never NaN")
                    }
                    if o["category"]?.stringValue == "all" {
                        XCTAssertEqual(o["households_covered"]?.intValue, 0, "all = canteen and health_station, which has no station")
                    }
                }
            }
            try await client.execute(uri: "/coverage?level=compound&radius=50&category=canteen", method: .get) { r in
                XCTAssertEqual(r.status, .ok)
                let features = try XCTUnwrap(try JSONParser.parse(String(buffer: r.body)).objectValue?["features"]?.arrayValue)
                let o = try XCTUnwrap(features.first?.objectValue?["properties"]?.objectValue)
                XCTAssertEqual(o["compound_id"]?.stringValue, "C1")
                XCTAssertEqual(o["station_id"]?.stringValue, "K1")
                XCTAssertEqual(o["covered"], .bool(false))
                XCTAssertEqual(o["tier_min"], .null)
                XCTAssertEqual(o["method"]?.stringValue, "straight-line*1.0")
            }
        }
    }

    func testGapsOfOneGrid() async throws {
        let (app, db) = try makeApp()
        let id = Self.city.grids[0].id
        let area = try db.coverageGrids().first { $0.id == id }!.areaM2
        try await app.test(.router) { client in
            try await client.execute(uri: "/coverage/gaps?grid_id=\(id)&tier=5&category=canteen&category=health_station", method: .get) { r in
                XCTAssertEqual(r.status, .ok)
                let features = try XCTUnwrap(try JSONParser.parse(String(buffer: r.body)).objectValue?["features"]?.arrayValue)
                let areas = features.filter { $0.objectValue?["properties"]?.objectValue?["kind"]?.stringValue == "uncovered_area" }
                XCTAssertEqual(areas.count, 3)  // canteen (around K1), health_station and all (the whole grid)
                for f in areas {
                    let o = f.objectValue!["properties"]!.objectValue!
                    XCTAssertEqual(o["grid_id"]?.stringValue, id)
                    let g = try GeoJSON.geometry(f.objectValue!["geometry"]!, path: "geometry")
                    XCTAssertEqual(GeodesicDisc.area(g), o["uncovered_m2"]?.doubleValue ?? -1, accuracy: area * 1e-6)
                }
                // C1 is covered for canteen, not for health_station (there is none) nor all.
                let compounds = features.compactMap { $0.objectValue?["properties"]?.objectValue }.filter { $0["kind"]?.stringValue == "uncovered_compound" }
                XCTAssertEqual(compounds.map { $0["category"]?.stringValue }, ["health_station", "all"])
            }
        }
    }

    func testBadInputIs400NamingTheField() async throws {
        let (app, _) = try makeApp()
        try await app.test(.router) { client in
            for (uri, field) in [("/coverage?tier=7", "tier"), ("/coverage?radius=-1", "radius"), ("/coverage?radius=nan", "radius"),
                                 ("/coverage?radius=1e12", "radius"), ("/coverage?category=nope", "category"),
                                 ("/coverage?level=planet", "level"), ("/coverage?tier=5&radius=300", "radius"),
                                 ("/coverage?bogus=1", "bogus"), ("/coverage/gaps?level=grid", "level"),
                                 ("/coverage/gaps?grid_id=nope", "grid_id"), ("/coverage/gaps?community_id=nope", "community_id"),
                                 ("/coverage/gaps?tier=5", "grid_id"), ("/coverage/gaps?grid_id=\(Self.city.grids[0].id)&radius=1,2,3,4,5,6,7,8,9,10,11", "radius")] {
                try await client.execute(uri: uri, method: .get) { r in
                    XCTAssertEqual(r.status, .badRequest, uri)
                    let o = try XCTUnwrap(try JSONParser.parse(String(buffer: r.body)).objectValue)
                    XCTAssertEqual(o["field"]?.stringValue, field, uri)
                }
            }
        }
    }
}
