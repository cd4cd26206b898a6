import Foundation
import GridStore

/// The area a statistics row groups cases by (`GET /cases/stats?level=`).
public enum StatsLevel: String, Sendable, CaseIterable {
    case grid, community, street, district
    var column: String { rawValue + "_id" }
}

/// The managers' figures for one area (issue 11 §6), over the cases a query matched.
///
/// - `byState`: how many cases are in each state now (every state listed, zeros included).
/// - `open`, `overdue`: open cases, and those past their deadline now.
/// - `closed`: cases that were closed (states closed and evaluated; rejected cases are not
///   closed, they are refused, and count in no closing figure).
/// - `medianHoursToClose`, `p90HoursToClose`: hours from report to close over the closed cases,
///   the 50th and 90th percentiles by linear interpolation between order statistics (Hyndman
///   and Fan's type 7, numpy's default); nil with no closed case.
/// - `closedWithinDeadline`: the share (0–1) of closed cases closed at or before their
///   deadline (the last one set: an escalation gives the new level the category's time again).
/// - `solvedAtCompound`: the share of closed cases closed at the compound level, never
///   escalated past it (小区自办; the source reports 83 %).
public struct CaseStatsRow: Sendable, Equatable {
    public let area: String?
    public let total: Int
    public let byState: [CaseState: Int]
    public let open: Int
    public let overdue: Int
    public let closed: Int
    public let medianHoursToClose: Double?
    public let p90HoursToClose: Double?
    public let closedWithinDeadline: Double?
    public let solvedAtCompound: Double?
}

extension CaseService {
    /// Figures per area at `level` over the cases matching `query` (its area, category, state
    /// and reporting-time filters), limited to the identity's area as the list is. Rows are
    /// sorted by area id; cases without an id at that level (outside every grid, at grid level)
    /// form one row with a nil area. Staff tokens only (`CaseForbidden` otherwise).
    public func stats(level: StatsLevel, _ query: CaseQuery, by identity: Identity) throws -> [CaseStatsRow] {
        guard listingRoles.contains(identity.role) else {
            throw CaseForbidden("case statistics need a staff token (worker, community, district, planner or admin)")
        }
        var q = scoped(query, identity)
        let at = now()
        q.now = at
        let rows = try db.caseTimes(q, groupColumn: level.column)
        let groups = Dictionary(grouping: rows, by: \.area)
        return groups.keys.sorted { ($0 ?? "") < ($1 ?? "") }.map { Self.figures($0, groups[$0]!, now: at) }
    }

    static func figures(_ area: String?, _ cases: [CaseTimes], now: Date) -> CaseStatsRow {
        var byState = Dictionary(uniqueKeysWithValues: CaseState.allCases.map { ($0, 0) })
        for c in cases { byState[c.state, default: 0] += 1 }
        let open = cases.filter { $0.state.isOpen }
        let closed = cases.filter { ($0.state == .closed || $0.state == .evaluated) && $0.closedAt != nil }
        let hours = closed.map { $0.closedAt!.timeIntervalSince($0.reportedAt) / 3600 }.sorted()
        func share(_ n: Int) -> Double? { closed.isEmpty ? nil : Double(n) / Double(closed.count) }
        return CaseStatsRow(
            area: area, total: cases.count, byState: byState, open: open.count, overdue: open.filter { now >= $0.deadlineAt }.count,
            closed: closed.count, medianHoursToClose: percentile(hours, 0.5), p90HoursToClose: percentile(hours, 0.9),
            closedWithinDeadline: share(closed.filter { $0.closedAt! <= $0.deadlineAt }.count),
            solvedAtCompound: share(closed.filter { $0.level == .compound }.count))
    }

    /// The p-quantile of sorted values, linear between order statistics (type 7); nil when empty.
    public static func percentile(_ sorted: [Double], _ p: Double) -> Double? {
        guard !sorted.isEmpty else { return nil }
        let h = Double(sorted.count - 1) * p
        let lo = Int(h.rounded(.down)), hi = min(lo + 1, sorted.count - 1)
        return sorted[lo] + (h - Double(lo)) * (sorted[hi] - sorted[lo])
    }
}
