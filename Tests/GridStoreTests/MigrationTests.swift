import Foundation
import GRDB
import GridGeo
@testable import GridStore
import XCTest

/// A store written by the release before boundary history (Tests/Fixtures/stores/v1.sqlite)
/// opens, migrates in place, and answers as it did, plus history from then on.
final class MigrationTests: XCTestCase {
    /// A copy of the v1 fixture in a temporary folder.
    func v1Copy() throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("wangge-v1-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("v1.sqlite").path
        try FileManager.default.copyItem(atPath: repoRoot.appendingPathComponent("Tests/Fixtures/stores/v1.sqlite").path, toPath: path)
        return path
    }

    /// Ids and the exact geometry blobs of every layer, read with plain SQLite (no wangge code).
    func rawRows(_ path: String) throws -> [String: [String]] {
        let q = try DatabaseQueue(path: path)
        defer { try? q.close() }
        return try q.read { db in
            var out: [String: [String]] = [:]
            for layer in Layer.all {
                out[layer.name] = try Row.fetchAll(db, sql: "SELECT id, hex(geom) FROM \(layer.table) ORDER BY fid").map { "\($0[0] as String) \($0[1] as String)" }
            }
            return out
        }
    }

    func testV1StoreMigratesInPlaceUnchanged() throws {
        let path = try v1Copy()
        let before = try rawRows(path)
        XCTAssertEqual(before.mapValues(\.count), ["districts": 2, "streets": 2, "communities": 2, "grids": 3, "compounds": 2, "stations": 0])

        let db = try GridDatabase(path: path)
        XCTAssertEqual(try db.appliedMigrations(), ["v1-layers", "v2-boundary-history", "v3-station-categories", "v4-service-tiers", "v5-walking-network", "v6-tokens", "v7-cases"])
        XCTAssertEqual(try rawRows(path), before, "same rows, same ids, byte-identical geometries")

        // `wangge export` writes what the v1 release wrote (its output is in v1-export/).
        for layer in Layer.all {
            var text = ""
            try db.exportGeoJSON(layer) { text += $0 }
            let v1 = try String(contentsOf: repoRoot.appendingPathComponent("Tests/Fixtures/stores/v1-export/\(layer.name).geojson"), encoding: .utf8)
            XCTAssertEqual(text, v1, layer.name)
        }

        // The generations v1 recorded are listed, and each layer's rows carry the latest of theirs.
        let gens = try db.generations()
        XCTAssertEqual(gens.map(\.id), [1, 2, 3, 4, 5, 6])
        XCTAssertEqual(gens.map(\.layer), ["districts", "streets", "communities", "grids", "compounds", "grids"])
        XCTAssertEqual(gens.map(\.featureCount), [2, 2, 2, 4, 2, 3])
        try db.read { conn in
            for (table, low) in [("districts", 1), ("streets", 2), ("communities", 3), ("grids", 6), ("compounds", 5)] {
                XCTAssertEqual(try Int.fetchAll(conn, sql: "SELECT DISTINCT generation_low FROM \(table)"), [low], table)
            }
            XCTAssertEqual(try Int.fetchOne(conn, sql: "PRAGMA foreign_key_check"), nil, "no dangling generation")
        }
        XCTAssertEqual(try db.snapshot().generation, 6)
        XCTAssertEqual(try db.grids(generation: 6).count, 3)
        // Generation 4's grids were deleted by v1 itself: nothing can bring them back.
        XCTAssertEqual(try db.grids(generation: 5), [])
        XCTAssertEqual(try db.compounds(generation: 5).count, 2)
        XCTAssertEqual(try db.categories().count, 9, "v3 seeds the categories into old stores too")

        // Reopening runs nothing twice.
        let again = try GridDatabase(path: path)
        XCTAssertEqual(try again.generations().count, 6)
    }

    func testReimportAfterMigrationKeepsTheOldGenerationAnswerable() throws {
        let path = try v1Copy()
        let db = try GridDatabase(path: path)
        let gen6 = try db.grids()
        let r = try db.importGeoJSON(.grids, data: try fixture("stores/grids_gen1.geojson"))
        XCTAssertEqual(r.generation, 7)
        XCTAssertEqual(try db.grids().count, 4)
        XCTAssertEqual(try db.grids(generation: 6), gen6, "generation 6's grids, exactly as they were")
        XCTAssertEqual(try db.historyCount(.grids), 3)
        let merged = try XCTUnwrap(gen6.first { $0.id == "441302001001001" })
        XCTAssertEqual(merged.workerName, "新员")
        let now = try XCTUnwrap(try db.grids().first { $0.id == "441302001001001" })
        XCTAssertNotEqual(now.geometry, merged.geometry)
    }
}
