import CProj
import Foundation

/// Geodesic discs and areas on the WGS84 ellipsoid (GeographicLib's `geod_direct` and
/// `geod_polygonarea` as shipped in PROJ), for coverage: the area within a radius of a station,
/// as a polygon GEOS can union and subtract.
public enum GeodesicDisc {
    private static let wgs84: geod_geodesic = {
        var g = geod_geodesic()
        geod_init(&g, 6378137.0, 1.0 / 298.257223563)
        return g
    }()

    /// Vertices per disc, as PostGIS's ST_Buffer (8 per quarter circle). With the equal-area
    /// radius below, a 32-gon's area equals the disc's (to ~1e-8 relative at 1 km, the
    /// ellipsoid's curvature over the disc), and its edge stays within 0.33 % of the radius of the
    /// true circle (±1 m at 300 m, ±3.3 m at 1 km); GEOS's work grows with the vertex count.
    public static let defaultVertices = 32

    /// The point reached from `origin` along the geodesic with azimuth `azimuth` (degrees
    /// clockwise from north) after `metres`.
    public static func direct(_ origin: Coordinate, azimuth: Double, metres: Double) -> Coordinate {
        var g = wgs84
        var lat = 0.0, lon = 0.0, azi2 = 0.0
        geod_direct(&g, origin.lat, origin.lon, azimuth, metres, &lat, &lon, &azi2)
        return Coordinate(lon: lon, lat: lat)
    }

    /// The geodesic disc of `radius` metres around `centre` as a closed counter-clockwise ring of
    /// `vertices` points (plus the closing repeat) in lon/lat degrees. The vertices lie at the
    /// equal-area radius r·√(2π / (n·sin(2π/n))), so the polygon's area is the disc's (an
    /// inscribed n-gon would be 0.64 % short at n = 32) and unions and differences of discs keep
    /// their geodesic areas.
    public static func ring(centre: Coordinate, radius: Double, vertices n: Int = defaultVertices) -> Ring {
        let r = radius * equalAreaFactor(vertices: n)
        var ring: Ring = []
        ring.reserveCapacity(n + 1)
        // Azimuths run clockwise from north; going through them backwards gives a CCW ring.
        for i in 0..<n {
            ring.append(direct(centre, azimuth: 360.0 - 360.0 * Double(i) / Double(n), metres: r))
        }
        ring.append(ring[0])
        return ring
    }

    /// The equal-area radius factor √(2π / (n·sin(2π/n))) of `ring`.
    public static func equalAreaFactor(vertices n: Int = defaultVertices) -> Double {
        (2 * Double.pi / Double(n) / sin(2 * Double.pi / Double(n))).squareRoot()
    }

    /// Radius of the circle inscribed in `ring`'s polygon, as a fraction of the disc's radius:
    /// every point within this fraction of the radius lies inside the polygon.
    public static func inscribedFactor(vertices n: Int = defaultVertices) -> Double {
        equalAreaFactor(vertices: n) * cos(Double.pi / Double(n))
    }

    /// Geodesic area in square metres of a polygon's rings on WGS84 (holes subtracted), by
    /// `geod_polygonarea`; orientation of the rings does not matter.
    public static func area(_ p: Polygon) -> Double {
        var total = 0.0
        for (k, ring) in p.rings.enumerated() {
            let a = abs(ringArea(ring))
            total += k == 0 ? a : -a
        }
        return total
    }

    /// Geodesic area in square metres of a (multi)polygon on WGS84; 0 for other geometries.
    public static func area(_ g: Geometry) -> Double {
        g.asMultiPolygon.map { $0.polygons.reduce(0) { $0 + area($1) } } ?? 0
    }

    private static func ringArea(_ ring: Ring) -> Double {
        var g = wgs84
        // geod_polygonarea wants the ring without its closing repeat.
        let pts = ring.count > 1 && ring.first == ring.last ? Array(ring.dropLast()) : ring
        var lats = pts.map(\.lat), lons = pts.map(\.lon)
        var a = 0.0, perimeter = 0.0
        geod_polygonarea(&g, &lats, &lons, Int32(pts.count), &a, &perimeter)
        return a
    }
}
