import Foundation
import GridGeo
@testable import GridHTTP
import GridStore
import Hummingbird
import HummingbirdTesting
import XCTest

/// HTTP as browsers and GIS clients speak it (issue 8 §3), through the real router: HEAD on every
/// GET route, 405 with Allow, OPTIONS, CORS.
final class HTTPSemanticsTests: XCTestCase {
    func makeRouter(cors: CORSPolicy = .anyOrigin) throws -> Router<WanggeRequestContext> {
        buildRouter(try thirtyDistrictServices(self), cors: cors)
    }

    /// A request path for a routed path pattern, with its parameters filled in.
    static func concrete(_ pattern: String) -> String {
        pattern.replacingOccurrences(of: "{collectionId}", with: "districts")
            .replacingOccurrences(of: "{featureId}", with: "D3")
            .replacingOccurrences(of: "/static/leaflet/images/{file}", with: "/static/leaflet/images/layers.png")
            .replacingOccurrences(of: "{file}", with: "leaflet.js")
    }

    /// RFC 9110 §9.3.2: HEAD is GET without the body, with the same status and header fields.
    func testHeadAnswersEveryGetRouteLikeGetWithoutABody() async throws {
        let router = try makeRouter()
        let paths = router.routes.filter { $0.method == .get }.map { Self.concrete($0.path.description) }
        XCTAssertGreaterThan(paths.count, 10)
        // Some with the query that makes them answer 200, some with one that makes them fail.
        let uris = paths + ["/assign?lon=114.005&lat=23.005", "/collections/grids/items?limit=3", "/collections/districts/items?bbox=x"]
        try await Application(router: router).test(.router) { client in
            for uri in uris {
                let get = try await client.execute(uri: uri, method: .get)
                let head = try await client.execute(uri: uri, method: .head)
                XCTAssertEqual(head.status, get.status, uri)
                XCTAssertEqual(head.body.readableBytes, 0, "\(uri): HEAD has no body")
                XCTAssertEqual(head.headers[.contentType], get.headers[.contentType], uri)
                // /metrics counts every request, the GET just before included: its length moves.
                if uri != "/metrics" {
                    XCTAssertEqual(head.headers[.contentLength], String(get.body.readableBytes), "\(uri): the length of the GET body")
                }
                XCTAssertEqual(head.headers[OGC.Header.contentCRS], get.headers[OGC.Header.contentCRS], uri)
            }
            for (uri, status) in [("/health", HTTPResponse.Status.ok), ("/collections/grids/items", .ok), ("/collections/districts/items/nope", .notFound),
                                  ("/no/such/route", .notFound)] {
                let head = try await client.execute(uri: uri, method: .head)
                XCTAssertEqual(head.status, status, uri)
                XCTAssertEqual(head.body.readableBytes, 0, uri)
            }
        }
    }

    /// RFC 9110 §15.5.6: a known resource hit with a method it does not answer is a 405 naming
    /// the methods it does answer; an unknown path stays a 404.
    func testWrongMethodOnAKnownPathIs405WithAllow() async throws {
        let router = try makeRouter()
        let methodsByPath = Dictionary(router.routes.map { (Self.concrete($0.path.description), Set([$0.method])) }, uniquingKeysWith: { $0.union($1) })
        try await Application(router: router).test(.router) { client in
            for (path, routed) in methodsByPath {
                var expected = routed.union([.options])
                if routed.contains(.get) { expected.insert(.head) }
                for method in [HTTPRequest.Method.post, .put, .patch, .delete] where !routed.contains(method) {
                    try await client.execute(uri: path, method: method) { r in
                        XCTAssertEqual(r.status, .methodNotAllowed, "\(method) \(path)")
                        let allow = Set((r.headers[.allow] ?? "").split(separator: ",").map { HTTPRequest.Method(String($0.trimmingCharacters(in: .whitespaces)))! })
                        XCTAssertEqual(allow, expected, "\(method) \(path)")
                        let body = try JSONDecoder().decode(ErrorBody.self, from: Data(r.body.readableBytesView))
                        XCTAssertEqual(body.code, "MethodNotAllowed")
                        XCTAssertEqual(body.status, 405)
                    }
                }
            }
            try await client.execute(uri: "/assign", method: .delete) { r in
                XCTAssertEqual(r.status, .methodNotAllowed)
                XCTAssertEqual(r.headers[.allow], "GET, HEAD, POST, OPTIONS")
                XCTAssertEqual(r.headers[.contentType], "application/json; charset=utf-8")
            }
            try await client.execute(uri: "/collections/grids/items/441302001001001", method: .put) { r in
                XCTAssertEqual(r.status, .methodNotAllowed)
                XCTAssertEqual(r.headers[.allow], "GET, HEAD, OPTIONS")
            }
            for (uri, method) in [("/no/such/route", HTTPRequest.Method.delete), ("/collections/grids/items/a/b", .get), ("/healthz", .options)] {
                try await client.execute(uri: uri, method: method) { r in
                    XCTAssertEqual(r.status, .notFound, "\(method) \(uri)")
                    XCTAssertNil(r.headers[.allow])
                }
            }
        }
    }

    /// RFC 9110 §9.3.7: OPTIONS on a known path says what it answers.
    func testOptionsOnAKnownPathListsItsMethods() async throws {
        try await Application(router: try makeRouter()).test(.router) { client in
            for (uri, allow) in [("/collections", "GET, HEAD, OPTIONS"), ("/assign", "GET, HEAD, POST, OPTIONS"),
                                 ("/collections/stations/items/KE104%2F2-149", "GET, HEAD, OPTIONS"), ("/", "GET, HEAD, OPTIONS")] {
                try await client.execute(uri: uri, method: .options) { r in
                    XCTAssertEqual(r.status, .noContent, uri)
                    XCTAssertEqual(r.headers[.allow], allow, uri)
                    XCTAssertNil(r.headers[.accessControlAllowOrigin], "no Origin, no CORS")
                }
            }
        }
    }

    /// CORS on by default for reads: answers, errors and preflights carry the headers a browser
    /// needs; writes and unknown paths do not.
    func testCORSIsOnForReadsByDefault() async throws {
        let origin: HTTPFields = [.origin: "https://maps.example.org"]
        try await Application(router: try makeRouter()).test(.router) { client in
            for uri in ["/collections/districts/items?limit=2", "/collections", "/assign?lon=114.005&lat=23.005", "/health"] {
                for method in [HTTPRequest.Method.get, .head] {
                    try await client.execute(uri: uri, method: method, headers: origin) { r in
                        XCTAssertEqual(r.headers[.accessControlAllowOrigin], "*", "\(method) \(uri)")
                        XCTAssertTrue(r.headers[.accessControlExposeHeaders]?.contains("Content-Crs") ?? false, uri)
                        XCTAssertNil(r.headers[.accessControlAllowCredentials])
                    }
                }
            }
            // A page can read why its request failed.
            for uri in ["/collections/nope/items", "/collections/districts/items?limit=ten"] {
                try await client.execute(uri: uri, method: .get, headers: origin) { r in
                    XCTAssertGreaterThanOrEqual(r.status.code, 400)
                    XCTAssertEqual(r.headers[.accessControlAllowOrigin], "*", uri)
                }
            }
            // Preflight of a read.
            var preflight = origin
            preflight[.accessControlRequestMethod] = "GET"
            preflight[.accessControlRequestHeaders] = "accept"
            try await client.execute(uri: "/collections/grids/items", method: .options, headers: preflight) { r in
                XCTAssertEqual(r.status, .noContent)
                XCTAssertEqual(r.headers[.accessControlAllowOrigin], "*")
                XCTAssertEqual(r.headers[.accessControlAllowMethods], "GET, HEAD")
                XCTAssertTrue(r.headers[.accessControlAllowHeaders]?.lowercased().contains("accept") ?? false)
                XCTAssertNotNil(r.headers[.accessControlMaxAge])
            }
            // Not for writes, not for paths that do not exist.
            preflight[.accessControlRequestMethod] = "POST"
            try await client.execute(uri: "/assign", method: .options, headers: preflight) { r in
                XCTAssertNil(r.headers[.accessControlAllowOrigin])
                XCTAssertNil(r.headers[.accessControlAllowMethods])
            }
            try await client.execute(uri: "/assign", method: .post, headers: [.origin: "https://maps.example.org", .contentType: "text/csv"],
                                     body: ByteBuffer(string: "id,lon,lat\na,114.005,23.005\n")) { r in
                XCTAssertEqual(r.status, .ok)
                XCTAssertNil(r.headers[.accessControlAllowOrigin])
            }
            preflight[.accessControlRequestMethod] = "GET"
            try await client.execute(uri: "/no/such/route", method: .options, headers: preflight) { r in
                XCTAssertEqual(r.status, .notFound)
                XCTAssertNil(r.headers[.accessControlAllowOrigin])
            }
            try await client.execute(uri: "/collections", method: .get) { r in
                XCTAssertNil(r.headers[.accessControlAllowOrigin], "no Origin, no CORS")
            }
        }
    }

    func testCORSCanBeLimitedToOriginsOrTurnedOff() async throws {
        let allowed = "https://maps.example.org"
        try await Application(router: try makeRouter(cors: try CORSPolicy(parsing: ["\(allowed), http://localhost:5173"]))).test(.router) { client in
            try await client.execute(uri: "/collections", method: .get, headers: [.origin: allowed]) { r in
                XCTAssertEqual(r.headers[.accessControlAllowOrigin], allowed)
                XCTAssertEqual(r.headers[.vary], "Origin", "caches must key on Origin")
            }
            try await client.execute(uri: "/collections", method: .get, headers: [.origin: "https://evil.example"]) { r in
                XCTAssertEqual(r.status, .ok)
                XCTAssertNil(r.headers[.accessControlAllowOrigin])
            }
            try await client.execute(uri: "/collections", method: .options,
                                     headers: [.origin: "http://localhost:5173", .accessControlRequestMethod: "GET"]) { r in
                XCTAssertEqual(r.headers[.accessControlAllowOrigin], "http://localhost:5173")
            }
        }
        try await Application(router: try makeRouter(cors: try CORSPolicy(parsing: ["none"]))).test(.router) { client in
            try await client.execute(uri: "/collections", method: .get, headers: [.origin: allowed]) { r in
                XCTAssertEqual(r.status, .ok)
                XCTAssertNil(r.headers[.accessControlAllowOrigin])
            }
            try await client.execute(uri: "/collections", method: .options, headers: [.origin: allowed, .accessControlRequestMethod: "GET"]) { r in
                XCTAssertNil(r.headers[.accessControlAllowOrigin])
            }
        }
    }

    func testCORSOptionParsing() throws {
        XCTAssertEqual(try CORSPolicy(parsing: []), .anyOrigin)
        XCTAssertEqual(try CORSPolicy(parsing: ["*"]), .anyOrigin)
        XCTAssertEqual(try CORSPolicy(parsing: ["none"]), .off)
        XCTAssertEqual(try CORSPolicy(parsing: ["NONE"]), .off)
        XCTAssertEqual(try CORSPolicy(parsing: ["https://a.example", "http://b.example:8080"]), .origins(["https://a.example", "http://b.example:8080"]))
        XCTAssertEqual(try CORSPolicy(parsing: ["https://a.example,https://b.example"]), .origins(["https://a.example", "https://b.example"]))
        for bad in [["a.example"], ["*", "https://a.example"], ["none,https://a.example"], ["https://a.example/map"]] {
            XCTAssertThrowsError(try CORSPolicy(parsing: bad), "\(bad)")
        }
    }
}
