import Foundation
import GridGeo
import GridHTTP
import GridStore
import GridTestSupport
import Hummingbird
import HummingbirdTesting
import XCTest

/// Issue 8 §4 through the real router: coordinates outside their CRS's area, GCJ-02 / BD-09
/// outside China, and point ids written as JSON numbers.
final class AssignInputRulesTests: XCTestCase {
    func makeApp() throws -> some ApplicationProtocol {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("wangge-assign-rules-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: dir) }
        let db = try GridDatabase(path: dir.appendingPathComponent("s.sqlite").path)
        for (name, text) in AssignTests.city.layers() { try db.importGeoJSON(Layer.named(name)!, data: Data(text.utf8)) }
        return Application(router: buildRouter(AppServices(db: db)))
    }

    func testDegreesWithAProjectedCRSAre400NamingTheCRSAndTheMistake() async throws {
        try await makeApp().test(.router) { client in
            try await client.execute(uri: "/assign?lon=114.42&lat=23.10&crs=EPSG:4547", method: .get) { r in
                XCTAssertEqual(r.status, .badRequest)
                let o = try AssignTests.json(r.body)
                let d = o["description"]?.stringValue ?? ""
                XCTAssertEqual(o["field"]?.stringValue, "lon,lat")
                XCTAssertTrue(d.contains("EPSG:4547 (CGCS2000 / 3-degree Gauss-Kruger CM 114E)"), d)
                XCTAssertTrue(d.contains("look like longitude and latitude in degrees"), d)
                XCTAssertFalse(d.contains("nearest"), d)
            }
            // The same point in metres is answered; northing first is refused as swapped.
            let en = try CRSService.shared.transform(from: .wgs84, to: .epsg(4547)).forward(Coordinate(114.42, 23.10))
            try await client.execute(uri: "/assign?lon=\(en.lon)&lat=\(en.lat)&crs=EPSG:4547", method: .get) { r in
                XCTAssertEqual(r.status, .ok)
            }
            try await client.execute(uri: "/assign?lon=\(en.lat)&lat=\(en.lon)&crs=EPSG:4547", method: .get) { r in
                XCTAssertEqual(r.status, .badRequest)
                XCTAssertTrue(String(buffer: r.body).contains("look swapped"), String(buffer: r.body))
            }
            // CGCS2000 outside China; UTM zone 50N given degrees.
            for q in ["lon=2.35&lat=48.85&crs=cgcs2000", "lon=114.42&lat=23.10&crs=EPSG:32650"] {
                try await client.execute(uri: "/assign?\(q)", method: .get) { r in
                    XCTAssertEqual(r.status, .badRequest, q)
                    XCTAssertEqual(try AssignTests.json(r.body)["field"]?.stringValue, "lon,lat", q)
                }
            }
            // The batch route: every bad point named by line.
            try await client.execute(uri: "/assign?crs=EPSG:4547", method: .post, headers: [.contentType: "text/csv"],
                                     body: ByteBuffer(string: "id,lon,lat\nok,\(en.lon),\(en.lat)\nbad,114.42,23.10\n")) { r in
                XCTAssertEqual(r.status, .badRequest)
                let o = try AssignTests.json(r.body)
                XCTAssertEqual(o["problems"]?.arrayValue?.first?.objectValue?["line"], .int(3))
                XCTAssertTrue(o["description"]?.stringValue?.contains("EPSG:4547") ?? false)
            }
        }
    }

    func testGCJ02AndBD09OutsideChinaAreRefused() async throws {
        try await makeApp().test(.router) { client in
            for (crs, p) in [("gcj02", "lon=135.5023&lat=34.6937"), ("gcj02", "lon=126.978&lat=37.5665"), ("bd09", "lon=135.5023&lat=34.6937"),
                             ("gcj02", "lon=72.01&lat=40")] {
                try await client.execute(uri: "/assign?\(p)&crs=\(crs)", method: .get) { r in
                    XCTAssertEqual(r.status, .badRequest, p)
                    let d = try AssignTests.json(r.body)["description"]?.stringValue ?? ""
                    XCTAssertTrue(d.contains("outside the region where") && d.contains("wgs84"), d)
                }
            }
            let body = #"{"type":"FeatureCollection","features":[{"type":"Feature","properties":{},"geometry":{"type":"Point","coordinates":[135.5023,34.6937]}}]}"#
            try await client.execute(uri: "/assign?crs=gcj02", method: .post, headers: [.contentType: "application/geo+json"], body: ByteBuffer(string: body)) { r in
                XCTAssertEqual(r.status, .badRequest)
                XCTAssertEqual(try AssignTests.json(r.body)["problems"]?.arrayValue?.first?.objectValue?["featureIndex"], .int(0))
            }
        }
    }

    func testPointIdsWrittenAsNumbersAreTheirDecimalText() async throws {
        let p = AssignTests.city.grids[0].geometry.polygons[0].rings[0][0]
        @Sendable func feature(_ id: String, inProperties: Bool = false) -> String {
            inProperties
                ? #"{"type":"Feature","properties":{"id":\#(id)},"geometry":{"type":"Point","coordinates":[\#(p.lon),\#(p.lat)]}}"#
                : #"{"type":"Feature","id":\#(id),"properties":{},"geometry":{"type":"Point","coordinates":[\#(p.lon),\#(p.lat)]}}"#
        }
        let ok = [feature("10"), feature("1e1"), feature("10.0"), feature("\"10.0\""), feature("441302001001001.0"), feature("1.5e1", inProperties: true)]
        try await makeApp().test(.router) { client in
            try await client.execute(uri: "/assign", method: .post, headers: [.contentType: "application/geo+json"],
                                     body: ByteBuffer(string: #"{"type":"FeatureCollection","features":["# + ok.joined(separator: ",") + "]}")) { r in
                XCTAssertEqual(r.status, .ok, String(buffer: r.body))
                let (features, _) = try GeoJSON.features(from: try JSONParser.parse(String(buffer: r.body)))
                XCTAssertEqual(features.map(\.id), ["10", "10", "10", "10.0", "441302001001001", "15"])
            }
            for bad in [feature("10.5"), feature("1e-3", inProperties: true)] {
                try await client.execute(uri: "/assign", method: .post, headers: [.contentType: "application/geo+json"],
                                         body: ByteBuffer(string: #"{"type":"FeatureCollection","features":["# + feature("1") + "," + bad + "]}")) { r in
                    XCTAssertEqual(r.status, .badRequest)
                    let problem = try AssignTests.json(r.body)["problems"]?.arrayValue?.first?.objectValue
                    XCTAssertEqual(problem?["featureIndex"], .int(1))
                    XCTAssertTrue(problem?["message"]?.stringValue?.contains("whole number") ?? false, "\(String(describing: problem))")
                }
            }
        }
    }
}
