import Foundation
import GridGeo
import GridStore

/// Every in-memory index the hot paths answer from, built from one consistent store snapshot
/// (one boundary generation) and never mutated: a change in the store is followed by building a
/// new set and swapping it in whole (see `IndexService`). Point in grid is here now; the station
/// and compound k-NN indexes and the walking graph join it as further members.
public final class Indexes: Sendable {
    /// The boundary generation the set was built from.
    public let generation: Int64
    /// Point in grid (and in compound).
    public let assignment: AssignmentIndex
    /// Wall-clock seconds the whole build took, reading the store included.
    public let buildSeconds: Double

    public init(assignment: AssignmentIndex, buildSeconds: Double) {
        self.generation = assignment.generation
        self.assignment = assignment
        self.buildSeconds = buildSeconds
    }

    /// Reads the store once (one read transaction) and builds every index from that snapshot,
    /// at `generation` (nil: the newest). A generation the store does not have throws
    /// `UnknownGeneration`.
    public static func build(from db: GridDatabase, generation: Int64? = nil) throws -> Indexes {
        let t0 = Date()
        let snapshot = try db.snapshot(generation: generation)
        let assignment = AssignmentIndex(snapshot, started: t0)
        return Indexes(assignment: assignment, buildSeconds: Date().timeIntervalSince(t0))
    }

    /// One line for logs: what the set holds and how long it took.
    public var summary: String {
        "\(assignment.gridInfo.count) grids, \(assignment.compoundInfo.count) compounds, generation \(generation), built in \(Int(buildSeconds * 1000)) ms"
    }
}
