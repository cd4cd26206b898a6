import Foundation
import GRDB

/// One life service circle (生活服务圈): the minutes of walking and the planned radius in metres
/// (after GB 50180-2018; seeds/service_tiers.csv).
public struct ServiceTier: Hashable, Sendable, Codable {
    public let minutes: Int
    /// Metres, > 0.
    public let radiusMetres: Double
    public let nameZh: String
    public let nameEn: String
    public init(minutes: Int, radiusMetres: Double, nameZh: String, nameEn: String) {
        self.minutes = minutes; self.radiusMetres = radiusMetres; self.nameZh = nameZh; self.nameEn = nameEn
    }
}

/// A named parameter of the straight-line walking model (seeds/walking.csv).
public struct WalkingParameter: Hashable, Sendable, Codable {
    public let parameter: String
    public let value: Double
    public let unit: String
    public let nameZh: String
    public let nameEn: String
}

/// The tiers and the walking model as the store holds them (migration "v3-tiers").
public struct ServiceTiers: Sendable, Equatable {
    /// Shortest first.
    public let tiers: [ServiceTier]
    /// km/h (default 5, the walking speed of routing engines' foot profiles).
    public let walkingSpeedKmh: Double
    /// Straight-line distance × this factor = walking distance (default 1.0).
    public let detourFactor: Double
    /// Both walking parameters with their names.
    public let parameters: [WalkingParameter]

    public func tier(minutes: Int) -> ServiceTier? { tiers.first { $0.minutes == minutes } }

    /// Walking minutes for a straight-line geodesic distance in metres:
    /// metres × detour factor ÷ (speed km/h × 1000 / 60).
    public func walkMinutes(metres: Double) -> Double { metres * detourFactor / (walkingSpeedKmh * 1000 / 60) }

    /// How an answer names its distance: `straight-line` with its detour factor (DESIGN §3).
    public var method: String { "straight-line" }
}

extension GridDatabase {
    /// The circle tiers and walking model of the store.
    public func serviceTiers() throws -> ServiceTiers {
        try writer.read { db in
            let tiers = try Row.fetchAll(db, sql: "SELECT minutes, radius_m, name_zh, name_en FROM service_tiers ORDER BY minutes").map {
                ServiceTier(minutes: $0[0], radiusMetres: $0[1], nameZh: $0[2], nameEn: $0[3])
            }
            let params = try Row.fetchAll(db, sql: "SELECT parameter, value, unit, name_zh, name_en FROM walking_parameters ORDER BY parameter DESC").map {
                WalkingParameter(parameter: $0[0], value: $0[1], unit: $0[2], nameZh: $0[3], nameEn: $0[4])
            }
            func value(_ p: String) throws -> Double {
                guard let v = params.first(where: { $0.parameter == p })?.value else { throw StoreError("walking_parameters has no \(p) row") }
                return v
            }
            return ServiceTiers(tiers: tiers, walkingSpeedKmh: try value("walking_speed"), detourFactor: try value("detour_factor"), parameters: params)
        }
    }
}
