import Foundation
import GridGeo
import GridStore

/// Holds the current assignment index and replaces it when the boundaries change. Readers take a
/// reference to one immutable index under a lock held for a pointer copy, then answer from it
/// without any lock: a reload builds the new index aside and swaps the reference, so a reader
/// sees the old index or the new one, never a half-built one.
public final class AssignmentService: @unchecked Sendable {
    private let lock = NSLock()
    private var _index: AssignmentIndex?
    private let db: GridDatabase
    private let reloadLock = NSLock()

    /// Starts with a built index (the server builds it at start-up and reports the time).
    public init(db: GridDatabase, index: AssignmentIndex) {
        self.db = db
        _index = index
    }

    /// Builds the index on first use, so constructing the service never touches the store.
    public init(db: GridDatabase) {
        self.db = db
        _index = nil
    }

    /// The current index, built now if it never was.
    public func current() throws -> AssignmentIndex {
        lock.lock()
        let i = _index
        lock.unlock()
        return try i ?? build(onlyIfMissing: true)
    }

    /// Builds a new index from the store and swaps it in. Concurrent reloads run one at a time.
    @discardableResult
    public func reload() throws -> AssignmentIndex { try build(onlyIfMissing: false) }

    private func build(onlyIfMissing: Bool) throws -> AssignmentIndex {
        reloadLock.lock()
        defer { reloadLock.unlock() }
        if onlyIfMissing {
            lock.lock()
            let raced = _index
            lock.unlock()
            if let raced { return raced }  // another caller built it while we waited
        }
        let fresh = try AssignmentIndex.build(from: db)
        lock.lock()
        _index = fresh
        lock.unlock()
        return fresh
    }

    /// Rebuilds only when the store holds a newer boundary generation than the current index.
    @discardableResult
    public func reloadIfChanged() throws -> Bool {
        guard try db.currentGeneration() != current().generation else { return false }
        try reload()
        return true
    }

    public func assign(_ p: Coordinate, accuracy: Double? = nil) throws -> Assignment {
        try current().assign(p, accuracy: accuracy)
    }
}
