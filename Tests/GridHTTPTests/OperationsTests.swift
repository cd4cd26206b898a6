import Foundation
@testable import GridHTTP
import GridStore
import Hummingbird
import HummingbirdTesting
import XCTest

/// The operations middleware through the real router: rate limits per token, the request id,
/// `/metrics`, the body limit.
final class OperationsTests: XCTestCase {
    func testTokenBucketAllowsTheBurstThenTheRateAndForgetsNobodyItStillLimits() {
        let limiter = RateLimiter(RateLimit(perSecond: 2, burst: 3))
        let a = RateLimiter.Client.token(1), b = RateLimiter.Client.address("10.0.0.9")
        let t0: UInt64 = 1_000_000_000_000
        for k in 0..<3 { XCTAssertNil(limiter.take(a, now: t0), "request \(k) within the burst") }
        XCTAssertEqual(limiter.take(a, now: t0), 1, "empty bucket: one token comes back in 0.5 s, said as 1 s")
        XCTAssertNil(limiter.take(b, now: t0), "another client has its own bucket")
        XCTAssertNil(limiter.take(a, now: t0 + 500_000_000), "refilled at 2/s")
        XCTAssertNotNil(limiter.take(a, now: t0 + 500_000_000))
        // Long idle: both buckets are full again, and the sweep forgets them.
        XCTAssertNil(limiter.take(.token(7), now: t0 + 100_000_000_000))
        XCTAssertEqual(limiter.trackedClients, 1, "idle clients forgotten, only the new one kept")
        let slow = RateLimiter(try! RateLimit(parsing: "30/min", burst: 1))
        XCTAssertNil(slow.take(a, now: t0))
        XCTAssertEqual(slow.take(a, now: t0), 2, "30/min: a token every 2 s")
        XCTAssertThrowsError(try RateLimit(parsing: "fast", burst: nil))
        XCTAssertTrue(try RateLimit(parsing: "0", burst: nil).isOff)
    }

    func testOneNoisyTokenIsLimitedWhileAnotherIsServed() async throws {
        let services = try thirtyDistrictServices(self)
        let (_, noisy) = try services.db.createToken(role: .district, districtId: "D3", name: "script")
        let (_, quiet) = try services.db.createToken(role: .district, districtId: "D4", name: "planner")
        let ops = OperationsConfig(rateLimit: RateLimit(perSecond: 1, burst: 5), rateLimitLoopback: true)
        let app = Application(router: buildRouter(services, operations: ops))
        try await app.test(.router) { client in
            var statuses: [HTTPResponse.Status] = []
            for _ in 0..<8 {
                try await client.execute(uri: "/health", method: .get, headers: [.authorization: "Bearer \(noisy)"]) { r in
                    statuses.append(r.status)
                    if r.status == .tooManyRequests {
                        XCTAssertNotNil(r.headers[.retryAfter].flatMap(Int.init), "Retry-After in whole seconds")
                        let body = try JSONDecoder().decode(ErrorBody.self, from: Data(buffer: r.body))
                        XCTAssertEqual(body.code, "TooManyRequests")
                        XCTAssertEqual(body.status, 429)
                    }
                }
            }
            XCTAssertEqual(statuses.filter { $0 == .ok }.count, 5, "the burst")
            XCTAssertEqual(statuses.filter { $0 == .tooManyRequests }.count, 3)
            try await client.execute(uri: "/health", method: .get, headers: [.authorization: "Bearer \(quiet)"]) {
                XCTAssertEqual($0.status, .ok, "another token is served")
            }
            try await client.execute(uri: "/health", method: .get) { XCTAssertEqual($0.status, .ok, "anonymous has its own bucket") }
        }
        // Default: in-process requests (no socket address, like loopback) are never limited.
        let open = Application(router: buildRouter(services, operations: OperationsConfig(rateLimit: RateLimit(perSecond: 1, burst: 1))))
        try await open.test(.router) { client in
            for _ in 0..<5 { try await client.execute(uri: "/health", method: .get) { XCTAssertEqual($0.status, .ok) } }
        }
    }

    func testRequestIdIsEchoedAndASaneIncomingOneReused() async throws {
        let app = Application(router: buildRouter(try thirtyDistrictServices(self)))
        try await app.test(.router) { client in
            var seen: Set<String> = []
            for _ in 0..<2 {
                try await client.execute(uri: "/health", method: .get) { r in
                    let id = try XCTUnwrap(r.headers[.xRequestID])
                    XCTAssertFalse(id.isEmpty)
                    seen.insert(id)
                }
            }
            XCTAssertEqual(seen.count, 2, "a new id per request")
            try await client.execute(uri: "/health", method: .get, headers: [.xRequestID: "proxy-42.abc"]) {
                XCTAssertEqual($0.headers[.xRequestID], "proxy-42.abc")
            }
            try await client.execute(uri: "/nope", method: .get, headers: [.xRequestID: "proxy-43"]) {
                XCTAssertEqual($0.status, .notFound)
                XCTAssertEqual($0.headers[.xRequestID], "proxy-43", "errors carry it too")
            }
            for insane in [String(repeating: "x", count: 129), "has space", "中文"] {
                try await client.execute(uri: "/health", method: .get, headers: [.xRequestID: insane]) {
                    XCTAssertNotEqual($0.headers[.xRequestID], insane)
                    XCTAssertNotNil($0.headers[.xRequestID])
                }
            }
        }
    }

    func testMetricsCountRequestsByRoutePatternAndShowTheIndexSet() async throws {
        let services = try thirtyDistrictServices(self)
        let app = Application(router: buildRouter(services))
        try await app.test(.router) { client in
            func scrape() async throws -> String {
                try await client.execute(uri: "/metrics", method: .get) { r in
                    XCTAssertEqual(r.status, .ok)
                    XCTAssertEqual(r.headers[.contentType], "text/plain; version=0.0.4; charset=utf-8")
                    return String(buffer: r.body)
                }
            }
            func value(_ text: String, _ prefix: String) -> Double {
                text.split(separator: "\n").first { $0.hasPrefix(prefix + " ") }.flatMap { Double($0.split(separator: " ").last!) } ?? 0
            }
            let key = #"http_requests_total{route="/collections/{collectionId}/items",method="GET",status="200"}"#
            let before = value(try await scrape(), key)
            for layer in ["grids", "districts", "grids"] {
                try await client.execute(uri: "/collections/\(layer)/items?limit=1", method: .get) { XCTAssertEqual($0.status, .ok) }
            }
            let text = try await scrape()
            XCTAssertEqual(value(text, key) - before, 3, "counted under the route pattern, not the raw paths")
            XCTAssertFalse(text.contains("/collections/grids/items"), "raw paths never become labels")
            XCTAssertTrue(text.contains(#"http_request_duration_seconds_bucket{route="/collections/{collectionId}/items""#))
            let set = try services.indexes.current()
            XCTAssertEqual(value(text, #"wangge_index_features{layer="grids"}"#), Double(set.assignment.gridInfo.count))
            XCTAssertEqual(value(text, "wangge_boundary_generation"), Double(set.generation))
            XCTAssertEqual(value(text, #"wangge_boundary_imports{layer="grids"}"#),
                           Double(try services.db.generations().filter { $0.layer == "grids" }.count))
        }
    }

    func testABodyOverTheLimitIs413BeforeItIsRead() async throws {
        let app = Application(router: buildRouter(try thirtyDistrictServices(self), operations: OperationsConfig(maxBodyBytes: 1 << 20)))
        try await app.test(.router) { client in
            let big = ByteBuffer(repeating: UInt8(ascii: "a"), count: (1 << 20) + 1)
            try await client.execute(uri: "/assign", method: .post, headers: [.contentType: "text/csv"], body: big) { r in
                XCTAssertEqual(r.status, .contentTooLarge)
                XCTAssertEqual(try JSONDecoder().decode(ErrorBody.self, from: Data(buffer: r.body)).code, "PayloadTooLarge")
            }
        }
    }

    func testJSONLogLinesAreOneObjectPerLine() throws {
        let lines = Lines()
        var logger = Logger(label: "wangge") { JSONLogHandler(label: $0, sink: JSONLogSink { lines.append($0) }) }
        logger[metadataKey: "hb.request.id"] = "abc"
        logger.info("hello \"world\"\nsecond", metadata: ["n": .stringConvertible(3), "list": ["a", "b"]])
        let got = lines.all
        XCTAssertEqual(got.count, 1)
        XCTAssertTrue(got[0].hasSuffix("\n"))
        XCTAssertEqual(got[0].filter { $0 == "\n" }.count, 1, "one line")
        let obj = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(got[0].utf8)) as? [String: Any])
        XCTAssertEqual(obj["message"] as? String, "hello \"world\"\nsecond")
        XCTAssertEqual(obj["level"] as? String, "info")
        XCTAssertEqual(obj["label"] as? String, "wangge")
        let meta = try XCTUnwrap(obj["metadata"] as? [String: Any])
        XCTAssertEqual(meta["hb.request.id"] as? String, "abc")
        XCTAssertEqual(meta["n"] as? String, "3")
        XCTAssertEqual(meta["list"] as? [String], ["a", "b"])
        XCTAssertNotNil(ISO8601DateFormatter().date(from: (obj["time"] as? String ?? "").replacingOccurrences(of: #"\.\d+"#, with: "", options: .regularExpression)))
    }
}

import Logging
import Synchronization

final class Lines: Sendable {
    private let store = Mutex<[String]>([])
    func append(_ s: String) { store.withLock { $0.append(s) } }
    var all: [String] { store.withLock { $0 } }
}
