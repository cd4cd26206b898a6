import Foundation
import GridCases
import GridStore

/// The case gauges of `GET /metrics` (issue 12 §5), published through a `WanggeMetrics` scrape
/// hook named "cases" and read from the store at every scrape:
/// - `wangge_cases{state}`: cases in each state (every state listed, zero included);
/// - `wangge_cases_overdue`: open cases past their deadline (the `overdue=true` list rule).
/// - the group commit of case intake (issue 12 §1), from the intake queue's own counters:
///   `wangge_case_intake_commits`, `wangge_case_intake_cases` (cases per commit is
///   their ratio), `wangge_case_intake_commit_seconds` (time inside the commits: divided by
///   the commits, the mean cycle an intake waits through), `wangge_case_intake_largest_batch`,
///   `wangge_case_intake_waiting` (intakes queued for the next commit now).
/// Registering replaces the previous "cases" hook, so the process's latest router's store is read.
enum CaseMetrics {
    static func register(db: GridDatabase, intake: CaseService.IntakeQueue,
                         clock: @escaping @Sendable () -> Date = { Date() }, on metrics: WanggeMetrics) {
        metrics.addScrapeHook("cases") { registry in
            let s = intake.stats
            // Running totals since the process started, as gauges (the queue keeps them; a counter could only be incremented).
            registry.makeGauge(name: "wangge_case_intake_commits", labels: []).set(Double(s.commits))
            registry.makeGauge(name: "wangge_case_intake_cases", labels: []).set(Double(s.items))
            registry.makeGauge(name: "wangge_case_intake_commit_seconds", labels: []).set(s.commitSeconds)
            registry.makeGauge(name: "wangge_case_intake_largest_batch", labels: []).set(Double(s.largestBatch))
            registry.makeGauge(name: "wangge_case_intake_waiting", labels: []).set(Double(s.waiting))
            let counts = try db.caseStateCounts(now: clock())
            for (state, n) in counts.byState {
                registry.makeGauge(name: "wangge_cases", labels: [("state", state.rawValue)]).set(Double(n))
            }
            registry.makeGauge(name: "wangge_cases_overdue", labels: []).set(Double(counts.overdue))
        }
    }
}
