import Foundation
import GridGeo
@testable import GridHTTP
import GridIO
import GridStore
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import Synchronization
import XCTest

/// Log records kept in memory, to see what the server logged.
final class LogRecords: Sendable {
    struct Record: Sendable { let level: Logger.Level; let message: String; let metadata: [String: String] }
    private let records = Mutex<[Record]>([])
    var all: [Record] { records.withLock { $0 } }
    func append(_ r: Record) { records.withLock { $0.append(r) } }

    var logger: Logger {
        Logger(label: "test") { _ in Handler(sink: self) }
    }

    struct Handler: LogHandler {
        let sink: LogRecords
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .trace
        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }
        func log(level: Logger.Level, message: Logger.Message, metadata extra: Logger.Metadata?, source: String, file: String, function: String, line: UInt) {
            let all = metadata.merging(extra ?? [:]) { $1 }
            sink.append(Record(level: level, message: message.description, metadata: all.mapValues(\.description)))
        }
    }
}

/// The one error table, through the real router: each domain error gets its status and a JSON
/// body of the same shape; anything else is a generic 500 whose detail is only in the log.
final class ErrorTableTests: XCTestCase {
    struct Leaky: Error, CustomStringConvertible {
        var description: String { "SQLite error 11: database disk image is malformed in /srv/secret/path/store.sqlite (SELECT * FROM grids)" }
    }

    func makeRouter() throws -> Router<WanggeRequestContext> {
        let services = try thirtyDistrictServices(self)
        let router = buildRouter(services)
        // Routes that throw what handlers and the libraries below them throw.
        router.get("/test/leak") { _, _ -> String in throw Leaky() }
        router.get("/test/import") { _, _ -> String in
            // A bow tie: the store refuses it, naming the feature.
            let bad = #"{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"id":"G3","name":"x"},"geometry":{"type":"Polygon","coordinates":[[[0,0],[1,1],[1,0],[0,1],[0,0]]]}}]}"#
            try services.db.importGeoJSON(.districts, data: Data(bad.utf8))
            return ""
        }
        router.get("/test/crs") { _, _ -> String in _ = try CRS(parsing: "EPSG:nonsense"); return "" }
        router.get("/test/range") { _, _ -> String in try CoordinateTransform.checkLonLat(Coordinate(lon: 200, lat: 0)); return "" }
        router.get("/test/point") { _, _ -> String in throw PointInputError(line: 7, field: "lat", "not a number: 'abc'") }
        router.get("/test/batch") { _, _ -> String in throw BatchInputError("the input has no header line") }
        router.get("/test/json") { _, _ -> String in _ = try JSONParser.parse("{\"a\": tru}"); return "" }
        router.get("/test/geojson") { _, _ -> String in _ = try GeoJSON.features(from: .string("x")); return "" }
        router.post("/test/too-large") { request, _ -> String in
            var r = request
            _ = try await r.collectBody(upTo: 10)
            return ""
        }
        return router
    }

    static func body(_ r: TestResponse) throws -> ErrorBody {
        XCTAssertEqual(r.headers[.contentType], "application/json; charset=utf-8")
        return try JSONDecoder().decode(ErrorBody.self, from: Data(r.body.readableBytesView))
    }

    func testDomainErrorsMapToTheirStatusAndAJSONBody() async throws {
        let cases: [(String, HTTPResponse.Status, String, String?, Problem?)] = [
            ("/test/import", .unprocessableContent, "InvalidInput", nil, nil),
            ("/test/crs", .badRequest, "InvalidParameterValue", "crs", nil),
            ("/test/range", .badRequest, "InvalidParameterValue", "lon,lat", nil),
            ("/test/point", .badRequest, "InvalidParameterValue", "lat", Problem(message: "not a number: 'abc'", field: "lat", line: 7)),
            ("/test/batch", .badRequest, "InvalidInput", "body", nil),
            ("/test/json", .badRequest, "InvalidParameterValue", "body", nil),
            ("/test/geojson", .badRequest, "InvalidInput", "body", nil),
        ]
        try await Application(router: try makeRouter()).test(.router) { client in
            for (uri, status, code, field, problem) in cases {
                try await client.execute(uri: uri, method: .get) { r in
                    XCTAssertEqual(r.status, status, uri)
                    let b = try Self.body(r)
                    XCTAssertEqual(b.code, code, uri)
                    XCTAssertEqual(b.status, Int(status.code), uri)
                    XCTAssertEqual(b.field, field, uri)
                    XCTAssertFalse(b.description.isEmpty, uri)
                    if let problem { XCTAssertEqual(b.problems?.first, problem, uri) }
                }
            }
            try await client.execute(uri: "/test/import", method: .get) { r in
                let p = try XCTUnwrap(try Self.body(r).problems?.first)
                XCTAssertEqual(p.featureIndex, 0)
                XCTAssertEqual(p.featureId, "G3")
                XCTAssertFalse(p.message.isEmpty)
            }
            try await client.execute(uri: "/test/json", method: .get) { r in
                let p = try XCTUnwrap(try Self.body(r).problems?.first)
                XCTAssertEqual(p.line, 1)
                XCTAssertNotNil(p.column)
            }
            try await client.execute(uri: "/test/too-large", method: .post, body: ByteBuffer(string: String(repeating: "x", count: 100))) { r in
                XCTAssertEqual(r.status, .contentTooLarge)
                XCTAssertEqual(try Self.body(r).code, "PayloadTooLarge")
            }
        }
    }

    /// Issue 8 §3: an unexpected error logs its detail under the request id and sends a generic
    /// JSON body naming only that id.
    func testAnUnexpectedErrorIsAGeneric500AndItsDetailIsLogged() async throws {
        let logs = LogRecords()
        let app = Application(router: try makeRouter(), logger: logs.logger)
        try await app.test(.router) { client in
            for method in [HTTPRequest.Method.get, .head] {
                try await client.execute(uri: "/test/leak", method: method, headers: [.origin: "https://maps.example.org"]) { r in
                    XCTAssertEqual(r.status, .internalServerError)
                    XCTAssertEqual(r.headers[.accessControlAllowOrigin], "*", "a page can see it failed")
                    guard method == .get else { return }
                    let text = String(buffer: r.body)
                    for secret in ["SQLite", "/srv/secret", "SELECT", "Leaky", "malformed"] {
                        XCTAssertFalse(text.contains(secret), "\(secret) leaked: \(text)")
                    }
                    let b = try Self.body(r)
                    XCTAssertEqual(b.code, "ServerError")
                    XCTAssertEqual(b.status, 500)
                    let id = try XCTUnwrap(b.description.split(separator: " ").last.map(String.init))
                    let logged = logs.all.filter { $0.level == .error && $0.metadata["hb.request.id"] == id }
                    XCTAssertEqual(logged.count, 1, "one error logged under request id \(id): \(logs.all)")
                    XCTAssertTrue(logged.first?.metadata["error"]?.contains("/srv/secret/path/store.sqlite") ?? false, "the detail is in the log")
                    XCTAssertEqual(logged.first?.metadata["request"], "GET /test/leak")
                }
            }
        }
    }
}
