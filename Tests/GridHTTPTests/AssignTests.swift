import Foundation
import GridAnalysis
import GridIndex
import GridTestSupport
import GridGeo
@testable import GridHTTP
import GridStore
import Hummingbird
import HummingbirdTesting
import XCTest

/// /assign through the real router on a real SpatiaLite store holding the generated city.
final class AssignTests: XCTestCase {
    static let city = SyntheticCity(columns: 8, rows: 6)
    var city: SyntheticCity { Self.city }

    func makeApp() throws -> some ApplicationProtocol {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("wangge-assign-http-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: dir) }
        let db = try GridDatabase(path: dir.appendingPathComponent("s.sqlite").path)
        for (name, text) in city.layers() { try db.importGeoJSON(Layer.named(name)!, data: Data(text.utf8)) }
        return Application(router: buildRouter(AppServices(db: db)))
    }

    /// The covering grids by GridGeo's brute-force PointInPolygon, the independent reference.
    static func covering(_ p: Coordinate) -> [String] {
        Self.city.grids.filter { PointInPolygon.locate(p, in: $0.geometry) != .outside }.map(\.id).sorted()
    }

    static func json(_ buffer: ByteBuffer) throws -> JSONObject {
        try XCTUnwrap(try JSONParser.parse(String(buffer: buffer)).objectValue)
    }

    static func props(_ buffer: ByteBuffer) throws -> JSONObject {
        try XCTUnwrap(try Self.json(buffer)["properties"]?.objectValue)
    }

    var inside: Coordinate { Coordinate(SyntheticCity.base.lon + 8 * SyntheticCity.unit, SyntheticCity.base.lat + 8 * SyntheticCity.unit) }

    func testGetInsideAGrid() async throws {
        let p = inside
        try await makeApp().test(.router) { client in
            try await client.execute(uri: "/assign?lon=\(p.lon)&lat=\(p.lat)", method: .get) { r in
                XCTAssertEqual(r.status, .ok)
                XCTAssertEqual(r.headers[.contentType], "application/geo+json")
                let f = try GeoJSON.feature(try JSONParser.parse(String(buffer: r.body)))
                XCTAssertEqual(f.geometry, .point(p))
                let o = f.properties
                let expected = Self.covering(p)
                XCTAssertEqual(expected.count, 1)
                XCTAssertEqual(o["grid"]?.objectValue?["id"]?.stringValue, expected[0])
                XCTAssertEqual(o["district"]?.objectValue?["name"]?.stringValue, "惠城区")
                XCTAssertEqual(o["street"]?.objectValue?["id"]?.stringValue, "441302001")
                XCTAssertEqual(o["community"]?.objectValue?["id"]?.stringValue, String(expected[0].prefix(12)))
                XCTAssertEqual(o["compound"]?.objectValue?["id"]?.stringValue, "C1")
                XCTAssertNotNil(o["worker"]?.objectValue?["phone"]?.stringValue)
                XCTAssertEqual(o["boundary"], .bool(false))
                XCTAssertEqual(o["candidates"], .array([.string(expected[0])]))
                XCTAssertGreaterThan(o["generation"]?.intValue ?? 0, 0)
                XCTAssertNil(o["nearest"])
            }
        }
    }

    /// GridIO's byte writer (the hot path of GET /assign) writes exactly the typed Feature, on
    /// every kind of answer: inside, on a shared vertex and edge, outside every grid, with and
    /// without distances and ids.
    func testTheAssignByteWriterEqualsTheTypedEncoding() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("wangge-assign-typed-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: dir) }
        let db = try GridDatabase(path: dir.appendingPathComponent("s.sqlite").path)
        for (name, text) in city.layers() { try db.importGeoJSON(Layer.named(name)!, data: Data(text.utf8)) }
        let index = try AppServices(db: db).indexes.current().assignment
        let e = city.extent
        let points = [inside, city.sharedVertices.first { Self.covering($0).count >= 3 }!, city.sharedEdgePoints.first { Self.covering($0).count == 2 }!,
                      Coordinate(e.minLon - 0.01, e.minLat), Coordinate(0, 90), Coordinate(inside.lon + 0.0123, inside.lat + 0.0071)]
        var kinds = Set<String>()
        for p in points {
            for accuracy in [nil, 250.0] {
                for id in [nil, "p\"1\"/甲"] {
                    let a = index.assign(p, accuracy: accuracy)
                    kinds.insert(a.grid == nil ? "outside" : a.boundary ? "boundary" : "inside")
                    if a.compound == nil { kinds.insert("no compound") }
                    let written = a.geoJSONFeature(id: id, withDistances: accuracy != nil)
                    let typed = try WanggeRequestContext.makeEncoder().encode(AssignmentFeature(a, id: id, withDistances: accuracy != nil))
                    XCTAssertEqual(try normalizedJSON(written.utf8), try normalizedJSON(typed), "\(p) accuracy \(accuracy ?? 0) id \(id ?? "none")")
                }
            }
        }
        XCTAssertEqual(kinds, ["inside", "boundary", "outside", "no compound"], "every kind of answer was compared")
    }

    func testGetOnSharedVertexAndEdgeListsEveryCoveringGrid() async throws {
        // An interior lattice corner is shared by four grids; an edge point by two.
        let vertex = city.sharedVertices.first { Self.covering($0).count >= 3 }!
        let edge = city.sharedEdgePoints.first { Self.covering($0).count == 2 }!
        try await makeApp().test(.router) { client in
            for p in [vertex, edge] {
                try await client.execute(uri: "/assign?lon=\(p.lon)&lat=\(p.lat)", method: .get) { r in
                    let o = try Self.props(r.body)
                    let expected = Self.covering(p)
                    XCTAssertEqual(o["boundary"], .bool(true))
                    XCTAssertEqual(o["candidates"]?.arrayValue?.compactMap(\.stringValue), expected)
                    XCTAssertEqual(o["grid"]?.objectValue?["id"]?.stringValue, expected.first, "primary: smallest covering id")
                }
            }
        }
    }

    func testGetOutsideEveryGridIsANormalAnswer() async throws {
        let e = city.extent
        try await makeApp().test(.router) { client in
            for (lon, lat) in [(e.minLon - 0.01, e.minLat), (0.0, 90.0), (180.0, -45.0), (-180.0, 0.0)] {
                try await client.execute(uri: "/assign?lon=\(lon)&lat=\(lat)", method: .get) { r in
                    XCTAssertEqual(r.status, .ok)
                    let o = try Self.props(r.body)
                    XCTAssertEqual(o["grid"], .null)
                    XCTAssertEqual(o["candidates"], .array([]))
                    let n = try XCTUnwrap(o["nearest"]?.objectValue)
                    XCTAssertNotNil(n["grid"]?.objectValue?["id"]?.stringValue)
                    XCTAssertGreaterThan(n["distance_m"]?.doubleValue ?? 0, 900)
                }
            }
        }
    }

    func testOtherCoordinateSystemsGiveTheSameGrid() async throws {
        let p = Coordinate(inside.lon + 0.0123, inside.lat + 0.0071)
        let gcj = ChinaDatum.wgs84ToGCJ02(p), bd = ChinaDatum.wgs84ToBD09(p)
        let gk = try ProjTransform(from: .wgs84, to: .epsg(4547)).forward(p)
        let expected = Self.covering(p)
        XCTAssertEqual(expected.count, 1)
        try await makeApp().test(.router) { client in
            for (crs, c) in [("gcj02", gcj), ("bd09", bd), ("EPSG:4547", gk), ("cgcs2000", p), ("wgs84", p)] {
                try await client.execute(uri: "/assign?lon=\(c.lon)&lat=\(c.lat)&crs=\(crs)", method: .get) { r in
                    XCTAssertEqual(r.status, .ok, crs)
                    let f = try GeoJSON.feature(try JSONParser.parse(String(buffer: r.body)))
                    XCTAssertEqual(f.properties["grid"]?.objectValue?["id"]?.stringValue, expected[0], crs)
                    guard case .point(let back)? = f.geometry else { return XCTFail("no point") }
                    XCTAssertEqual(Geodesic.distance(back, p), 0, accuracy: 0.01, "\(crs): the answer's point is the WGS84 point")
                }
            }
        }
    }

    func testAccuracyAddsNearbyGrids() async throws {
        // 20 m inside a grid next to a vertical lattice line: with 100 m, the neighbour is a candidate.
        let edge = city.sharedEdgePoints.first { Self.covering($0).count == 2 }!
        let p = Coordinate(edge.lon, edge.lat + 0.0002)
        try await makeApp().test(.router) { client in
            try await client.execute(uri: "/assign?lon=\(p.lon)&lat=\(p.lat)&accuracy=200", method: .get) { r in
                let o = try Self.props(r.body)
                let ids = o["candidates"]?.arrayValue?.compactMap(\.stringValue) ?? []
                XCTAssertTrue(Set(Self.covering(edge)).isSubset(of: Set(ids)), "\(ids)")
                let d = try XCTUnwrap(o["candidate_distances_m"]?.objectValue)
                XCTAssertEqual(Set(d.keys), Set(ids))
                for k in d.keys { XCTAssertLessThanOrEqual(d[k]?.doubleValue ?? 1e9, 200) }
            }
        }
    }

    func testBadQueriesAre400sNamingTheField() async throws {
        let cases: [(String, String)] = [
            ("lat=23", "lon"), ("lon=114", "lat"), ("lon=abc&lat=23", "lon"), ("lon=114&lat=", "lat"),
            ("lon=nan&lat=23", "lon"), ("lon=114&lat=NaN", "lat"), ("lon=inf&lat=23", "lon"), ("lon=114&lat=-infinity", "lat"),
            ("lon=200&lat=23", "lon"), ("lon=114&lat=-91", "lat"), ("lon=23&lat=114", "lat"),
            ("lon=114&lat=23&crs=mars", "crs"), ("lon=114&lat=23&crs=EPSG:999999", "crs"),
            ("lon=114&lat=23&accuracy=-5", "accuracy"), ("lon=114&lat=23&accuracy=abc", "accuracy"), ("lon=114&lat=23&accuracy=nan", "accuracy"),
            ("lon=114&lat=23&radius=5", "radius"), ("lon=99999999&lat=99999999&crs=EPSG:4547", "lon,lat"),
        ]
        try await makeApp().test(.router) { client in
            for (query, field) in cases {
                try await client.execute(uri: "/assign?\(query)", method: .get) { r in
                    XCTAssertEqual(r.status, .badRequest, query)
                    XCTAssertTrue(r.headers[.contentType]?.hasPrefix("application/json") ?? false, query)
                    let o = try Self.json(r.body)
                    XCTAssertEqual(o["field"]?.stringValue, field, "\(query): \(o["description"]?.stringValue ?? "")")
                    XCTAssertFalse(o["description"]?.stringValue?.isEmpty ?? true)
                }
            }
        }
    }

    func testPostGeoJSONAndCSVBatches() async throws {
        let a = inside, b = city.sharedEdgePoints.first { Self.covering($0).count == 2 }!
        let geojson = """
            {"type":"FeatureCollection","features":[
             {"type":"Feature","id":"p1","properties":{},"geometry":{"type":"Point","coordinates":[\(a.lon),\(a.lat)]}},
             {"type":"Feature","properties":{"id":7},"geometry":{"type":"Point","coordinates":[\(b.lon),\(b.lat)]}},
             {"type":"Feature","properties":null,"geometry":{"type":"Point","coordinates":[1,1]}}]}
            """
        let csv = "name,id,lon,lat\nx,p1,\(a.lon),\(a.lat)\r\n\"y, quoted\",p2,\(b.lon),\(b.lat)\n\nz,p3,1,1\n"
        try await makeApp().test(.router) { client in
            for (body, type, ids) in [(geojson, "application/geo+json", ["p1", "7", "2"]), (csv, "text/csv", ["p1", "p2", "p3"])] {
                try await client.execute(uri: "/assign", method: .post, headers: [.contentType: type], body: ByteBuffer(string: body)) { r in
                    XCTAssertEqual(r.status, .ok, String(buffer: r.body))
                    let (features, _) = try GeoJSON.features(from: try JSONParser.parse(String(buffer: r.body)))
                    XCTAssertEqual(features.map(\.id), ids)
                    XCTAssertEqual(features[0].properties["grid"]?.objectValue?["id"]?.stringValue, Self.covering(a)[0])
                    XCTAssertEqual(features[1].properties["candidates"]?.arrayValue?.compactMap(\.stringValue), Self.covering(b))
                    XCTAssertEqual(features[1].properties["boundary"], .bool(true))
                    XCTAssertEqual(features[2].properties["grid"], .null)
                    XCTAssertNotNil(features[2].properties["nearest"]?.objectValue)
                }
            }
            // crs applies to the batch too
            let g = ChinaDatum.wgs84ToGCJ02(a)
            try await client.execute(uri: "/assign?crs=gcj02", method: .post, headers: [.contentType: "text/csv"],
                                     body: ByteBuffer(string: "id,lon,lat\nq,\(g.lon),\(g.lat)\n")) { r in
                let (features, _) = try GeoJSON.features(from: try JSONParser.parse(String(buffer: r.body)))
                XCTAssertEqual(features.first?.properties["grid"]?.objectValue?["id"]?.stringValue, Self.covering(a)[0])
            }
        }
    }

    func testBadBatchesNameTheLineOrFeature() async throws {
        struct Case { let body: String; let type: String; let line: Int?; let index: Int?; let field: String? }
        let cases = [
            Case(body: "id,lon,lat\na,114.3,23.1\nb,abc,23.1\n", type: "text/csv", line: 3, index: nil, field: "lon"),
            Case(body: "id,lon,lat\na,114.3,23.1\nb,114.3\n", type: "text/csv", line: 3, index: nil, field: nil),
            Case(body: "id,lon,lat\na,114.3,nan\n", type: "text/csv", line: 2, index: nil, field: "lat"),
            Case(body: "id,lon,lat\na,114.3,23\n\"b,114.3,23.1\n", type: "text/csv", line: 3, index: nil, field: nil),
            Case(body: "id,lon,lat\na,114.3,23\nb,181,23.1\n", type: "text/csv", line: 3, index: nil, field: "lon"),
            Case(body: "id,x,y\na,114.3,23\n", type: "text/csv", line: 1, index: nil, field: "lon"),
            Case(body: #"{"type":"FeatureCollection","features":[{"type":"Feature","properties":{},"geometry":{"type":"Point","coordinates":[114,23]}},{"type":"Feature","properties":{},"geometry":{"type":"LineString","coordinates":[[114,23],[115,23]]}}]}"#,
                 type: "application/geo+json", line: nil, index: 1, field: "geometry"),
            Case(body: #"{"type":"FeatureCollection","features":[{"type":"Feature","properties":{},"geometry":{"type":"Point","coordinates":[114,95]}}]}"#,
                 type: "application/json", line: nil, index: 0, field: "geometry.coordinates[1]"),
            Case(body: #"{"type":"FeatureCollection","features":[{"type":"Feature","properties":{},"geometry":{"type":"Point","coordinates":["114",23]}}]}"#,
                 type: "application/json", line: nil, index: 0, field: "geometry.coordinates"),
        ]
        try await makeApp().test(.router) { client in
            for c in cases {
                try await client.execute(uri: "/assign", method: .post, headers: [.contentType: c.type], body: ByteBuffer(string: c.body)) { r in
                    XCTAssertEqual(r.status, .badRequest, c.body)
                    let o = try Self.json(r.body)
                    let first = try XCTUnwrap(o["problems"]?.arrayValue?.first?.objectValue, c.body)
                    XCTAssertEqual(first["line"]?.intValue, c.line, c.body)
                    XCTAssertEqual(first["featureIndex"]?.intValue, c.index, c.body)
                    XCTAssertEqual(first["field"]?.stringValue, c.field, "\(c.body): \(first)")
                    XCTAssertEqual(o["problems"]?.arrayValue?.count, 1, "exactly the bad row is reported")
                }
            }
            for body in ["{not json", #"{"type":"Feature"}"#, "[]", ""] {
                try await client.execute(uri: "/assign", method: .post, headers: [.contentType: "application/json"], body: ByteBuffer(string: body)) { r in
                    XCTAssertEqual(r.status, .badRequest, body)
                    XCTAssertEqual(try Self.json(r.body)["field"]?.stringValue, "body")
                }
            }
        }
    }

    func testOversizedBodyIs413() async throws {
        var big = "id,lon,lat\n"
        let row = "p,114.30000000001,23.10000000001\n"
        big.reserveCapacity(17 << 20)
        while big.utf8.count <= 17 << 20 { big += String(repeating: row, count: 10_000) }
        let body = ByteBuffer(string: big)
        try await makeApp().test(.router) { client in
            try await client.execute(uri: "/assign", method: .post, headers: [.contentType: "text/csv"], body: body) { r in
                XCTAssertEqual(r.status, .contentTooLarge)
                XCTAssertEqual(try Self.json(r.body)["code"]?.stringValue, "PayloadTooLarge")
            }
        }
    }
}
