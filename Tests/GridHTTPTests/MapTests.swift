import Foundation
@testable import GridHTTP
import GridStore
import Hummingbird
import HummingbirdTesting
import XCTest

/// The map page and the Leaflet files behind it, through the real router.
final class MapTests: XCTestCase {
    func makeApp() throws -> some ApplicationProtocol {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("wangge-map-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: dir) }
        let db = try GridDatabase(path: dir.appendingPathComponent("s.sqlite").path)
        return Application(router: buildRouter(AppServices(db: db)))
    }

    func testMapPageLoadsLeafletFromTheServiceAndListsEveryLayer() async throws {
        try await makeApp().test(.router) { client in
            try await client.execute(uri: "/map", method: .get) { r in
                XCTAssertEqual(r.status, .ok)
                XCTAssertEqual(r.headers[.contentType], "text/html; charset=utf-8")
                let html = String(buffer: r.body)
                if MapController.leafletAvailable {
                    XCTAssertTrue(html.contains(#"<script src="/static/leaflet/leaflet.js"></script>"#))
                    XCTAssertTrue(html.contains(#"<script src="/static/map.js"></script>"#))
                    XCTAssertFalse(html.contains("https://"), "no CDN")
                    XCTAssertTrue(html.contains("const TILE_URL = null;"), "no base map by default")
                    for id in ["coverage-category", "coverage-tier", "coverage-legend", "nearest"] {
                        XCTAssertTrue(html.contains(#"id="\#(id)""#), id)
                    }
                } else {
                    XCTAssertTrue(html.contains("Leaflet is missing"))
                }
            }
            try await client.execute(uri: "/map?tiles=https://t.example/%7Bz%7D/%7Bx%7D/%7By%7D.png%3C/script%3E", method: .get) { r in
                let html = String(buffer: r.body)
                if MapController.leafletAvailable {
                    XCTAssertTrue(html.contains(#"const TILE_URL = "https://t.example/{z}/{x}/{y}.png\u003c/script>";"#), "escaped into a JS string")
                }
            }
            // The page's script, from the resource bundle.
            try await client.execute(uri: "/static/map.js", method: .get) { r in
                XCTAssertEqual(r.status, .ok)
                XCTAssertEqual(r.headers[.contentType], "application/javascript; charset=utf-8")
                let js = String(buffer: r.body)
                XCTAssertFalse(js.contains("https://"), "no CDN")
                for layer in Layer.all { XCTAssertTrue(js.contains("/collections/\(layer.name)/items"), layer.name) }
                XCTAssertTrue(js.contains("TILE_URL"), "the script reads the base map the page sets")
                // The coverage control asks the API the README lists for it.
                for endpoint in ["/tiers", "/categories", "/coverage?level=compound&", "/coverage?level=grid&", "/coverage/gaps?", "/nearest?k=1&"] {
                    XCTAssertTrue(js.contains(endpoint), endpoint)
                }
            }
            try await client.execute(uri: "/static/leaflet/leaflet.js", method: .get) { r in
                XCTAssertEqual(r.status, MapController.leafletAvailable ? .ok : .notFound)
                if MapController.leafletAvailable { XCTAssertEqual(r.headers[.contentType], "application/javascript") }
            }
            try await client.execute(uri: "/static/leaflet/images/layers.png", method: .get) { r in
                XCTAssertEqual(r.status, MapController.leafletAvailable ? .ok : .notFound)
            }
            for bad in ["/static/leaflet/..%2F..%2F..%2Fetc%2Fpasswd", "/static/leaflet/leaflet.min.js.map", "/static/leaflet/images/x.png"] {
                try await client.execute(uri: bad, method: .get) { r in XCTAssertEqual(r.status, .notFound, bad) }
            }
        }
    }

    func testWithoutLeafletThePageSaysSo() {
        let html = MapPage.html(tileURL: nil, leafletAvailable: false)
        XCTAssertTrue(html.contains("Leaflet is missing"))
        XCTAssertTrue(html.contains("libjs-leaflet"))
        XCTAssertFalse(html.contains("<script"))
    }
}
