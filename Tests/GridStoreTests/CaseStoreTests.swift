import Foundation
import GridGeo
import GRDB
@testable import GridStore
import XCTest

/// The cases tables of migration v7-cases: seeds, the append-only audit trail, all-or-nothing
/// intake and idempotency, on a real SpatiaLite file.
final class CaseStoreTests: XCTestCase {
    func testFreshStoreHoldsTheCaseCategoriesOfTheSeedFile() throws {
        let db = try makeStore(self)
        let text = try String(contentsOf: repoRoot.appendingPathComponent("seeds/case_categories.csv"), encoding: .utf8)
        var seed: [CaseCategory] = []
        for (n, line) in text.split(separator: "\n").enumerated() {
            let f = try CSV.fields(line)
            if n == 0 { XCTAssertEqual(f, ["code", "name_zh", "name_en", "group", "deadline_class", "first_level"]); continue }
            seed.append(CaseCategory(code: f[0], nameZh: f[1], nameEn: f[2], group: f[3],
                                     deadlineClass: try XCTUnwrap(DeadlineClass(rawValue: f[4]), line.description),
                                     firstLevel: try XCTUnwrap(CaseLevel(rawValue: f[5]), line.description)))
        }
        XCTAssertEqual(try db.caseCategories(), seed, "migration v7-cases must bring every store to seeds/case_categories.csv")
        XCTAssertEqual(Set(seed.map(\.group)), ["党群服务", "综治维稳", "城乡管理", "其他"])
        XCTAssertTrue(seed.contains { $0.code == "other" })
    }

    func testCasesIsARegisteredPointLayerWithASpatialIndex() throws {
        let db = try makeStore(self)
        let row = try db.read { db in
            try Row.fetchOne(db, sql: "SELECT geometry_type, srid, spatial_index_enabled FROM geometry_columns WHERE f_table_name = 'cases'")
        }
        let r = try XCTUnwrap(row)
        XCTAssertEqual(r[0] as Int, 1)  // POINT
        XCTAssertEqual(r[1] as Int, 4326)
        XCTAssertEqual(r[2] as Int, 1)
    }

    static func newCase(key: String? = nil, token: Int64? = 7, category: String = "broken_lift") -> NewCase {
        let t = Date(timeIntervalSince1970: 1_780_000_000)
        return NewCase(category: category, description: "电梯坏了", lon: 114.3, lat: 23.1, inputCRS: "wgs84", inputLon: 114.3, inputLat: 23.1,
                       accuracyMetres: nil, routing: CaseRouting(gridId: "G1", communityId: "C1", streetId: "S1", districtId: "D1", compoundId: nil,
                                                                 workerName: "王", workerPhone: nil),
                       level: .compound, generation: 1, reportedAt: t, deadlineAt: t.addingTimeInterval(3600), contact: "138", photoURLs: [],
                       reporterTokenId: token, reporterName: "app", idempotencyKey: key)
    }

    static func firstEvent() -> NewCaseEvent {
        NewCaseEvent(at: Date(timeIntervalSince1970: 1_780_000_000), action: "report", toState: .reported, level: .compound, gridId: "G1",
                     actorName: "app", actorRole: "reporter", tokenId: 7)
    }

    func counts(_ db: GridDatabase) throws -> (Int, Int) {
        try db.read { db in
            (try Int.fetchOne(db, sql: "SELECT count(*) FROM cases")!, try Int.fetchOne(db, sql: "SELECT count(*) FROM case_events")!)
        }
    }

    func testEventsCannotBeEditedOrDeletedAndCasesNeverDeleted() throws {
        let db = try makeStore(self)
        let (c, created) = try db.insertCase(Self.newCase(), firstEvent: Self.firstEvent())
        XCTAssertTrue(created)
        XCTAssertEqual(try db.caseEvents(caseId: c.id).map(\.action), ["report"])
        for sql in ["UPDATE case_events SET note = 'edited'", "DELETE FROM case_events"] {
            XCTAssertThrowsError(try db.write { try $0.execute(sql: sql) }) { e in
                XCTAssertTrue("\(e)".contains("case_events is append-only"), "\(e)")
            }
        }
        XCTAssertThrowsError(try db.write { try $0.execute(sql: "DELETE FROM cases") }) { e in
            XCTAssertTrue("\(e)".contains("never deleted"), "\(e)")
        }
        XCTAssertEqual(try counts(db).0, 1)
        XCTAssertEqual(try db.caseEvents(caseId: c.id).first?.note, nil)
    }

    func testAFailedIntakeLeavesNoCaseAndNoEvent() throws {
        let db = try makeStore(self)
        // A category the store does not have: the foreign key refuses the case row.
        XCTAssertThrowsError(try db.insertCase(Self.newCase(category: "no_such"), firstEvent: Self.firstEvent()))
        XCTAssertEqual(try counts(db).0, 0); XCTAssertEqual(try counts(db).1, 0)
        // The event insert fails after the case row went in: the transaction takes both back.
        try db.write { try $0.execute(sql: "CREATE TEMP TRIGGER fail_event BEFORE INSERT ON case_events BEGIN SELECT RAISE(ABORT, 'disk full'); END") }
        // TEMP triggers belong to one connection; the pool's writer is that one connection.
        XCTAssertThrowsError(try db.insertCase(Self.newCase(), firstEvent: Self.firstEvent())) { e in
            XCTAssertTrue("\(e)".contains("disk full"), "\(e)")
        }
        XCTAssertEqual(try counts(db).0, 0, "no case row without its first event")
        XCTAssertEqual(try counts(db).1, 0)
    }

    func testAnIdempotencyKeyGivesOneCasePerToken() throws {
        let db = try makeStore(self)
        let a = try db.insertCase(Self.newCase(key: "k1"), firstEvent: Self.firstEvent())
        let b = try db.insertCase(Self.newCase(key: "k1"), firstEvent: Self.firstEvent())
        XCTAssertTrue(a.created); XCTAssertFalse(b.created)
        XCTAssertEqual(a.record, b.record)
        let other = try db.insertCase(Self.newCase(key: "k1", token: 8), firstEvent: Self.firstEvent())
        XCTAssertTrue(other.created, "another token's key is another key")
        XCTAssertNotEqual(other.record.id, a.record.id)
        XCTAssertEqual(try counts(db).0, 2); XCTAssertEqual(try counts(db).1, 2)
    }

    /// Group commit (issue 12 §1): one transaction, each intake all-or-nothing on its own.
    func testABatchCommitsEachIntakeOnItsOwnAndKeysStayExactlyOnce() async throws {
        let db = try makeStore(self)
        var poisoned = Self.newCase(key: "k4")
        poisoned.description = "poison"
        // Fails after its case row went in (the event insert): the savepoint must take the row back.
        try db.write { try $0.execute(sql: """
            CREATE TEMP TRIGGER fail_event BEFORE INSERT ON case_events
            WHEN (SELECT description FROM cases WHERE id = NEW.case_id) = 'poison' BEGIN SELECT RAISE(ABORT, 'disk full'); END
            """) }
        let results = try db.insertCases([
            (Self.newCase(key: "k1"), Self.firstEvent()),
            (Self.newCase(key: "k2", category: "no_such"), Self.firstEvent()),   // the foreign key refuses it
            (Self.newCase(key: "k1"), Self.firstEvent()),                        // the same key again, in the same batch
            (Self.newCase(key: "k3"), Self.firstEvent()),
            (poisoned, Self.firstEvent()),
            (Self.newCase(key: "k2"), Self.firstEvent()),                        // k2's failure did not use the key up
        ])
        XCTAssertEqual(results.count, 6)
        let first = try results[0].get(), again = try results[2].get(), third = try results[3].get(), sixth = try results[5].get()
        XCTAssertTrue(first.created); XCTAssertFalse(again.created); XCTAssertTrue(third.created); XCTAssertTrue(sixth.created)
        XCTAssertEqual(again.record, first.record)
        XCTAssertEqual(first.events.map(\.action), ["report"])
        XCTAssertEqual(again.events, first.events)
        XCTAssertThrowsError(try results[1].get())
        XCTAssertThrowsError(try results[4].get()) { e in XCTAssertTrue("\(e)".contains("disk full"), "\(e)") }
        XCTAssertEqual(Set([first.record.id, third.record.id, sixth.record.id]).count, 3)
        XCTAssertEqual(try counts(db).0, 3, "three cases: k1 once, k3, k2 on its second try; no poisoned row")
        XCTAssertEqual(try counts(db).1, 3, "one intake event each")
        for c in [first, third, sixth] {
            XCTAssertEqual(try db.caseEvents(caseId: c.record.id), c.events, "the events read in the transaction are the stored ones")
        }
        XCTAssertEqual(try db.read { try String.fetchAll($0, sql: "SELECT idempotency_key FROM cases ORDER BY id") }, ["k1", "k3", "k2"])
    }
}
