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
    /// Sets of older generations asked for by `generation=`, most recently used first; at most
    /// `olderKept` of them. Kept apart from the current set, which they never replace.
    private let older = Mutex<[Indexes]>([])
    /// Serialises builds of older sets, without holding up a reload of the current one.
    private let buildingOlder = Mutex<Void>(())
    /// How many older sets stay built (a set of the sample city holds ~tens of MB).
    public static let olderKept = 2

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

    /// The set at boundary generation `generation`: the current set when it is that generation,
    /// else an older set from a small cache (the last `olderKept` asked for), built from the
    /// store's history on a miss. Throws `UnknownGeneration` for a generation the store does not
    /// have (0, negative, newer than the newest import).
    public func indexes(atGeneration generation: Int64) throws -> Indexes {
        let now = try current()
        if generation == now.generation { return now }
        if let hit = cachedOlder(generation) { return hit }
        return try buildingOlder.withLock { _ in
            if let raced = cachedOlder(generation) { return raced }  // built while we waited
            let built = try Indexes.build(from: db, generation: generation)
            older.withLock { list in
                list.insert(built, at: 0)
                if list.count > Self.olderKept { list.removeLast(list.count - Self.olderKept) }
            }
            return built
        }
    }

    /// The generations whose older sets are built now, most recently used first.
    public var cachedGenerations: [Int64] { older.withLock { $0.map(\.generation) } }

    private func cachedOlder(_ generation: Int64) -> Indexes? {
        older.withLock { list in
            guard let k = list.firstIndex(where: { $0.generation == generation }) else { return nil }
            let hit = list.remove(at: k)
            list.insert(hit, at: 0)
            return hit
        }
    }

    /// Point in grid against the current set.
    public func assign(_ p: Coordinate, accuracy: Double? = nil) throws -> Assignment {
        try current().assignment.assign(p, accuracy: accuracy)
    }
}
