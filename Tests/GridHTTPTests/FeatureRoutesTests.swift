import Foundation
import GridGeo
import GridHTTP
import GridStore
import Hummingbird
import HummingbirdTesting
import XCTest

final class FeatureRoutesTests: XCTestCase {
    func makeApp() throws -> some ApplicationProtocol { Application(router: buildRouter(try thirtyDistrictServices(self))) }

    static func json(_ buffer: ByteBuffer) throws -> JSONObject {
        try XCTUnwrap(try JSONParser.parse(String(buffer: buffer)).objectValue)
    }

    func testHealthLandingAndConformance() async throws {
        try await makeApp().test(.router) { client in
            try await client.execute(uri: "/health", method: .get) { r in
                XCTAssertEqual(r.status, .ok)
                XCTAssertEqual(try Self.json(r.body)["status"], .string("ok"))
            }
            try await client.execute(uri: "/", method: .get) { r in
                let links = try XCTUnwrap(try Self.json(r.body)["links"]?.arrayValue)
                let rels = links.compactMap { $0.objectValue?["rel"]?.stringValue }
                XCTAssertTrue(rels.contains("conformance") && rels.contains("data"))
                for l in links { XCTAssertTrue(l.objectValue?["href"]?.stringValue?.hasPrefix("http://") ?? false, "absolute links") }
            }
            try await client.execute(uri: "/conformance", method: .get) { r in
                XCTAssertEqual(try Self.json(r.body)["conformsTo"]?.arrayValue?.count, 4, "Part 1 core, geojson, oas30; Part 2 crs")
            }
        }
    }

    func testCollectionsItemsPagingAndOneFeature() async throws {
        try await makeApp().test(.router) { client in
            try await client.execute(uri: "/collections", method: .get) { r in
                let ids = try Self.json(r.body)["collections"]?.arrayValue?.compactMap { $0.objectValue?["id"]?.stringValue }
                XCTAssertEqual(ids, Layer.all.map(\.name))
            }
            try await client.execute(uri: "/collections/districts/items?limit=12&offset=12", method: .get) { r in
                XCTAssertEqual(r.status, .ok)
                XCTAssertEqual(r.headers[.contentType], "application/geo+json")
                let o = try Self.json(r.body)
                XCTAssertEqual(o["numberMatched"]?.intValue, 30)
                XCTAssertEqual(o["numberReturned"]?.intValue, 12)
                let (features, _) = try GeoJSON.features(from: .object(o))
                XCTAssertEqual(features.first?.id, "D12")
                let links = o["links"]?.arrayValue?.compactMap(\.objectValue) ?? []
                let next = links.first { $0["rel"]?.stringValue == "next" }?["href"]?.stringValue
                let prev = links.first { $0["rel"]?.stringValue == "prev" }?["href"]?.stringValue
                XCTAssertTrue(next?.hasSuffix("/collections/districts/items?limit=12&offset=24") ?? false, next ?? "no next")
                XCTAssertTrue(prev?.hasSuffix("/collections/districts/items?limit=12") ?? false, prev ?? "no prev")
            }
            try await client.execute(uri: "/collections/districts/items?limit=12&offset=24", method: .get) { r in
                let o = try Self.json(r.body)
                XCTAssertEqual(o["numberReturned"]?.intValue, 6)
                XCTAssertFalse(o["links"]?.arrayValue?.contains { $0.objectValue?["rel"]?.stringValue == "next" } ?? true, "last page has no next")
            }
            try await client.execute(uri: "/collections/districts/items?bbox=114.055,22.9,114.075,23.1&name=%E5%8C%BA0", method: .get) { r in
                let o = try Self.json(r.body)
                let ids = try GeoJSON.features(from: .object(o)).features.compactMap(\.id)
                XCTAssertEqual(ids, ["D6"], "bbox 114.055–114.075 touches D5, D6, D7; of those only D6 has name 区0")
            }
            try await client.execute(uri: "/collections/districts/items/D3", method: .get) { r in
                XCTAssertEqual(r.status, .ok)
                let f = try GeoJSON.feature(try JSONParser.parse(String(buffer: r.body)))
                XCTAssertEqual(f.id, "D3")
                XCTAssertEqual(f.properties["name"], .string("区0"))
            }
        }
    }

    func testBadRequestsGetJSONErrors() async throws {
        let cases: [(String, HTTPResponse.Status, String)] = [
            ("/collections/nope/items", .notFound, "no collection 'nope'"),
            ("/collections/districts/items/nope", .notFound, "no feature 'nope'"),
            ("/collections/districts/items?bbox=1,2,3", .badRequest, "bbox"),
            // 3,2,1,4 is a valid box across the antimeridian (OGCClientInputTests); latitudes may not be reversed.
            ("/collections/districts/items?bbox=1,4,3,2", .badRequest, "minimum is greater"),
            ("/collections/districts/items?bbox=114,23,200,24", .badRequest, "-180..180"),
            ("/collections/districts/items?bbox=a,b,c,d", .badRequest, "finite"),
            ("/collections/districts/items?limit=0", .badRequest, "limit"),
            ("/collections/districts/items?limit=-1", .badRequest, "limit"),
            ("/collections/districts/items?limit=ten", .badRequest, "limit"),
            ("/collections/districts/items?colour=red", .badRequest, "unknown parameter"),
            ("/no/such/route", .notFound, "no route"),
        ]
        try await makeApp().test(.router) { client in
            for (uri, status, text) in cases {
                try await client.execute(uri: uri, method: .get) { r in
                    XCTAssertEqual(r.status, status, uri)
                    XCTAssertEqual(r.headers[.contentType], "application/json; charset=utf-8", uri)
                    let o = try Self.json(r.body)
                    XCTAssertNotNil(o["code"]?.stringValue, uri)
                    XCTAssertTrue(o["description"]?.stringValue?.contains(text) ?? false, "\(uri): \(o["description"] ?? .null)")
                }
            }
        }
    }
}
