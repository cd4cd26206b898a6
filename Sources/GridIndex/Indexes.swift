import Foundation
import GridGeo
import GridStore

/// Every in-memory index the hot paths answer from, built from one consistent store snapshot
/// (one boundary generation) and never mutated: a change in the store is followed by building a
/// new set and swapping it in whole (see `IndexService`): point in grid, the station k-NN and the
/// walking graph with every station snapped onto it.
public final class Indexes: Sendable {
    /// The boundary generation the set was built from.
    public let generation: Int64
    /// Point in grid (and in compound).
    public let assignment: AssignmentIndex
    /// k nearest service stations.
    public let stations: StationIndex
    /// The circle tiers and the walking model (walking minutes, coverage radii).
    public let tiers: ServiceTiers
    /// The walking network (nil when the store has none): network distances for coverage and nearest.
    public let walking: WalkingGraph?
    /// The foot point of every station on `walking`, parallel to `stations.stations` (nil entries:
    /// not on a component of the minimum size); empty without a network. Snapped once here and
    /// shared with coverage (`CoverageData`), which would otherwise snap them again.
    public let stationSnaps: [NetworkSnap?]
    /// Every station snapped onto `walking` (ids are positions in `stations.stations`); nil with it.
    public let walkingStations: NetworkAttachments?
    /// Wall-clock seconds the whole build took, reading the store included.
    public let buildSeconds: Double

    public init(assignment: AssignmentIndex, stations: StationIndex, tiers: ServiceTiers, walking: WalkingGraph? = nil,
                buildSeconds: Double) {
        self.generation = assignment.generation
        self.assignment = assignment
        self.stations = stations
        self.tiers = tiers
        self.walking = walking
        let snaps = walking.map { $0.snap(stations.stations.map(\.point)) } ?? []
        self.stationSnaps = snaps
        self.walkingStations = walking.map { _ in NetworkAttachments(snaps.indices.map { ($0, snaps[$0]) }) }
        self.buildSeconds = buildSeconds
    }

    /// Reads the store once (one read transaction) and builds every index from that snapshot,
    /// at `generation` (nil: the newest). A generation the store does not have throws
    /// `UnknownGeneration`.
    public static func build(from db: GridDatabase, generation: Int64? = nil) throws -> Indexes {
        let t0 = Date()
        let snapshot = try db.snapshot(generation: generation)
        let assignment = AssignmentIndex(snapshot, started: t0)
        let stations = StationIndex(snapshot, knownCategories: try db.categories().map(\.code))
        let walking = snapshot.network.isEmpty ? nil : WalkingGraph(snapshot.network)
        return Indexes(assignment: assignment, stations: stations, tiers: try db.serviceTiers(), walking: walking,
                       buildSeconds: Date().timeIntervalSince(t0))
    }

    /// One line for logs: what the set holds and how long it took.
    public var summary: String {
        "\(assignment.gridInfo.count) grids, \(assignment.compoundInfo.count) compounds, \(stations.stations.count) stations, "
            + (walking.map { "walking network of \($0.summary), " } ?? "")
            + "generation \(generation), built in \(Int(buildSeconds * 1000)) ms"
    }
}
