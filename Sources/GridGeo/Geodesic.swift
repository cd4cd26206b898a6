import CProj

/// Distances on the WGS84 ellipsoid with GeographicLib's algorithm as shipped in PROJ.
public enum Geodesic {
    private static let wgs84: geod_geodesic = {
        var g = geod_geodesic()
        geod_init(&g, 6378137.0, 1.0 / 298.257223563)
        return g
    }()

    /// Geodesic distance in metres.
    public static func distance(_ a: Coordinate, _ b: Coordinate) -> Double {
        var g = wgs84
        var s12 = 0.0, azi1 = 0.0, azi2 = 0.0
        geod_inverse(&g, a.lat, a.lon, b.lat, b.lon, &s12, &azi1, &azi2)
        return s12
    }

    /// Metres per degree of latitude and of longitude near a latitude, for building search boxes.
    /// Slightly generous (uses the smallest metres-per-degree over the box) so boxes never miss.
    public static func degreesFor(metres: Double, atLatitude lat: Double) -> (dLon: Double, dLat: Double) {
        let dLat = metres / 110_574.0
        let edge = min(89.999, abs(lat) + dLat)
        let cosine = max(cos(edge * .pi / 180), 1e-6)
        let dLon = min(360.0, metres / (111_320.0 * cosine))
        return (dLon, dLat)
    }
}

import Foundation
