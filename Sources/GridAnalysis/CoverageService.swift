import Foundation
import GridGeo
import GridIndex
import GridStore
import Synchronization

/// Coverage for a long-running server: the inputs (`CoverageData`), the layers' geometries and
/// recent uncovered-area results, kept for one boundary generation and dropped as soon as the
/// store holds a newer one (a re-import by this process or another).
public final class CoverageService: Sendable {
    private let db: GridDatabase
    /// The server's index set, whose station index is reused when it is of the same generation.
    private let indexes: IndexService?

    private struct State: Sendable {
        var generation: Int64
        var data: CoverageData
        var geometries: [String: [String: Geometry]] = [:]
        /// Uncovered areas by request, newest last (a handful: each costs seconds to compute).
        var gaps: [(key: String, gaps: CoverageGaps)] = []
    }
    private let state = Mutex<State?>(nil)
    private static let keptGaps = 8

    public init(db: GridDatabase, indexes: IndexService? = nil) { self.db = db; self.indexes = indexes }

    /// The inputs for the store's current generation, read again after any import.
    public func data() throws -> CoverageData {
        try current().data
    }

    private func current() throws -> State {
        let generation = try db.currentGeneration()
        if let s = state.withLock({ $0 }), s.generation == generation { return s }
        let set = try indexes?.current()
        let same = set.flatMap { $0.generation == generation ? $0 : nil }
        // The server's index set already holds the stations snapped onto the walking graph: reuse
        // them rather than snap every station a second time.
        let data = try CoverageData.load(from: db, stations: same?.stations, walking: same?.walking, stationSnaps: same?.stationSnaps)
        let fresh = State(generation: generation, data: data)
        state.withLock { if $0 == nil || $0!.generation <= generation { $0 = fresh } }
        return fresh
    }

    /// Every feature's geometry of a layer, by id (for GeoJSON answers).
    public func geometries(_ layer: Layer) throws -> [String: Geometry] {
        let s = try current()
        if let g = s.geometries[layer.name] { return g }
        let map = try db.geometries(layer)
        state.withLock { if $0?.generation == s.generation { $0?.geometries[layer.name] = map } }
        return map
    }

    /// Uncovered areas for the options and grids (indices into data.grids; nil = every grid),
    /// computed once per generation and request.
    public func gaps(_ coverage: CompoundCoverage, grids: [Int]?) throws -> CoverageGaps {
        let s = try current()
        let key = "\(coverage.options.tiers)|\(coverage.options.categories)|\(coverage.options.method.detour)|\(grids.map { "\($0)" } ?? "all")"
        if let hit = s.gaps.first(where: { $0.key == key }) { return hit.gaps }
        let computed = try CoverageGaps.compute(coverage, grids: grids)
        state.withLock {
            guard $0?.generation == s.generation else { return }
            $0?.gaps.append((key, computed))
            if $0!.gaps.count > Self.keptGaps { $0?.gaps.removeFirst() }
        }
        return computed
    }
}
