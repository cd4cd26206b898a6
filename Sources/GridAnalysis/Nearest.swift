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

    public static let kRange = 1...100
    public static let defaultK = 5
    /// Metres: no two points of the ellipsoid are further apart (half a meridian, 20,003,931 m,
    /// rounded up), so a larger limit is a mistake.
    public static let maxDistanceLimit = 20_004_000.0

    /// Checks every parameter against the station index's known categories.
    /// Throws `NearestInputError` naming the field.
    public init(k: Int = NearestQuery.defaultK, categories: [String] = [], maxDistance: Double? = nil, index: StationIndex) throws {
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
    /// Geodesic metres on WGS84.
    public let metres: Double
    /// metres × detour factor ÷ walking speed, in minutes.
    public let walkMinutes: Double
    /// 1 for the nearest.
    public let rank: Int
}

/// The answer: stations nearest first (ties by id), and how distance was measured.
public struct NearestAnswer: Sendable {
    /// The query point in WGS84.
    public let point: Coordinate
    public let stations: [NearestStation]
    /// `straight-line` (geodesic × detour factor).
    public let method: String
    public let detourFactor: Double
    public let walkingSpeedKmh: Double
    public let generation: Int64
}

extension Indexes {
    /// The k nearest stations to a WGS84 point, with walking minutes from the store's walking model.
    public func nearest(_ p: Coordinate, _ q: NearestQuery) -> NearestAnswer {
        let found = stations.nearest(p, k: q.k, categories: q.categories, maxDistance: q.maxDistance)
        let list = found.enumerated().map { r, f in
            NearestStation(index: stations, position: f.station, metres: f.metres, walkMinutes: tiers.walkMinutes(metres: f.metres), rank: r + 1)
        }
        return NearestAnswer(point: p, stations: list, method: tiers.method, detourFactor: tiers.detourFactor,
                             walkingSpeedKmh: tiers.walkingSpeedKmh, generation: generation)
    }
}
