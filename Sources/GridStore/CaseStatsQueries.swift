import Foundation
import GRDB

/// One case reduced to what the managers' statistics need (issue 11 §6).
public struct CaseTimes: Sendable, Equatable {
    /// The grid, community or street id the case counts under (nil: none, e.g. outside every grid).
    public let area: String?
    public let state: CaseState
    public let level: CaseLevel
    public let reportedAt: Date
    public let deadlineAt: Date
    public let closedAt: Date?
}

extension GridDatabase {
    /// Every case matching `q` (limit and offset ignored) with the `groupColumn` it counts under:
    /// `grid_id`, `community_id` or `street_id`. Throws `StoreError` for another column.
    public func caseTimes(_ q: CaseQuery, groupColumn: String) throws -> [CaseTimes] {
        guard ["grid_id", "community_id", "street_id", "district_id"].contains(groupColumn) else {
            throw StoreError("cases cannot be grouped by '\(groupColumn)'")
        }
        return try read { db in
            let (whereSQL, args) = Self.filter(q)
            return try Row.fetchAll(db, sql: "SELECT \(groupColumn), state, level, reported_at, deadline_at, closed_at FROM cases\(whereSQL)",
                                    arguments: args).map { row in
                guard let state = CaseState(rawValue: row[1]), let level = CaseLevel(rawValue: row[2]) else {
                    throw StoreError("a case has an unknown state or level")
                }
                return CaseTimes(area: row[0], state: state, level: level, reportedAt: try CaseTime.date(row[3]),
                                 deadlineAt: try CaseTime.date(row[4]), closedAt: try (row[5] as String?).map(CaseTime.date))
            }
        }
    }
}
