import Foundation
import GridGeo
@testable import GridHTTP
import GridStore
import Hummingbird
import HummingbirdTesting
import XCTest

/// JSON text as a value whose numbers compare by value (`1` equals `1.0`) and whose object
/// members compare in any order (JSON objects are unordered, RFC 8259 §4).
func normalizedJSON(_ bytes: some Sequence<UInt8>) throws -> JSONValue {
    func norm(_ v: JSONValue) -> JSONValue {
        switch v {
        case .number(let d, _): return .number(d, text: "")
        case .array(let a): return .array(a.map(norm))
        case .object(let o): return .object(JSONObject(o.members.sorted { $0.key < $1.key }.map { ($0.key, norm($0.value)) }))
        default: return v
        }
    }
    return norm(try JSONParser.parse(Array(bytes)))
}

/// The hot paths that write bytes themselves produce exactly the typed encoding.
final class TypedBodyTests: XCTestCase {
    func testItemsPagesWrittenAsBytesEqualTheTypedEncoding() throws {
        let services = try thirtyDistrictServices(self)
        // The thirty districts, in pages.
        for q in [FeatureQuery(), FeatureQuery(limit: 12, offset: 12), FeatureQuery(limit: 100, precision: 3)] {
            let page = ItemsPage(page: try services.db.features(.districts, q), timeStamp: "2025-01-01T00:00:00Z", links: [], crs: .crs84)
            let typed = try WanggeRequestContext.makeEncoder().encode(try page.typed())
            XCTAssertEqual(try normalizedJSON(try page.bytes().readableBytesView), try normalizedJSON(typed), "\(q.limit) from \(q.offset)")
        }
        for id in ["D0", "D29"] {
            let (text, used) = try XCTUnwrap(try services.db.feature(.districts, id: id, output: GeometryOutput(precision: 9), generation: nil))
            let one = ItemPage(feature: text, generation: used, links: [], crs: .crs84)
            let typed = try WanggeRequestContext.makeEncoder().encode(try one.typed())
            XCTAssertEqual(try normalizedJSON(try one.text().utf8), try normalizedJSON(typed), id)
        }
        let extra = """
            {"type":"FeatureCollection","features":[{"type":"Feature","properties":{"id":"X/1","name":"外 \\"q\\"","note":"以前","rank":3,"list":[1,2.5,null]},
            "geometry":{"type":"Polygon","coordinates":[[[115,23],[115.01,23],[115.01,23.01],[115,23.01],[115,23]]]}}]}
            """
        try services.db.importGeoJSON(.districts, data: Data(extra.utf8))  // replaces the layer: X/1 is now its only feature
        let links = [Link(href: "http://h/collections/districts/items?limit=3", rel: "self", type: OGC.Media.geoJSON, title: nil),
                     Link(href: "http://h/collections/districts", rel: "collection", type: OGC.Media.json, title: "the \"layer\"")]
        let queries: [(String, FeatureQuery)] = {
            var projected = FeatureQuery(limit: 3)
            projected.output = OutputCRS.supported.first { $0.epsg == 4547 }!.geometryOutput
            return [("default", FeatureQuery()), ("EPSG:4547", projected),
                    ("extra members", FeatureQuery(filters: [("id", "X/1")])), ("empty", FeatureQuery(filters: [("id", "none")]))]
        }()
        for (name, q) in queries {
            let page = ItemsPage(page: try services.db.features(.districts, q), timeStamp: "2025-01-01T00:00:00Z", links: links, crs: .crs84)
            let written = try page.bytes()
            let typed = try WanggeRequestContext.makeEncoder().encode(try page.typed())
            XCTAssertEqual(try normalizedJSON(written.readableBytesView), try normalizedJSON(typed), name)
        }
        for id in ["X/1"] {
            let (text, used) = try XCTUnwrap(try services.db.feature(.districts, id: id, output: GeometryOutput(precision: 9), generation: nil))
            let one = ItemPage(feature: text, generation: used, links: links, crs: .crs84)
            let typed = try WanggeRequestContext.makeEncoder().encode(try one.typed())
            XCTAssertEqual(try normalizedJSON(try one.text().utf8), try normalizedJSON(typed), id)
        }
    }

    /// The typed bodies of the capabilities say what the old hand-built JSON said.
    func testTypedBodiesOnTheWire() async throws {
        try await Application(router: buildRouter(try thirtyDistrictServices(self))).test(.router) { client in
            try await client.execute(uri: "/health", method: .get) { r in
                XCTAssertEqual(String(buffer: r.body), #"{"status":"ok"}"#)
                XCTAssertEqual(r.headers[.contentType], "application/json; charset=utf-8")
            }
            try await client.execute(uri: "/", method: .get) { r in
                let text = String(buffer: r.body)
                XCTAssertFalse(text.contains(#"\/"#), "URLs are written without escaped slashes")
                XCTAssertTrue(text.hasPrefix(#"{"description":"Grid management"#), "members in sorted order, the same on every run: \(text)")
            }
            try await client.execute(uri: "/collections/districts", method: .get) { r in
                let o = try XCTUnwrap(try JSONParser.parse(String(buffer: r.body)).objectValue)
                XCTAssertEqual(o.keys, ["crs", "description", "extent", "id", "itemType", "links", "storageCrs", "title"])
                XCTAssertEqual(o["extent"]?.objectValue?["spatial"]?.objectValue?["crs"]?.stringValue, OGC.crs84)
            }
            try await client.execute(uri: "/categories", method: .get) { r in
                let list = try XCTUnwrap(try JSONParser.parse(String(buffer: r.body)).objectValue?["categories"]?.arrayValue)
                for c in list { XCTAssertEqual(c.objectValue?.keys.sorted(), ["code", "counts_toward_all", "name_en", "name_zh"]) }
            }
        }
    }

    /// `CaseBody` writes its JSON by hand (the intake hot path): it must equal the encoder's output
    /// for the same value — missing optionals left out, escapes, CJK text, numbers, events.
    func testCaseBodyTextEqualsTheEncoder() throws {
        let event = CaseBody.EventBody(id: 7, at: "2026-12-01T00:00:00.000Z", action: "report", from_state: nil, to_state: "reported",
                                       level: "grid", grid_id: "441302001001001", actor: "王 \"小二\"\n", role: "reporter", token_id: 3,
                                       reason: nil, note: "tab\there \\ back\u{1}slash", photo_url: "https://x.cn/a/b.jpg")
        let full = CaseBody(id: 12, category: "road", description: "路灯坏了 / lamp \"out\"", state: "reported", level: "grid", overdue: true,
                            deadline: "2026-12-02T00:00:00.000Z", reported_at: "2026-12-01T00:00:00.000Z", updated_at: "2026-12-01T00:00:00.000Z",
                            closed_at: "2026-12-03T00:00:00.000Z", lon: 114.41234567890123, lat: 23.1, input_crs: "gcj02",
                            input_lon: 114.4, input_lat: -0.000001, accuracy_m: 12.5, grid_id: "g", community_id: "c", street_id: "s",
                            district_id: "d", compound_id: "k", worker_name: "李", worker_phone: "139", outside_grids: false,
                            nearest_grid_id: "n", nearest_m: 1e-7, generation: 2, routed_generation: 3, contact: "c@x", photo_urls: ["http://a/1", "https://b/2"],
                            reporter: "r", actions: ["dispatch", "reject"], events: [event, event])
        var sparse = full
        sparse.closed_at = nil; sparse.accuracy_m = nil; sparse.grid_id = nil; sparse.community_id = nil; sparse.street_id = nil
        sparse.district_id = nil; sparse.compound_id = nil; sparse.worker_name = nil; sparse.worker_phone = nil; sparse.nearest_grid_id = nil
        sparse.nearest_m = nil; sparse.contact = nil; sparse.reporter = nil; sparse.photo_urls = []; sparse.actions = []; sparse.events = nil
        var emptyEvents = sparse
        emptyEvents.events = []
        for body in [full, sparse, emptyEvents] {
            let typed = try WanggeRequestContext.makeEncoder().encode(body)
            XCTAssertEqual(try normalizedJSON(body.jsonText().utf8), try normalizedJSON(typed))
        }
    }
}
