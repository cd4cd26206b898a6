import Foundation
import GRDB

/// Times are stored as UTC RFC 3339 text with milliseconds (`2026-11-30T10:00:00.000Z`): text
/// order is time order, so deadlines and intervals compare in SQL.
public enum CaseTime {
    static let style = Date.ISO8601FormatStyle(includingFractionalSeconds: true)
    static func text(_ d: Date) -> String { style.format(d) }
    /// The stored text of a time (UTC RFC 3339 with milliseconds), for messages and bodies.
    public static func format(_ d: Date) -> String { style.format(d) }
    static func date(_ s: String) throws -> Date {
        do { return try style.parse(s) } catch { throw GridDatabase.StoreError("unreadable time '\(s)' in the cases tables") }
    }
}

extension GridDatabase {
    /// The case categories, in seed order.
    public func caseCategories() throws -> [CaseCategory] {
        try read { db in
            try Row.fetchAll(db.cachedStatement(sql: "SELECT code, name_zh, name_en, group_name, deadline_class, first_level FROM case_categories ORDER BY rowid")).map {
                guard let d = DeadlineClass(rawValue: $0[4]), let l = CaseLevel(rawValue: $0[5]) else {
                    throw StoreError("case_categories row \(String(describing: $0[0] as String?)) has an unknown deadline class or level")
                }
                return CaseCategory(code: $0[0], nameZh: $0[1], nameEn: $0[2], group: $0[3], deadlineClass: d, firstLevel: l)
            }
        }
    }

    /// Stores a new case and its first event in one write transaction (both or neither). When
    /// the case carries an idempotency key that its reporter token already used, nothing is
    /// written and the existing case comes back with `created: false`.
    public func insertCase(_ c: NewCase, firstEvent e: NewCaseEvent) throws -> (record: CaseRecord, created: Bool) {
        try write { db in
            let stored = try Self.storeCase(db, c, e)
            return (stored.record, stored.created)
        }
    }

    /// Stores several intakes in ONE write transaction, so one commit (one WAL fsync under
    /// `synchronous=FULL`) acknowledges them all (group commit, issue 12 §1). Each intake is
    /// all-or-nothing on its own inside a savepoint: one that fails (a constraint, a trigger)
    /// leaves no row and takes none of its neighbours with it; its error is its result. Intakes
    /// go in the given order, so a second intake with a key an earlier one of the batch used finds
    /// that case (`created: false`), exactly as across transactions. The results are in the
    /// order of `items`; nothing is acknowledged before this returns, that is after the commit.
    /// Throws only when the transaction as a whole fails (begin or commit: I/O, a locked file),
    /// in which case no intake of the batch was stored.
    public func insertCases(_ items: [(newCase: NewCase, firstEvent: NewCaseEvent)]) throws -> [Result<StoredCase, any Error>] {
        try write { db in
            items.map { item in
                var outcome: Result<StoredCase, any Error> = .failure(StoreError("intake not attempted"))
                do {
                    try db.inSavepoint { () throws -> Database.TransactionCompletion in
                        outcome = .success(try Self.storeCase(db, item.newCase, item.firstEvent))
                        return .commit
                    }
                } catch {
                    outcome = .failure(error)
                }
                return outcome
            }
        }
    }

    /// One intake inside the caller's transaction: the existing case of its idempotency key, or
    /// the new case row and its first event, read back with its events.
    static func storeCase(_ db: Database, _ c: NewCase, _ e: NewCaseEvent) throws -> StoredCase {
        if let key = c.idempotencyKey,
           let existing = try Int64.fetchOne(db.cachedStatement(sql: "SELECT id FROM cases WHERE ifnull(reporter_token_id, 0) = ? AND idempotency_key = ?"),
                                             arguments: [c.reporterTokenId ?? 0, key]) {
            return StoredCase(record: try caseRow(db, existing)!, events: try events(db, caseId: existing), created: false)
        }
        let photos = String(decoding: try JSONEncoder().encode(c.photoURLs), as: UTF8.self)
        let r = c.routing
        // Cached statements: every intake runs these same few, so SQLite parses each once per
        // connection instead of once per case.
        try db.cachedStatement(sql: """
            INSERT INTO cases (category, description, state, level, lon, lat, input_crs, input_lon, input_lat, accuracy_m,
                grid_id, community_id, street_id, district_id, compound_id, worker_name, worker_phone, outside_grids,
                nearest_grid_id, nearest_m, generation, routed_generation, reported_at, deadline_at, updated_at, closed_at,
                contact, photo_urls, reporter_token_id, reporter_name, idempotency_key, geom)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, ?, ?, ?, ?, ?, MakePoint(?, ?, 4326))
            """).execute(arguments: [
                c.category, c.description, e.toState.rawValue, c.level.rawValue, c.lon, c.lat, c.inputCRS, c.inputLon, c.inputLat,
                c.accuracyMetres, r.gridId, r.communityId, r.streetId, r.districtId, r.compoundId, r.workerName, r.workerPhone,
                r.outsideGrids, r.nearestGridId, r.nearestMetres, c.generation, c.generation, CaseTime.text(c.reportedAt),
                CaseTime.text(c.deadlineAt), CaseTime.text(c.reportedAt), c.contact, photos, c.reporterTokenId, c.reporterName,
                c.idempotencyKey, c.lon, c.lat,
            ])
        let id = db.lastInsertedRowID
        try insertEvent(db, caseId: id, from: nil, e)
        return StoredCase(record: try caseRow(db, id)!, events: try events(db, caseId: id), created: true)
    }

    /// One case, or nil.
    public func caseRecord(id: Int64) throws -> CaseRecord? {
        try read { db in try Self.caseRow(db, id) }
    }

    /// A case's events, oldest first.
    public func caseEvents(caseId: Int64) throws -> [CaseEventRecord] {
        try read { db in try Self.events(db, caseId: caseId) }
    }

    static func events(_ db: Database, caseId: Int64) throws -> [CaseEventRecord] {
        try Row.fetchAll(db.cachedStatement(sql: """
            SELECT id, case_id, at, action, from_state, to_state, level, grid_id, actor_name, actor_role, token_id, reason, note, photo_url
            FROM case_events WHERE case_id = ? ORDER BY id
            """), arguments: [caseId]).map(event)
    }

    /// Changes a case in one write transaction: `decide` sees the current row (read inside the
    /// transaction, so two writers never decide from the same state) and returns the change, or
    /// throws to leave everything as it was. Throws `CaseNotFound` for an unknown id.
    @discardableResult
    public func updateCase(id: Int64, _ decide: (CaseRecord) throws -> CaseChange) throws -> CaseRecord {
        try write { db in
            guard let current = try Self.caseRow(db, id) else { throw CaseNotFound(id: id) }
            let ch = try decide(current)
            let r = ch.routing
            let updated = ch.event?.at ?? current.updatedAt
            try db.execute(sql: """
                UPDATE cases SET state = ?, level = ?, grid_id = ?, community_id = ?, street_id = ?, district_id = ?, compound_id = ?,
                    worker_name = ?, worker_phone = ?, outside_grids = ?, nearest_grid_id = ?, nearest_m = ?, routed_generation = ?,
                    deadline_at = ?, closed_at = ?, updated_at = ?
                WHERE id = ?
                """, arguments: [
                    ch.state.rawValue, ch.level.rawValue, r.gridId, r.communityId, r.streetId, r.districtId, r.compoundId,
                    r.workerName, r.workerPhone, r.outsideGrids, r.nearestGridId, r.nearestMetres, ch.routedGeneration,
                    CaseTime.text(ch.deadlineAt), ch.closedAt.map(CaseTime.text), CaseTime.text(updated), id,
                ])
            if let e = ch.event { try Self.insertEvent(db, caseId: id, from: current.state, e) }
            return try Self.caseRow(db, id)!
        }
    }

    /// Cases matching `q`, newest first (by id).
    public func cases(_ q: CaseQuery) throws -> [CaseRecord] {
        try read { db in
            let (whereSQL, args) = Self.filter(q)
            var all = args
            all += [q.limit, q.offset]
            return try Row.fetchAll(db, sql: "SELECT \(Self.columns) FROM cases\(whereSQL) ORDER BY id DESC LIMIT ? OFFSET ?",
                                    arguments: all).map(Self.record)
        }
    }

    /// How many cases match `q` (limit and offset ignored).
    public func caseCount(_ q: CaseQuery) throws -> Int {
        try read { db in
            let (whereSQL, args) = Self.filter(q)
            return try Int.fetchOne(db, sql: "SELECT count(*) FROM cases\(whereSQL)", arguments: args) ?? 0
        }
    }

    static func filter(_ q: CaseQuery) -> (String, StatementArguments) {
        var clauses: [String] = []
        var args: StatementArguments = []
        if let s = q.states {
            clauses.append(s.isEmpty ? "0" : "state IN (\(s.map { _ in "?" }.joined(separator: ",")))")
            args += StatementArguments(s.map(\.rawValue))
        }
        for (column, value) in [("grid_id", q.gridId), ("community_id", q.communityId), ("street_id", q.streetId),
                                ("district_id", q.districtId), ("category", q.category)] {
            if let value { clauses.append("\(column) = ?"); args += [value] }
        }
        let open = CaseState.open.map { "'\($0.rawValue)'" }.joined(separator: ",")
        if let o = q.overdue {
            clauses.append(o ? "(state IN (\(open)) AND deadline_at <= ?)" : "NOT (state IN (\(open)) AND deadline_at <= ?)")
            args += [CaseTime.text(q.now)]
        }
        if let f = q.reportedFrom { clauses.append("reported_at >= ?"); args += [CaseTime.text(f)] }
        if let t = q.reportedBefore { clauses.append("reported_at < ?"); args += [CaseTime.text(t)] }
        if let t = q.reporterTokenId { clauses.append("reporter_token_id = ?"); args += [t] }
        if let g = q.routedOtherThan { clauses.append("routed_generation <> ?"); args += [g] }
        if let b = q.bbox {
            clauses.append("lon >= ? AND lat >= ? AND lon <= ? AND lat <= ?")
            args += [b.0, b.1, b.2, b.3]
        }
        return (clauses.isEmpty ? "" : " WHERE " + clauses.joined(separator: " AND "), args)
    }

    static let columns = """
        id, category, description, state, level, lon, lat, input_crs, input_lon, input_lat, accuracy_m, grid_id, community_id, \
        street_id, district_id, compound_id, worker_name, worker_phone, outside_grids, nearest_grid_id, nearest_m, generation, \
        routed_generation, reported_at, deadline_at, updated_at, closed_at, contact, photo_urls, reporter_token_id, reporter_name, \
        idempotency_key
        """

    static func caseRow(_ db: Database, _ id: Int64) throws -> CaseRecord? {
        try Row.fetchOne(db.cachedStatement(sql: "SELECT \(columns) FROM cases WHERE id = ?"), arguments: [id]).map(record)
    }

    static func record(_ row: Row) throws -> CaseRecord {
        guard let state = CaseState(rawValue: row[3]), let level = CaseLevel(rawValue: row[4]) else {
            throw StoreError("case \(row[0] as Int64) has an unknown state or level")
        }
        let photosText: String = row[28]
        let photos = (try? JSONDecoder().decode([String].self, from: Data(photosText.utf8))) ?? []
        return CaseRecord(
            id: row[0], category: row[1], description: row[2], state: state, level: level, lon: row[5], lat: row[6],
            inputCRS: row[7], inputLon: row[8], inputLat: row[9], accuracyMetres: row[10],
            routing: CaseRouting(gridId: row[11], communityId: row[12], streetId: row[13], districtId: row[14], compoundId: row[15],
                                 workerName: row[16], workerPhone: row[17], outsideGrids: row[18], nearestGridId: row[19], nearestMetres: row[20]),
            generation: row[21], routedGeneration: row[22], reportedAt: try CaseTime.date(row[23]), deadlineAt: try CaseTime.date(row[24]),
            updatedAt: try CaseTime.date(row[25]), closedAt: try (row[26] as String?).map(CaseTime.date), contact: row[27], photoURLs: photos,
            reporterTokenId: row[29], reporterName: row[30], idempotencyKey: row[31])
    }

    static func event(_ row: Row) throws -> CaseEventRecord {
        guard let to = CaseState(rawValue: row[5]), let level = CaseLevel(rawValue: row[6]) else {
            throw StoreError("case event \(row[0] as Int64) has an unknown state or level")
        }
        return CaseEventRecord(
            id: row[0], caseId: row[1], at: try CaseTime.date(row[2]), action: row[3], fromState: (row[4] as String?).flatMap(CaseState.init),
            toState: to, level: level, gridId: row[7], actorName: row[8], actorRole: row[9], tokenId: row[10], reason: row[11],
            note: row[12], photoURL: row[13])
    }

    static func insertEvent(_ db: Database, caseId: Int64, from: CaseState?, _ e: NewCaseEvent) throws {
        try db.cachedStatement(sql: """
            INSERT INTO case_events (case_id, at, action, from_state, to_state, level, grid_id, actor_name, actor_role, token_id,
                reason, note, photo_url)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """).execute(arguments: [caseId, CaseTime.text(e.at), e.action, from?.rawValue, e.toState.rawValue, e.level.rawValue, e.gridId,
                             e.actorName, e.actorRole, e.tokenId, e.reason, e.note, e.photoURL])
    }
}
