import Foundation
import GridAnalysis
import GridCases
import GridGeo
import GridHTTP
import GridIndex
import GridStore
import GridTestSupport
import Hummingbird
import HTTPTypes
import HummingbirdTesting
import Synchronization
import XCTest

/// Cases through the real router on a real SpatiaLite store (the generated city), with real
/// tokens minted in the store and an injected clock: the loop end to end, roles and areas,
/// deadlines, the sweep's escalation, re-routing after a boundary re-import, bad input.
final class CaseRoutesTests: XCTestCase {
    static let city = SyntheticCity(columns: 8, rows: 3)

    final class Clock: Sendable {
        let t: Mutex<Date>
        init(_ d: Date) { t = Mutex(d) }
        var now: Date { t.withLock { $0 } }
        func set(_ d: Date) { t.withLock { $0 = d } }
    }

    struct Env {
        let db: GridDatabase
        let services: AppServices
        let clock: Clock
        var app: some ApplicationProtocol { Application(router: buildRouter(services)) }
    }

    /// 2026-11-30 10:00 in Asia/Shanghai (02:00 UTC).
    static let start = try! Date("2026-11-30T02:00:00Z", strategy: Date.ISO8601FormatStyle())

    func makeEnv() throws -> Env {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("wangge-cases-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: dir) }
        let db = try GridDatabase(path: dir.appendingPathComponent("s.sqlite").path)
        for (name, text) in Self.city.layers() { try db.importGeoJSON(Layer.named(name)!, data: Data(text.utf8)) }
        let clock = Clock(Self.start)
        return Env(db: db, services: AppServices(db: db, clock: { clock.now }), clock: clock)
    }

    static func token(_ env: Env, _ role: Role, district: String? = nil, community: String? = nil, grid: String? = nil, name: String? = nil) throws -> String {
        try env.db.createToken(role: role, districtId: district, communityId: community, gridId: grid, name: name ?? "\(role.rawValue)-test").token
    }

    /// A point in the middle of lattice cell (i, j) and the grid the index puts it in.
    static func cell(_ env: Env, _ i: Int, _ j: Int) throws -> (Coordinate, GridInfo) {
        let u = SyntheticCity.unit, c = Double(SyntheticCity.cell)
        let p = Coordinate(SyntheticCity.base.lon + (Double(i) + 0.5) * c * u, SyntheticCity.base.lat + (Double(j) + 0.5) * c * u)
        return (p, try XCTUnwrap(env.services.indexes.current().assignment.assign(p).grid))
    }

    static func json(_ b: ByteBuffer) throws -> JSONObject { try XCTUnwrap(try JSONParser.parse(String(buffer: b)).objectValue, String(buffer: b)) }

    static func headers(_ token: String?, json: Bool = true, key: String? = nil) -> HTTPFields {
        var h: HTTPFields = [:]
        if let token { h[.authorization] = "Bearer \(token)" }
        if json { h[.contentType] = "application/json" }
        if let key { h[HTTPField.Name("Idempotency-Key")!] = key }
        return h
    }

    static func body(_ s: String) -> ByteBuffer { ByteBuffer(string: s) }

    static func intake(_ p: Coordinate, category: String = "broken_lift", crs: String? = nil, extra: String = "") -> String {
        #"{"lon":\#(p.lon),"lat":\#(p.lat),"category":"\#(category)","description":"3号楼电梯停在5楼","contact":"13800001111""# +
            (crs.map { #","crs":"\#($0)""# } ?? "") + extra + "}"
    }

    static func post(_ client: some TestClientProtocol, _ uri: String, _ token: String?, _ text: String, key: String? = nil,
              status: HTTPResponse.Status, file: StaticString = #filePath, line: UInt = #line) async throws -> JSONObject {
        try await client.execute(uri: uri, method: .post, headers: headers(token, key: key), body: body(text)) { r in
            XCTAssertEqual(r.status, status, String(buffer: r.body), file: file, line: line)
            return try Self.json(r.body)
        }
    }

    static func get(_ client: some TestClientProtocol, _ uri: String, _ token: String?, status: HTTPResponse.Status = .ok,
             file: StaticString = #filePath, line: UInt = #line) async throws -> JSONObject {
        try await client.execute(uri: uri, method: .get, headers: headers(token, json: false)) { r in
            XCTAssertEqual(r.status, status, String(buffer: r.body), file: file, line: line)
            return try Self.json(r.body)
        }
    }

    /// The id of the case a POST answers.
    static func postId(_ client: some TestClientProtocol, _ uri: String, _ token: String?, _ text: String, key: String? = nil,
                status: HTTPResponse.Status, file: StaticString = #filePath, line: UInt = #line) async throws -> Int {
        let o = try await post(client, uri, token, text, key: key, status: status, file: file, line: line)
        return try XCTUnwrap(o["id"]?.intValue, file: file, line: line)
    }

    static func act(_ client: some TestClientProtocol, _ id: Int, _ token: String, _ action: String, extra: String = "", status: HTTPResponse.Status = .created,
             file: StaticString = #filePath, line: UInt = #line) async throws -> JSONObject {
        try await post(client, "/cases/\(id)/events", token, #"{"action":"\#(action)"\#(extra)}"#, status: status, file: file, line: line)
    }

    // MARK: the loop

    func testTheLoopEndToEndWithIdempotentIntakeAndAnAuditedEventPerStep() async throws {
        let env = try makeEnv()
        let (p, grid) = try Self.cell(env, 1, 1)
        let reporter = try Self.token(env, .reporter, name: "居民App")
        let worker = try Self.token(env, .worker, grid: grid.id, name: "王网格员")
        let community = try Self.token(env, .community, community: grid.communityId, name: "社区干部")
        try await env.app.test(.router) { client in
            let first = try await Self.post(client, "/cases", reporter, Self.intake(p), key: "phone-42", status: .created)
            let id = try XCTUnwrap(first["id"]?.intValue)
            XCTAssertEqual(first["state"]?.stringValue, "reported")
            XCTAssertEqual(first["grid_id"]?.stringValue, grid.id)
            XCTAssertEqual(first["community_id"]?.stringValue, grid.communityId)
            XCTAssertEqual(first["street_id"]?.stringValue, grid.streetId)
            XCTAssertEqual(first["district_id"]?.stringValue, grid.districtId)
            XCTAssertEqual(first["worker_name"]?.stringValue, grid.workerName)
            XCTAssertEqual(first["level"]?.stringValue, "compound")
            XCTAssertEqual(first["generation"]?.intValue, Int(try env.db.currentGeneration()))
            XCTAssertEqual(first["contact"]?.stringValue, "13800001111", "the reporter sees its own contact")
            XCTAssertEqual(first["input_crs"]?.stringValue, "wgs84")
            XCTAssertEqual(first["events"]?.arrayValue?.count, 1)
            // The retry: the same case, 200, nothing new written.
            let again = try await Self.post(client, "/cases", reporter, Self.intake(p), key: "phone-42", status: .ok)
            XCTAssertEqual(again["id"]?.intValue, id)
            XCTAssertEqual(try env.db.caseCount(CaseQuery()), 1)

            var c = try await Self.act(client, id, community, "file", extra: #","note":"受理""#)
            XCTAssertEqual(c["state"]?.stringValue, "filed")
            // A step out of order: 409 naming the state and what is allowed.
            try await client.execute(uri: "/cases/\(id)/events", method: .post, headers: Self.headers(community), body: Self.body(#"{"action":"close"}"#)) { r in
                XCTAssertEqual(r.status, .conflict)
                let o = try Self.json(r.body)
                XCTAssertEqual(o["code"]?.stringValue, "InvalidTransition")
                let d = try XCTUnwrap(o["description"]?.stringValue)
                XCTAssertTrue(d.contains("is filed") && d.contains("'close' is not allowed") && d.contains("reject, dispatch, escalate, reroute"), d)
            }
            c = try await Self.act(client, id, community, "dispatch")
            c = try await Self.act(client, id, worker, "handle", extra: #","note":"已联系物业维修","photo_url":"https://img.example.org/lift.jpg""#)
            XCTAssertEqual(c["state"]?.stringValue, "handled")
            c = try await Self.act(client, id, community, "redo", extra: #","note":"复核未通过""#)
            XCTAssertEqual(c["state"]?.stringValue, "dispatched")
            c = try await Self.act(client, id, worker, "handle")
            c = try await Self.act(client, id, community, "verify")
            c = try await Self.act(client, id, community, "close")
            XCTAssertEqual(c["state"]?.stringValue, "closed")
            XCTAssertNotNil(c["closed_at"]?.stringValue)
            c = try await Self.act(client, id, community, "evaluate", extra: #","note":"满意""#)
            XCTAssertEqual(c["state"]?.stringValue, "evaluated")
            XCTAssertEqual(c["actions"]?.arrayValue?.count, 0)
            let events = try XCTUnwrap(c["events"]?.arrayValue?.compactMap(\.objectValue))
            XCTAssertEqual(events.map { $0["action"]?.stringValue ?? "" },
                           ["report", "file", "dispatch", "handle", "redo", "handle", "verify", "close", "evaluate"])
            // Each event's from_state is the previous event's to_state.
            for k in 1..<events.count { XCTAssertEqual(events[k]["from_state"], events[k - 1]["to_state"]) }
            XCTAssertEqual(events[3]["actor"]?.stringValue, "王网格员")
            XCTAssertEqual(events[3]["role"]?.stringValue, "worker")
            XCTAssertEqual(events[3]["photo_url"]?.stringValue, "https://img.example.org/lift.jpg")
            XCTAssertEqual(events[1]["note"]?.stringValue, "受理")
            // After the end: nothing is allowed.
            try await client.execute(uri: "/cases/\(id)/events", method: .post, headers: Self.headers(community), body: Self.body(#"{"action":"escalate"}"#)) { r in
                XCTAssertEqual(r.status, .conflict)
                XCTAssertTrue(String(buffer: r.body).contains("allowed now: none"), String(buffer: r.body))
            }
        }
    }

    func testRejectNeedsAReason() async throws {
        let env = try makeEnv()
        let (p, grid) = try Self.cell(env, 0, 0)
        let admin = try Self.token(env, .admin)
        let community = try Self.token(env, .community, community: grid.communityId)
        try await env.app.test(.router) { client in
            let id = try await Self.postId(client, "/cases", admin, Self.intake(p), status: .created)
            let e = try await Self.act(client, id, community, "reject", status: .badRequest)
            XCTAssertEqual(e["field"]?.stringValue, "reason")
            let c = try await Self.act(client, id, community, "reject", extra: #","reason":"duplicate""#)
            XCTAssertEqual(c["state"]?.stringValue, "rejected")
            XCTAssertEqual(c["events"]?.arrayValue?.last?.objectValue?["reason"]?.stringValue, "duplicate")
        }
    }

    // MARK: roles and areas

    func testRolesAndAreas() async throws {
        let env = try makeEnv()
        let (p, grid) = try Self.cell(env, 0, 0)
        let (_, otherGrid) = try Self.cell(env, 7, 2)
        XCTAssertNotEqual(grid.communityId, otherGrid.communityId, "the test needs two communities")
        let reporter = try Self.token(env, .reporter), reporter2 = try Self.token(env, .reporter)
        let planner = try Self.token(env, .planner)
        let otherWorker = try Self.token(env, .worker, grid: otherGrid.id)
        let worker = try Self.token(env, .worker, grid: grid.id)
        let otherCommunity = try Self.token(env, .community, community: otherGrid.communityId)
        let district = try Self.token(env, .district, district: try XCTUnwrap(grid.districtId))
        let revoked = try env.db.createToken(role: .admin, districtId: nil, communityId: nil, gridId: nil, name: "old")
        try env.db.revokeToken(id: revoked.identity.tokenId)
        try await env.app.test(.router) { client in
            // 401: no token, an unknown one, a revoked one.
            for t in [nil, "not-a-token", revoked.token] {
                let e = try await Self.post(client, "/cases", t, Self.intake(p), status: .unauthorized)
                XCTAssertNotNil(e["description"]?.stringValue)
                _ = try await Self.get(client, "/cases", t, status: .unauthorized)
            }
            XCTAssertEqual(try env.db.caseCount(CaseQuery()), 0)
            // The planner only reads.
            _ = try await Self.post(client, "/cases", planner, Self.intake(p), status: .forbidden)
            let id = try await Self.postId(client, "/cases", reporter, Self.intake(p), status: .created)
            // api_key works as well as the header.
            let viaKey = try await Self.get(client, "/cases/\(id)?api_key=\(reporter)", nil)
            XCTAssertEqual(viaKey["id"]?.intValue, id)
            _ = try await Self.get(client, "/cases?api_key=\(district)", nil)  // the list too: api_key is not a filter
            // Reading: the reporter its own; another reporter not; the planner without contact; staff of the area with it.
            _ = try await Self.get(client, "/cases/\(id)", reporter2, status: .forbidden)
            let planned = try await Self.get(client, "/cases/\(id)", planner)
            XCTAssertNil(planned["contact"], "planners read cases without the reporter's contact")
            XCTAssertNil(planned["reporter"])
            let v1 = try await Self.get(client, "/cases/\(id)", worker)["contact"]?.stringValue
            XCTAssertEqual(v1, "13800001111")
            let v2 = try await Self.get(client, "/cases/\(id)", district)["contact"]?.stringValue
            XCTAssertEqual(v2, "13800001111")
            _ = try await Self.get(client, "/cases/\(id)", otherWorker, status: .forbidden)
            // Acting: outside the role, outside the area.
            let e = try await Self.act(client, id, reporter, "file", status: .forbidden)
            XCTAssertTrue(e["description"]?.stringValue?.contains("may not file") ?? false)
            _ = try await Self.act(client, id, planner, "file", status: .forbidden)
            _ = try await Self.act(client, id, worker, "file", status: .forbidden)
            _ = try await Self.act(client, id, otherCommunity, "file", status: .forbidden)
            _ = try await Self.act(client, id, district, "file")
            _ = try await Self.act(client, id, district, "dispatch")
            _ = try await Self.act(client, id, otherWorker, "handle", status: .forbidden)
            _ = try await Self.act(client, id, worker, "handle")
            // Re-routing: only into one's own area.
            _ = try await Self.act(client, id, district, "reroute", extra: #","grid_id":"\#(otherGrid.id)""#)
            _ = try await Self.act(client, id, worker, "verify", status: .forbidden)
            // The list: staff only, each within their area.
            _ = try await Self.get(client, "/cases", reporter, status: .forbidden)
            let v3 = try await Self.get(client, "/cases", otherWorker)["numberMatched"]?.intValue
            XCTAssertEqual(v3, 1)
            let v4 = try await Self.get(client, "/cases", worker)["numberMatched"]?.intValue
            XCTAssertEqual(v4, 0, "moved out of the worker's grid")
            let v5 = try await Self.get(client, "/cases", planner)["numberMatched"]?.intValue
            XCTAssertEqual(v5, 1)
            let v6 = try await Self.get(client, "/cases?community_id=\(grid.communityId!)", otherCommunity)["numberMatched"]?.intValue
            XCTAssertEqual(v6, 0)
        }
    }

    // MARK: deadlines and the sweep

    func testDeadlinesInShanghaiTimeAndOverdueAtReadTime() async throws {
        let env = try makeEnv()
        let (p, _) = try Self.cell(env, 1, 0)
        let admin = try Self.token(env, .admin)
        let iso = Date.ISO8601FormatStyle()
        try await env.app.test(.router) { client in
            // 23:59:59 in Shanghai: an ordinary case is due at that midnight, one second later.
            env.clock.set(try Date("2026-11-30T15:59:59Z", strategy: iso))
            let a = try await Self.post(client, "/cases", admin, Self.intake(p), status: .created)
            XCTAssertEqual(a["deadline"]?.stringValue, "2026-11-30T16:00:00.000Z")
            // 00:00:00 in Shanghai is the next day: a day later.
            env.clock.set(try Date("2026-11-30T16:00:00Z", strategy: iso))
            let b = try await Self.post(client, "/cases", admin, Self.intake(p), status: .created)
            XCTAssertEqual(b["deadline"]?.stringValue, "2026-12-01T16:00:00.000Z")
            // A complex category: the end of the 15th day after.
            let c = try await Self.post(client, "/cases", admin, Self.intake(p, category: "street_light"), status: .created)
            XCTAssertEqual(c["deadline"]?.stringValue, "2026-12-16T16:00:00.000Z")
            XCTAssertEqual(c["level"]?.stringValue, "community")
            let aid = try XCTUnwrap(a["id"]?.intValue)
            let v7 = try await Self.get(client, "/cases/\(aid)", admin)["overdue"]
            XCTAssertEqual(v7, .bool(true))
            let overdue = try await Self.get(client, "/cases?overdue=true", admin)
            XCTAssertEqual(overdue["cases"]?.arrayValue?.compactMap { $0.objectValue?["id"]?.intValue }, [aid])
            let v8 = try await Self.get(client, "/cases?overdue=false", admin)["numberMatched"]?.intValue
            XCTAssertEqual(v8, 2)
            env.clock.set(try Date("2026-12-17T00:00:00Z", strategy: iso))
            let v9 = try await Self.get(client, "/cases?overdue=true", admin)["numberMatched"]?.intValue
            XCTAssertEqual(v9, 3)
            // A closed case is never overdue.
            let community = try Self.token(env, .community, community: try XCTUnwrap(a["community_id"]?.stringValue))
            for step in ["file", "dispatch", "handle", "verify", "close"] { _ = try await Self.act(client, aid, community, step) }
            let v10 = try await Self.get(client, "/cases/\(aid)", admin)["overdue"]
            XCTAssertEqual(v10, .bool(false))
            // from/to on the reporting time (Shanghai dates).
            let v11 = try await Self.get(client, "/cases?from=2026-12-01", admin)["numberMatched"]?.intValue
            XCTAssertEqual(v11, 2)
            let v12 = try await Self.get(client, "/cases?to=2026-12-01", admin)["numberMatched"]?.intValue
            XCTAssertEqual(v12, 1)
        }
    }

    func testTheSweepEscalatesOverdueCasesOneLevelAtATime() async throws {
        let env = try makeEnv()
        let (p, grid) = try Self.cell(env, 2, 1)
        let admin = try Self.token(env, .admin)
        let iso = Date.ISO8601FormatStyle()
        try await env.app.test(.router) { client in
            let id = try await Self.postId(client, "/cases", admin, Self.intake(p), status: .created)
            let fresh = try await Self.post(client, "/cases", admin, Self.intake(p, category: "elder_care"), status: .created)
            XCTAssertEqual(try env.services.cases.sweep(), SweepReport(), "nothing is overdue yet")
            env.clock.set(try Date("2026-11-30T16:00:00Z", strategy: iso))  // midnight in Shanghai
            var r = try env.services.cases.sweep()
            XCTAssertEqual(r.escalated, [Int64(id)])
            var c = try await Self.get(client, "/cases/\(id)", admin)
            XCTAssertEqual(c["level"]?.stringValue, "community")
            XCTAssertEqual(c["state"]?.stringValue, "escalated")
            XCTAssertEqual(c["overdue"], .bool(false))
            XCTAssertEqual(c["deadline"]?.stringValue, "2026-12-01T16:00:00.000Z", "a new deadline from the escalation")
            let last = try XCTUnwrap(c["events"]?.arrayValue?.last?.objectValue)
            XCTAssertEqual(last["actor"]?.stringValue, "system")
            XCTAssertEqual(last["action"]?.stringValue, "escalate")
            XCTAssertEqual(last["level"]?.stringValue, "community")
            // The community dispatches; a day later it is overdue again and goes to the district.
            let community = try Self.token(env, .community, community: grid.communityId)
            _ = try await Self.act(client, id, community, "dispatch")
            env.clock.set(try Date("2026-12-01T16:00:00Z", strategy: iso))
            r = try env.services.cases.sweep()
            XCTAssertEqual(r.escalated, [Int64(id)])
            c = try await Self.get(client, "/cases/\(id)", admin)
            XCTAssertEqual(c["level"]?.stringValue, "district")
            // At the top: still overdue the next day, left there, and a manual escalation is a 409.
            env.clock.set(try Date("2026-12-02T16:00:00Z", strategy: iso))
            r = try env.services.cases.sweep()
            XCTAssertEqual(r.escalated, []); XCTAssertEqual(r.atTop, [Int64(id)])
            let e = try await Self.act(client, id, admin, "escalate", status: .conflict)
            XCTAssertTrue(e["description"]?.stringValue?.contains("already at the district level") ?? false)
            let v13 = try await Self.get(client, "/cases/\(id)", admin)["events"]?.arrayValue?.count
            XCTAssertEqual(v13, 4)
            // The complex case (15 days) was never touched.
            let other = try await Self.get(client, "/cases/\(try XCTUnwrap(fresh["id"]?.intValue))", admin)
            XCTAssertEqual(other["events"]?.arrayValue?.count, 1)
        }
    }

    // MARK: routing

    func testAGCJ02ReportLandsInTheGridThatAssignNames() async throws {
        let env = try makeEnv()
        let admin = try Self.token(env, .admin)
        let e = Self.city.extent
        let transform = try CoordinateTransform(.gcj02)
        try await env.app.test(.router) { client in
            var rng = SplitMix64(seed: 11)
            for _ in 0..<12 {
                let w = Coordinate(e.minLon + (e.maxLon - e.minLon) * rng.unit(), e.minLat + (e.maxLat - e.minLat) * rng.unit())
                let g = ChinaDatum.wgs84ToGCJ02(w)
                XCTAssertLessThan(Geodesic.distance(try transform.toWGS84(g), w), 0.01)
                let assigned = try await client.execute(uri: "/assign?lon=\(g.lon)&lat=\(g.lat)&crs=gcj02", method: .get) { r in
                    try Self.json(r.body)["properties"]?.objectValue?["grid"]?.objectValue?["id"]?.stringValue
                }
                let c = try await Self.post(client, "/cases", admin, Self.intake(g, crs: "gcj02"), status: .created)
                XCTAssertEqual(c["grid_id"]?.stringValue, assigned)
                XCTAssertEqual(c["input_crs"]?.stringValue, "gcj02")
                XCTAssertEqual(c["input_lon"]?.doubleValue, g.lon)
                XCTAssertLessThan(Geodesic.distance(Coordinate(try XCTUnwrap(c["lon"]?.doubleValue), try XCTUnwrap(c["lat"]?.doubleValue)), w), 0.01)
            }
        }
    }

    func testANulCharacterIsRefusedNotCutOff() async throws {
        let env = try makeEnv()
        let admin = try Self.token(env, .admin)
        let p = Self.city.extent
        let inside = Coordinate((p.minLon + p.maxLon) / 2, (p.minLat + p.maxLat) / 2)
        try await env.app.test(.router) { client in
            for extra in [#","description":"a\u0000b""#, #","contact":"139\u00000000""#] {
                let text = Self.intake(inside).dropLast() + extra + "}"
                let body = try await Self.post(client, "/cases", admin, String(text), status: .badRequest)
                XCTAssertTrue(body["description"]?.stringValue?.contains("U+0000") == true, "\(body)")
            }
        }
    }

    func testAPointFarFromEveryGridIsRefusedNotRouted() async throws {
        let env = try makeEnv()
        let admin = try Self.token(env, .admin)
        let e = Self.city.extent
        // 0,0 (a GPS fix that failed) and a point ~12 km west of the city: refused, nothing stored;
        // ~8 km west is still taken for triage.
        let before = try env.services.db.caseStateCounts(now: Date()).byState.values.reduce(0, +)
        try await env.app.test(.router) { client in
            for p in [Coordinate(0, 0), Coordinate(e.minLon - 0.125, (e.minLat + e.maxLat) / 2)] {
                let body = try await Self.post(client, "/cases", admin, Self.intake(p), status: .badRequest)
                XCTAssertTrue(body["description"]?.stringValue?.contains("from the nearest grid") == true, "\(body)")
                XCTAssertEqual(body["field"]?.stringValue, "lon,lat")
            }
            XCTAssertEqual(try env.services.db.caseStateCounts(now: Date()).byState.values.reduce(0, +), before)
            let near = Coordinate(e.minLon - 0.08, (e.minLat + e.maxLat) / 2)
            let c = try await Self.post(client, "/cases", admin, Self.intake(near), status: .created)
            XCTAssertEqual(c["outside_grids"], .bool(true))
        }
    }

    func testOutsideEveryGridGoesToTheNearestGridsCommunityFlagged() async throws {
        let env = try makeEnv()
        let admin = try Self.token(env, .admin)
        let e = Self.city.extent
        let p = Coordinate(e.minLon - 0.003, e.minLat + 0.001)
        let nearest = try XCTUnwrap(try env.services.indexes.current().assignment.assign(p).nearest)
        try await env.app.test(.router) { client in
            let c = try await Self.post(client, "/cases", admin, Self.intake(p), status: .created)
            XCTAssertEqual(c["outside_grids"], .bool(true))
            XCTAssertEqual(c["grid_id"], nil)
            XCTAssertEqual(c["nearest_grid_id"]?.stringValue, nearest.grid.id)
            XCTAssertEqual(c["community_id"]?.stringValue, nearest.grid.communityId)
            XCTAssertEqual(c["level"]?.stringValue, "community", "triage is the community's")
            XCTAssertEqual(try XCTUnwrap(c["nearest_m"]?.doubleValue), nearest.metres, accuracy: 1e-6)
            // The community triages it into a grid of its own.
            let community = try Self.token(env, .community, community: nearest.grid.communityId)
            let moved = try await Self.act(client, try XCTUnwrap(c["id"]?.intValue), community, "reroute", extra: #","grid_id":"\#(nearest.grid.id)""#)
            XCTAssertEqual(moved["grid_id"]?.stringValue, nearest.grid.id)
            XCTAssertEqual(moved["outside_grids"], .bool(false))
            XCTAssertEqual(moved["worker_name"]?.stringValue, nearest.grid.workerName)
        }
    }

    func testOpenCasesAreReroutedAfterABoundaryReimportAndKeepTheirGeneration() async throws {
        let env = try makeEnv()
        let admin = try Self.token(env, .admin)
        let (p, grid) = try Self.cell(env, 1, 1)
        let (q, gridQ) = try Self.cell(env, 2, 2)
        let g1 = try env.db.currentGeneration()
        try await env.app.test(.router) { client in
            let open = try await Self.postId(client, "/cases", admin, Self.intake(p), status: .created)
            let closed = try await Self.postId(client, "/cases", admin, Self.intake(p), status: .created)
            let stays = try await Self.postId(client, "/cases", admin, Self.intake(q), status: .created)
            _ = try await Self.act(client, closed, admin, "reject", extra: #","reason":"invalid""#)
            // Re-import the grids with the grid at p renamed: p now lies in another grid.
            let renamed = Self.city.grids.map { g in
                let id = g.id == grid.id ? g.id + "9" : g.id
                return "{\"type\":\"Feature\",\"properties\":{\"id\":\"\(id)\",\"community_id\":\"\(g.communityId)\",\"worker_name\":\"新\(id.suffix(2))\"},\"geometry\":\(GeoJSON.text(.multiPolygon(g.geometry)))}"
            }
            try env.db.importGeoJSON(.grids, data: Data("{\"type\":\"FeatureCollection\",\"features\":[\(renamed.joined(separator: ","))]}".utf8))
            let g2 = try env.db.currentGeneration()
            XCTAssertGreaterThan(g2, g1)
            try env.services.indexes.reload()
            let r = try env.services.cases.sweep()
            XCTAssertEqual(r.rerouted, [Int64(open)])
            XCTAssertEqual(r.checked, 1)
            let c = try await Self.get(client, "/cases/\(open)", admin)
            XCTAssertEqual(c["grid_id"]?.stringValue, grid.id + "9")
            XCTAssertEqual(c["generation"]?.intValue, Int(g1), "the case keeps the generation it was first assigned under")
            XCTAssertEqual(c["routed_generation"]?.intValue, Int(g2))
            let last = try XCTUnwrap(c["events"]?.arrayValue?.last?.objectValue)
            XCTAssertEqual(last["action"]?.stringValue, "reroute")
            XCTAssertEqual(last["actor"]?.stringValue, "system")
            let v14 = try await Self.get(client, "/cases/\(stays)", admin)["grid_id"]?.stringValue
            XCTAssertEqual(v14, gridQ.id)
            let v15 = try await Self.get(client, "/cases/\(stays)", admin)["events"]?.arrayValue?.count
            XCTAssertEqual(v15, 1)
            let v16 = try await Self.get(client, "/cases/\(closed)", admin)["grid_id"]?.stringValue
            XCTAssertEqual(v16, grid.id, "closed cases stay as they were")
            // Nothing more to do the second time.
            XCTAssertEqual(try env.services.cases.sweep(), SweepReport())
        }
    }

    // MARK: bad input

    func testBadInputIsA4xxNamingTheFieldAndWritesNothing() async throws {
        let env = try makeEnv()
        let admin = try Self.token(env, .admin)
        let (p, _) = try Self.cell(env, 0, 1)
        let long = String(repeating: "电", count: 4_001)
        let cases: [(String, HTTPResponse.Status, String)] = [
            (#"{"lat":23.01,"category":"garbage","description":"x"}"#, .badRequest, "lon"),
            (#"{"lon":"114.3","lat":23.01,"category":"garbage","description":"x"}"#, .badRequest, "lon"),
            (#"{"lon":114.3,"lat":95,"category":"garbage","description":"x"}"#, .badRequest, "lat"),
            (#"{"lon":114.3,"lat":23.01,"crs":"EPSG:4547","category":"garbage","description":"x"}"#, .badRequest, "lon,lat"),
            (#"{"lon":135.5,"lat":34.7,"crs":"gcj02","category":"garbage","description":"x"}"#, .badRequest, "lon,lat"),
            (#"{"lon":114.3,"lat":23.01,"crs":"mars","category":"garbage","description":"x"}"#, .badRequest, "crs"),
            (Self.intake(p, category: "spaceport"), .badRequest, "category"),
            (#"{"lon":\#(p.lon),"lat":\#(p.lat),"category":"garbage","description":"\#(long)"}"#, .badRequest, "description"),
            (#"{"lon":\#(p.lon),"lat":\#(p.lat),"category":"garbage"}"#, .badRequest, "description"),
            (Self.intake(p, extra: #","photo_urls":["file:///etc/passwd"]"#), .badRequest, "photo_urls[0]"),
            (Self.intake(p, extra: #","accuracy_m":-1"#), .badRequest, "accuracy_m"),
            (Self.intake(p, extra: #","colour":"red""#), .badRequest, "colour"),
            ("[1,2]", .badRequest, "body"),
            ("{\"lon\":", .badRequest, "body"),
        ]
        try await env.app.test(.router) { client in
            for (text, status, field) in cases {
                let e = try await Self.post(client, "/cases", admin, text, status: status)
                XCTAssertEqual(e["field"]?.stringValue, field, text.prefix(120).description)
                XCTAssertEqual(e["status"]?.intValue, Int(status.code))
            }
            // 4,000 characters are fine.
            let ok = #"{"lon":\#(p.lon),"lat":\#(p.lat),"category":"garbage","description":"\#(String(repeating: "电", count: 4_000))"}"#
            _ = try await Self.post(client, "/cases", admin, ok, status: .created)
            XCTAssertEqual(try env.db.caseCount(CaseQuery()), 1, "no failed intake left a case")
            // Wrong content type.
            try await client.execute(uri: "/cases", method: .post, headers: [.authorization: "Bearer \(admin)", .contentType: "text/plain"],
                                     body: Self.body(Self.intake(p))) { r in
                XCTAssertEqual(r.status, .unsupportedMediaType)
                XCTAssertEqual(try Self.json(r.body)["field"]?.stringValue, "Content-Type")
            }
            // Unknown case, bad id, unknown action, unknown grid, bad list filters.
            let v17 = try await Self.get(client, "/cases/999", admin, status: .notFound)["field"]?.stringValue
            XCTAssertEqual(v17, "caseId")
            _ = try await Self.get(client, "/cases/abc", admin, status: .badRequest)
            let v18 = try await Self.act(client, 1, admin, "teleport", status: .badRequest)["field"]?.stringValue
            XCTAssertEqual(v18, "action")
            let v19 = try await Self.act(client, 999, admin, "file", status: .notFound)["field"]?.stringValue
            XCTAssertEqual(v19, "caseId")
            let v20 = try await Self.act(client, 1, admin, "reroute", extra: #","grid_id":"nope""#, status: .badRequest)["field"]?.stringValue
            XCTAssertEqual(v20, "grid_id")
            for (q, field) in [("state=lost", "state"), ("overdue=maybe", "overdue"), ("from=yesterday", "from"), ("limit=0", "limit"), ("colour=red", "colour")] {
                let v21 = try await Self.get(client, "/cases?\(q)", admin, status: .badRequest)["field"]?.stringValue
                XCTAssertEqual(v21, field, q)
            }
            XCTAssertEqual(try env.db.caseEvents(caseId: 1).count, 1, "failed actions left no event")
        }
    }

    func testCaseCategoriesRoute() async throws {
        let env = try makeEnv()
        try await env.app.test(.router) { client in
            let o = try await Self.get(client, "/case-categories", nil)
            let codes = o["categories"]?.arrayValue?.compactMap { $0.objectValue?["code"]?.stringValue } ?? []
            XCTAssertEqual(codes, try env.db.caseCategories().map(\.code))
            XCTAssertTrue(codes.contains("other"))
        }
    }

    /// Pages of `GET /cases` link to each other with the request's own filters kept, so a client
    /// can walk every case by following `next` (and back by `prev`).
    func testTheListLinksItsPagesWithTheFiltersKept() async throws {
        let env = try makeEnv()
        let admin = try Self.token(env, .admin), reporter = try Self.token(env, .reporter)
        let (p, _) = try Self.cell(env, 1, 1)
        try await env.app.test(.router) { client in
            var reported: Set<Int> = []
            for _ in 0..<5 { reported.insert(try await Self.postId(client, "/cases", reporter, Self.intake(p), status: .created)) }
            func rel(_ o: JSONObject, _ r: String) -> String? {
                o["links"]?.arrayValue?.first { $0.objectValue?["rel"]?.stringValue == r }?.objectValue?["href"]?.stringValue
            }
            func relative(_ href: String) throws -> String {
                let u = try XCTUnwrap(URLComponents(string: href))
                return u.percentEncodedPath + (u.percentEncodedQuery.map { "?" + $0 } ?? "")
            }
            var seen: [Int] = []
            var next: String? = "/cases?state=reported&limit=2"
            var pages = 0
            while let uri = next {
                let o = try await Self.get(client, uri, admin)
                pages += 1
                seen += o["cases"]?.arrayValue?.compactMap { $0.objectValue?["id"]?.intValue } ?? []
                let here = try relative(try XCTUnwrap(rel(o, "self")))
                XCTAssertTrue(here.contains("state=reported") && here.contains("limit=2"), here)
                if pages == 1 { XCTAssertNil(rel(o, "prev")) } else {
                    let prev = try relative(try XCTUnwrap(rel(o, "prev")))
                    XCTAssertTrue(prev.contains("state=reported"), prev)
                }
                next = try rel(o, "next").map(relative)
                XCTAssertLessThanOrEqual(pages, 3)
            }
            XCTAssertEqual(pages, 3)
            let twice = try await Self.get(client, "/cases?limit=2&limit=3", admin, status: .badRequest)
            XCTAssertEqual(twice["field"]?.stringValue, "limit", "a repeated parameter is refused, not read first-wins")
            XCTAssertEqual(Set(seen), reported)
            XCTAssertEqual(seen.count, 5, "no case twice")
        }
    }
}
