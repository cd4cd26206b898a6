import Foundation
import GridGeo
import GridStore

/// One circle of the life service circles (生活服务圈): a radius in metres, and the minutes it
/// stands for when it came from the tier table (nil when the caller gave a bare radius).
public struct CoverageTier: Hashable, Sendable {
    public let minutes: Int?
    public let radius: Double
    public init(minutes: Int?, radius: Double) { self.minutes = minutes; self.radius = radius }

    /// GB 50180-2018's 5/10/15-minute circles at 300/500/1,000 m, as seeds/service_tiers.csv
    /// ships them (answers use the store's table through `from(_:)`; this is for documentation).
    public static let defaults = [CoverageTier(minutes: 5, radius: 300), CoverageTier(minutes: 10, radius: 500),
                                  CoverageTier(minutes: 15, radius: 1000)]
}

/// How a distance was measured (DESIGN §3, coverage and walking network): `network` (along the
/// walking network, both access legs included) or `straight-line` (geodesic on WGS84 × a detour
/// factor). Every answer names it.
public struct CoverageMethod: Hashable, Sendable {
    public enum Kind: String, CaseIterable, Sendable {
        case network
        case straightLine = "straight-line"
    }
    public let kind: Kind
    /// Straight-line: walking distance = geodesic distance × detour (≥ 1; 1.0 by default, the
    /// tier seed's value). Network: not applied to distances; the uncovered-area polygons, which
    /// stay straight-line discs, use it (`polygonMethod`).
    public let detour: Double
    public init(detour: Double = 1.0, kind: Kind = .straightLine) { self.detour = detour; self.kind = kind }
    /// What the CSV's `method` column says: `network`, or `straight-line*1.0` with the detour factor.
    public var label: String { kind == .network ? "network" : "straight-line*" + String(detour) }
    public var name: String { kind.rawValue }
    /// Walking metres per measured metre: 1 along the network, the detour factor in a straight line.
    public var factor: Double { kind == .network ? 1 : detour }
    /// How the uncovered-area polygons are drawn: always straight-line discs (isochrone polygons
    /// along the network are a separate piece of work, issue 10 §3).
    public var polygonMethod: CoverageMethod { CoverageMethod(detour: detour) }

    /// The method a request asks for: `network`, `straight-line`, or nil/empty for the default
    /// (network when a walking network is loaded, else straight-line). Throws
    /// `CoverageInputError` (field `method`) for an unknown name, and for `network` when the
    /// store holds no walking network.
    public static func parse(_ text: String?, networkLoaded: Bool, detour: Double) throws -> CoverageMethod {
        guard let text, !text.isEmpty else { return CoverageMethod(detour: detour, kind: networkLoaded ? .network : .straightLine) }
        guard let kind = Kind(rawValue: text) else {
            throw CoverageInputError("method", "unknown method '\(text.prefix(40))'; methods: network, straight-line")
        }
        if kind == .network && !networkLoaded {
            throw CoverageInputError("method", "the store holds no walking network (import one with `wangge import network FILE`); use method straight-line")
        }
        return CoverageMethod(detour: detour, kind: kind)
    }
}

/// The level an answer is rolled up to.
public enum CoverageLevel: String, CaseIterable, Sendable {
    case compound, grid, community, street, district, city
}

/// A bad coverage request: which field and what is wrong with it (HTTP 400 names the field, the
/// CLI prints the message and exits non-zero).
public struct CoverageInputError: Error, CustomStringConvertible, Sendable {
    public let field: String
    public let message: String
    public init(_ field: String, _ message: String) { self.field = field; self.message = message }
    public var description: String { "\(field): \(message)" }
}

/// What to compute: the circles, the categories, the level and the method. Built and checked
/// from text by `parse`, shared by `GET /coverage` and `wangge coverage`.
public struct CoverageOptions: Sendable {
    public var tiers: [CoverageTier]
    /// Category codes, in the order of the category table.
    public var categories: [String]
    public var level: CoverageLevel
    public var method: CoverageMethod

    public init(tiers: [CoverageTier], categories: [String], level: CoverageLevel, method: CoverageMethod = CoverageMethod()) {
        self.tiers = tiers; self.categories = categories; self.level = level; self.method = method
    }

    /// Largest radius accepted: beyond a few kilometres "walking distance" means nothing, and it
    /// bounds the work of one request.
    public static let maxRadius = 10_000.0
    /// Radii per request.
    public static let maxRadii = 10

    /// Parses comma-separated lists as given by a user. `tier` (minutes, each one of `known`) and
    /// `radius` (metres, 0 < r ≤ `maxRadius`) exclude each other; neither means every known tier.
    /// `categories` nil means those `known` marks as counting toward "all". Throws
    /// `CoverageInputError` naming the field.
    public static func parse(tier: String?, radius: String?, categories: String?, level: String?,
                             knownTiers: [CoverageTier], knownCategories: [StationCategory],
                             method: CoverageMethod = CoverageMethod()) throws -> CoverageOptions {
        if tier != nil && radius != nil { throw CoverageInputError("radius", "give tier or radius, not both") }
        var tiers: [CoverageTier] = []
        if let tier {
            for part in try items(tier, "tier") {
                guard let m = Int(part), let t = knownTiers.first(where: { $0.minutes == m }) else {
                    throw CoverageInputError("tier", "unknown tier '\(part)'; tiers (minutes): \(knownTiers.compactMap(\.minutes).map(String.init).joined(separator: ", "))")
                }
                if !tiers.contains(t) { tiers.append(t) }
            }
        } else if let radius {
            let parts = try items(radius, "radius")
            guard parts.count <= maxRadii else { throw CoverageInputError("radius", "at most \(maxRadii) radii, found \(parts.count)") }
            for part in parts {
                // Decimal only (DecimalText): strtod's hex, inf and nan are not radii.
                guard let r = DecimalText.double(part) else {
                    if DecimalText.isNonFiniteWord(part) { throw CoverageInputError("radius", "must be a finite number of metres, found '\(part.prefix(40))'") }
                    throw CoverageInputError("radius", "not a number: '\(part.prefix(40))'")
                }
                guard r.isFinite else { throw CoverageInputError("radius", "must be a finite number of metres, found '\(part.prefix(40))'") }
                guard r > 0, r <= maxRadius else {
                    throw CoverageInputError("radius", "metres above 0 and at most \(Int(maxRadius)), found \(part)")
                }
                let t = CoverageTier(minutes: nil, radius: r)
                if !tiers.contains(t) { tiers.append(t) }
            }
        } else {
            tiers = knownTiers
        }
        var cats: [String]
        if let categories {
            let codes = Set(knownCategories.map(\.code))
            cats = []
            for part in try items(categories, "category") {
                guard codes.contains(part) else {
                    throw CoverageInputError("category", "unknown category '\(part)'; categories: \(knownCategories.map(\.code).joined(separator: ", "))")
                }
                if !cats.contains(part) { cats.append(part) }
            }
        } else {
            cats = knownCategories.filter(\.countsTowardAll).map(\.code)
        }
        var lvl = CoverageLevel.grid
        if let level {
            guard let l = CoverageLevel(rawValue: level) else {
                throw CoverageInputError("level", "unknown level '\(level)'; levels: \(CoverageLevel.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            lvl = l
        }
        return CoverageOptions(tiers: tiers, categories: cats, level: lvl, method: method)
    }

    private static func items(_ text: String, _ field: String) throws -> [String] {
        let parts = text.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
        guard !parts.isEmpty, !parts.contains(where: \.isEmpty) else {
            throw CoverageInputError(field, "empty value in '\(text)'; give a comma-separated list")
        }
        return parts
    }
}

extension CoverageTier {
    /// The store's tier table (seeds/service_tiers.csv, migration v4-service-tiers) as coverage tiers.
    public static func from(_ t: ServiceTiers) -> [CoverageTier] {
        t.tiers.map { CoverageTier(minutes: $0.minutes, radius: $0.radiusMetres) }
    }
}

extension CoverageMethod {
    /// Straight-line with the store's detour factor (seeds/walking.csv).
    public static func from(_ t: ServiceTiers) -> CoverageMethod { CoverageMethod(detour: t.detourFactor) }

    /// The requested method (see `parse`) with the store's detour factor.
    public static func from(_ t: ServiceTiers, requested: String?, networkLoaded: Bool) throws -> CoverageMethod {
        try parse(requested, networkLoaded: networkLoaded, detour: t.detourFactor)
    }
}
