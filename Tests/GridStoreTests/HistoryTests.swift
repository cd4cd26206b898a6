import Foundation
import GRDB
import GridGeo
@testable import GridStore
import XCTest

/// Boundary history (MapIt's generations): imports close the rows they replace instead of
/// deleting them, and every generation stays answerable.
final class HistoryTests: XCTestCase {
    var db: GridDatabase!

    override func setUpWithError() throws { db = try makeStore(self) }

    func grids(_ prefix: String, count: Int, worker: String, x: Double = 114) -> Data {
        featureCollection((0..<count).map { k in
            polygonFeature("\(prefix)\(k)", "\"name\":\"\(prefix)\(k)\",\"worker_name\":\"\(worker)\"", ring: box(x + Double(k) * 0.01, 23, 0.01, 0.01))
        })
    }

    func ids(_ page: FeaturePage) throws -> [String] {
        try page.features.map { try XCTUnwrap(GeoJSON.feature(try JSONParser.parse($0)).id) }
    }

    func testTwoImportsKeepTheFirstAnswerable() throws {
        let g1 = try db.importGeoJSON(.grids, data: grids("A", count: 5, worker: "甲")).generation
        let g2 = try db.importGeoJSON(.grids, data: grids("B", count: 3, worker: "乙")).generation
        XCTAssertEqual(g2, g1 + 1)
        XCTAssertEqual(try db.count(.grids), 3, "the layer table holds today's rows")
        XCTAssertEqual(try db.historyCount(.grids), 5, "the replaced rows moved to history")

        XCTAssertEqual(try db.grids(generation: g1).map(\.id).sorted(), ["A0", "A1", "A2", "A3", "A4"])
        XCTAssertEqual(try db.grids(generation: g1).map(\.workerName), Array(repeating: "甲", count: 5))
        XCTAssertEqual(try db.grids(generation: g2).map(\.id).sorted(), ["B0", "B1", "B2"])
        XCTAssertEqual(try db.grids().map(\.id).sorted(), ["B0", "B1", "B2"])
        XCTAssertEqual(try db.snapshot(generation: g1).generation, g1)
        XCTAssertEqual(try db.snapshot().generation, g2)

        // The exact geometry comes back from history.
        let a3 = try XCTUnwrap(try db.grids(generation: g1).first { $0.id == "A3" })
        XCTAssertEqual(a3.geometry.polygons[0].rings[0].map(\.lon).min(), 114.03)

        // Items pages at the old generation: paging, bbox and filters as on today's rows.
        var q = FeatureQuery(limit: 2)
        q.generation = g1
        let first = try db.features(.grids, q)
        XCTAssertEqual(first.numberMatched, 5)
        XCTAssertEqual(first.generation, g1)
        XCTAssertEqual(try ids(first), ["A0", "A1"], "storage order")
        q.offset = 4
        XCTAssertEqual(try ids(try db.features(.grids, q)), ["A4"])
        var boxed = FeatureQuery(bbox: BoundingBox(minLon: 114.015, minLat: 23.001, maxLon: 114.025, maxLat: 23.002), limit: 10)
        boxed.generation = g1
        XCTAssertEqual(try ids(try db.features(.grids, boxed)), ["A1", "A2"])
        var filtered = FeatureQuery(filters: [("name", "A2")], limit: 10)
        filtered.generation = g1
        XCTAssertEqual(try ids(try db.features(.grids, filtered)), ["A2"])
        XCTAssertEqual(try db.features(.grids, FeatureQuery(limit: 10)).generation, g2)

        // Single items: a row replaced since is found at its own generation only.
        XCTAssertNil(try db.feature(.grids, id: "A1", output: .stored, generation: nil))
        let old = try XCTUnwrap(try db.feature(.grids, id: "A1", output: .stored, generation: g1))
        XCTAssertEqual(old.generation, g1)
        XCTAssertEqual(try GeoJSON.feature(try JSONParser.parse(old.text)).properties["worker_name"]?.stringValue, "甲")
        XCTAssertNil(try db.feature(.grids, id: "B1", output: .stored, generation: g1))
    }

    func testAppendKeepsRowsAndEveryGenerationSeesItsOwnSet() throws {
        let g1 = try db.importGeoJSON(.grids, data: grids("A", count: 2, worker: "甲")).generation
        let g2 = try db.importGeoJSON(.grids, data: grids("C", count: 2, worker: "丙", x: 115), options: ImportOptions(mode: .append)).generation
        let g3 = try db.importGeoJSON(.grids, data: grids("B", count: 1, worker: "乙")).generation
        XCTAssertEqual(try db.grids(generation: g1).map(\.id).sorted(), ["A0", "A1"])
        XCTAssertEqual(try db.grids(generation: g2).map(\.id).sorted(), ["A0", "A1", "C0", "C1"])
        XCTAssertEqual(try db.grids(generation: g3).map(\.id), ["B0"])
        try db.read { conn in
            let ranges = try Row.fetchAll(conn, sql: "SELECT id, generation_low, generation_high FROM grids_history ORDER BY id")
            XCTAssertEqual(ranges.map { "\($0[0] as String) \($0[1] as Int64)…\($0[2] as Int64)" },
                           ["A0 \(g1)…\(g2)", "A1 \(g1)…\(g2)", "C0 \(g2)…\(g2)", "C1 \(g2)…\(g2)"])
        }
        // Another layer's import is a generation of its own: grids read the same on both sides.
        let g4 = try db.importGeoJSON(.districts, data: featureCollection([polygonFeature("441302", ring: box(114, 23, 1, 1))])).generation
        XCTAssertEqual(try db.grids(generation: g4).map(\.id), ["B0"])
        XCTAssertEqual(try db.areas(.districts, generation: g3), [])
        XCTAssertEqual(try db.areas(.districts, generation: g4).map(\.id), ["441302"])
    }

    func testUnknownGenerationsAreRefused() throws {
        XCTAssertThrowsError(try db.snapshot(generation: 1)) { e in
            XCTAssertTrue("\(e)".contains("no boundary generation yet"), "\(e)")
        }
        let g = try db.importGeoJSON(.grids, data: grids("A", count: 1, worker: "甲")).generation
        for bad: Int64 in [0, -1, g + 1] {
            XCTAssertThrowsError(try db.grids(generation: bad)) { e in
                XCTAssertEqual((e as? UnknownGeneration)?.latest, g)
                XCTAssertTrue("\(e)".contains("generations 1 to \(g)"), "\(e)")
            }
            var q = FeatureQuery()
            q.generation = bad
            XCTAssertThrowsError(try db.features(.grids, q))
            XCTAssertThrowsError(try db.feature(.grids, id: "A0", output: .stored, generation: bad))
        }
    }

    /// The orphan check fails after the current rows moved to history and the new ones went in:
    /// the rollback must bring both back.
    func testFailedImportLeavesCurrentRowsAndHistoryUnchanged() throws {
        try db.importGeoJSON(.grids, data: grids("A", count: 3, worker: "甲"))
        try db.importGeoJSON(.grids, data: grids("B", count: 2, worker: "乙"))
        func state() throws -> String {
            var s = try snapshot(db)
            try db.read { conn in
                for r in try Row.fetchAll(conn, sql: "SELECT id, generation_low, generation_high, hex(geom) FROM grids_history ORDER BY fid") {
                    s += "\n\(r[0] as String) \(r[1] as Int64) \(r[2] as Int64) \(r[3] as String)"
                }
                s += "\n" + (try Row.fetchAll(conn, sql: "SELECT * FROM boundary_generations ORDER BY id")).description
            }
            return s
        }
        let before = try state()
        let orphan = featureCollection([polygonFeature("X1", "\"community_id\":\"nope\"", ring: box(114, 23, 0.01, 0.01))])
        XCTAssertThrowsError(try db.importGeoJSON(.grids, data: orphan)) { e in
            XCTAssertTrue("\(e)".contains("community_id 'nope' names no row in communities"), "\(e)")
        }
        XCTAssertEqual(try state(), before)
        XCTAssertEqual(try db.historyCount(.grids), 3)
        // The next import takes the next generation: the failed one left no gap.
        XCTAssertEqual(try db.importGeoJSON(.grids, data: grids("C", count: 1, worker: "丙")).generation, 3)
        XCTAssertEqual(try db.grids(generation: 2).map(\.id).sorted(), ["B0", "B1"])
    }

    func testGenerationsAreListedWithTheirCounts() throws {
        try db.importGeoJSON(.grids, data: grids("A", count: 3, worker: "甲"), options: ImportOptions(source: "a.geojson"))
        try db.importGeoJSON(.grids, data: grids("B", count: 2, worker: "乙"), options: ImportOptions(crs: .gcj02, source: "b.geojson"))
        let list = try db.generations()
        XCTAssertEqual(list.map(\.id), [1, 2])
        XCTAssertEqual(list.map(\.layer), ["grids", "grids"])
        XCTAssertEqual(list.map(\.featureCount), [3, 2])
        XCTAssertEqual(list.map(\.source), ["a.geojson", "b.geojson"])
        XCTAssertEqual(list.map(\.sourceCRS), ["EPSG:4326", "GCJ-02"])
        XCTAssertEqual(list.map(\.repairedCount), [0, 0])
        XCTAssertTrue(list[0].importedAt.hasSuffix("Z") && list[0].importedAt <= list[1].importedAt)
    }

    /// Generation references hold as foreign keys (GRDB turns them on).
    func testGenerationColumnsAreForeignKeys() throws {
        try db.importGeoJSON(.grids, data: grids("A", count: 1, worker: "甲"))
        try db.read { conn in
            for layer in Layer.all {
                let fks = try Row.fetchAll(conn, sql: "PRAGMA foreign_key_list(\(layer.table))").map { "\($0["from"] as String)→\($0["table"] as String)" }
                XCTAssertEqual(fks, ["generation_low→boundary_generations"], layer.name)
                let hfks = try Row.fetchAll(conn, sql: "PRAGMA foreign_key_list(\(layer.historyTable))").map { "\($0["from"] as String)→\($0["table"] as String)" }
                XCTAssertEqual(Set(hfks), ["generation_low→boundary_generations", "generation_high→boundary_generations"], layer.name)
            }
            XCTAssertEqual(try Int.fetchOne(conn, sql: "PRAGMA foreign_keys"), 1)
        }
        XCTAssertThrowsError(try db.write { conn in try conn.execute(sql: "UPDATE grids SET generation_low = 99") }, "a generation that does not exist")
    }
}
