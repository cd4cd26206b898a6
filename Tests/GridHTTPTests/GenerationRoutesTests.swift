import Foundation
import GridAnalysis
import GridGeo
import GridHTTP
import GridStore
import GridTestSupport
import Hummingbird
import HummingbirdTesting
import XCTest

/// `generation=N` through the real router: /assign and the items routes answer as the
/// boundaries stood at generation N, and name the generation they used.
final class GenerationRoutesTests: XCTestCase {
    static let city = SyntheticCity(columns: 4, rows: 3)
    /// Generation 4 holds the grids with workers 王…; generation 6 (after the compound, 5) the
    /// same grids with workers 李….
    static let oldGrids: Int64 = 4, newGrids: Int64 = 6

    func makeServices() throws -> AppServices {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("wangge-gen-http-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: dir) }
        let db = try GridDatabase(path: dir.appendingPathComponent("s.sqlite").path)
        var gridsText = ""
        for (name, text) in Self.city.layers() {
            try db.importGeoJSON(Layer.named(name)!, data: Data(text.utf8))
            if name == "grids" { gridsText = text }
        }
        let r = try db.importGeoJSON(.grids, data: Data(gridsText.replacingOccurrences(of: "王", with: "李").utf8))
        XCTAssertEqual(r.generation, Self.newGrids)
        return AppServices(db: db)
    }

    static var inside: Coordinate { Coordinate(SyntheticCity.base.lon + 8 * SyntheticCity.unit, SyntheticCity.base.lat + 8 * SyntheticCity.unit) }

    static func json(_ buffer: ByteBuffer) throws -> JSONObject {
        try XCTUnwrap(try JSONParser.parse(String(buffer: buffer)).objectValue)
    }

    static func worker(_ feature: JSONObject?) -> String? {
        feature?["properties"]?.objectValue?["worker"]?.objectValue?["name"]?.stringValue
    }

    func testAssignAnswersAtTheAskedGeneration() async throws {
        let services = try makeServices()
        let app = Application(router: buildRouter(services))
        let q = "/assign?lon=\(Self.inside.lon)&lat=\(Self.inside.lat)"
        try await app.test(.router) { client in
            try await client.execute(uri: q, method: .get) { r in
                XCTAssertEqual(r.status, .ok)
                let o = try Self.json(r.body)
                XCTAssertEqual(Self.worker(o)?.first, "李")
                XCTAssertEqual(o["properties"]?.objectValue?["generation"]?.intValue, Int(Self.newGrids))
            }
            try await client.execute(uri: q + "&generation=\(Self.oldGrids)", method: .get) { r in
                XCTAssertEqual(r.status, .ok)
                let o = try Self.json(r.body)
                XCTAssertEqual(Self.worker(o)?.first, "王")
                XCTAssertEqual(o["properties"]?.objectValue?["generation"]?.intValue, Int(Self.oldGrids))
                XCTAssertNotNil(o["properties"]?.objectValue?["grid"]?.objectValue?["id"])
            }
            // Before the grids were imported at all: no grid, and no nearest grid either.
            try await client.execute(uri: q + "&generation=3", method: .get) { r in
                XCTAssertEqual(r.status, .ok)
                let p = try XCTUnwrap(try Self.json(r.body)["properties"]?.objectValue)
                XCTAssertEqual(p["grid"], .null)
                XCTAssertEqual(p["generation"]?.intValue, 3)
            }
            let body = #"{"type":"FeatureCollection","features":[{"type":"Feature","id":"P1","properties":{},"geometry":{"type":"Point","coordinates":[\#(Self.inside.lon),\#(Self.inside.lat)]}}]}"#
            try await client.execute(uri: "/assign?generation=\(Self.oldGrids)", method: .post,
                                     headers: [.contentType: "application/geo+json"], body: ByteBuffer(string: body)) { r in
                XCTAssertEqual(r.status, .ok)
                let f = try XCTUnwrap(try Self.json(r.body)["features"]?.arrayValue?.first?.objectValue)
                XCTAssertEqual(Self.worker(f)?.first, "王")
                XCTAssertEqual(f["properties"]?.objectValue?["generation"]?.intValue, Int(Self.oldGrids))
            }
        }
        // The current set stayed the current set; the older one is cached beside it.
        XCTAssertEqual(try services.indexes.current().generation, Self.newGrids)
        XCTAssertEqual(Set(services.indexes.cachedGenerations), [Self.oldGrids, 3])
    }

    func testItemsAndItemAnswerAtTheAskedGeneration() async throws {
        let services = try makeServices()
        let app = Application(router: buildRouter(services))
        let gridId = try XCTUnwrap(Self.city.grids.first?.id)
        try await app.test(.router) { client in
            try await client.execute(uri: "/collections/grids/items?limit=2&generation=\(Self.oldGrids)", method: .get) { r in
                XCTAssertEqual(r.status, .ok)
                let o = try Self.json(r.body)
                XCTAssertEqual(o["generation"]?.intValue, Int(Self.oldGrids))
                XCTAssertEqual(o["numberMatched"]?.intValue, Self.city.grids.count)
                let features = try XCTUnwrap(o["features"]?.arrayValue)
                XCTAssertEqual(features.count, 2)
                for f in features {
                    XCTAssertEqual(f.objectValue?["properties"]?.objectValue?["worker_name"]?.stringValue?.first, "王")
                }
                let next = link(o, "next")
                XCTAssertTrue(next?.contains("generation=\(Self.oldGrids)") == true, "paging keeps the generation: \(next ?? "none")")
            }
            try await client.execute(uri: "/collections/grids/items?limit=2", method: .get) { r in
                let o = try Self.json(r.body)
                XCTAssertEqual(o["generation"]?.intValue, Int(Self.newGrids))
                XCTAssertEqual(o["features"]?.arrayValue?.first?.objectValue?["properties"]?.objectValue?["worker_name"]?.stringValue?.first, "李")
            }
            try await client.execute(uri: "/collections/grids/items/\(gridId)?generation=\(Self.oldGrids)", method: .get) { r in
                XCTAssertEqual(r.status, .ok)
                let o = try Self.json(r.body)
                XCTAssertEqual(o["generation"]?.intValue, Int(Self.oldGrids))
                XCTAssertEqual(o["properties"]?.objectValue?["worker_name"]?.stringValue?.first, "王")
            }
            try await client.execute(uri: "/collections/grids/items/\(gridId)?generation=3", method: .get) { r in
                XCTAssertEqual(r.status, .notFound, "the grids did not exist yet at generation 3")
            }
            try await client.execute(uri: "/collections/grids/items/\(gridId)", method: .get) { r in
                XCTAssertEqual(try Self.json(r.body)["generation"]?.intValue, Int(Self.newGrids))
            }
        }
    }

    func testUnknownGenerationsAre400sNamingTheFieldAndTheRange() async throws {
        let app = Application(router: buildRouter(try makeServices()))
        let routes = ["/assign?lon=\(Self.inside.lon)&lat=\(Self.inside.lat)&", "/collections/grids/items?", "/collections/grids/items/x?"]
        try await app.test(.router) { client in
            for route in routes {
                for bad in ["0", "7", "-1", "abc", "2.5", ""] {
                    try await client.execute(uri: route + "generation=\(bad)", method: .get) { r in
                        XCTAssertEqual(r.status, .badRequest, "\(route) generation=\(bad)")
                        let o = try Self.json(r.body)
                        XCTAssertEqual(o["field"]?.stringValue, "generation")
                        XCTAssertTrue(o["description"]?.stringValue?.contains("from 1 to 6") == true, "\(o)")
                    }
                }
            }
            try await client.execute(uri: "/assign?generation=0", method: .post, headers: [.contentType: "text/csv"],
                                     body: ByteBuffer(string: "id,lon,lat\nA,\(Self.inside.lon),\(Self.inside.lat)\n")) { r in
                XCTAssertEqual(r.status, .badRequest)
                XCTAssertEqual(try Self.json(r.body)["field"]?.stringValue, "generation")
            }
        }
    }
}

/// The href of the first link with relation `rel` in an answer's `links`.
private func link(_ o: JSONObject, _ rel: String) -> String? {
    o["links"]?.arrayValue?.compactMap(\.objectValue).first { $0["rel"]?.stringValue == rel }?["href"]?.stringValue
}
