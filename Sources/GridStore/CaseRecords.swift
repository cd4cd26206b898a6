import Foundation

/// The levels that handle a case, lowest first (issue 11: 小区自办 → 社区协办 → 区级督办).
public enum CaseLevel: String, Sendable, Codable, CaseIterable, Comparable {
    case compound, community, district

    /// One level up; nil at the district (the top).
    public var up: CaseLevel? {
        switch self {
        case .compound: return .community
        case .community: return .district
        case .district: return nil
        }
    }

    public static func < (a: CaseLevel, b: CaseLevel) -> Bool {
        allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)!
    }
}

/// How long a category's cases may take (ordinary: the same day; complex: 15 days).
public enum DeadlineClass: String, Sendable, Codable, CaseIterable {
    case ordinary, complex
    /// Whole days after the reporting day whose end is the deadline.
    public var extraDays: Int { self == .ordinary ? 0 : 15 }
}

/// The states of the closed loop (GB/T 30428's discover → report → dispatch → handle → feed back
/// → verify and close → evaluate). The rules that move a case between them are GridCases'.
public enum CaseState: String, Sendable, Codable, CaseIterable {
    case reported, filed, rejected, dispatched, escalated, handled, verified, closed, evaluated

    /// Open cases can be overdue, escalate and be re-routed; rejected, closed and evaluated ones are done.
    public var isOpen: Bool { !(self == .rejected || self == .closed || self == .evaluated) }
    public static let open: [CaseState] = allCases.filter(\.isOpen)
}

/// A case category (seeds/case_categories.csv, migration v7-cases).
public struct CaseCategory: Sendable, Equatable, Codable {
    public let code: String
    public let nameZh: String
    public let nameEn: String
    /// 党群服务, 综治维稳, 城乡管理 (the source's three groups), or 其他 for the catch-all `other`.
    public let group: String
    public let deadlineClass: DeadlineClass
    /// The level that handles the category first.
    public let firstLevel: CaseLevel
    public init(code: String, nameZh: String, nameEn: String, group: String, deadlineClass: DeadlineClass, firstLevel: CaseLevel) {
        self.code = code; self.nameZh = nameZh; self.nameEn = nameEn; self.group = group
        self.deadlineClass = deadlineClass; self.firstLevel = firstLevel
    }
}

/// Where a case is routed: its grid chain, compound and worker. Outside every grid the grid is nil
/// and the chain is the nearest grid's community (triage), with `outsideGrids` set.
public struct CaseRouting: Sendable, Equatable {
    public var gridId: String?
    public var communityId: String?
    public var streetId: String?
    public var districtId: String?
    public var compoundId: String?
    public var workerName: String?
    public var workerPhone: String?
    public var outsideGrids: Bool
    public var nearestGridId: String?
    /// Geodesic metres to the nearest grid, for a point outside every grid.
    public var nearestMetres: Double?
    public init(gridId: String?, communityId: String?, streetId: String?, districtId: String?, compoundId: String?,
                workerName: String?, workerPhone: String?, outsideGrids: Bool = false, nearestGridId: String? = nil, nearestMetres: Double? = nil) {
        self.gridId = gridId; self.communityId = communityId; self.streetId = streetId; self.districtId = districtId
        self.compoundId = compoundId; self.workerName = workerName; self.workerPhone = workerPhone
        self.outsideGrids = outsideGrids; self.nearestGridId = nearestGridId; self.nearestMetres = nearestMetres
    }
}

/// A case as stored: the projection of its events plus what intake recorded.
public struct CaseRecord: Sendable, Equatable {
    public let id: Int64
    public let category: String
    public let description: String
    public let state: CaseState
    public let level: CaseLevel
    /// WGS84 longitude and latitude (the stored point).
    public let lon: Double, lat: Double
    /// The CRS the point came in (`wgs84`, `gcj02`, `bd09`, `EPSG:n`) and its coordinates there.
    public let inputCRS: String
    public let inputLon: Double, inputLat: Double
    /// Metres, when the reporter gave one.
    public let accuracyMetres: Double?
    public let routing: CaseRouting
    /// The boundary generation the case was first assigned under (never changes).
    public let generation: Int64
    /// The boundary generation its routing was last checked against.
    public let routedGeneration: Int64
    public let reportedAt: Date
    public let deadlineAt: Date
    public let updatedAt: Date
    public let closedAt: Date?
    public let contact: String?
    public let photoURLs: [String]
    public let reporterTokenId: Int64?
    public let reporterName: String?
    public let idempotencyKey: String?

    /// Open and past its deadline at `now` (computed at read time, never stored).
    public func isOverdue(at now: Date) -> Bool { state.isOpen && now >= deadlineAt }
}

/// One transition in a case's audit trail (append-only).
public struct CaseEventRecord: Sendable, Equatable {
    public let id: Int64
    public let caseId: Int64
    public let at: Date
    public let action: String
    public let fromState: CaseState?
    public let toState: CaseState
    public let level: CaseLevel
    public let gridId: String?
    public let actorName: String
    /// A token role (admin, district, …) or `system` for the sweep.
    public let actorRole: String
    public let tokenId: Int64?
    public let reason: String?
    public let note: String?
    public let photoURL: String?
}

/// What intake writes: the case row.
public struct NewCase: Sendable {
    public var category: String
    public var description: String
    public var lon: Double, lat: Double
    public var inputCRS: String
    public var inputLon: Double, inputLat: Double
    public var accuracyMetres: Double?
    public var routing: CaseRouting
    public var level: CaseLevel
    public var generation: Int64
    public var reportedAt: Date
    public var deadlineAt: Date
    public var contact: String?
    public var photoURLs: [String]
    public var reporterTokenId: Int64?
    public var reporterName: String?
    public var idempotencyKey: String?
    public init(category: String, description: String, lon: Double, lat: Double, inputCRS: String, inputLon: Double, inputLat: Double,
                accuracyMetres: Double?, routing: CaseRouting, level: CaseLevel, generation: Int64, reportedAt: Date, deadlineAt: Date,
                contact: String?, photoURLs: [String], reporterTokenId: Int64?, reporterName: String?, idempotencyKey: String?) {
        self.category = category; self.description = description; self.lon = lon; self.lat = lat
        self.inputCRS = inputCRS; self.inputLon = inputLon; self.inputLat = inputLat; self.accuracyMetres = accuracyMetres
        self.routing = routing; self.level = level; self.generation = generation; self.reportedAt = reportedAt
        self.deadlineAt = deadlineAt; self.contact = contact; self.photoURLs = photoURLs
        self.reporterTokenId = reporterTokenId; self.reporterName = reporterName; self.idempotencyKey = idempotencyKey
    }
}

/// What a transition writes: one event.
public struct NewCaseEvent: Sendable {
    public var at: Date
    public var action: String
    public var toState: CaseState
    public var level: CaseLevel
    public var gridId: String?
    public var actorName: String
    public var actorRole: String
    public var tokenId: Int64?
    public var reason: String?
    public var note: String?
    public var photoURL: String?
    public init(at: Date, action: String, toState: CaseState, level: CaseLevel, gridId: String?, actorName: String, actorRole: String,
                tokenId: Int64?, reason: String? = nil, note: String? = nil, photoURL: String? = nil) {
        self.at = at; self.action = action; self.toState = toState; self.level = level; self.gridId = gridId
        self.actorName = actorName; self.actorRole = actorRole; self.tokenId = tokenId
        self.reason = reason; self.note = note; self.photoURL = photoURL
    }
}

/// An intake as the store holds it after its transaction: the case row, its events read back in
/// the same transaction, and whether this intake created it (false: its idempotency key had
/// already been used by the same reporter token, and this is that first case).
public struct StoredCase: Sendable {
    public let record: CaseRecord
    public let events: [CaseEventRecord]
    public let created: Bool
}

/// A change to an existing case decided from its current row: the new projection and the event
/// recording it (nil event: only bookkeeping, e.g. a re-route check that found the same grid).
public struct CaseChange: Sendable {
    public var state: CaseState
    public var level: CaseLevel
    public var routing: CaseRouting
    public var routedGeneration: Int64
    public var deadlineAt: Date
    public var closedAt: Date?
    public var event: NewCaseEvent?
    /// The change that keeps everything as it is (edit the members that change).
    public init(keeping c: CaseRecord) {
        state = c.state; level = c.level; routing = c.routing; routedGeneration = c.routedGeneration
        deadlineAt = c.deadlineAt; closedAt = c.closedAt; event = nil
    }
}

/// Filters of the case list (all optional; combined with AND). The area members are also how a
/// role's area is applied.
public struct CaseQuery: Sendable, Equatable {
    public var states: [CaseState]?
    public var gridId: String?
    public var communityId: String?
    public var streetId: String?
    public var districtId: String?
    public var category: String?
    /// true: only open cases past their deadline at `now`; false: only the others.
    public var overdue: Bool?
    public var now: Date = Date()
    /// Reported at or after / before (half-open interval).
    public var reportedFrom: Date?
    public var reportedBefore: Date?
    public var reporterTokenId: Int64?
    /// Only cases whose routing was checked against a generation other than this one.
    public var routedOtherThan: Int64?
    /// minLon, minLat, maxLon, maxLat in WGS84.
    public var bbox: (Double, Double, Double, Double)?
    public var limit: Int = 100
    public var offset: Int = 0
    public init() {}

    public static func == (a: CaseQuery, b: CaseQuery) -> Bool {
        a.states == b.states && a.gridId == b.gridId && a.communityId == b.communityId && a.streetId == b.streetId
            && a.districtId == b.districtId && a.category == b.category && a.overdue == b.overdue && a.now == b.now
            && a.reportedFrom == b.reportedFrom && a.reportedBefore == b.reportedBefore && a.reporterTokenId == b.reporterTokenId
            && a.routedOtherThan == b.routedOtherThan && a.bbox.map { [$0.0, $0.1, $0.2, $0.3] } == b.bbox.map { [$0.0, $0.1, $0.2, $0.3] }
            && a.limit == b.limit && a.offset == b.offset
    }
}

/// A case id that names no case.
public struct CaseNotFound: Error, CustomStringConvertible, Sendable {
    public let id: Int64
    public init(id: Int64) { self.id = id }
    public var description: String { "no case \(id)" }
}
