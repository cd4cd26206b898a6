import Foundation
import GridGeo
import GridHTTP
import Hummingbird
import HummingbirdTesting
import XCTest

/// `category=all` on /coverage and /coverage/gaps: only the `all` features, the same ones (byte
/// for byte) as in the answer for every category, so the map's "all categories" view downloads
/// one feature per area instead of one per category.
extension CoverageRoutesTests {
    static func features(_ b: ByteBuffer) throws -> [JSONObject] {
        try XCTUnwrap(try JSONParser.parse(String(buffer: b)).objectValue?["features"]?.arrayValue).compactMap(\.objectValue)
    }

    func testCategoryAllKeepsOnlyTheAllFeatures() async throws {
        let (app, _) = try makeApp()
        let grid = Self.city.grids[0].id
        try await app.test(.router) { client in
            let cases: [(full: String, all: String)] = [
                ("/coverage?level=grid&tier=5", "/coverage?level=grid&tier=5&category=all"),
                ("/coverage?level=compound&tier=5,15", "/coverage?level=compound&tier=5,15&category=all"),
                ("/coverage?level=city", "/coverage?level=city&category=all"),
                ("/coverage?level=grid&tier=5&category=canteen", "/coverage?level=grid&tier=5&category=canteen,all"),
                ("/coverage?level=grid&tier=5&category=canteen", "/coverage?level=grid&tier=5&category=canteen&category=all"),
                ("/coverage/gaps?grid_id=\(grid)&tier=5", "/coverage/gaps?grid_id=\(grid)&tier=5&category=all"),
            ]
            for (fullURI, allURI) in cases {
                var full: [JSONObject] = [], only: [JSONObject] = []
                try await client.execute(uri: fullURI, method: .get) { r in
                    XCTAssertEqual(r.status, .ok, fullURI); full = try Self.features(r.body)
                }
                try await client.execute(uri: allURI, method: .get) { r in
                    XCTAssertEqual(r.status, .ok, "\(allURI): \(String(buffer: r.body))"); only = try Self.features(r.body)
                }
                let want = full.filter { $0["properties"]?.objectValue?["category"]?.stringValue == "all" }
                XCTAssertFalse(want.isEmpty, fullURI)
                XCTAssertLessThan(want.count, full.count, fullURI)
                XCTAssertEqual(only.map { JSONText.encode(.object($0)) }, want.map { JSONText.encode(.object($0)) }, allURI)
            }
            // `all` over the counting categories is what no category list gives, not over `all` alone.
            try await client.execute(uri: "/coverage?category=all,bakery", method: .get) { r in
                XCTAssertEqual(r.status, .badRequest)
                XCTAssertEqual(try JSONParser.parse(String(buffer: r.body)).objectValue?["field"]?.stringValue, "category")
            }
        }
    }
}
