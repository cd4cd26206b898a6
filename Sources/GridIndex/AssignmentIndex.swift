import Foundation
import GridGeo
import GridStore

/// A grid and what a worker needs to know about it, resolved once at build time. Plain values:
/// how an answer is written (JSON, CSV) is GridIO's business.
public struct GridInfo: Sendable, Equatable {
    /// Position in `AssignmentIndex.gridInfo` (and polygon number in `grids`): lets a writer keep
    /// per-grid tables of pre-encoded text.
    public let ordinal: Int
    public let id: String
    public let name: String?
    public let communityId: String?, communityName: String?
    public let streetId: String?, streetName: String?
    public let districtId: String?, districtName: String?
    public let workerName: String?, workerPhone: String?

    public init(ordinal: Int = 0, id: String, name: String?, communityId: String?, communityName: String?, streetId: String?, streetName: String?,
                districtId: String?, districtName: String?, workerName: String?, workerPhone: String?) {
        self.ordinal = ordinal; self.id = id; self.name = name
        self.communityId = communityId; self.communityName = communityName
        self.streetId = streetId; self.streetName = streetName
        self.districtId = districtId; self.districtName = districtName
        self.workerName = workerName; self.workerPhone = workerPhone
    }
}

public struct CompoundInfo: Sendable, Equatable {
    /// Position in `AssignmentIndex.compoundInfo`.
    public let ordinal: Int
    public let id: String
    public let name: String?
    public init(ordinal: Int = 0, id: String, name: String?) {
        self.ordinal = ordinal; self.id = id; self.name = name
    }
}

/// The answer to "which grid is this point in?" (DESIGN §3, point in grid).
public struct Assignment: Sendable {
    public struct Candidate: Sendable, Equatable {
        public let grid: GridInfo
        /// 0 for a grid that covers the point; else the geodesic distance to its boundary.
        public let metres: Double
    }
    /// The point in WGS84.
    public let point: Coordinate
    /// The primary grid: the covering grid with the smallest id; nil outside every grid.
    public let grid: GridInfo?
    /// True when the point lies on the boundary of a covering grid (a shared edge or vertex, or
    /// the city's outer edge).
    public let boundary: Bool
    /// Every grid covering the point (smallest id first), then, with an accuracy radius, every
    /// other grid within that radius (nearest first).
    public let candidates: [Candidate]
    /// The compound covering the point (smallest id when several do).
    public let compound: CompoundInfo?
    /// Outside every grid: the geodesically nearest grid and the distance to it.
    public let nearest: Candidate?
    public let generation: Int64
}

/// The immutable in-memory index the hot path answers from: grids and compounds of one store
/// snapshot (one boundary generation). Build a new one to follow a re-import; never mutate.
public final class AssignmentIndex: Sendable {
    public let generation: Int64
    public let grids: PolygonIndex
    public let gridInfo: [GridInfo]
    public let compounds: PolygonIndex
    public let compoundInfo: [CompoundInfo]
    let gridDistance: BoundaryDistance
    /// Wall-clock seconds the build took (reading the store included).
    public let buildSeconds: Double

    /// Reads grids, compounds and the names of their parents in one consistent snapshot, at
    /// `generation` (nil: the newest; an unknown one throws `UnknownGeneration`).
    public static func build(from db: GridDatabase, generation: Int64? = nil, cellsPerPolygon: Int = 48) throws -> AssignmentIndex {
        let t0 = Date()
        return AssignmentIndex(try db.snapshot(generation: generation), cellsPerPolygon: cellsPerPolygon, started: t0)
    }

    /// Builds from a snapshot already read (the `Indexes` set shares one).
    public convenience init(_ snap: StoreSnapshot, cellsPerPolygon: Int = 48, started: Date = Date()) {
        self.init(grids: snap.grids, compounds: snap.compounds, communities: snap.communities, streets: snap.streets,
                  districts: snap.districts, generation: snap.generation, cellsPerPolygon: cellsPerPolygon, started: started)
    }

    public init(grids: [GridRecord], compounds: [CompoundRecord], communities: [AreaRecord] = [], streets: [AreaRecord] = [],
                districts: [AreaRecord] = [], generation: Int64, cellsPerPolygon: Int = 48, started: Date = Date()) {
        func names(_ areas: [AreaRecord]) -> [String: String] {
            var m: [String: String] = [:]
            for a in areas { m[a.id] = a.name }
            return m
        }
        let communityNames = names(communities), streetNames = names(streets), districtNames = names(districts)
        // Sorted by id, so the smallest polygon index is the smallest id: the primary rule.
        let g = grids.sorted { $0.id < $1.id }
        let c = compounds.sorted { $0.id < $1.id }
        self.grids = PolygonIndex(g.map(\.geometry), cellsPerPolygon: cellsPerPolygon)
        self.compounds = PolygonIndex(c.map(\.geometry), cellsPerPolygon: cellsPerPolygon)
        gridInfo = g.enumerated().map { k, r in
            GridInfo(ordinal: k, id: r.id, name: r.name,
                     communityId: r.communityId, communityName: r.communityId.flatMap { communityNames[$0] },
                     streetId: r.streetId, streetName: r.streetId.flatMap { streetNames[$0] },
                     districtId: r.districtId, districtName: r.districtId.flatMap { districtNames[$0] },
                     workerName: r.workerName, workerPhone: r.workerPhone)
        }
        compoundInfo = c.enumerated().map { CompoundInfo(ordinal: $0, id: $1.id, name: $1.name) }
        gridDistance = BoundaryDistance(self.grids)
        self.generation = generation
        buildSeconds = Date().timeIntervalSince(started)
    }

    /// The full answer for one WGS84 point. `accuracy` (metres) adds every grid within that
    /// geodesic distance as a candidate. `nearest: false` skips the nearest-grid search for points
    /// outside every grid (a batch that only wants the covering grids).
    public func assign(_ p: Coordinate, accuracy: Double? = nil, nearest wantNearest: Bool = true) -> Assignment {
        let covering = grids.covering(p)
        var candidates = covering.map { Assignment.Candidate(grid: gridInfo[$0.index], metres: 0) }
        let boundary = covering.contains { $0.location == .boundary }
        if let accuracy, accuracy > 0 {
            let covered = Set(covering.map(\.index))
            let near = gridDistance.within(p, metres: accuracy, in: grids)
                .filter { !covered.contains($0.index) }
                .sorted { $0.metres != $1.metres ? $0.metres < $1.metres : $0.index < $1.index }
            candidates += near.map { Assignment.Candidate(grid: gridInfo[$0.index], metres: $0.metres) }
        }
        var nearest: Assignment.Candidate?
        if wantNearest, covering.isEmpty, let n = gridDistance.nearest(p, in: grids) {
            nearest = Assignment.Candidate(grid: gridInfo[n.index], metres: n.metres)
        }
        let compound = compounds.primary(p).index
        return Assignment(
            point: p, grid: covering.first.map { gridInfo[$0.index] }, boundary: boundary, candidates: candidates,
            compound: compound >= 0 ? compoundInfo[compound] : nil, nearest: nearest, generation: generation)
    }
}

/// Where a point falls, as positions in `gridInfo` and `compoundInfo` rather than values: what a
/// bulk writer needs per point, found without allocating. `assign` gives the same answer as values.
public struct Placement: Sendable, Equatable {
    /// The primary grid (smallest covering id), -1 outside every grid.
    public let grid: Int
    /// How many grids cover the point (more than one on a shared edge or vertex, or where grids overlap).
    public let coveringCount: Int
    /// True when the point lies on the boundary of a covering grid.
    public let boundary: Bool
    /// The primary compound (smallest covering id), -1 outside every compound.
    public let compound: Int
}

extension AssignmentIndex {
    /// The covering grids and compound of a WGS84 point without building an `Assignment`: the
    /// per-point path of a batch. Candidates beyond the primary (`coveringCount > 1`) and the
    /// nearest grid outside come from `assign`, which agrees with this by construction.
    public func place(_ p: Coordinate) -> Placement {
        let g = grids.coverage(p)
        return Placement(grid: g.index, coveringCount: g.count, boundary: g.boundary, compound: compounds.primary(p).index)
    }
}

extension PolygonIndex {
    /// `primary` plus how many polygons cover p, still allocation-free.
    @inline(__always)
    func coverage(_ p: Coordinate) -> (index: Int, count: Int, boundary: Bool) {
        let c = cell(of: p)
        if c < 0 { return (-1, 0, false) }
        var best = -1, count = 0
        var boundary = false
        for i in Int(cellStart[c])..<Int(cellStart[c + 1]) {
            let entry = cellEntries[i]
            let k = Int(entry & ~Self.interiorFlag)
            if entry & Self.interiorFlag == 0 {
                switch locate(k, p) {
                case .outside: continue
                case .boundary: boundary = true
                case .inside: break
                }
            }
            count += 1
            if best < 0 || k < best { best = k }
        }
        return (best, count, boundary)
    }
}
