import GridStore

/// The closed loop's transitions (issue 11 §4; GB/T 30428's seven steps, Huizhou's
/// 发现—上报—派单—解决—反馈): which action moves a case from which states to which, and which
/// roles may take it.
///
///     report → reported ─file→ filed ─dispatch→ dispatched ─handle→ handled ─verify→ verified ─close→ closed ─evaluate→ evaluated
///              reported, filed ─reject→ rejected (reason invalid | duplicate)
///              handled ─redo→ dispatched (verification failed)
///              any open state ─escalate→ escalated (one level up: compound → community → district); escalated ─dispatch→ dispatched
///              any open state ─reroute→ the same state, another grid
public enum CaseAction: String, Sendable, CaseIterable, Codable {
    case file, reject, dispatch, handle, redo, verify, close, evaluate, escalate, reroute

    /// The states the action may start from.
    public var from: [CaseState] {
        switch self {
        case .file: return [.reported]
        case .reject: return [.reported, .filed]
        case .dispatch: return [.filed, .escalated]
        case .handle: return [.dispatched]
        case .redo: return [.handled]
        case .verify: return [.handled]
        case .close: return [.verified]
        case .evaluate: return [.closed]
        case .escalate, .reroute: return CaseState.open
        }
    }

    /// The state after the action (re-routing keeps the state).
    public func target(from s: CaseState) -> CaseState {
        switch self {
        case .file: return .filed
        case .reject: return .rejected
        case .dispatch, .redo: return .dispatched
        case .handle: return .handled
        case .verify: return .verified
        case .close: return .closed
        case .evaluate: return .evaluated
        case .escalate: return .escalated
        case .reroute: return s
        }
    }

    /// The roles that may take the action (always within their area; admin everywhere). A grid
    /// worker handles cases of their grid; community and district staff run the rest of the loop.
    public var roles: Set<Role> {
        switch self {
        case .handle: return [.worker, .community, .district, .admin]
        default: return [.community, .district, .admin]
        }
    }

    /// The actions that may be taken from `state`, in the loop's order.
    public static func allowed(from state: CaseState) -> [CaseAction] {
        allCases.filter { $0.from.contains(state) }
    }
}

/// Why a case was rejected.
public enum RejectReason: String, Sendable, CaseIterable {
    case invalid, duplicate
}

/// Roles that may report a case (the planner only reads).
let reportingRoles: Set<Role> = [.reporter, .worker, .community, .district, .admin]
/// Roles that may read the case list (staff; a reporter reads only their own cases, one by one).
let listingRoles: Set<Role> = [.worker, .community, .district, .planner, .admin]
