import Foundation
import GridGeo
import GridStore

/// Holds the current assignment index and replaces it when the boundaries change. Readers take a
/// reference to one immutable index under a lock held for a pointer copy, then answer from it
/// without any lock: a reload builds the new index aside and swaps the reference, so a reader
/// sees the old index or the new one, never a half-built one.
public final class AssignmentService: @unchecked Sendable {
    private let lock = NSLock()
    private var _index: AssignmentIndex
    private let db: GridDatabase
    private let reloadLock = NSLock()

    public init(db: GridDatabase) throws {
        self.db = db
        _index = try AssignmentIndex.build(from: db)
    }

    public var index: AssignmentIndex {
        lock.lock()
        defer { lock.unlock() }
        return _index
    }

    /// Builds a new index from the store and swaps it in. Concurrent reloads run one at a time.
    @discardableResult
    public func reload() throws -> AssignmentIndex {
        reloadLock.lock()
        defer { reloadLock.unlock() }
        let fresh = try AssignmentIndex.build(from: db)
        lock.lock()
        _index = fresh
        lock.unlock()
        return fresh
    }

    /// Rebuilds only when the store holds a newer boundary generation than the current index.
    @discardableResult
    public func reloadIfChanged() throws -> Bool {
        guard try db.currentGeneration() != index.generation else { return false }
        try reload()
        return true
    }

    public func assign(_ p: Coordinate, accuracy: Double? = nil) -> Assignment {
        index.assign(p, accuracy: accuracy)
    }
}
