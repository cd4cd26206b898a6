import Foundation
import GridAnalysis
import GridGeo
import GridIO
import GridIndex
import GridStore
import Synchronization

/// Who did something to a case: a token's identity, or the system (the overdue sweep, the
/// re-route after a boundary re-import).
public struct CaseActor: Sendable, Equatable {
    public let name: String
    /// A token role's name, or `system`.
    public let role: String
    public let tokenId: Int64?
    public static let system = CaseActor(name: "system", role: "system", tokenId: nil)
    public init(name: String, role: String, tokenId: Int64?) { self.name = name; self.role = role; self.tokenId = tokenId }
    public init(_ identity: Identity) {
        self.init(name: identity.name ?? "token \(identity.tokenId)", role: identity.role.rawValue, tokenId: identity.tokenId)
    }
}

/// A new case as a client sends it (POST /cases, and Open311's POST requests): coordinates in
/// `crs`, before any check.
public struct CaseIntake: Sendable {
    public var lon: Double
    public var lat: Double
    public var crs: CRS
    public var accuracyMetres: Double?
    public var category: String
    public var description: String
    public var contact: String?
    public var photoURLs: [String]
    public var idempotencyKey: String?
    public init(lon: Double, lat: Double, crs: CRS = .wgs84, accuracyMetres: Double? = nil, category: String, description: String,
                contact: String? = nil, photoURLs: [String] = [], idempotencyKey: String? = nil) {
        self.lon = lon; self.lat = lat; self.crs = crs; self.accuracyMetres = accuracyMetres; self.category = category
        self.description = description; self.contact = contact; self.photoURLs = photoURLs; self.idempotencyKey = idempotencyKey
    }
}

/// A transition asked for by a client (POST /cases/{id}/events).
public struct CaseCommand: Sendable {
    public var action: CaseAction
    public var note: String?
    public var photoURL: String?
    /// `reroute`: the grid to move the case to.
    public var gridId: String?
    /// `reject`: invalid or duplicate.
    public var reason: RejectReason?
    public init(action: CaseAction, note: String? = nil, photoURL: String? = nil, gridId: String? = nil, reason: RejectReason? = nil) {
        self.action = action; self.note = note; self.photoURL = photoURL; self.gridId = gridId; self.reason = reason
    }
}

/// A case as one reader may see it: the reporter's contact only for staff of its area and the
/// reporter who filed it; planners read cases without contact details (they plan, they do not
/// call residents back).
public struct CaseView: Sendable {
    public let record: CaseRecord
    public let events: [CaseEventRecord]?
    public let overdue: Bool
    public let showsContact: Bool
    /// The actions the reader may take now (state and role both allow).
    public let actions: [CaseAction]
}

/// The case domain: intake (routing by the in-memory assignment index, the same point → grid
/// chain as GET /assign), the loop with its roles and areas, deadlines, escalation and
/// re-routing. Open311 and the managers' views are thin layers over `report`, `read`, `list`.
public struct CaseService: Sendable {
    public let db: GridDatabase
    public let indexes: IndexService
    /// The clock (tests inject one).
    public let now: @Sendable () -> Date
    /// Intakes waiting for the one writer, committed in groups (see `report`).
    public let intake: IntakeQueue
    /// The intake queue: a checked case and its first event in, the stored case out.
    public typealias IntakeQueue = GroupCommitQueue<(newCase: NewCase, firstEvent: NewCaseEvent), StoredCase>
    /// The case categories, read once: they are the store's migrations' (no command edits them),
    /// and intake looks one up for every case.
    private let categoryCache = Once<[CaseCategory]>()

    /// The default bound of `intake`: intakes waiting beyond the batch being committed. At most
    /// about 10 KB each (a 4,000-character description), so a full queue holds tens of MB.
    public static let defaultIntakeQueueLimit = 4_096

    public static let maxDescription = 4_000
    public static let maxContact = 200
    public static let maxPhotos = 10
    public static let maxURL = 2_000
    public static let maxNote = 4_000
    public static let maxIdempotencyKey = 200
    /// More than a city's width makes no sense as a GPS accuracy (as on /assign).
    public static let maxAccuracy = 50_000.0
    /// Farther than this from every grid, a reported point is taken for a wrong one (a GPS fix at
    /// 0,0, coordinates in another CRS than the one named) and refused, instead of being routed
    /// to a community for triage from another province or continent.
    public static let maxOutsideMetres = 10_000.0

    /// `intakeQueueLimit`: how many intakes may wait for the writer before more are refused with
    /// `IntakeQueueFull` (HTTP 503).
    public init(db: GridDatabase, indexes: IndexService, now: @escaping @Sendable () -> Date = { Date() },
                intakeQueueLimit: Int = CaseService.defaultIntakeQueueLimit) {
        self.db = db; self.indexes = indexes; self.now = now
        intake = GroupCommitQueue(limit: intakeQueueLimit) { batch in try db.insertCases(batch) }
    }

    /// The case categories, in seed order (read from the store once per process).
    public func categories() throws -> [CaseCategory] {
        try categoryCache.value { try db.caseCategories() }
    }

    // MARK: intake

    /// Stores a new case routed to its grid, with its first event, all-or-nothing. A retry
    /// with the same reporter token and idempotency key returns the first case (`created: false`),
    /// also when both are in flight at once.
    ///
    /// Group commit (issue 12 §1): the checked case waits in `intake` and is committed in one
    /// transaction with the other intakes waiting then, each in its own savepoint (one failing
    /// intake fails alone); this returns only after that commit, so under `synchronous=FULL` an
    /// acknowledged case has been fsynced like before, at one fsync per batch instead of per case.
    /// Throws `CaseInputError` naming the field (also for a point more than `maxOutsideMetres`
    /// from every grid), `CaseForbidden` for a role that may not report,
    /// `IntakeQueueFull` when too many intakes already wait (nothing stored; retry later).
    public func report(_ intake: CaseIntake, by identity: Identity) async throws -> (view: CaseView, created: Bool) {
        guard reportingRoles.contains(identity.role) else {
            throw CaseForbidden("a \(identity.role.rawValue) token may not report cases (reporter, worker, community, district and admin tokens may)")
        }
        let categories = try categories()
        guard let category = categories.first(where: { $0.code == intake.category }) else {
            throw CaseInputError("category", "unknown case category '\(intake.category.prefix(60))'; known: \(categories.map(\.code).joined(separator: ", "))")
        }
        guard intake.description.unicodeScalars.contains(where: { !$0.properties.isWhitespace }) else {
            throw CaseInputError("description", "missing: say what is wrong")
        }
        let length = intake.description.unicodeScalars.count
        guard length <= Self.maxDescription else {
            throw CaseInputError("description", "\(length) characters; at most \(Self.maxDescription)")
        }
        try Self.refuseNUL(intake.description, field: "description")
        if let c = intake.contact { try Self.refuseNUL(c, field: "contact") }
        if let c = intake.contact, c.unicodeScalars.count > Self.maxContact {
            throw CaseInputError("contact", "at most \(Self.maxContact) characters")
        }
        guard intake.photoURLs.count <= Self.maxPhotos else { throw CaseInputError("photo_urls", "at most \(Self.maxPhotos) photos") }
        for (k, u) in intake.photoURLs.enumerated() { try Self.checkURL(u, field: "photo_urls[\(k)]") }
        if let a = intake.accuracyMetres, !(a >= 0 && a <= Self.maxAccuracy) {
            throw CaseInputError("accuracy_m", "metres from 0 to \(Int(Self.maxAccuracy))")
        }
        if let k = intake.idempotencyKey, k.isEmpty || k.count > Self.maxIdempotencyKey {
            throw CaseInputError("Idempotency-Key", "1 to \(Self.maxIdempotencyKey) characters")
        }
        // The same coordinate rules as /assign (ranges, areas of use, the GCJ-02/BD-09 region).
        let point: Coordinate
        do { point = try PointReader(crs: intake.crs).point(lon: intake.lon, lat: intake.lat) } catch let e as PointInputError {
            throw CaseInputError(e.field ?? "lon,lat", e.message)
        }
        let index = try indexes.current()
        let assignment = index.assignment.assign(point)
        if let n = assignment.nearest, n.metres > Self.maxOutsideMetres {
            let km = (n.metres / 100).rounded() / 10
            throw CaseInputError("lon,lat", "\(km) km from the nearest grid (\(n.grid.id)); cases are taken within "
                                 + "\(Int(Self.maxOutsideMetres / 1000)) km of the grids: check the coordinates and their crs")
        }
        let routing = Self.routing(assignment)
        let level = routing.outsideGrids ? max(category.firstLevel, .community) : category.firstLevel
        let at = now()
        let actor = CaseActor(identity)
        let new = NewCase(
            category: category.code, description: intake.description, lon: point.lon, lat: point.lat, inputCRS: Self.crsName(intake.crs),
            inputLon: intake.lon, inputLat: intake.lat, accuracyMetres: intake.accuracyMetres, routing: routing, level: level,
            generation: index.generation, reportedAt: at, deadlineAt: Deadlines.deadline(from: at, category.deadlineClass),
            contact: intake.contact, photoURLs: intake.photoURLs, reporterTokenId: identity.tokenId, reporterName: actor.name,
            idempotencyKey: intake.idempotencyKey)
        let note = routing.outsideGrids
            ? "outside every grid: routed to community \(routing.communityId ?? "-") of the nearest grid \(routing.nearestGridId ?? "-") for triage"
            : nil
        let event = NewCaseEvent(at: at, action: "report", toState: .reported, level: level, gridId: routing.gridId, actorName: actor.name,
                                 actorRole: actor.role, tokenId: actor.tokenId, note: note, photoURL: intake.photoURLs.first)
        let stored = try await self.intake.submit((newCase: new, firstEvent: event))
        return (view(stored.record, for: identity, events: stored.events), stored.created)
    }

    /// The grid chain of an assignment; outside every grid, the nearest grid's community (triage).
    static func routing(_ a: Assignment) -> CaseRouting {
        if let g = a.grid {
            return CaseRouting(gridId: g.id, communityId: g.communityId, streetId: g.streetId, districtId: g.districtId,
                               compoundId: a.compound?.id, workerName: g.workerName, workerPhone: g.workerPhone)
        }
        let n = a.nearest?.grid
        return CaseRouting(gridId: nil, communityId: n?.communityId, streetId: n?.streetId, districtId: n?.districtId,
                           compoundId: a.compound?.id, workerName: nil, workerPhone: nil, outsideGrids: true,
                           nearestGridId: n?.id, nearestMetres: a.nearest?.metres)
    }

    /// How a case records the CRS it came in: the names clients send (wgs84, gcj02, bd09) or EPSG:n.
    static func crsName(_ crs: CRS) -> String {
        switch crs {
        case .wgs84: return "wgs84"
        case .gcj02: return "gcj02"
        case .bd09: return "bd09"
        case .epsg(let n): return "EPSG:\(n)"
        }
    }

    /// U+0000 is refused: SQLite's text reads stop at it, so "a\u{0}b" would be stored as "a"
    /// while the client was told it was taken whole.
    static func refuseNUL(_ s: String, field: String) throws {
        if s.utf8.contains(0) { throw CaseInputError(field, "contains U+0000 (NUL), which no text field may hold") }
    }

    static func checkURL(_ u: String, field: String) throws {
        guard u.count <= maxURL, let url = URL(string: u), let scheme = url.scheme?.lowercased(), scheme == "http" || scheme == "https",
              url.host?.isEmpty == false else {
            throw CaseInputError(field, "an http or https URL of at most \(maxURL) characters")
        }
    }

    // MARK: reading

    /// One case with its events, as `identity` may see it. Throws `CaseNotFound`, `CaseForbidden`.
    public func read(id: Int64, by identity: Identity) throws -> CaseView {
        guard let record = try db.caseRecord(id: id) else { throw CaseNotFound(id: id) }
        try checkRead(record, identity)
        return try view(record, for: identity, withEvents: true)
    }

    /// Cases matching `query`, newest first, limited to the identity's area (a worker their
    /// grid, community and district staff theirs; planner and admin every case). Staff only.
    public func list(_ query: CaseQuery, by identity: Identity) throws -> (views: [CaseView], total: Int) {
        guard listingRoles.contains(identity.role) else {
            throw CaseForbidden("the case list needs a staff token (worker, community, district, planner or admin); a reporter reads its own cases by id")
        }
        var q = scoped(query, identity)
        q.now = now()
        let records = try db.cases(q)
        return (try records.map { try view($0, for: identity, withEvents: false) }, try db.caseCount(q))
    }

    /// The query narrowed to the identity's area.
    public func scoped(_ query: CaseQuery, _ identity: Identity) -> CaseQuery {
        var q = query
        func narrow(_ current: String?, _ mine: String?) -> String? {
            guard let mine else { return current }
            // Asking for another area than one's own finds nothing, never another area's cases.
            if let current, current != mine { return "\u{0}no-such-area" }
            return mine
        }
        switch identity.role {
        case .worker: q.gridId = narrow(q.gridId, identity.gridId ?? "\u{0}no-grid")
        case .community: q.communityId = narrow(q.communityId, identity.communityId ?? "\u{0}no-community")
        case .district: q.districtId = narrow(q.districtId, identity.districtId ?? "\u{0}no-district")
        case .reporter: q.reporterTokenId = identity.tokenId
        case .admin, .planner: break
        }
        return q
    }

    func checkRead(_ c: CaseRecord, _ identity: Identity) throws {
        if identity.role == .reporter {
            guard c.reporterTokenId == identity.tokenId else { throw CaseForbidden("case \(c.id) was not reported with this token") }
            return
        }
        if covers(identity, c) || c.reporterTokenId == identity.tokenId { return }
        throw CaseForbidden("case \(c.id) lies outside this token's area (\(areaText(identity)))")
    }

    func covers(_ identity: Identity, _ c: CaseRecord) -> Bool {
        identity.covers(districtId: c.routing.districtId, communityId: c.routing.communityId, gridId: c.routing.gridId)
    }

    func areaText(_ i: Identity) -> String {
        switch i.role {
        case .worker: return "grid \(i.gridId ?? "-")"
        case .community: return "community \(i.communityId ?? "-")"
        case .district: return "district \(i.districtId ?? "-")"
        default: return i.role.rawValue
        }
    }

    func view(_ c: CaseRecord, for identity: Identity, withEvents: Bool) throws -> CaseView {
        view(c, for: identity, events: withEvents ? try db.caseEvents(caseId: c.id) : nil)
    }

    func view(_ c: CaseRecord, for identity: Identity, events: [CaseEventRecord]?) -> CaseView {
        let staff = identity.role != .planner && identity.role != .reporter && covers(identity, c)
        let own = c.reporterTokenId == identity.tokenId
        let actions = CaseAction.allowed(from: c.state).filter { $0.roles.contains(identity.role) && covers(identity, c) }
        return CaseView(record: c, events: events, overdue: c.isOverdue(at: now()), showsContact: staff || own, actions: actions)
    }

    // MARK: the loop

    /// Takes one action on a case for `identity`, in one transaction (the case row and its
    /// event). Throws `CaseNotFound`, `CaseForbidden` (role or area), `CaseTransitionConflict`
    /// (the state does not allow it, or escalation past the district), `CaseInputError`.
    public func act(_ cmd: CaseCommand, on id: Int64, by identity: Identity) throws -> CaseView {
        if let n = cmd.note, n.unicodeScalars.count > Self.maxNote { throw CaseInputError("note", "at most \(Self.maxNote) characters") }
        if let n = cmd.note { try Self.refuseNUL(n, field: "note") }
        if let u = cmd.photoURL { try Self.checkURL(u, field: "photo_url") }
        guard cmd.action.roles.contains(identity.role) else {
            let who = cmd.action.roles.map(\.rawValue).sorted().joined(separator: ", ")
            throw CaseForbidden("a \(identity.role.rawValue) token may not \(cmd.action.rawValue) cases (\(who) may)")
        }
        if cmd.action == .reject, cmd.reason == nil {
            throw CaseInputError("reason", "reject needs a reason: invalid or duplicate")
        }
        if cmd.action != .reroute, cmd.gridId != nil { throw CaseInputError("grid_id", "only reroute takes a grid_id") }
        var target: GridInfo?
        var index: Indexes?
        if cmd.action == .reroute {
            guard let g = cmd.gridId else { throw CaseInputError("grid_id", "reroute needs the grid to move the case to") }
            let set = try indexes.current()
            guard let info = Self.grid(g, in: set.assignment) else { throw CaseInputError("grid_id", "no grid '\(g.prefix(60))'") }
            guard identity.covers(districtId: info.districtId, communityId: info.communityId, gridId: info.id) else {
                throw CaseForbidden("grid \(info.id) lies outside this token's area (\(areaText(identity)))")
            }
            target = info; index = set
        }
        let at = now()
        let actor = CaseActor(identity)
        let category = try categoryOf(id)
        let record = try db.updateCase(id: id) { c in
            guard covers(identity, c) else { throw CaseForbidden("case \(c.id) lies outside this token's area (\(areaText(identity)))") }
            var change = try transition(c, cmd.action, at: at, category: category)
            if let target, let index {
                guard target.id != c.routing.gridId else {
                    throw CaseTransitionConflict(caseId: c.id, action: "reroute", current: c.state, allowed: CaseAction.allowed(from: c.state),
                                                 detail: "the case is already in grid \(target.id)")
                }
                change.routing = CaseRouting(gridId: target.id, communityId: target.communityId, streetId: target.streetId,
                                             districtId: target.districtId, compoundId: c.routing.compoundId,
                                             workerName: target.workerName, workerPhone: target.workerPhone)
                change.routedGeneration = index.generation
            }
            change.event = NewCaseEvent(at: at, action: cmd.action.rawValue, toState: change.state, level: change.level,
                                        gridId: change.routing.gridId, actorName: actor.name, actorRole: actor.role, tokenId: actor.tokenId,
                                        reason: cmd.reason?.rawValue, note: cmd.note, photoURL: cmd.photoURL)
            return change
        }
        return try view(record, for: identity, withEvents: true)
    }

    /// The change an action makes (state, level, deadline), or `CaseTransitionConflict`.
    func transition(_ c: CaseRecord, _ action: CaseAction, at: Date, category: CaseCategory?) throws -> CaseChange {
        guard action.from.contains(c.state) else {
            throw CaseTransitionConflict(caseId: c.id, action: action.rawValue, current: c.state, allowed: CaseAction.allowed(from: c.state), detail: nil)
        }
        var change = CaseChange(keeping: c)
        change.state = action.target(from: c.state)
        if action == .escalate {
            guard let up = c.level.up else {
                throw CaseTransitionConflict(caseId: c.id, action: action.rawValue, current: c.state,
                                             allowed: CaseAction.allowed(from: c.state).filter { $0 != .escalate },
                                             detail: "already at the district level, the top")
            }
            change.level = up
            // The new level gets the category's time again, from now.
            change.deadlineAt = Deadlines.deadline(from: at, category?.deadlineClass ?? .ordinary)
        }
        if change.state == .closed { change.closedAt = at }
        return change
    }

    func categoryOf(_ id: Int64) throws -> CaseCategory? {
        guard let c = try db.caseRecord(id: id) else { throw CaseNotFound(id: id) }
        return try categories().first { $0.code == c.category }
    }

    /// The grid with id `id` in the index (gridInfo is sorted by id).
    static func grid(_ id: String, in index: AssignmentIndex) -> GridInfo? {
        var lo = 0, hi = index.gridInfo.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if index.gridInfo[mid].id < id { lo = mid + 1 } else { hi = mid }
        }
        return lo < index.gridInfo.count && index.gridInfo[lo].id == id ? index.gridInfo[lo] : nil
    }
}

/// A value computed on first use and kept (a failed computation is tried again next time).
final class Once<Value: Sendable>: Sendable {
    private let stored = Mutex<Value?>(nil)
    func value(_ make: () throws -> Value) rethrows -> Value {
        if let v = stored.withLock({ $0 }) { return v }
        let v = try make()
        stored.withLock { $0 = v }
        return v
    }
}
