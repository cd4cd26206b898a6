import Foundation
import GridGeo
import GridIndex
import GridStore

/// A bad parameter of an isochrone question, naming the field (`minutes`), for a 400 over HTTP
/// and a usage error on the command line.
public struct IsochroneInputError: Error, CustomStringConvertible, Sendable {
    public let field: String
    public let message: String
    public init(field: String, _ message: String) { self.field = field; self.message = message }
    public var description: String { "\(field): \(message)" }
}

/// An isochrone that cannot be drawn for a reason outside the request's syntax: no walking
/// network in the store (`noNetwork`, HTTP 409), or a point beyond its reach (`outOfReach`, 422).
public struct IsochroneRefusal: Error, CustomStringConvertible, Sendable {
    public enum Kind: Sendable { case noNetwork, outOfReach }
    public let kind: Kind
    public let field: String?
    public let message: String
    public init(_ kind: Kind, field: String? = nil, _ message: String) { self.kind = kind; self.field = field; self.message = message }
    public var description: String { field.map { "\($0): \(message)" } ?? message }
}

/// A validated isochrone question (issue 10 §3): the contours, in walking minutes.
public struct IsochroneQuery: Sendable {
    /// Minutes, ascending, distinct, each within 1…`maxMinutes`.
    public let minutes: [Double]

    public static let defaultMinutes: [Double] = [5, 10, 15]
    /// The longest contour unless the server is started with another (`serve --isochrone-max-minutes`).
    public static let defaultMaxMinutes = 60.0
    public static let maxContours = 6
    /// Metres each side of the reached lines: the polygon is the area within this distance of
    /// the walked streets and paths (about a pavement and a building front each side, as the
    /// common "buffer the reached edges" isochrones do, e.g. OSMnx's examples at 25 m).
    public static let bufferMetres = 25.0
    /// GEOS buffer segments per quarter circle (PostGIS's and GEOS's default): the round ends
    /// lie within bufferMetres · (1 − cos(π/32)) = 0.12 m inside the true circle.
    public static let quadrantSegments = 8

    /// Throws `IsochroneInputError` naming `minutes`: none, more than six, a value not a finite
    /// number, outside 1…`maxMinutes`, or given twice.
    public init(minutes: [Double], maxMinutes: Double = IsochroneQuery.defaultMaxMinutes) throws {
        guard !minutes.isEmpty else { throw IsochroneInputError(field: "minutes", "give one to \(Self.maxContours) contours in minutes, e.g. 5,10,15") }
        guard minutes.count <= Self.maxContours else {
            throw IsochroneInputError(field: "minutes", "at most \(Self.maxContours) contours, found \(minutes.count)")
        }
        for m in minutes {
            guard m.isFinite else { throw IsochroneInputError(field: "minutes", "must be finite numbers of minutes, found \(m)") }
            guard m >= 1 && m <= maxMinutes else {
                throw IsochroneInputError(field: "minutes", "each must be from 1 to \(JSONText.number(maxMinutes)) minutes, found \(JSONText.number(m))")
            }
        }
        let sorted = minutes.sorted()
        for (a, b) in zip(sorted, sorted.dropFirst()) where a == b {
            throw IsochroneInputError(field: "minutes", "\(JSONText.number(a)) is given twice")
        }
        self.minutes = sorted
    }

    /// Parses `5,10,15` (HTTP query, CLI option), naming `minutes`; ranges are checked in `init`.
    public static func parseMinutes(_ text: String) throws -> [Double] {
        try text.split(separator: ",", omittingEmptySubsequences: false).map { part in
            let t = part.trimmingCharacters(in: .whitespaces)
            guard let v = Double(t), !t.isEmpty, t.lowercased() != "nan", !t.lowercased().contains("inf") else {
                throw IsochroneInputError(field: "minutes", "not a number of minutes: '\(t.prefix(40))' (give e.g. 5,10,15)")
            }
            return v
        }
    }
}

/// One contour: the area within `IsochroneQuery.bufferMetres` of the network reached in `minutes`.
public struct IsochroneContour: Sendable {
    public let minutes: Double
    /// Walking metres: minutes × the store's walking speed (no detour factor along the network).
    public let metres: Double
    /// The polygon (nil when nothing is reached: the access leg alone is longer) and its geodesic area.
    public let area: BufferedArea
    /// Reached pieces of edges (the access leg included) that were buffered.
    public let pieces: Int
}

/// An isochrone answer: every contour from one point.
public struct IsochroneAnswer: Sendable {
    /// The point asked about, WGS84.
    public let centre: Coordinate
    /// Where it enters the network.
    public let snap: NetworkSnap
    public let contours: [IsochroneContour]
    public let bufferMetres: Double
    public let walkingSpeedKmh: Double
    public let generation: Int64
    /// The station the isochrone is of, when asked by station.
    public let stationId: String?
}

extension Indexes {
    /// The walking isochrones of a WGS84 point (issue 10 §3). The point snaps to its foot point
    /// on the nearest edge of a connected part of at least 50 nodes (as coverage does); one
    /// Dijkstra from there, bounded by the longest contour, finds every node within reach; each
    /// edge is taken as far as it is reached (`WalkingGraph.reach`), and the pieces, with the
    /// access leg, are buffered by `IsochroneQuery.bufferMetres` and unioned by GEOS
    /// (`GridDatabase.bufferedLines`). Contours are nested: each is the whole area reached in
    /// its time, not a ring.
    ///
    /// Throws `IsochroneRefusal`: `.noNetwork` when the store has no walking network or none of
    /// its parts has 50 nodes; `.outOfReach` when the point's access leg alone is longer than
    /// the longest contour's walk.
    public func isochrone(at p: Coordinate, _ q: IsochroneQuery, db: GridDatabase, stationId: String? = nil) throws -> IsochroneAnswer {
        guard let graph = walking else {
            throw IsochroneRefusal(.noNetwork, "no walking network is loaded: import one with `wangge import network FILE` (isochrones walk along it)")
        }
        guard let snap = graph.snap(p) else {
            throw IsochroneRefusal(.noNetwork, "the walking network has no connected part of at least \(graph.minComponentNodes) nodes to start from")
        }
        let perMinute = tiers.walkingSpeedKmh * 1000 / 60
        let budgets = q.minutes.map { $0 * perMinute }
        let longest = budgets.max() ?? 0
        guard snap.access <= longest else {
            throw IsochroneRefusal(.outOfReach, field: "lon,lat", """
                the point is \(Int(snap.access.rounded())) m from the nearest street or path on a connected part of the walking network \
                of at least \(graph.minComponentNodes) nodes (foot point \(JSONText.number(snap.foot.lon)), \(JSONText.number(snap.foot.lat))), \
                farther than a \(JSONText.number(q.minutes.last ?? 0))-minute walk (\(Int(longest.rounded())) m at \(JSONText.number(tiers.walkingSpeedKmh)) km/h)
                """)
        }
        let reach = graph.reach(from: snap, origin: p, budgets: budgets)
        var contours: [IsochroneContour] = []
        for (k, m) in q.minutes.enumerated() {
            let lines = reach.lines[k]
            let area = try db.bufferedLines(lines, centre: p, width: IsochroneQuery.bufferMetres, quadrantSegments: IsochroneQuery.quadrantSegments)
            contours.append(IsochroneContour(minutes: m, metres: budgets[k], area: area, pieces: lines.count))
        }
        return IsochroneAnswer(centre: p, snap: snap, contours: contours, bufferMetres: IsochroneQuery.bufferMetres,
                               walkingSpeedKmh: tiers.walkingSpeedKmh, generation: generation, stationId: stationId)
    }
}
