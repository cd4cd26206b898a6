import GridStore

/// A bad value in a case request, naming the field (`lon`, `category`, `description`, …).
public struct CaseInputError: Error, CustomStringConvertible, Sendable {
    public let field: String
    public let message: String
    public init(_ field: String, _ message: String) { self.field = field; self.message = message }
    public var description: String { "\(field): \(message)" }
}

/// An action the case's current state does not allow (HTTP 409).
public struct CaseTransitionConflict: Error, CustomStringConvertible, Sendable {
    public let caseId: Int64
    public let action: String
    public let current: CaseState
    public let allowed: [CaseAction]
    public let detail: String?
    public var description: String {
        let list = allowed.isEmpty ? "none (the case is done)" : allowed.map(\.rawValue).joined(separator: ", ")
        return "case \(caseId) is \(current.rawValue): '\(action)' is not allowed\(detail.map { " (\($0))" } ?? ""); allowed now: \(list)"
    }
}

/// The identity may not do this: outside its role or its area (HTTP 403).
public struct CaseForbidden: Error, CustomStringConvertible, Sendable {
    public let description: String
    public init(_ d: String) { description = d }
}
