import Foundation
import GridStore

/// Cases as anyone may read them (Open311's GET requests, which the GeoReport v2 spec makes
/// public): what was reported where, its state and deadline, never the reporter's contact
/// details or name (issue 11 §5: only staff see those, and they read them on /cases). The
/// callers choose the fields; these only lift the staff-token rule of `list` and `read`.
extension CaseService {
    /// Cases matching `query` (newest first, up to `query.limit`) and how many match.
    public func publicCases(_ query: CaseQuery) throws -> (records: [CaseRecord], total: Int) {
        var q = query
        q.now = now()
        return (try db.cases(q), try db.caseCount(q))
    }

    /// One case, or `CaseNotFound`.
    public func publicCase(id: Int64) throws -> CaseRecord {
        guard let c = try db.caseRecord(id: id) else { throw CaseNotFound(id: id) }
        return c
    }
}
