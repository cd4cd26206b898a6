import Foundation
import GridGeo
import GridStore

/// A grid and what a worker needs to know about it, resolved once at build time.
public struct GridInfo: Sendable, Equatable {
    public let id: String
    public let name: String?
    public let communityId: String?, communityName: String?
    public let streetId: String?, streetName: String?
    public let districtId: String?, districtName: String?
    public let workerName: String?, workerPhone: String?
    /// The `grid`, `community`, `street` and `district` members of an answer's properties, as
    /// JSON text made once at build time: `GET /assign` copies it instead of encoding it.
    public let chainJSON: String

    public init(id: String, name: String?, communityId: String?, communityName: String?, streetId: String?, streetName: String?,
                districtId: String?, districtName: String?, workerName: String?, workerPhone: String?) {
        self.id = id; self.name = name
        self.communityId = communityId; self.communityName = communityName
        self.streetId = streetId; self.streetName = streetName
        self.districtId = districtId; self.districtName = districtName
        self.workerName = workerName; self.workerPhone = workerPhone
        chainJSON = "\"grid\":" + Assignment.refJSON(id, name)
            + ",\"community\":" + Assignment.refJSON(communityId, communityName)
            + ",\"street\":" + Assignment.refJSON(streetId, streetName)
            + ",\"district\":" + Assignment.refJSON(districtId, districtName)
    }
}

public struct CompoundInfo: Sendable, Equatable {
    public let id: String
    public let name: String?
    /// `{"id":…,"name":…}`, made once.
    public let json: String
    public init(id: String, name: String?) {
        self.id = id; self.name = name
        json = Assignment.refJSON(id, name)
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

    /// `{"id":…,"name":…}` or null: how an answer names a grid, compound or parent.
    public static func refJSON(_ id: String?, _ name: String?) -> String {
        guard let id else { return "null" }
        return "{\"id\":" + JSONText.quoted(id) + ",\"name\":" + (name.map(JSONText.quoted) ?? "null") + "}"
    }
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
        gridInfo = g.map { r in
            GridInfo(id: r.id, name: r.name,
                     communityId: r.communityId, communityName: r.communityId.flatMap { communityNames[$0] },
                     streetId: r.streetId, streetName: r.streetId.flatMap { streetNames[$0] },
                     districtId: r.districtId, districtName: r.districtId.flatMap { districtNames[$0] },
                     workerName: r.workerName, workerPhone: r.workerPhone)
        }
        compoundInfo = c.map { CompoundInfo(id: $0.id, name: $0.name) }
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
