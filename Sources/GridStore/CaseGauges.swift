import Foundation
import GRDB

/// How many cases the store holds in each state, and how many are overdue, for the operations
/// gauges of `GET /metrics` (issue 12 §5). Overdue is the list filter's rule (`GET /cases?overdue=true`):
/// an open state (`CaseState.open`) and a deadline at or before `now`.
public struct CaseStateCounts: Sendable, Equatable {
    /// Every state of `CaseState`, zero when no case is in it.
    public var byState: [CaseState: Int]
    public var overdue: Int
}

extension GridDatabase {
    /// Two aggregate reads in one snapshot: a `GROUP BY state` and the overdue count (both use
    /// the `cases_state_deadline` index).
    public func caseStateCounts(now: Date) throws -> CaseStateCounts {
        try read { db in
            var byState = Dictionary(uniqueKeysWithValues: CaseState.allCases.map { ($0, 0) })
            for row in try Row.fetchAll(db, sql: "SELECT state, count(*) FROM cases GROUP BY state") {
                if let state = CaseState(rawValue: row[0]) { byState[state] = row[1] }
            }
            let open = CaseState.open.map { "'\($0.rawValue)'" }.joined(separator: ",")
            let overdue = try Int.fetchOne(db, sql: "SELECT count(*) FROM cases WHERE state IN (\(open)) AND deadline_at <= ?",
                                           arguments: [CaseTime.text(now)]) ?? 0
            return CaseStateCounts(byState: byState, overdue: overdue)
        }
    }
}
