import CProj

extension Geodesic {
    private static let ellipsoid: geod_geodesic = {
        var g = geod_geodesic()
        geod_init(&g, 6378137.0, 1.0 / 298.257223563)
        return g
    }()

    /// The point `metres` from `a` along the geodesic from `a` to `b` on WGS84 (GeographicLib's
    /// `geod_inverseline` and `geod_position` as shipped in PROJ): cuts a segment at an exact
    /// length. `metres` is clamped to 0…the segment's length; a degenerate segment answers `a`.
    public static func point(from a: Coordinate, toward b: Coordinate, metres: Double) -> Coordinate {
        var g = ellipsoid
        var line = geod_geodesicline()
        geod_inverseline(&line, &g, a.lat, a.lon, b.lat, b.lon, 0)
        guard line.s13 > 0 else { return a }
        if metres <= 0 { return a }
        if metres >= line.s13 { return b }
        var lat = 0.0, lon = 0.0, azi = 0.0
        geod_position(&line, metres, &lat, &lon, &azi)
        return Coordinate(lon: lon, lat: lat)
    }
}
