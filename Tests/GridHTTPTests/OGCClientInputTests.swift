import Foundation
import GridGeo
@testable import GridHTTP
import GridStore
import Hummingbird
import HummingbirdTesting
import XCTest

/// Requests as GIS clients write them (issue 8 §3), through the real router: percent-encoded
/// feature ids, a bbox across the antimeridian, a limit above the maximum, `datetime`.
final class OGCClientInputTests: XCTestCase {
    static func json(_ buffer: ByteBuffer) throws -> JSONObject {
        try XCTUnwrap(try JSONParser.parse(String(buffer: buffer)).objectValue)
    }

    static func ids(_ buffer: ByteBuffer) throws -> [String] {
        try GeoJSON.features(from: .object(try json(buffer))).features.compactMap(\.id)
    }

    static func link(_ o: JSONObject, _ rel: String) -> String? {
        o["links"]?.arrayValue?.compactMap(\.objectValue).first { $0["rel"]?.stringValue == rel }?["href"]?.stringValue
    }

    /// Districts as GeoJSON features: (id, minLon, minLat, maxLon, maxLat).
    static func districts(_ boxes: [(String, Double, Double, Double, Double)]) -> Data {
        let features = boxes.map { (id, x0, y0, x1, y1) in
            """
            {"type":"Feature","properties":{"id":\(JSONText.quoted(id)),"name":"x"},"geometry":{"type":"Polygon","coordinates":[[[\(x0),\(y0)],[\(x1),\(y0)],[\(x1),\(y1)],[\(x0),\(y1)],[\(x0),\(y0)]]]}}
            """
        }
        return Data("{\"type\":\"FeatureCollection\",\"features\":[\(features.joined(separator: ","))]}".utf8)
    }

    func testFeatureIdsThatNeedPercentEncodingAreFound() async throws {
        let services = try thirtyDistrictServices(self)
        // An import replaces the layer: D3 comes along as an ordinary id.
        let odd = ["KE104/2-149", "惠城-甲1", "with space", "a+b", "100%", "semi;colon", "q?x#y", "D3"]
        try services.db.importGeoJSON(.districts, data: Self.districts(odd.enumerated().map { ($0.element, 120 + Double($0.offset), 10, 120.5 + Double($0.offset), 10.5) }))
        try await Application(router: buildRouter(services)).test(.router) { client in
            for id in odd {
                let path = "/collections/districts/items/\(Links.escapePath(id))"
                try await client.execute(uri: path, method: .get) { r in
                    XCTAssertEqual(r.status, .ok, path)
                    let o = try Self.json(r.body)
                    XCTAssertEqual(o["id"]?.stringValue, id, path)
                    XCTAssertTrue(Self.link(o, "self")?.hasSuffix(path) ?? false, "the self link is the path asked for: \(Self.link(o, "self") ?? "none")")
                }
                // The id filter of the items route (a query parameter) finds it too.
                try await client.execute(uri: "/collections/districts/items?id=\(Links.escape(id))", method: .get) { r in
                    XCTAssertEqual(try Self.ids(r.body), [id], id)
                }
            }
            // Percent-encoded letters are the same id (RFC 3986 §6.2.2.2).
            try await client.execute(uri: "/collections/districts/items/%44%33", method: .get) { r in
                XCTAssertEqual(try Self.json(r.body)["id"]?.stringValue, "D3")
            }
            try await client.execute(uri: "/collections/%64istricts/items/D3", method: .get) { r in XCTAssertEqual(r.status, .ok) }
            try await client.execute(uri: "/collections/districts/items/KE104%2F2-150", method: .get) { r in
                XCTAssertEqual(r.status, .notFound)
                XCTAssertTrue(try Self.json(r.body)["description"]?.stringValue?.contains("'KE104/2-150'") ?? false, "names the decoded id")
            }
            try await client.execute(uri: "/collections/districts/items/bad%zzid", method: .get) { r in
                XCTAssertEqual(r.status, .badRequest)
                XCTAssertEqual(try Self.json(r.body)["field"]?.stringValue, "featureId")
            }
        }
    }

    func testBBoxCrossingTheAntimeridian() async throws {
        let services = try thirtyDistrictServices(self)
        try services.db.importGeoJSON(.districts, data: Self.districts([
            ("E", 179.5, -0.5, 179.9, 0.5), ("W", -179.9, -0.5, -179.5, 0.5), ("Z", -0.5, -0.5, 0.5, 0.5), ("N", 179.5, 40, 179.9, 41),
        ]))
        let cases: [(String, [String])] = [
            ("bbox=170,-10,-170,10", ["E", "W"]),
            ("bbox=179.6,-1,-179.6,1", ["E", "W"]),
            ("bbox=179.95,-1,-179.95,1", []),
            ("bbox=170,-10,-179.7,10", ["E", "W"]),
            ("bbox=179.7,-10,-170,10", ["E", "W"]),
            ("bbox=179.95,-10,-170,10", ["W"]),
            ("bbox=170,-10,-179.95,10", ["E"]),
            ("bbox=170,-10,-170,50", ["E", "W", "N"]),
            // All longitudes but a sliver around 0.
            ("bbox=1,-10,-1,10", ["E", "W"]),
            // EPSG:4326 is latitude first: the same box as the first.
            ("bbox=-10,170,10,-170&bbox-crs=\(Links.escape("http://www.opengis.net/def/crs/EPSG/0/4326"))", ["E", "W"]),
            // An ordinary box is still one box.
            ("bbox=-170,-10,170,10", ["Z"]),
        ]
        try await Application(router: buildRouter(services)).test(.router) { client in
            for (q, want) in cases {
                try await client.execute(uri: "/collections/districts/items?limit=100&\(q)", method: .get) { r in
                    XCTAssertEqual(r.status, .ok, q)
                    XCTAssertEqual(Set(try Self.ids(r.body)), Set(want), q)
                    XCTAssertEqual(try Self.json(r.body)["numberMatched"]?.intValue, want.count, q)
                }
            }
            for q in ["bbox=170,10,-170,-10", "bbox=1,4,3,2", "bbox=170,-10,-190,10",
                      "bbox=2600000,500000,2500000,510000&bbox-crs=\(Links.escape("http://www.opengis.net/def/crs/EPSG/0/4547"))"] {
                try await client.execute(uri: "/collections/districts/items?\(q)", method: .get) { r in
                    XCTAssertEqual(r.status, .badRequest, q)
                    XCTAssertEqual(try Self.json(r.body)["field"]?.stringValue, "bbox", q)
                }
            }
        }
    }

    func testLimitAboveTheMaximumIsServedAsTheMaximumWithANextLink() async throws {
        let services = try thirtyDistrictServices(self)
        let extra = OGC.maxLimit + 20  // two pages at the maximum (the import replaces the thirty districts)
        try services.db.importGeoJSON(.districts, data: Self.districts((0..<extra).map { k in
            let x = 100 + Double(k % 100) * 0.01, y = 10 + Double(k / 100) * 0.01
            return ("M\(k)", x, y, x + 0.01, y + 0.01)
        }))
        try await Application(router: buildRouter(services)).test(.router) { client in
            var next: String?
            for limit in ["50000", String(OGC.maxLimit + 1), "99999999999999999999999"] {
                try await client.execute(uri: "/collections/districts/items?limit=\(limit)&name=x", method: .get) { r in
                    XCTAssertEqual(r.status, .ok, limit)
                    let o = try Self.json(r.body)
                    XCTAssertEqual(o["numberReturned"]?.intValue, OGC.maxLimit, limit)
                    XCTAssertEqual(o["numberMatched"]?.intValue, extra, limit)
                    next = Self.link(o, "next")
                    XCTAssertTrue(next?.hasSuffix("/collections/districts/items?limit=\(OGC.maxLimit)&name=x&offset=\(OGC.maxLimit)") ?? false,
                                  "the next link pages at the limit served: \(next ?? "none")")
                }
            }
            let path = try XCTUnwrap(next.flatMap { URL(string: $0) }.map { $0.path + "?" + ($0.query ?? "") })
            try await client.execute(uri: path, method: .get) { r in
                let o = try Self.json(r.body)
                XCTAssertEqual(o["numberReturned"]?.intValue, extra - OGC.maxLimit)
                XCTAssertNil(Self.link(o, "next"))
            }
            try await client.execute(uri: "/collections/districts/items?limit=\(OGC.maxLimit)", method: .get) { r in
                XCTAssertEqual(try Self.json(r.body)["numberReturned"]?.intValue, OGC.maxLimit)
            }
            for bad in ["0", "-1", "ten", "1.5", "", "+5", "1e3"] {
                try await client.execute(uri: "/collections/districts/items?limit=\(bad)", method: .get) { r in
                    XCTAssertEqual(r.status, .badRequest, bad)
                    XCTAssertEqual(try Self.json(r.body)["field"]?.stringValue, "limit", bad)
                }
            }
        }
    }

    func testDatetimeIsAcceptedOnLayersWithoutTimeAndFiltersNothing() async throws {
        let good = ["2025-01-01T00:00:00Z", "2025-01-01T08:00:00+08:00", "2025-01-01t00:00:00.25z", "2025-01-01",
                    "2025-01-01T00:00:00Z/2025-02-01T00:00:00Z", "2025-01-01T00:00:00Z/..", "../2025-02-01T00:00:00Z",
                    "2025-01-01/", "/2025-01-01"]
        let bad = ["yesterday", "2025-13-01", "2025-02-01T00:00:00Z/2025-01-01T00:00:00Z", "../..", "/", "2025-01-01T00:00:00",
                   "2025-01-01/2025-02-01/2025-03-01"]
        try await Application(router: buildRouter(try thirtyDistrictServices(self))).test(.router) { client in
            var plain: [String] = []
            try await client.execute(uri: "/collections/districts/items?limit=5", method: .get) { r in plain = try Self.ids(r.body) }
            for d in good {
                try await client.execute(uri: "/collections/districts/items?limit=5&datetime=\(Links.escape(d))", method: .get) { r in
                    XCTAssertEqual(r.status, .ok, d)
                    let o = try Self.json(r.body)
                    XCTAssertEqual(try Self.ids(r.body), plain, "\(d): the layers have no time, nothing is filtered")
                    XCTAssertTrue(Self.link(o, "next")?.contains("datetime=\(Links.escape(d))") ?? false, "\(d): kept in paging links")
                }
            }
            for layer in Layer.all {
                try await client.execute(uri: "/collections/\(layer.name)/items?datetime=2025-01-01T00:00:00Z", method: .get) { r in
                    XCTAssertEqual(r.status, .ok, layer.name)
                }
            }
            for d in bad {
                try await client.execute(uri: "/collections/districts/items?datetime=\(Links.escape(d))", method: .get) { r in
                    XCTAssertEqual(r.status, .badRequest, d)
                    XCTAssertEqual(try Self.json(r.body)["field"]?.stringValue, "datetime", d)
                }
            }
        }
    }
}
