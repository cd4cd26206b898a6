import ArgumentParser
import Foundation
import GridAnalysis
import GridCases
import GridStore

/// `wangge cases sweep|reroute`: the case maintenance `serve` runs on its own every
/// `--case-sweep-interval`, by hand (or from cron when no server runs).
struct Cases: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Case maintenance: escalate overdue cases, re-route open cases after a boundary re-import.",
        subcommands: [Sweep.self, Reroute.self])

    struct Sweep: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Escalate every overdue open case one level (compound → community → district), then re-route as `reroute` does.",
            discussion: "Each escalation is an event by actor 'system' with a new deadline from now. Prints what it did.")
        @OptionGroup var store: StoreOptions

        func run() throws {
            let db = try store.open(existing: true)
            let cases = CaseService(db: db, indexes: IndexService(db: db))
            let r = try cases.sweep()
            print("escalated \(r.escalated.count) overdue case(s)\(Self.ids(r.escalated))")
            print("overdue at the district level (left as they are): \(r.atTop.count)\(Self.ids(r.atTop))")
            print("re-routed \(r.rerouted.count) case(s) after a boundary change\(Self.ids(r.rerouted)); \(r.checked) checked in place")
        }

        static func ids(_ list: [Int64]) -> String {
            list.isEmpty ? "" : ": " + list.prefix(50).map(String.init).joined(separator: ", ") + (list.count > 50 ? ", …" : "")
        }
    }

    struct Reroute: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Re-route open cases whose point now lies in another grid (after `wangge import grids`).",
            discussion: "One 'reroute' event each (actor 'system'); every case keeps the boundary generation it was first assigned under.")
        @OptionGroup var store: StoreOptions

        func run() throws {
            let db = try store.open(existing: true)
            let r = try CaseService(db: db, indexes: IndexService(db: db)).rerouteAfterReimport()
            print("re-routed \(r.rerouted.count) case(s)\(Sweep.ids(r.rerouted)); \(r.checked) checked in place")
        }
    }
}
