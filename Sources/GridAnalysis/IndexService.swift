import Foundation
import GridGeo
import GridIndex
import GridStore
import Synchronization

/// Holds the current `Indexes` and replaces it when the store changes. Readers take a reference
/// to one immutable set (a pointer copy under a mutex), then answer from it without any lock: a
/// reload builds the new set aside and swaps the reference, so a reader sees the old set or the
/// new one, never a half-built one.
public final class IndexService: Sendable {
    private let db: GridDatabase
    private let state: Mutex<Indexes?>
    /// Serialises builds, so two reloads never build the same set twice at once.
    private let building = Mutex<Void>(())

    /// Starts with a built set (the server builds it at start-up and reports the time).
    public init(db: GridDatabase, current: Indexes) {
        self.db = db
        state = Mutex(current)
    }

    /// Builds the set on first use, so constructing the service never touches the store.
    public init(db: GridDatabase) {
        self.db = db
        state = Mutex(nil)
    }

    /// The current set, built now if it never was.
    public func current() throws -> Indexes {
        if let set = state.withLock({ $0 }) { return set }
        return try build(onlyIfMissing: true)
    }

    /// Builds a new set from the store and swaps it in.
    @discardableResult
    public func reload() throws -> Indexes { try build(onlyIfMissing: false) }

    /// Rebuilds only when the store holds a newer boundary generation than the current set.
    /// Returns the new set, or nil when nothing changed.
    @discardableResult
    public func reloadIfChanged() throws -> Indexes? {
        guard try db.currentGeneration() != current().generation else { return nil }
        return try reload()
    }

    private func build(onlyIfMissing: Bool) throws -> Indexes {
        try building.withLock { _ in
            if onlyIfMissing, let raced = state.withLock({ $0 }) { return raced }  // built while we waited
            let fresh = try Indexes.build(from: db)
            state.withLock { $0 = fresh }
            return fresh
        }
    }

    /// Point in grid against the current set.
    public func assign(_ p: Coordinate, accuracy: Double? = nil) throws -> Assignment {
        try current().assignment.assign(p, accuracy: accuracy)
    }
}
