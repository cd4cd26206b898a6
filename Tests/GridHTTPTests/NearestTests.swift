import Foundation
import GridAnalysis
import GridIndex
import GridTestSupport
import GridGeo
import GridHTTP
import GridStore
import Hummingbird
import HummingbirdTesting
import XCTest

/// /nearest and /tiers through the real router on a real SpatiaLite store: the generated city
/// plus stations on a jittered lattice, two duplicates at one spot, checked against a geodesic
/// to every station (the brute-force reference).
final class NearestTests: XCTestCase {
    static let city = SyntheticCity(columns: 6, rows: 4)
    static let categories = ["canteen", "health_station", "other"]

    struct Station { let id: String, category: String, point: Coordinate }

    static let stations: [Station] = {
        var rng = SplitMix64(seed: 5)
        let e = city.extent
        var out: [Station] = []
        for i in 0..<120 {
            let p = Coordinate(e.minLon - 0.005 + (e.maxLon - e.minLon + 0.01) * rng.unit(), e.minLat - 0.005 + (e.maxLat - e.minLat + 0.01) * rng.unit())
            out.append(Station(id: String(format: "S%03d", (i * 37) % 127), category: categories[i % 3], point: p))
        }
        out.append(Station(id: "Z2", category: "canteen", point: dup))
        out.append(Station(id: "Z1", category: "canteen", point: dup))
        return out
    }()
    static let dup = Coordinate(SyntheticCity.base.lon + 0.01, SyntheticCity.base.lat + 0.01)

    func makeApp() throws -> some ApplicationProtocol {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("wangge-nearest-http-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: dir) }
        let db = try GridDatabase(path: dir.appendingPathComponent("s.sqlite").path)
        for (name, text) in Self.city.layers() { try db.importGeoJSON(Layer.named(name)!, data: Data(text.utf8)) }
        try db.replaceCategories(Self.categories.map { StationCategory(code: $0, nameZh: $0, nameEn: $0, countsTowardAll: true) }
            + [StationCategory(code: "after_school", nameZh: "四点半课堂", nameEn: "After-school room", countsTowardAll: true)])
        let fs = Self.stations.map { s in
            #"{"type":"Feature","id":"\#(s.id)","properties":{"category":"\#(s.category)","name":"站\#(s.id)","level":"community"},"geometry":{"type":"Point","coordinates":[\#(s.point.lon),\#(s.point.lat)]}}"#
        }
        try db.importGeoJSON(.stations, data: Data(#"{"type":"FeatureCollection","features":[\#(fs.joined(separator: ","))]}"#.utf8))
        return Application(router: buildRouter(AppServices(db: db)))
    }

    /// The reference: (id, metres) sorted by (distance, id).
    static func reference(_ p: Coordinate, k: Int, categories: Set<String>? = nil) -> [(String, Double)] {
        var all: [(String, Double)] = []
        for s in stations where categories?.contains(s.category) ?? true {
            let d: Double = Geodesic.distance(p, s.point)
            all.append((s.id, d))
        }
        all.sort { (a: (String, Double), b: (String, Double)) -> Bool in a.1 != b.1 ? a.1 < b.1 : a.0 < b.0 }
        return Array(all.prefix(k))
    }

    static func json(_ b: ByteBuffer) throws -> JSONObject { try XCTUnwrap(try JSONParser.parse(String(buffer: b)).objectValue) }

    func testGetMatchesTheReference() async throws {
        var rng = SplitMix64(seed: 9)
        let e = Self.city.extent
        let queries = (0..<40).map { _ in Coordinate(e.minLon + (e.maxLon - e.minLon) * rng.unit(), e.minLat + (e.maxLat - e.minLat) * rng.unit()) }
        try await makeApp().test(.router) { client in
            for (n, p) in queries.enumerated() {
                let k = [1, 5, 9][n % 3]
                let cats: [String] = [[], ["canteen"], ["canteen", "other"]][n % 3]
                let uri = "/nearest?lon=\(p.lon)&lat=\(p.lat)" + (n % 3 == 1 ? "" : "&k=\(k)") + cats.map { "&category=\($0)" }.joined()
                try await client.execute(uri: uri, method: .get) { r in
                    XCTAssertEqual(r.status, .ok, String(buffer: r.body))
                    XCTAssertEqual(r.headers[.contentType], "application/geo+json")
                    let o = try Self.json(r.body)
                    XCTAssertEqual(o["method"]?.stringValue, "straight-line")
                    XCTAssertEqual(o["detour_factor"]?.doubleValue, 1)
                    let feats = try XCTUnwrap(o["features"]?.arrayValue)
                    let want = Self.reference(p, k: n % 3 == 1 ? 5 : k, categories: cats.isEmpty ? nil : Set(cats))
                    XCTAssertEqual(feats.compactMap { $0.objectValue?["id"]?.stringValue }, want.map(\.0), uri)
                    for (r, f) in feats.enumerated() {
                        let props = try XCTUnwrap(f.objectValue?["properties"]?.objectValue)
                        XCTAssertEqual(props["rank"]?.intValue, r + 1)
                        let d = try XCTUnwrap(props["distance_m"]?.doubleValue)
                        XCTAssertEqual(d, want[r].1, accuracy: 0.0006)
                        XCTAssertEqual(try XCTUnwrap(props["walk_min"]?.doubleValue), d / (5000.0 / 60), accuracy: 0.001)
                        XCTAssertEqual(props["name"]?.stringValue, "站\(want[r].0)")
                        XCTAssertEqual(props["level"]?.stringValue, "community")
                    }
                }
            }
            // Ties: the two stations at one spot, smaller id first; comma lists work like repeats.
            try await client.execute(uri: "/nearest?lon=\(Self.dup.lon)&lat=\(Self.dup.lat)&k=2&category=canteen,other", method: .get) { r in
                let feats = try XCTUnwrap(try Self.json(r.body)["features"]?.arrayValue)
                XCTAssertEqual(feats.compactMap { $0.objectValue?["id"]?.stringValue }, ["Z1", "Z2"])
            }
            // A known category without stations is an empty answer, not an error.
            try await client.execute(uri: "/nearest?lon=\(Self.dup.lon)&lat=\(Self.dup.lat)&category=after_school", method: .get) { r in
                XCTAssertEqual(r.status, .ok)
                XCTAssertEqual(try Self.json(r.body)["features"]?.arrayValue?.count, 0)
            }
            // max_distance keeps only the stations within it (inclusive).
            let p = queries[0], ref = Self.reference(p, k: 3)
            try await client.execute(uri: "/nearest?lon=\(p.lon)&lat=\(p.lat)&k=3&max_distance=\(ref[1].1)", method: .get) { r in
                let feats = try XCTUnwrap(try Self.json(r.body)["features"]?.arrayValue)
                XCTAssertEqual(feats.compactMap { $0.objectValue?["id"]?.stringValue }, ref.prefix(2).map(\.0))
            }
        }
    }

    func testGCJ02InputIsConverted() async throws {
        let p = Coordinate(SyntheticCity.base.lon + 0.02, SyntheticCity.base.lat + 0.015)
        let gcj = ChinaDatum.wgs84ToGCJ02(p)
        try await makeApp().test(.router) { client in
            try await client.execute(uri: "/nearest?lon=\(gcj.lon)&lat=\(gcj.lat)&crs=gcj02&k=3", method: .get) { r in
                let o = try Self.json(r.body)
                let feats = try XCTUnwrap(o["features"]?.arrayValue)
                XCTAssertEqual(feats.compactMap { $0.objectValue?["id"]?.stringValue }, Self.reference(p, k: 3).map(\.0))
            }
        }
    }

    func testBadInputNamesTheField() async throws {
        let p = "lon=\(Self.dup.lon)&lat=\(Self.dup.lat)"
        let cases: [(String, String)] = [
            ("\(p)&category=bakery", "category"), ("\(p)&category=", "category"),
            ("\(p)&k=0", "k"), ("\(p)&k=101", "k"), ("\(p)&k=2.5", "k"), ("\(p)&k=", "k"),
            ("\(p)&max_distance=-1", "max_distance"), ("\(p)&max_distance=nan", "max_distance"),
            ("\(p)&max_distance=inf", "max_distance"), ("\(p)&max_distance=1e9", "max_distance"), ("\(p)&max_distance=x", "max_distance"),
            ("lon=114.3&lat=95", "lat"), ("lon=200&lat=23", "lon"), ("lat=23", "lon"), ("lon=x&lat=23", "lon"),
            ("\(p)&crs=EPSG:999999", "crs"), ("\(p)&radius=5", "radius"),
        ]
        try await makeApp().test(.router) { client in
            for (q, field) in cases {
                try await client.execute(uri: "/nearest?\(q)", method: .get) { r in
                    XCTAssertEqual(r.status, .badRequest, q)
                    XCTAssertTrue(r.headers[.contentType]?.hasPrefix("application/json") ?? false, q)
                    XCTAssertEqual(try Self.json(r.body)["field"]?.stringValue, field, q)
                }
            }
            try await client.execute(uri: "/nearest?\(p)&category=bakery", method: .get) { r in
                let d = try XCTUnwrap(try Self.json(r.body)["description"]?.stringValue)
                for c in Self.categories + ["after_school", "bakery"] { XCTAssertTrue(d.contains(c), d) }
            }
        }
    }

    func testPostBatchCSVAndGeoJSON() async throws {
        let pts = [("a", Coordinate(SyntheticCity.base.lon + 0.003, SyntheticCity.base.lat + 0.004)), ("b", Self.dup)]
        let csv = "id,lon,lat\n" + pts.map { "\($0.0),\($0.1.lon),\($0.1.lat)\n" }.joined()
        let geojson = #"{"type":"FeatureCollection","features":["# + pts.map {
            #"{"type":"Feature","id":"\#($0.0)","properties":{},"geometry":{"type":"Point","coordinates":[\#($0.1.lon),\#($0.1.lat)]}}"#
        }.joined(separator: ",") + "]}"
        try await makeApp().test(.router) { client in
            for (body, type) in [(csv, "text/csv"), (geojson, "application/geo+json")] {
                try await client.execute(uri: "/nearest?k=2&category=canteen", method: .post, headers: [.contentType: type], body: ByteBuffer(string: body)) { r in
                    XCTAssertEqual(r.status, .ok, String(buffer: r.body))
                    let o = try Self.json(r.body)
                    XCTAssertEqual(o["queries"]?.intValue, 2)
                    XCTAssertEqual(o["method"]?.stringValue, "straight-line")
                    let feats = try XCTUnwrap(o["features"]?.arrayValue).compactMap(\.objectValue)
                    var want: [String] = [], qids: [String] = []
                    for (id, p) in pts {
                        want += Self.reference(p, k: 2, categories: ["canteen"]).map(\.0); qids += [id, id]
                    }
                    XCTAssertEqual(feats.compactMap { $0["id"]?.stringValue }, want)
                    XCTAssertEqual(feats.compactMap { $0["properties"]?.objectValue?["query_id"]?.stringValue }, qids)
                }
            }
            // Bad rows are named by line, and nothing is answered.
            try await client.execute(uri: "/nearest", method: .post, headers: [.contentType: "text/csv"],
                                     body: ByteBuffer(string: "id,lon,lat\na,114.3,23\nb,114.3,93\n")) { r in
                XCTAssertEqual(r.status, .badRequest)
                let o = try Self.json(r.body)
                XCTAssertEqual(o["field"]?.stringValue, "lat")
                XCTAssertEqual(o["problems"]?.arrayValue?.first?.objectValue?["line"]?.intValue, 3)
            }
            try await client.execute(uri: "/nearest?k=500", method: .post, headers: [.contentType: "text/csv"], body: ByteBuffer(string: csv)) { r in
                XCTAssertEqual(r.status, .badRequest)
                XCTAssertEqual(try Self.json(r.body)["field"]?.stringValue, "k")
            }
        }
    }

    func testTiers() async throws {
        try await makeApp().test(.router) { client in
            try await client.execute(uri: "/tiers", method: .get) { r in
                XCTAssertEqual(r.status, .ok)
                let o = try Self.json(r.body)
                let tiers = try XCTUnwrap(o["tiers"]?.arrayValue).compactMap(\.objectValue)
                XCTAssertEqual(tiers.compactMap { $0["minutes"]?.intValue }, [5, 10, 15])
                XCTAssertEqual(tiers.compactMap { $0["radius_m"]?.doubleValue }, [300, 500, 1000])
                XCTAssertEqual(tiers.first?["name_zh"]?.stringValue, "5分钟生活圈")
                XCTAssertEqual(o["walking_speed_kmh"]?.doubleValue, 5)
                XCTAssertEqual(o["detour_factor"]?.doubleValue, 1)
            }
            try await client.execute(uri: "/tiers?x=1", method: .get) { r in
                XCTAssertEqual(r.status, .badRequest)
            }
        }
    }
}
