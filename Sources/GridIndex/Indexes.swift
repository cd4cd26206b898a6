import Foundation
import GridGeo
import GridStore

/// Every in-memory index the hot paths answer from, built from one consistent store snapshot
/// (one boundary generation) and never mutated: a change in the store is followed by building a
/// new set and swapping it in whole (see `IndexService`). Point in grid and the station k-NN are
/// here now; the compound index and the walking graph join them as further members.
public final class Indexes: Sendable {
    /// The boundary generation the set was built from.
    public let generation: Int64
    /// Point in grid (and in compound).
    public let assignment: AssignmentIndex
    /// k nearest service stations.
    public let stations: StationIndex
    /// The circle tiers and the walking model (walking minutes, coverage radii).
    public let tiers: ServiceTiers
    /// Wall-clock seconds the whole build took, reading the store included.
    public let buildSeconds: Double

    public init(assignment: AssignmentIndex, stations: StationIndex, tiers: ServiceTiers, buildSeconds: Double) {
        self.generation = assignment.generation
        self.assignment = assignment
        self.stations = stations
        self.tiers = tiers
        self.buildSeconds = buildSeconds
    }

    /// Reads the store and builds every index. Each member reads its own snapshot; when an import
    /// lands between two reads (their generations differ) the set is built again, so every member
    /// comes from the same boundary generation.
    public static func build(from db: GridDatabase) throws -> Indexes {
        let t0 = Date()
        var attempt = 0
        while true {
            attempt += 1
            let assignment = try AssignmentIndex.build(from: db)
            let stations = try StationIndex.build(from: db)
            if stations.generation == assignment.generation || attempt >= 5 {
                return Indexes(assignment: assignment, stations: stations, tiers: try db.serviceTiers(),
                               buildSeconds: Date().timeIntervalSince(t0))
            }
        }
    }

    /// One line for logs: what the set holds and how long it took.
    public var summary: String {
        "\(assignment.gridInfo.count) grids, \(assignment.compoundInfo.count) compounds, \(stations.stations.count) stations, generation \(generation), built in \(Int(buildSeconds * 1000)) ms"
    }
}
