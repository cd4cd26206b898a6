import CProj
import Foundation

/// The point of a geodesic segment nearest to a point, on the WGS84 ellipsoid (GeographicLib's
/// `geod_inverseline` / `geod_position` / `geod_inverse` as shipped in PROJ).
public enum GeodesicFoot {
    private static let wgs84: geod_geodesic = {
        var g = geod_geodesic()
        geod_init(&g, 6378137.0, 1.0 / 298.257223563)
        return g
    }()

    /// The foot point of `q` on the geodesic segment `a`→`b`: the point at `offset` metres from
    /// `a` along it (0 ≤ offset ≤ `length`, the segment's geodesic length) whose geodesic
    /// distance to `q`, `metres`, is least.
    ///
    /// Method: start from `startFraction` (0…1, e.g. a planar projection's answer), then move
    /// along the segment by `d · cos(θ)`, θ the angle at the current point between the segment
    /// and the geodesic to `q`: the stationarity condition of the distance (θ = 90°) solved by a
    /// Newton-like step, which on the plane is exact in one step and on the ellipsoid converges
    /// to < 1 µm in two or three for the distances of walking (kilometres). At most 20 steps;
    /// clamped to the segment's ends. A degenerate segment (a = b) answers `a`.
    public static func foot(of q: Coordinate, on a: Coordinate, _ b: Coordinate, startFraction: Double = 0.5)
        -> (point: Coordinate, offset: Double, length: Double, metres: Double) {
        var g = wgs84
        var line = geod_geodesicline()
        geod_inverseline(&line, &g, a.lat, a.lon, b.lat, b.lon, 0)
        let length = line.s13
        func distance(_ p: Coordinate) -> (d: Double, azi: Double) {
            var s12 = 0.0, azi1 = 0.0, azi2 = 0.0
            geod_inverse(&g, p.lat, p.lon, q.lat, q.lon, &s12, &azi1, &azi2)
            return (s12, azi1)
        }
        guard length > 0 else { return (a, 0, 0, distance(a).d) }
        var s = min(max(startFraction, 0), 1) * length
        var best = (point: a, offset: 0.0, metres: Double.infinity)
        for _ in 0..<20 {
            var lat = 0.0, lon = 0.0, azi = 0.0
            geod_position(&line, s, &lat, &lon, &azi)
            let p = Coordinate(lon: lon, lat: lat)
            let (d, toQ) = distance(p)
            if d < best.metres { best = (p, s, d) }
            if d == 0 { break }
            let step = d * cos((toQ - azi) * .pi / 180)
            let next = min(max(s + step, 0), length)
            if abs(next - s) < 1e-7 { break }
            s = next
        }
        return (best.point, best.offset, length, best.metres)
    }
}
