import Foundation
import GridGeo
import GridIndex
import GridStore
import Logging
import ServiceLifecycle

/// What one sweep did.
public struct SweepReport: Sendable, Equatable {
    /// Overdue open cases escalated one level (one `escalate` event each, actor `system`).
    public var escalated: [Int64] = []
    /// Overdue open cases already at the district level: left as they are (still overdue).
    public var atTop: [Int64] = []
    /// Open cases moved to another grid after a boundary re-import (one `reroute` event each).
    public var rerouted: [Int64] = []
    /// Open cases checked against the new boundaries that stayed where they were.
    public var checked: Int = 0
    public init() {}
}

extension CaseService {
    /// Escalates every overdue open case one level (each with a new deadline from now, by its
    /// category), then re-routes open cases whose routing predates the current boundary
    /// generation. Each case changes in its own transaction, which re-checks the case.
    public func sweep() throws -> SweepReport {
        var report = try escalateOverdue()
        let r = try rerouteAfterReimport()
        report.rerouted = r.rerouted
        report.checked = r.checked
        return report
    }

    /// The overdue half of `sweep`.
    public func escalateOverdue() throws -> SweepReport {
        var report = SweepReport()
        let at = now()
        var q = CaseQuery()
        q.overdue = true
        q.now = at
        q.limit = 1_000_000
        let categories = Dictionary(uniqueKeysWithValues: try db.caseCategories().map { ($0.code, $0) })
        for c in try db.cases(q) {
            guard c.level.up != nil else { report.atTop.append(c.id); continue }
            var escalated = false
            try db.updateCase(id: c.id) { current in
                // Re-checked inside the transaction: someone may have closed it meanwhile.
                guard current.isOverdue(at: at), current.level.up != nil else { return CaseChange(keeping: current) }
                var change = try transition(current, .escalate, at: at, category: categories[current.category])
                change.event = NewCaseEvent(
                    at: at, action: CaseAction.escalate.rawValue, toState: change.state, level: change.level, gridId: current.routing.gridId,
                    actorName: CaseActor.system.name, actorRole: CaseActor.system.role, tokenId: nil,
                    note: "overdue since \(CaseTime.format(current.deadlineAt)): escalated from \(current.level.rawValue) to \(change.level.rawValue)")
                escalated = true
                return change
            }
            if escalated { report.escalated.append(c.id) }
        }
        return report
    }

    /// The re-route half of `sweep` (and `wangge cases reroute`): open cases whose routing was
    /// checked against another generation than the current index's are placed again; those now
    /// in another grid move there with a `reroute` event. Every case keeps `generation`, the one
    /// it was first assigned under.
    public func rerouteAfterReimport() throws -> SweepReport {
        var report = SweepReport()
        let index = try indexes.current()
        var q = CaseQuery()
        q.states = CaseState.open
        q.routedOtherThan = index.generation
        q.limit = 1_000_000
        let at = now()
        for c in try db.cases(q) {
            var moved = false
            try db.updateCase(id: c.id) { current in
                var change = CaseChange(keeping: current)
                guard current.state.isOpen, current.routedGeneration != index.generation else { return change }
                change.routedGeneration = index.generation
                let routing = Self.routing(index.assignment.assign(Coordinate(current.lon, current.lat)))
                if routing.gridId == current.routing.gridId, routing.communityId == current.routing.communityId { return change }
                change.routing = routing
                if routing.outsideGrids { change.level = max(current.level, .community) }
                change.event = NewCaseEvent(
                    at: at, action: CaseAction.reroute.rawValue, toState: current.state, level: change.level, gridId: routing.gridId,
                    actorName: CaseActor.system.name, actorRole: CaseActor.system.role, tokenId: nil,
                    note: "boundaries changed (generation \(current.routedGeneration) → \(index.generation)): grid \(current.routing.gridId ?? "none") → \(routing.gridId ?? "none, outside every grid")")
                moved = true
                return change
            }
            if moved { report.rerouted.append(c.id) } else { report.checked += 1 }
        }
        return report
    }
}

/// The periodic sweep of `serve`: escalates overdue cases and re-routes open cases after a
/// boundary re-import, every `interval`. A service of the application (like IndexReloader), so it
/// starts and stops with the server.
public struct CaseSweeper: Service {
    let cases: CaseService
    let interval: Duration
    let logger: Logger

    public init(cases: CaseService, interval: Duration, logger: Logger) {
        self.cases = cases; self.interval = interval; self.logger = logger
    }

    public func run() async throws {
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            // A graceful shutdown (SIGTERM) ends the wait at once rather than after up to a whole interval.
            do { try await cancelWhenGracefulShutdown { try await Task.sleep(for: interval) } } catch { return }
            do {
                let r = try cases.sweep()
                if !r.escalated.isEmpty || !r.rerouted.isEmpty {
                    logger.info("case sweep", metadata: ["escalated": "\(r.escalated.count)", "rerouted": "\(r.rerouted.count)",
                                                         "overdue_at_top": "\(r.atTop.count)"])
                }
            } catch {
                logger.error("case sweep failed; trying again next interval", metadata: ["error": "\(error)"])
            }
        }
    }
}
