import Foundation
import GridGeo
import GridIndex
import GridStore

/// A bad parameter of a nearest-station question, naming the field (`k`, `category`,
/// `max_distance`), for a 400 over HTTP and a usage error on the command line.
public struct NearestInputError: Error, CustomStringConvertible, Sendable {
    public let field: String
    public let message: String
    public init(field: String, _ message: String) { self.field = field; self.message = message }
    public var description: String { "\(field): \(message)" }
}

/// A validated nearest-station question (DESIGN §3, nearest station).
public struct NearestQuery: Sendable {
    /// How many stations, 1–100.
    public let k: Int
    /// Category codes to keep; nil = every category.
    public let categories: Set<String>?
    /// Metres, inclusive; nil = no limit.
    public let maxDistance: Double?
    /// How distance is measured: along the walking network, or straight-line geodesic.
    public let method: CoverageMethod.Kind

    public static let kRange = 1...100
    public static let defaultK = 5
    /// Metres: no two points of the ellipsoid are further apart (half a meridian, 20,003,931 m,
    /// rounded up), so a larger limit is a mistake.
    public static let maxDistanceLimit = 20_004_000.0

    /// Checks every parameter against the station index's known categories. `method`:
    /// `network`, `straight-line`, or nil for the default (network when `networkLoaded`, else
    /// straight-line; see `CoverageMethod.parse`). Throws `NearestInputError` naming the field
    /// (`method` for an unknown method, or `network` without a walking network).
    public init(k: Int = NearestQuery.defaultK, categories: [String] = [], maxDistance: Double? = nil, index: StationIndex,
                method: String? = nil, networkLoaded: Bool = false) throws {
        guard Self.kRange.contains(k) else {
            throw NearestInputError(field: "k", "must be an integer from \(Self.kRange.lowerBound) to \(Self.kRange.upperBound), found \(k)")
        }
        let known = categories.isEmpty ? [] : Set(index.knownCategories)
        for c in categories where !known.contains(c) {
            throw NearestInputError(field: "category", "unknown category '\(c.prefix(60))'; the categories are: \(index.knownCategories.joined(separator: ", "))")
        }
        if let m = maxDistance {
            guard m.isFinite else { throw NearestInputError(field: "max_distance", "must be a finite number of metres") }
            guard m >= 0 else { throw NearestInputError(field: "max_distance", "must not be negative, found \(m)") }
            guard m <= Self.maxDistanceLimit else {
                throw NearestInputError(field: "max_distance", "at most \(Int(Self.maxDistanceLimit)) m (no two points on Earth are further apart), found \(m)")
            }
        }
        do {
            self.method = try CoverageMethod.parse(method, networkLoaded: networkLoaded, detour: 1).kind
        } catch let e as CoverageInputError {
            throw NearestInputError(field: e.field, e.message)
        }
        self.k = k
        self.categories = categories.isEmpty ? nil : Set(categories)
        self.maxDistance = maxDistance
    }

    /// Parses a whole number of stations from text (HTTP query, CLI option), naming `k`.
    public static func parseK(_ text: Substring) throws -> Int {
        if let v = Int(text) { return v }  // the common case, without Foundation's trimming
        let t = text.trimmingCharacters(in: .whitespaces)
        guard let v = Int(t) else { throw NearestInputError(field: "k", "must be an integer from 1 to 100, found '\(t.prefix(40))'") }
        return v
    }

    /// Parses metres from text, naming `max_distance`; range checks happen in `init`.
    public static func parseMetres(_ text: Substring) throws -> Double {
        // Decimal only (DecimalText): strtod's hex is refused; inf and nan become ±inf/NaN for
        // `init`'s "must be a finite number".
        let t = text.trimmingCharacters(in: .whitespaces)
        if let v = DecimalText.double(t) { return v }
        if DecimalText.isNonFiniteWord(t) { return .nan }
        throw NearestInputError(field: "max_distance", "not a number: '\(t.prefix(40))'")
    }
}

/// One station of an answer.
public struct NearestStation: Sendable {
    /// The index the station came from and its position there: the answer refers to the
    /// station instead of copying its dozen strings (`GET /nearest` is a hot path).
    public let index: StationIndex
    public let position: Int
    public var station: StationInfo { index.stations[position] }
    /// Geodesic metres on WGS84 (straight-line), or metres along the walking network with both
    /// access legs (network).
    public let metres: Double
    /// Straight-line: metres × detour factor ÷ walking speed; network: metres ÷ walking speed; minutes.
    public let walkMinutes: Double
    /// 1 for the nearest.
    public let rank: Int
}

/// The answer: stations nearest first (ties by id), and how distance was measured.
public struct NearestAnswer: Sendable {
    /// The query point in WGS84.
    public let point: Coordinate
    public let stations: [NearestStation]
    /// `straight-line` (geodesic × detour factor) or `network` (detour factor 1: not applied).
    public let method: String
    public let detourFactor: Double
    public let walkingSpeedKmh: Double
    public let generation: Int64
}

extension Indexes {
    /// The k nearest stations to a WGS84 point, with walking minutes from the store's walking
    /// model. Method network: by network distance from the point's foot point (a Dijkstra that
    /// stops once k stations are settled); a point that reaches no station gets an empty list.
    public func nearest(_ p: Coordinate, _ q: NearestQuery) -> NearestAnswer {
        let (method, detour) = nearestMethod(q)
        let list: [NearestStation]
        if q.method == .network, let graph = walking, let attached = walkingStations {
            let found = graph.snap(p).map { snap in
                graph.nearest(from: snap, k: q.k, targets: attached, maxDistance: q.maxDistance,
                              accept: { q.categories?.contains(self.stations.stations[$0].category) ?? true })
            } ?? []
            let perMinute = tiers.walkingSpeedKmh * 1000 / 60
            list = found.enumerated().map { r, f in
                NearestStation(index: stations, position: f.id, metres: f.metres, walkMinutes: f.metres / perMinute, rank: r + 1)
            }
        } else if q.method == .network {
            list = []  // no network: `NearestQuery` refuses this unless the caller skipped its check
        } else {
            let found = stations.nearest(p, k: q.k, categories: q.categories, maxDistance: q.maxDistance)
            list = found.enumerated().map { r, f in
                NearestStation(index: stations, position: f.station, metres: f.metres, walkMinutes: tiers.walkMinutes(metres: f.metres), rank: r + 1)
            }
        }
        return NearestAnswer(point: p, stations: list, method: method, detourFactor: detour,
                             walkingSpeedKmh: tiers.walkingSpeedKmh, generation: generation)
    }

    /// How a query's answer names its method: `network` with detour factor 1 (not applied), or
    /// `straight-line` with the store's factor.
    public func nearestMethod(_ q: NearestQuery) -> (method: String, detourFactor: Double) {
        q.method == .network ? ("network", 1) : (tiers.method, tiers.detourFactor)
    }
}
