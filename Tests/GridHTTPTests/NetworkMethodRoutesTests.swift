import Foundation
import GridAnalysis
import GridGeo
import GridHTTP
import GridStore
import GridTestSupport
import Hummingbird
import HummingbirdTesting
import XCTest

/// The `method=` parameter of /coverage, /coverage/gaps and /nearest through the real router on a
/// real store: the generated city with compound C1 and a canteen K1 ~100 m east of it, first
/// without a walking network (straight-line; `method=network` refused), then with a street
/// lattice around them put in the store by `replaceNetwork` (network by default).
final class NetworkMethodRoutesTests: XCTestCase {
    static let city = SyntheticCity(columns: 4, rows: 3)
    static let c = Coordinate(SyntheticCity.base.lon + 8 * SyntheticCity.unit, SyntheticCity.base.lat + 8 * SyntheticCity.unit)

    func makeStore() throws -> GridDatabase { try Self.makeStore(for: self) }

    /// The store (C1 and K1 on the generated city), removed when `test` ends; shared with the isochrone tests.
    static func makeStore(for test: XCTestCase) throws -> GridDatabase {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("wangge-network-http-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        test.addTeardownBlock { try? FileManager.default.removeItem(at: dir) }
        let db = try GridDatabase(path: dir.appendingPathComponent("s.sqlite").path)
        try db.replaceCategories([StationCategory(code: "canteen", nameZh: "社区食堂", nameEn: "Community canteen", countsTowardAll: true)])
        for (name, text) in Self.city.layers() { try db.importGeoJSON(Layer.named(name)!, data: Data(text.utf8)) }
        let c = Self.c, d = 2 * SyntheticCity.unit
        let square = "[[[\(c.lon - d),\(c.lat - d)],[\(c.lon + d),\(c.lat - d)],[\(c.lon + d),\(c.lat + d)],[\(c.lon - d),\(c.lat + d)],[\(c.lon - d),\(c.lat - d)]]]"
        try db.importGeoJSON(.compounds, data: Data("""
            {"type":"FeatureCollection","features":[{"type":"Feature","properties":{"id":"C1","grid_id":"\(Self.city.grids[0].id)",\
            "households":120,"population":300},"geometry":{"type":"Polygon","coordinates":\(square)}}]}
            """.utf8))
        try db.importGeoJSON(.stations, data: Data("""
            {"type":"FeatureCollection","features":[
            {"type":"Feature","properties":{"id":"K1","category":"canteen"},"geometry":{"type":"Point","coordinates":[\(c.lon + 0.001),\(c.lat + 0.0001)]}}]}
            """.utf8))
        return db
    }

    /// An 8×8 lattice of streets 0.0004° apart around C1 (64 junctions, straight edges).
    func addNetwork(_ db: GridDatabase) throws { try Self.addNetwork(db) }

    static func addNetwork(_ db: GridDatabase) throws {
        let o = Coordinate(Self.c.lon - 0.0013, Self.c.lat - 0.0013), step = 0.0004
        var edges: [NetworkEdgeInput] = []
        for i in 0..<8 {
            for j in 0..<8 {
                let a = Coordinate(o.lon + Double(j) * step, o.lat + Double(i) * step)
                for (di, dj) in [(0, 1), (1, 0)] where i + di < 8 && j + dj < 8 {
                    let b = Coordinate(o.lon + Double(j + dj) * step, o.lat + Double(i + di) * step)
                    edges.append(NetworkEdgeInput(sourceNode: Int64(i * 8 + j), targetNode: Int64((i + di) * 8 + j + dj),
                                                  lengthM: Geodesic.distance(a, b), highway: "footway", coordinates: [a, b]))
                }
            }
        }
        try db.replaceNetwork(edges, source: "test lattice", sourceCRS: "EPSG:4326")
    }

    static func json(_ r: TestResponse) throws -> JSONObject {
        try XCTUnwrap(try JSONParser.parse(String(buffer: r.body)).objectValue)
    }

    func testWithoutANetworkNetworkIsRefusedAndStraightLineAnswers() async throws {
        let db = try makeStore()
        let app = Application(router: buildRouter(AppServices(db: db)))
        try await app.test(.router) { client in
            for uri in ["/coverage?level=compound&method=network", "/coverage/gaps?grid_id=\(Self.city.grids[0].id)&method=network",
                        "/nearest?lon=\(Self.c.lon)&lat=\(Self.c.lat)&method=network"] {
                try await client.execute(uri: uri, method: .get) { r in
                    XCTAssertEqual(r.status, .badRequest, uri)
                    let body = String(buffer: r.body)
                    XCTAssertTrue(body.contains("method") && body.contains("no walking network"), body)
                }
            }
            for uri in ["/coverage?method=walk", "/nearest?lon=\(Self.c.lon)&lat=\(Self.c.lat)&method=Network"] {
                try await client.execute(uri: uri, method: .get) { r in
                    XCTAssertEqual(r.status, .badRequest, uri)
                    XCTAssertTrue(String(buffer: r.body).contains("unknown method"))
                }
            }
            try await client.execute(uri: "/coverage?level=compound&category=canteen&tier=15", method: .get) { r in
                XCTAssertEqual(r.status, .ok)
                XCTAssertEqual(try Self.json(r)["method"]?.stringValue, "straight-line")
            }
            try await client.execute(uri: "/nearest?lon=\(Self.c.lon)&lat=\(Self.c.lat)", method: .get) { r in
                XCTAssertEqual(try Self.json(r)["method"]?.stringValue, "straight-line")
            }
            // A network imported while the server runs: coverage follows the new generation.
            try Self.addNetwork(db)
            try await client.execute(uri: "/coverage?level=compound&category=canteen&tier=15&method=network", method: .get) { r in
                XCTAssertEqual(r.status, .ok)
                XCTAssertEqual(try Self.json(r)["method"]?.stringValue, "network")
            }
        }
    }

    func testWithANetworkItIsTheDefaultAndEveryAnswerNamesIt() async throws {
        let db = try makeStore()
        try Self.addNetwork(db)
        let app = Application(router: buildRouter(AppServices(db: db)))
        let straight = Geodesic.distance(try db.compoundAccessPoints()[0].point, Coordinate(Self.c.lon + 0.001, Self.c.lat + 0.0001))
        try await app.test(.router) { client in
            let networkMetres = try await client.execute(uri: "/coverage?level=compound&category=canteen&tier=15", method: .get) { r in
                XCTAssertEqual(r.status, .ok)
                let doc = try Self.json(r)
                XCTAssertEqual(doc["method"]?.stringValue, "network")
                let rows = try XCTUnwrap(doc["features"]?.arrayValue).compactMap { $0.objectValue?["properties"]?.objectValue }
                let row = try XCTUnwrap(rows.first { $0["category"]?.stringValue == "canteen" })
                XCTAssertEqual(row["method"]?.stringValue, "network")
                XCTAssertEqual(row["station_id"]?.stringValue, "K1")
                let metres = try XCTUnwrap(row["distance_m"]?.doubleValue)
                XCTAssertGreaterThan(metres, straight + 1, "along the streets is longer than the straight line")
                return metres
            }
            try await client.execute(uri: "/coverage?level=compound&category=canteen&tier=15&method=straight-line", method: .get) { r in
                let doc = try Self.json(r)
                XCTAssertEqual(doc["method"]?.stringValue, "straight-line")
                let rows = try XCTUnwrap(doc["features"]?.arrayValue).compactMap { $0.objectValue?["properties"]?.objectValue }
                XCTAssertEqual(try XCTUnwrap(rows.first?["distance_m"]?.doubleValue), straight, accuracy: 0.001)
            }
            try await client.execute(uri: "/nearest?lon=\(Self.c.lon)&lat=\(Self.c.lat)&k=1", method: .get) { r in
                XCTAssertEqual(r.status, .ok)
                let doc = try Self.json(r)
                XCTAssertEqual(doc["method"]?.stringValue, "network")
                let feature = try XCTUnwrap(doc["features"]?.arrayValue?.first?.objectValue)
                XCTAssertEqual(feature["id"]?.stringValue, "K1")
                let props = try XCTUnwrap(feature["properties"]?.objectValue)
                XCTAssertNotNil(props["distance_m"]?.doubleValue)
            }
            // A radius between the straight line and the network distance: covered by one, not the other.
            let radius = ((straight + networkMetres) / 2).rounded()
            try await client.execute(uri: "/coverage/gaps?grid_id=\(Self.city.grids[0].id)&category=canteen&radius=\(radius)", method: .get) { r in
                XCTAssertEqual(r.status, .ok)
                let doc = try Self.json(r)
                XCTAssertEqual(doc["method"]?.stringValue, "network")
                XCTAssertEqual(doc["uncovered_area_method"]?.stringValue, "straight-line*1.0")
                let feats = try XCTUnwrap(doc["features"]?.arrayValue).compactMap { $0.objectValue?["properties"]?.objectValue }
                let uncovered = feats.filter { $0["kind"]?.stringValue == "uncovered_compound" && $0["category"]?.stringValue == "canteen" }
                XCTAssertEqual(uncovered.map { $0["compound_id"]?.stringValue }, ["C1"])
                XCTAssertEqual(uncovered.first?["method"]?.stringValue, "network")
                XCTAssertTrue(feats.filter { $0["kind"]?.stringValue == "uncovered_area" }.allSatisfy { $0["method"]?.stringValue == "straight-line*1.0" })
            }
            try await client.execute(uri: "/coverage/gaps?grid_id=\(Self.city.grids[0].id)&category=canteen&radius=\(radius)&method=straight-line", method: .get) { r in
                let feats = try XCTUnwrap(try Self.json(r)["features"]?.arrayValue).compactMap { $0.objectValue?["properties"]?.objectValue }
                XCTAssertTrue(feats.filter { $0["kind"]?.stringValue == "uncovered_compound" }.isEmpty, "covered in a straight line")
            }
        }
    }
}
