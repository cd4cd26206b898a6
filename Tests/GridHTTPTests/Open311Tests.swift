import Foundation
import GridCases
import GridGeo
import GridHTTP
import GridIndex
import GridStore
import GridTestSupport
import Hummingbird
import HummingbirdTesting
import Synchronization
import XCTest

/// Open311 GeoReport v2 and the managers' views (issue 11 §3, §6) through the real router on a
/// real SpatiaLite store (the generated city), with real tokens and an injected clock.
final class Open311Tests: XCTestCase {
    static let city = SyntheticCity(columns: 4, rows: 3)
    /// 2026-11-30 10:00 in Asia/Shanghai (02:00 UTC).
    static let start = try! Date("2026-11-30T02:00:00Z", strategy: Date.ISO8601FormatStyle())

    final class Clock: Sendable {
        let t: Mutex<Date>
        init(_ d: Date) { t = Mutex(d) }
        var now: Date { t.withLock { $0 } }
        func hours(_ h: Double) { t.withLock { $0 = Open311Tests.start.addingTimeInterval(h * 3600) } }
    }

    struct Env {
        let db: GridDatabase
        let services: AppServices
        let clock: Clock
        var app: some ApplicationProtocol { Application(router: buildRouter(services)) }
    }

    func makeEnv() throws -> Env {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("wangge-open311-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: dir) }
        let db = try GridDatabase(path: dir.appendingPathComponent("s.sqlite").path)
        for (name, text) in Self.city.layers() { try db.importGeoJSON(Layer.named(name)!, data: Data(text.utf8)) }
        let clock = Clock(Self.start)
        return Env(db: db, services: AppServices(db: db, clock: { clock.now }), clock: clock)
    }

    func token(_ env: Env, _ role: Role, community: String? = nil, grid: String? = nil) throws -> String {
        try env.db.createToken(role: role, communityId: community, gridId: grid, name: "\(role.rawValue)-test").token
    }

    func cell(_ env: Env, _ i: Int, _ j: Int) throws -> (Coordinate, GridInfo) {
        let u = SyntheticCity.unit, c = Double(SyntheticCity.cell)
        let p = Coordinate(SyntheticCity.base.lon + (Double(i) + 0.5) * c * u, SyntheticCity.base.lat + (Double(j) + 0.5) * c * u)
        return (p, try XCTUnwrap(env.services.indexes.current().assignment.assign(p).grid))
    }

    static func form(_ fields: [(String, String)]) -> ByteBuffer {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return ByteBuffer(string: fields.map { "\($0.0)=\($0.1.addingPercentEncoding(withAllowedCharacters: allowed)!)" }.joined(separator: "&"))
    }

    static let formType: HTTPFields = [.contentType: "application/x-www-form-urlencoded"]

    static func array(_ b: ByteBuffer, file: StaticString = #filePath, line: UInt = #line) throws -> [JSONObject] {
        try XCTUnwrap(try JSONParser.parse(String(buffer: b)).arrayValue, String(buffer: b), file: file, line: line).map { try XCTUnwrap($0.objectValue) }
    }

    /// Creates a request over Open311 and returns its id.
    static func create(_ client: some TestClientProtocol, _ key: String, _ p: Coordinate, code: String = "broken_lift", extra: [(String, String)] = [],
                file: StaticString = #filePath, line: UInt = #line) async throws -> Int64 {
        let fields = [("api_key", key), ("service_code", code), ("lat", "\(p.lat)"), ("long", "\(p.lon)"), ("description", "电梯 & <困人>")] + extra
        return try await client.execute(uri: "/open311/v2/requests.json", method: .post, headers: Self.formType, body: Self.form(fields)) { r in
            XCTAssertEqual(r.status, .created, String(buffer: r.body), file: file, line: line)
            let a = try Self.array(r.body)
            XCTAssertEqual(a.count, 1, file: file, line: line)
            XCTAssertTrue(a[0]["account_id"]?.isNull == true, file: file, line: line)
            return try XCTUnwrap(Int64(a[0]["service_request_id"]?.stringValue ?? ""), file: file, line: line)
        }
    }

    static func act(_ client: some TestClientProtocol, _ id: Int64, _ token: String, _ action: String, extra: String = "") async throws {
        try await client.execute(uri: "/cases/\(id)/events", method: .post,
                                 headers: [.authorization: "Bearer \(token)", .contentType: "application/json"],
                                 body: ByteBuffer(string: #"{"action":"\#(action)"\#(extra)}"#)) { r in
            XCTAssertEqual(r.status, .created, String(buffer: r.body))
        }
    }

    // MARK: Open311

    func testDiscoveryNamesTheEndpointItsSpecificationAndFormats() async throws {
        let env = try makeEnv()
        try await env.app.test(.router) { client in
            try await client.execute(uri: "/open311/v2/discovery.json", method: .get) { r in
                XCTAssertEqual(r.status, .ok)
                let d = try XCTUnwrap(try JSONParser.parse(String(buffer: r.body)).objectValue)
                XCTAssertEqual(d["changeset"]?.stringValue, "2026-12-01T00:00:00Z")
                XCTAssertNotNil(d["contact"]?.stringValue); XCTAssertNotNil(d["key_service"]?.stringValue)
                let e = try XCTUnwrap(d["endpoints"]?.arrayValue?.first?.objectValue)
                XCTAssertEqual(e["specification"]?.stringValue, "http://wiki.open311.org/GeoReport_v2")
                let url = try XCTUnwrap(e["url"]?.stringValue)
                XCTAssertTrue(url.hasPrefix("http") && url.hasSuffix("/open311/v2"), url)
                XCTAssertEqual(e["type"]?.stringValue, "production")
                XCTAssertEqual(e["formats"]?.arrayValue?.compactMap(\.stringValue), ["application/json", "text/xml"])
            }
            try await client.execute(uri: "/open311/v2/discovery.xml", method: .get) { r in
                let x = String(buffer: r.body)
                XCTAssertTrue(x.hasPrefix("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<discovery><changeset>"), x)
                XCTAssertTrue(x.contains("<endpoints><endpoint><specification>http://wiki.open311.org/GeoReport_v2</specification><url>"), x)
                XCTAssertTrue(x.contains("/open311/v2</url><changeset>"), x)
                XCTAssertTrue(x.contains("<formats><format>application/json</format><format>text/xml</format></formats></endpoint></endpoints></discovery>"), x)
            }
            try await client.execute(uri: "/open311/v2/discovery.json?foo=1", method: .get) { r in
                XCTAssertEqual(r.status, .badRequest)
            }
        }
    }

    func testServicesAreTheCaseCategoriesInJSONAndXML() async throws {
        let env = try makeEnv()
        let categories = try env.db.caseCategories()
        try await env.app.test(.router) { client in
            try await client.execute(uri: "/open311/v2/services.json", method: .get) { r in
                XCTAssertEqual(r.status, .ok)
                XCTAssertEqual(r.headers[.contentType], "application/json; charset=utf-8")
                let a = try Self.array(r.body)
                XCTAssertEqual(a.map { $0["service_code"]?.stringValue }, categories.map(\.code))
                XCTAssertEqual(a.map { $0["group"]?.stringValue }, categories.map(\.group))
                XCTAssertTrue(a.allSatisfy { $0["metadata"] == .bool(false) && $0["type"]?.stringValue == "realtime" })
            }
            try await client.execute(uri: "/open311/v2/services.xml", method: .get) { r in
                XCTAssertEqual(r.headers[.contentType], "text/xml; charset=utf-8")
                let x = String(buffer: r.body)
                XCTAssertTrue(x.hasPrefix("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<services><service><service_code>\(categories[0].code)</service_code>"), x)
                XCTAssertEqual(x.components(separatedBy: "<service>").count - 1, categories.count)
                XCTAssertTrue(x.contains("<metadata>false</metadata><type>realtime</type>"))
            }
            try await client.execute(uri: "/open311/v2/services/garbage.xml", method: .get) { r in
                XCTAssertEqual(String(buffer: r.body),
                               "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<service_definition><service_code>garbage</service_code><attributes/></service_definition>\n")
            }
            try await client.execute(uri: "/open311/v2/services/garbage.json", method: .get) { r in
                XCTAssertEqual(String(buffer: r.body), #"{"service_code":"garbage","attributes":[]}"#)
            }
        }
    }

    func testARequestIsACaseRoutedLikePostCasesAndReadsBackWithTheLoopsState() async throws {
        let env = try makeEnv()
        let (p, grid) = try cell(env, 1, 1)
        let reporter = try token(env, .reporter)
        let community = try token(env, .community, community: grid.communityId)
        try await env.app.test(.router) { client in
            let id = try await Self.create(client, reporter, p, extra: [
                ("address_string", "幸福小区 3 栋"), ("email", "a@example.org"), ("first_name", "小"), ("last_name", "王"),
                ("media_url", "https://example.org/a.jpg"), ("jurisdiction_id", "huizhou"),
            ])
            let c = try XCTUnwrap(try env.db.caseRecord(id: id))
            XCTAssertEqual(c.routing.gridId, grid.id)
            XCTAssertEqual(c.contact, "小 王; a@example.org")
            XCTAssertEqual(c.photoURLs, ["https://example.org/a.jpg"])
            XCTAssertEqual(c.reporterTokenId, try env.db.identity(forToken: reporter)?.tokenId)
            try await client.execute(uri: "/open311/v2/requests/\(id).json", method: .get) { r in
                XCTAssertEqual(r.status, .ok, String(buffer: r.body))
                let o = try XCTUnwrap(try Self.array(r.body).first)
                XCTAssertEqual(o["status"]?.stringValue, "open")
                XCTAssertEqual(o["status_notes"]?.stringValue, "reported at the compound level")
                XCTAssertEqual(o["description"]?.stringValue, "电梯 & <困人>")
                XCTAssertEqual(o["address"]?.stringValue, "幸福小区 3 栋")
                XCTAssertEqual(o["service_name"]?.stringValue, "电梯故障")
                XCTAssertEqual(o["expected_datetime"]?.stringValue, "2026-11-30T16:00:00Z", "the end of the day in Asia/Shanghai")
                XCTAssertEqual(o["requested_datetime"]?.stringValue, "2026-11-30T02:00:00Z")
                XCTAssertEqual(o["lat"]?.doubleValue, c.lat)
                XCTAssertEqual(o["long"]?.doubleValue, c.lon)
                XCTAssertTrue(o["agency_responsible"]?.stringValue?.hasPrefix("grid \(grid.id), community \(grid.communityId ?? "-")") == true)
                XCTAssertFalse(String(buffer: r.body).contains("a@example.org"), "public reads carry no contact details")
            }
            // The same in XML: the spec's <service_requests><request> with an empty <account_id/>.
            let fields = [("api_key", reporter), ("service_code", "garbage"), ("lat", "\(p.lat)"), ("long", "\(p.lon)"), ("description", "垃圾")]
            try await client.execute(uri: "/open311/v2/requests.xml", method: .post, headers: Self.formType, body: Self.form(fields)) { r in
                XCTAssertEqual(r.status, .created)
                let x = String(buffer: r.body)
                XCTAssertTrue(x.hasPrefix("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<service_requests><request><service_request_id>\(id + 1)</service_request_id><service_notice>routed to grid \(grid.id)"), x)
                XCTAssertTrue(x.hasSuffix("</service_notice><account_id/></request></service_requests>\n"), x)
            }
            // Through the loop to closed; escalation shows in the level; the status follows.
            try await Self.act(client, id, community, "escalate")
            env.clock.hours(1)
            for a in ["dispatch", "handle", "verify", "close"] { try await Self.act(client, id, community, a) }
            try await client.execute(uri: "/open311/v2/requests/\(id).xml", method: .get) { r in
                let x = String(buffer: r.body)
                XCTAssertTrue(x.contains("<status>closed</status><status_notes>closed at the community level</status_notes>"), x)
                XCTAssertTrue(x.contains("<description>电梯 &amp; &lt;困人&gt;</description>"), x)
                XCTAssertTrue(x.contains("<updated_datetime>2026-11-30T03:00:00Z</updated_datetime>"), x)
                XCTAssertTrue(x.contains("<address_id/><zipcode/>"), x)
            }
        }
    }

    func testListFiltersStatusCodeDatesIdsAndBBox() async throws {
        let env = try makeEnv()
        let (p1, _) = try cell(env, 0, 0)
        let (p2, g2) = try cell(env, 3, 2)
        let reporter = try token(env, .reporter), admin = try token(env, .admin)
        try await env.app.test(.router) { client in
            let a = try await Self.create(client, reporter, p1)
            env.clock.hours(2)
            let b = try await Self.create(client, reporter, p2, code: "garbage")
            try await Self.act(client, b, admin, "reject", extra: #","reason":"duplicate""#)
            func ids(_ q: String) async throws -> [Int64] {
                try await client.execute(uri: "/open311/v2/requests.json" + q, method: .get) { r in
                    XCTAssertEqual(r.status, .ok, String(buffer: r.body))
                    return try Self.array(r.body).compactMap { $0["service_request_id"]?.stringValue.flatMap { Int64($0) } }
                }
            }
            var got = try await ids("")
            XCTAssertEqual(got, [b, a], "newest first")
            got = try await ids("?status=open")
            XCTAssertEqual(got, [a])
            got = try await ids("?status=closed")
            XCTAssertEqual(got, [b], "a rejected case is closed")
            got = try await ids("?status=open,closed")
            XCTAssertEqual(got, [b, a])
            got = try await ids("?service_code=garbage")
            XCTAssertEqual(got, [b])
            got = try await ids("?service_code=broken_lift,garbage&page_size=1")
            XCTAssertEqual(got, [b])
            got = try await ids("?service_code=broken_lift,garbage&page_size=1&page=2")
            XCTAssertEqual(got, [a])
            got = try await ids("?start_date=2026-11-30T03:00:00Z")
            XCTAssertEqual(got, [b])
            got = try await ids("?end_date=2026-11-30T02:00:00Z")
            XCTAssertEqual(got, [a], "end_date is inclusive")
            got = try await ids("?service_request_id=\(a),\(b),99999&status=open")
            XCTAssertEqual(Set(got), [a, b], "ids override the other filters; unknown ids are left out")
            got = try await ids("?bbox=\(p2.lon - 0.0001),\(p2.lat - 0.0001),\(p2.lon + 0.0001),\(p2.lat + 0.0001)")
            XCTAssertEqual(got, [b])
            // The 90-day default window.
            env.clock.hours(24 * 91)
            got = try await ids("")
            XCTAssertEqual(got, [])
            _ = g2
        }
    }

    func testErrorsAreTheSpecsListsWithTheirStatus() async throws {
        let env = try makeEnv()
        let (p, _) = try cell(env, 1, 1)
        let reporter = try token(env, .reporter), planner = try token(env, .planner)
        let ok = [("service_code", "garbage"), ("lat", "\(p.lat)"), ("long", "\(p.lon)"), ("description", "x")]
        try await env.app.test(.router) { client in
            func check(_ uri: String, _ method: HTTPRequest.Method = .get, _ fields: [(String, String)]? = nil, headers: HTTPFields = Open311Tests.formType,
                       _ status: HTTPResponse.Status, _ words: String, line: UInt = #line) async throws {
                try await client.execute(uri: uri, method: method, headers: headers, body: fields.map(Self.form)) { r in
                    XCTAssertEqual(r.status, status, String(buffer: r.body), line: line)
                    let text = String(buffer: r.body)
                    if uri.contains(".xml") {
                        XCTAssertEqual(r.headers[.contentType], "text/xml; charset=utf-8", line: line)
                        XCTAssertTrue(text.contains("<errors><error><code>\(status.code)</code><description>"), text, line: line)
                        XCTAssertTrue(text.contains(Open311TestsXML.escape(words)), text, line: line)
                    } else {
                        let a = try Self.array(r.body)
                        XCTAssertEqual(a.count, 1, line: line)
                        XCTAssertEqual(a.first?["code"]?.intValue, Int(status.code), line: line)
                        XCTAssertTrue(a.first?["description"]?.stringValue?.contains(words) == true, text, line: line)
                    }
                }
            }
            for f in ["json", "xml"] {
                try await check("/open311/v2/requests.\(f)", .post, ok, .unauthorized, "token")
                try await check("/open311/v2/requests.\(f)", .post, ok + [("api_key", "nope")], .unauthorized, "token")
                try await check("/open311/v2/requests.\(f)?api_key=nope", .get, nil, .unauthorized, "token")
                try await check("/open311/v2/requests.\(f)", .post, ok + [("api_key", planner)], .forbidden, "planner")
                try await check("/open311/v2/requests.\(f)", .post, ok + [("api_key", reporter), ("api_key", reporter)], .badRequest, "api_key: given twice")
                try await check("/open311/v2/requests.\(f)", .post, [("api_key", reporter), ("service_code", "nope"), ("lat", "23"), ("long", "114"), ("description", "x")],
                                .badRequest, "service_code: unknown case category 'nope'")
                try await check("/open311/v2/requests.\(f)", .post, [("api_key", reporter), ("service_code", "garbage"), ("address_string", "x"), ("description", "x")],
                                .badRequest, "lat: lat and long are required")
                try await check("/open311/v2/requests.\(f)", .post, [("api_key", reporter), ("service_code", "garbage"), ("lat", "0"), ("long", "0"), ("description", "x"),
                                                                    ("coordinate_system", "gcj02")], .badRequest, "lat,long")
                try await check("/open311/v2/requests.\(f)", .post, ok + [("api_key", reporter)], headers: [.contentType: "application/json"],
                                .unsupportedMediaType, "application/x-www-form-urlencoded")
                try await check("/open311/v2/requests/77.\(f)", .get, nil, .notFound, "no request 77")
                try await check("/open311/v2/requests/x7.\(f)", .get, nil, .badRequest, "service_request_id")
                try await check("/open311/v2/services/nope.\(f)", .get, nil, .notFound, "no service 'nope'")
                try await check("/open311/v2/requests.\(f)?status=maybe", .get, nil, .badRequest, "status: open, closed")
                try await check("/open311/v2/requests.\(f)?bbox=1,2,3", .get, nil, .badRequest, "bbox")
                try await check("/open311/v2/requests.\(f)?colour=red", .get, nil, .badRequest, "colour: unknown parameter")
            }
            try await check("/open311/v2/nothing.json", .get, nil, .notFound, "no route")
            XCTAssertEqual(try env.db.caseCount(CaseQuery()), 0, "nothing was written")
        }
    }

    // MARK: managers' views

    func testStatsCountStatesTimesToCloseDeadlinesAndCompoundShare() async throws {
        let env = try makeEnv()
        let (p, grid) = try cell(env, 1, 1)
        let (q, other) = try cell(env, 3, 2)
        let admin = try token(env, .admin), planner = try token(env, .planner), reporter = try token(env, .reporter)
        let worker = try token(env, .worker, grid: other.id)
        try await env.app.test(.router) { client in
            let ids = try await (0..<5).asyncMap { _ in try await Open311Tests.create(client, reporter, p) }
            _ = try await Self.create(client, reporter, q)
            let loop = ["file", "dispatch", "handle", "verify", "close"]
            env.clock.hours(2)
            for a in loop { try await Self.act(client, ids[0], admin, a) }
            try await Self.act(client, ids[1], admin, "escalate")
            env.clock.hours(6)
            for a in ["dispatch", "handle", "verify", "close"] { try await Self.act(client, ids[1], admin, a) }
            try await Self.act(client, ids[4], admin, "reject", extra: #","reason":"invalid""#)
            env.clock.hours(20)
            for a in loop { try await Self.act(client, ids[2], admin, a) }
            // ids[3] stays reported: overdue at +20 h (the deadline was 24:00 Asia/Shanghai, +14 h).
            let body = try await client.execute(uri: "/cases/stats?level=grid", method: .get, headers: [.authorization: "Bearer \(planner)"]) { r in
                XCTAssertEqual(r.status, .ok, String(buffer: r.body))
                return try XCTUnwrap(try JSONParser.parse(String(buffer: r.body)).objectValue)
            }
            XCTAssertEqual(body["level"]?.stringValue, "grid")
            let areas = try XCTUnwrap(body["areas"]?.arrayValue?.compactMap(\.objectValue))
            XCTAssertEqual(areas.map { $0["id"]?.stringValue }, [grid.id, other.id].sorted())
            let g = try XCTUnwrap(areas.first { $0["id"]?.stringValue == grid.id })
            XCTAssertEqual(g["total"]?.intValue, 5)
            XCTAssertEqual(g["closed"]?.intValue, 3)
            XCTAssertEqual(g["open"]?.intValue, 1)
            XCTAssertEqual(g["overdue"]?.intValue, 1)
            let byState = try XCTUnwrap(g["by_state"]?.objectValue)
            XCTAssertEqual(byState["closed"]?.intValue, 3)
            XCTAssertEqual(byState["reported"]?.intValue, 1)
            XCTAssertEqual(byState["rejected"]?.intValue, 1)
            XCTAssertEqual(byState["dispatched"]?.intValue, 0)
            // Hours to close 2, 6, 20: median 6, p90 6 + 0.8 × 14 = 17.2 (type 7).
            XCTAssertEqual(try XCTUnwrap(g["median_hours_to_close"]?.doubleValue), 6, accuracy: 1e-9)
            XCTAssertEqual(try XCTUnwrap(g["p90_hours_to_close"]?.doubleValue), 17.2, accuracy: 1e-9)
            XCTAssertEqual(try XCTUnwrap(g["share_closed_within_deadline"]?.doubleValue), 2.0 / 3, accuracy: 1e-12)
            XCTAssertEqual(try XCTUnwrap(g["share_solved_at_compound"]?.doubleValue), 2.0 / 3, accuracy: 1e-12, "the escalated one was closed at the community")
            let o = try XCTUnwrap(areas.first { $0["id"]?.stringValue == other.id })
            XCTAssertTrue(o["median_hours_to_close"]?.isNull == true, "no closed case: null, not 0")
            // Community level: the cases of both grids, summed by community.
            try await client.execute(uri: "/cases/stats?level=community&category=broken_lift", method: .get, headers: [.authorization: "Bearer \(admin)"]) { r in
                let a = try XCTUnwrap(try JSONParser.parse(String(buffer: r.body)).objectValue?["areas"]?.arrayValue)
                XCTAssertEqual(a.compactMap { $0.objectValue?["total"]?.intValue }.reduce(0, +), 6)
            }
            // A worker sees only its grid; reporters may not read statistics; tokens are needed.
            try await client.execute(uri: "/cases/stats", method: .get, headers: [.authorization: "Bearer \(worker)"]) { r in
                let a = try XCTUnwrap(try JSONParser.parse(String(buffer: r.body)).objectValue?["areas"]?.arrayValue)
                XCTAssertEqual(a.compactMap { $0.objectValue?["id"]?.stringValue }, [other.id])
            }
            try await client.execute(uri: "/cases/stats", method: .get, headers: [.authorization: "Bearer \(reporter)"]) { r in XCTAssertEqual(r.status, .forbidden) }
            try await client.execute(uri: "/cases/stats", method: .get) { r in XCTAssertEqual(r.status, .unauthorized) }
            try await client.execute(uri: "/cases/stats?level=city", method: .get, headers: [.authorization: "Bearer \(admin)"]) { r in
                XCTAssertEqual(r.status, .badRequest)
                XCTAssertTrue(String(buffer: r.body).contains("level"))
            }
        }
    }

    func testCasesCollectionFiltersPagesAndNeedsAStaffToken() async throws {
        let env = try makeEnv()
        let (p, grid) = try cell(env, 1, 1)
        let (q, other) = try cell(env, 3, 2)
        let admin = try token(env, .admin), reporter = try token(env, .reporter), worker = try token(env, .worker, grid: grid.id)
        try await env.app.test(.router) { client in
            let a = try await Self.create(client, reporter, p, extra: [("phone", "13900000000")])
            env.clock.hours(30)
            let b = try await Self.create(client, reporter, q, code: "garbage")
            try await Self.act(client, b, admin, "file")
            func items(_ query: String, _ token: String?, status: HTTPResponse.Status = .ok) async throws -> JSONObject? {
                try await client.execute(uri: "/collections/cases/items" + query, method: .get,
                                         headers: token.map { [.authorization: "Bearer \($0)"] } ?? [:]) { r in
                    XCTAssertEqual(r.status, status, String(buffer: r.body))
                    if status == .ok { XCTAssertEqual(r.headers[.contentType], "application/geo+json") }
                    return try JSONParser.parse(String(buffer: r.body)).objectValue
                }
            }
            func ids(_ o: JSONObject?) -> [String] { o?["features"]?.arrayValue?.compactMap { $0.objectValue?["id"]?.stringValue } ?? [] }
            var page = try await items("", admin)
            XCTAssertEqual(ids(page), ["\(b)", "\(a)"])
            XCTAssertEqual(page?["numberMatched"]?.intValue, 2)
            let first = try XCTUnwrap(page?["features"]?.arrayValue?.last?.objectValue)
            XCTAssertEqual(first["geometry"]?.objectValue?["coordinates"]?.arrayValue?.compactMap(\.doubleValue), [p.lon, p.lat])
            XCTAssertEqual(first["properties"]?.objectValue?["overdue"], .bool(true))
            XCTAssertEqual(first["properties"]?.objectValue?["contact"]?.stringValue, "13900000000")
            page = try await items("?state=filed", admin)
            XCTAssertEqual(ids(page), ["\(b)"])
            page = try await items("?grid_id=\(other.id)", admin)
            XCTAssertEqual(ids(page), ["\(b)"])
            page = try await items("?overdue=true", admin)
            XCTAssertEqual(ids(page), ["\(a)"])
            page = try await items("?datetime=../2026-11-30T02:00:00Z", admin)
            XCTAssertEqual(ids(page), ["\(a)"], "both ends inclusive")
            page = try await items("?datetime=2026-12-01T00:00:00Z/..", admin)
            XCTAssertEqual(ids(page), ["\(b)"])
            page = try await items("?bbox=\(q.lon - 0.0001),\(q.lat - 0.0001),\(q.lon + 0.0001),\(q.lat + 0.0001)", admin)
            XCTAssertEqual(ids(page), ["\(b)"])
            page = try await items("?limit=1&api_key=\(admin)", nil)
            XCTAssertEqual(ids(page), ["\(b)"])
            let next = try XCTUnwrap(page?["links"]?.arrayValue?.compactMap(\.objectValue).first { $0["rel"]?.stringValue == "next" }?["href"]?.stringValue)
            XCTAssertTrue(next.hasSuffix("/collections/cases/items?limit=1&api_key=\(admin)&offset=1"), next)
            page = try await items("?limit=1&offset=1&api_key=\(admin)", nil)
            XCTAssertEqual(ids(page), ["\(a)"])
            // A worker reads its grid's cases only; a reporter may not list; no token, 401.
            page = try await items("", worker)
            XCTAssertEqual(ids(page), ["\(a)"])
            _ = try await items("", reporter, status: .forbidden)
            _ = try await items("", nil, status: .unauthorized)
            _ = try await items("?colour=red", admin, status: .badRequest)
            _ = try await items("?datetime=yesterday", admin, status: .badRequest)
            try await client.execute(uri: "/collections/cases/items/\(a)", method: .get, headers: [.authorization: "Bearer \(worker)"]) { r in
                XCTAssertEqual(r.status, .ok)
                XCTAssertEqual(try JSONParser.parse(String(buffer: r.body)).objectValue?["id"]?.stringValue, "\(a)")
            }
            try await client.execute(uri: "/collections/cases/items/\(b)", method: .get, headers: [.authorization: "Bearer \(worker)"]) { r in
                XCTAssertEqual(r.status, .forbidden)
            }
            try await client.execute(uri: "/collections/cases", method: .get, headers: [.authorization: "Bearer \(admin)"]) { r in
                XCTAssertEqual(r.status, .ok)
                XCTAssertEqual(try JSONParser.parse(String(buffer: r.body)).objectValue?["id"]?.stringValue, "cases")
            }
            // The public list of collections does not name it (anyone reads that list).
            try await client.execute(uri: "/collections", method: .get) { r in
                XCTAssertFalse(String(buffer: r.body).contains("\"id\":\"cases\""))
            }
        }
    }
}

/// The test's own XML escaping of expected words (kept apart from the code under test).
enum Open311TestsXML {
    static func escape(_ s: String) -> String {
        s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
            .replacingOccurrences(of: "'", with: "'")
    }
}

extension Sequence {
    func asyncMap<T>(_ f: (Element) async throws -> T) async rethrows -> [T] {
        var out: [T] = []
        for x in self { out.append(try await f(x)) }
        return out
    }
}
