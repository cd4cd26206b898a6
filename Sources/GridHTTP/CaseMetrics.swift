import Foundation
import GridStore

/// The case gauges of `GET /metrics` (issue 12 §5), published through a `WanggeMetrics` scrape
/// hook named "cases" and read from the store at every scrape:
/// - `wangge_cases{state}`: cases in each state (every state listed, zero included);
/// - `wangge_cases_overdue`: open cases past their deadline (the `overdue=true` list rule).
/// Registering replaces the previous "cases" hook, so the process's latest router's store is read.
enum CaseMetrics {
    static func register(db: GridDatabase, clock: @escaping @Sendable () -> Date = { Date() }, on metrics: WanggeMetrics) {
        metrics.addScrapeHook("cases") { registry in
            let counts = try db.caseStateCounts(now: clock())
            for (state, n) in counts.byState {
                registry.makeGauge(name: "wangge_cases", labels: [("state", state.rawValue)]).set(Double(n))
            }
            registry.makeGauge(name: "wangge_cases_overdue", labels: []).set(Double(counts.overdue))
        }
    }
}
