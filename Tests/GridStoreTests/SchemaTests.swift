import Foundation
import GRDB
@testable import GridStore
import XCTest

/// The migrations define the columns; `Layer` only describes them. These fail when the two
/// drift apart.
final class SchemaTests: XCTestCase {
    func testEverySchemaColumnIsDescribedAndEveryDescriptionNamesAColumn() throws {
        let db = try makeStore(self)
        for layer in Layer.all {
            let columns = Set(db.schema[layer].names)
            XCTAssertFalse(columns.isEmpty, layer.name)
            XCTAssertEqual(columns.subtracting(layer.descriptions.keys).sorted(), [], "\(layer.name): schema columns without a description in Layer.swift")
            XCTAssertEqual(Set(layer.descriptions.keys).subtracting(columns).sorted(), [], "\(layer.name): descriptions that name no column of the migrated table")
            XCTAssertEqual(Set(layer.references.keys).subtracting(columns).sorted(), [], "\(layer.name): references that name no column")
            for c in db.schema[layer].columns { XCTAssertFalse(c.description.isEmpty, "\(layer.name).\(c.name)") }
        }
    }

    func testKindsAndOrderComeFromTheMigratedTables() throws {
        let db = try makeStore(self)
        let compounds = db.schema[.compounds]
        XCTAssertEqual(compounds.names, ["name", "grid_id", "community_id", "street_id", "district_id", "households", "population", "entrance_lon", "entrance_lat"])
        XCTAssertEqual(compounds.column("households")?.kind, .integer)
        XCTAssertEqual(compounds.column("entrance_lat")?.kind, .real)
        XCTAssertEqual(compounds.column("grid_id")?.kind, .text)
        XCTAssertEqual(compounds.column("grid_id")?.parent, "grids")
        XCTAssertEqual(db.schema[.stations].column("category")?.parent, "station_categories")
        XCTAssertNil(db.schema[.grids].column("generation_low"), "bookkeeping is not an attribute")
    }

    /// Each history table holds its layer's columns plus the closing generation.
    func testHistoryTablesMirrorTheirLayers() throws {
        let db = try makeStore(self)
        try db.read { conn in
            for layer in Layer.all {
                let current = try Row.fetchAll(conn, sql: "PRAGMA table_info(\(layer.table))").map { "\($0["name"] as String) \($0["type"] as String)" }
                let history = try Row.fetchAll(conn, sql: "PRAGMA table_info(\(layer.historyTable))").map { "\($0["name"] as String) \($0["type"] as String)" }
                XCTAssertEqual(Set(history), Set(current).union(["generation_high INTEGER"]), layer.name)
            }
        }
    }
}
