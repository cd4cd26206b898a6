import Foundation

/// Areas on the WGS84 ellipsoid through Lambert's cylindrical equal-area map of the ellipsoid
/// (x = a·λ, y = a·q(φ)/2 with q the authalic function; Snyder, "Map Projections: A Working
/// Manual", USGS PP 1395, eqs. 3-12 and 10-15): the map preserves area exactly, so a ring's
/// shoelace area on it is the ellipsoidal area of the ring whose edges are straight on the map.
///
/// Why not always `GeodesicDisc.area` (GeographicLib's `geod_polygonarea`, exact for geodesic
/// edges): it solves one inverse geodesic problem per edge (~0.5 µs), which was a fifth of the
/// uncovered-area computation's CPU (docs/PERFORMANCE.md); this costs one sine and one logarithm
/// per vertex. The two differ only by the map-straight vs geodesic edges, millimetres off each
/// other on edges of a few hundred metres: under 1e-6 of the area for the city's grids and discs
/// (EllipsoidAreaTests holds 1e-6 against `geod_polygonarea` up to 60° latitude and 5 km
/// polygons), far inside the 1 % the coverage contract allows.
public enum EllipsoidArea {
    private static let a = 6378137.0
    private static let e2: Double = { let f = 1.0 / 298.257223563; return f * (2 - f) }()
    private static let e = e2.squareRoot()

    /// q(φ) / 2, the map's northing over a.
    @inline(__always)
    private static func halfQ(_ latDegrees: Double) -> Double {
        let s = sin(latDegrees * .pi / 180)
        return 0.5 * (1 - e2) * (s / (1 - e2 * s * s) - 1 / (2 * e) * log((1 - e * s) / (1 + e * s)))
    }

    /// |area| in m² of one ring given as interleaved lon, lat degrees (x0, y0, x1, y1, …; closed
    /// or not), orientation ignored; 0 for fewer than three points. Rings spanning more than 180°
    /// of longitude are not supported (the city's never do).
    public static func ring(lonLat xy: UnsafeBufferPointer<Double>) -> Double {
        let n = xy.count / 2
        guard n >= 3 else { return 0 }
        // Relative to the first vertex, so the products stay small and exact enough.
        let x0 = xy[0], y0 = halfQ(xy[1])
        var sum = 0.0, px = 0.0, py = 0.0
        for i in 1..<n {
            let x = (xy[2 * i] - x0) * .pi / 180, y = halfQ(xy[2 * i + 1]) - y0
            sum += px * y - x * py
            px = x
            py = y
        }
        // The closing edge back to the first vertex (0, 0) adds nothing to the sum.
        return abs(sum) * 0.5 * a * a
    }

    /// |area| in m² of a ring of coordinates (see `ring(lonLat:)`).
    public static func ring(_ ring: Ring) -> Double {
        var xy: [Double] = []
        xy.reserveCapacity(ring.count * 2)
        for c in ring { xy.append(c.lon); xy.append(c.lat) }
        return xy.withUnsafeBufferPointer { Self.ring(lonLat: $0) }
    }
}
