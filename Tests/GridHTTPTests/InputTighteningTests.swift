import Foundation
import GridGeo
import GridHTTP
import Hummingbird
import HummingbirdTesting
import XCTest

/// The input rules tightened after a newcomer's first session, through the real router on the
/// nearest-station store: repeated single-valued parameters, non-decimal numbers, empty category
/// codes, infinite radii, bodies of another media type, a CSV without a header.
extension NearestTests {
    static func expectError(_ client: some TestClientProtocol, _ uri: String, method: HTTPRequest.Method = .get, type: String? = nil, body: String? = nil,
                     status: HTTPResponse.Status = .badRequest, field: String, saying words: [String] = [],
                     file: StaticString = #filePath, line: UInt = #line) async throws {
        try await client.execute(uri: uri, method: method, headers: type.map { [.contentType: $0] } ?? [:],
                                 body: body.map { ByteBuffer(string: $0) }) { r in
            XCTAssertEqual(r.status, status, "\(uri): \(String(buffer: r.body))", file: file, line: line)
            XCTAssertTrue(r.headers[.contentType]?.hasPrefix("application/json") ?? false, uri, file: file, line: line)
            let o = try Self.json(r.body)
            XCTAssertEqual(o["field"]?.stringValue, field, uri, file: file, line: line)
            XCTAssertEqual(o["status"]?.intValue, Int(status.code), uri, file: file, line: line)
            let d = o["description"]?.stringValue ?? ""
            for w in words { XCTAssertTrue(d.contains(w), "\(uri): '\(d)' lacks '\(w)'", file: file, line: line) }
        }
    }

    func testARepeatedSingleValuedParameterIsRefused() async throws {
        let p = "lon=\(Self.dup.lon)&lat=\(Self.dup.lat)"
        try await makeApp().test(.router) { client in
            try await Self.expectError(client, "/nearest?\(p)&lon=abc", field: "lon", saying: ["given twice"])
            try await Self.expectError(client, "/nearest?\(p)&k=2&k=3", field: "k", saying: ["given twice"])
            try await Self.expectError(client, "/nearest?k=2&k=3", method: .post, type: "text/csv", body: "id,lon,lat\na,114.3,23\n", field: "k", saying: ["given twice"])
            try await Self.expectError(client, "/assign?\(p)&lat=23.1", field: "lat", saying: ["given twice"])
            try await Self.expectError(client, "/coverage?level=grid&level=compound", field: "level", saying: ["given twice"])
            try await Self.expectError(client, "/coverage/suggest?category=canteen&category=other&tier=15&count=2", field: "category", saying: ["given twice"])
            try await Self.expectError(client, "/collections/grids/items?limit=2&limit=3", field: "limit", saying: ["given twice"])
            // category may repeat (DESIGN §3): the same answer as the comma list.
            var a = "", b = ""
            try await client.execute(uri: "/nearest?\(p)&k=4&category=canteen&category=other", method: .get) { r in
                XCTAssertEqual(r.status, .ok); a = String(buffer: r.body)
            }
            try await client.execute(uri: "/nearest?\(p)&k=4&category=canteen,other", method: .get) { r in
                XCTAssertEqual(r.status, .ok); b = String(buffer: r.body)
            }
            XCTAssertEqual(a, b)
            try await client.execute(uri: "/coverage?level=city&tier=5&tier=10", method: .get) { r in XCTAssertEqual(r.status, .ok) }
        }
    }

    func testOnlyDecimalNumbersAreNumbers() async throws {
        try await makeApp().test(.router) { client in
            for (lon, lat, field) in [("0x10", "23.1", "lon"), ("114.4", "0x1.7p4", "lat"), ("inf", "23.1", "lon"), ("114.4", "nan", "lat"),
                                      ("-infinity", "23.1", "lon"), ("1e400", "23.1", "lon"), ("114.4", "23.1e", "lat"), ("114..4", "23", "lon")] {
                try await Self.expectError(client, "/nearest?lon=\(lon)&lat=\(lat)", field: field)
                try await Self.expectError(client, "/assign?lon=\(lon)&lat=\(lat)", field: field)
            }
            try await Self.expectError(client, "/nearest?lon=\(Self.dup.lon)&lat=\(Self.dup.lat)&max_distance=0x10", field: "max_distance")
            // In a CSV body too (the bulk number parser falls back to strtod only for decimals).
            try await Self.expectError(client, "/nearest", method: .post, type: "text/csv", body: "id,lon,lat\na,0x72,23\n", field: "lon", saying: ["1 bad point(s) of 1"])
            // Decimals in every form people write them still work.
            for (lon, lat) in [("+114.3", "23.05"), ("114.30", "2.305e1"), (" 114.3", "23.05 ")] {
                let q = "lon=\(lon.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!)&lat=\(lat.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!)"
                try await client.execute(uri: "/nearest?\(q)", method: .get) { r in XCTAssertEqual(r.status, .ok, "\(q): \(String(buffer: r.body))") }
            }
        }
    }

    func testEmptyCategoryCodesAndInfiniteRadii() async throws {
        let p = "lon=\(Self.dup.lon)&lat=\(Self.dup.lat)"
        try await makeApp().test(.router) { client in
            try await Self.expectError(client, "/nearest?\(p)&category=canteen,,", field: "category", saying: ["empty code", "canteen,,"])
            try await Self.expectError(client, "/nearest?\(p)&category=,canteen", field: "category", saying: ["empty code"])
            try await Self.expectError(client, "/coverage?category=canteen,,", field: "category", saying: ["empty"])
            for r in ["1e400", "inf", "-inf", "nan"] {
                try await Self.expectError(client, "/coverage?radius=\(r)", field: "radius", saying: ["finite"])
            }
            try await Self.expectError(client, "/coverage?radius=0x10", field: "radius", saying: ["not a number"])
            try await Self.expectError(client, "/coverage/suggest?category=canteen&tier=15&count=2&candidates=lattice&spacing=0x100", field: "spacing")
            try await Self.expectError(client, "/nearest?\(p)&max_distance=1e400", field: "max_distance", saying: ["finite"])
        }
    }

    func testBodiesOfAnotherMediaTypeAre415() async throws {
        let csv = "id,lon,lat\na,\(Self.dup.lon),\(Self.dup.lat)\n"
        try await makeApp().test(.router) { client in
            for route in ["/assign", "/nearest"] {
                for type in ["application/xml", "text/plain", "application/x-www-form-urlencoded"] {
                    try await Self.expectError(client, route, method: .post, type: type, body: csv, status: .unsupportedMediaType, field: "Content-Type",
                                          saying: [type, "application/geo+json", "text/csv"])
                }
                // The accepted ones, with parameters and in any case.
                for type in ["text/csv; charset=utf-8", "Text/CSV", "application/csv"] {
                    try await client.execute(uri: route, method: .post, headers: [.contentType: type], body: ByteBuffer(string: csv)) { r in
                        XCTAssertEqual(r.status, .ok, "\(route) \(type): \(String(buffer: r.body))")
                    }
                }
            }
        }
    }

    func testACSVWithoutAHeaderIsNotCountedAsABadPoint() async throws {
        try await makeApp().test(.router) { client in
            for route in ["/assign", "/nearest"] {
                try await client.execute(uri: route, method: .post, headers: [.contentType: "text/csv"],
                                         body: ByteBuffer(string: "a,114.3,23\nb,114.4,23.1\n")) { r in
                    XCTAssertEqual(r.status, .badRequest)
                    let o = try Self.json(r.body)
                    let d = o["description"]?.stringValue ?? ""
                    XCTAssertTrue(d.contains("line 1 must be a header"), d)
                    XCTAssertFalse(d.contains("bad point"), "the header line is not a point: \(d)")
                    XCTAssertEqual(o["field"]?.stringValue, "lon")
                    XCTAssertEqual(o["problems"]?.arrayValue?.first?.objectValue?["line"]?.intValue, 1)
                }
            }
            // Bad rows are counted among the data rows only.
            try await client.execute(uri: "/nearest", method: .post, headers: [.contentType: "text/csv"],
                                     body: ByteBuffer(string: "id,lon,lat\na,114.3,93\nb,114.3,23\n")) { r in
                XCTAssertEqual(r.status, .badRequest)
                XCTAssertTrue(try Self.json(r.body)["description"]?.stringValue?.hasPrefix("1 bad point(s) of 2") ?? false)
            }
        }
    }

    /// `GET /nearest?lon=&lat=[&k=][&method=]` is read without the query dictionary (PlainNearestQuery);
    /// the answer and the errors are the general path's, byte for byte.
    func testThePlainQueryPathAnswersAsTheGeneralOne() async throws {
        let p = Self.dup
        let pairs: [(plain: String, general: String)] = [
            ("lon=\(p.lon)&lat=\(p.lat)", "lat=\(p.lat)&crs=wgs84&lon=\(p.lon)"),
            ("lon=\(p.lon + 0.01)&lat=\(p.lat)&k=7", "k=7&lon=\(p.lon + 0.01)&lat=\(p.lat)&max_distance=1e7"),
            ("k=0&lon=1&lat=2", "k=0&lon=1&lat=2&crs=wgs84"),
            ("lon=0x10&lat=2", "lon=0x10&lat=2&crs=wgs84"),
            ("lon=&lat=2", "lon=&lat=2&crs=wgs84"),
            ("lon=114.3&lat=95&k=3", "lon=114.3&lat=95&k=3&crs=wgs84"),
            ("lon=\(p.lon)&lat=\(p.lat)&method=straight-line", "method=straight-line&lat=\(p.lat)&crs=wgs84&lon=\(p.lon)"),
            ("method=network&lon=\(p.lon)&lat=\(p.lat)&k=2", "k=2&method=network&lat=\(p.lat)&crs=wgs84&lon=\(p.lon)"),
            ("lon=\(p.lon)&lat=\(p.lat)&method=bogus", "method=bogus&lat=\(p.lat)&crs=wgs84&lon=\(p.lon)"),
        ]
        try await makeApp().test(.router) { client in
            for (plain, general) in pairs {
                var a: (HTTPResponse.Status, String) = (.ok, ""), b: (HTTPResponse.Status, String) = (.ok, "")
                try await client.execute(uri: "/nearest?" + plain, method: .get) { r in a = (r.status, String(buffer: r.body)) }
                try await client.execute(uri: "/nearest?" + general, method: .get) { r in b = (r.status, String(buffer: r.body)) }
                XCTAssertEqual(a.0, b.0, plain)
                XCTAssertEqual(a.1, b.1, plain)
            }
        }
    }
}
