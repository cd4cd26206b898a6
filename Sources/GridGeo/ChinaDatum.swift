import Foundation

/// GCJ-02 ("Mars coordinates", used by AMap, Tencent and WeChat maps) and BD-09 (Baidu).
/// The forward transforms are the published obfuscation formulas; the inverses are iterative
/// (fixed-point on the forward transform), accurate to well under a millimetre, unlike the
/// one-step inverse that is off by metres.
public enum ChinaDatum {
    static let a = 6378245.0
    static let ee = 0.00669342162296594323
    static let bdFactor = Double.pi * 3000.0 / 180.0

    /// Whether GCJ-02 (and BD-09, built on it) applies at a point: mainland China, Hong Kong and
    /// Macau, drawn coarsely as six rectangles minus six (Taiwan, northern Vietnam and Laos, and
    /// the Russian and Mongolian corners the rectangles would take in). These are the rectangles
    /// most published converters use (Aimeast, 2012, cnblogs.com/Aimeast/archive/2012/08/09/2629614.html),
    /// so wangge agrees with the tools that made the coordinates. Osaka, Seoul and Pyongyang are
    /// outside; the old one-box test (72.004..137.8347 E, 0.8293..55.8271 N) took them in.
    /// Each rectangle is (west, north, east, south) in degrees.
    public static func applies(at c: Coordinate) -> Bool {
        func inside(_ r: (Double, Double, Double, Double)) -> Bool { c.lon >= r.0 && c.lon <= r.2 && c.lat <= r.1 && c.lat >= r.3 }
        return region.contains(where: inside) && !excluded.contains(where: inside)
    }

    static let region: [(Double, Double, Double, Double)] = [
        (79.446200, 49.220400, 96.330000, 42.889900),
        (109.687200, 54.141500, 135.000200, 39.374200),
        (73.124600, 42.889900, 124.143255, 29.529700),
        (82.968400, 29.529700, 97.035200, 26.718600),
        (97.025300, 29.529700, 124.367395, 20.414096),
        (107.975793, 20.414096, 111.744104, 17.871542),
    ]
    static let excluded: [(Double, Double, Double, Double)] = [
        (119.921265, 25.398623, 122.497559, 21.785006),
        (101.865200, 22.284000, 106.665000, 20.098800),
        (106.452500, 21.542200, 108.051000, 20.487800),
        (109.032300, 55.817500, 119.127000, 50.325700),
        (127.456800, 55.817500, 137.022700, 49.557400),
        (131.266200, 44.892200, 137.022700, 42.569200),
    ]

    /// WGS84 → GCJ-02 where GCJ-02 applies (`applies(at:)`); elsewhere the point is unchanged,
    /// as AMap and Tencent leave it.
    public static func wgs84ToGCJ02(_ c: Coordinate) -> Coordinate {
        guard applies(at: c) else { return c }
        return offsetGCJ02(c)
    }

    /// The published GCJ-02 formula, applied everywhere. The inverse iterates on this, not on
    /// `wgs84ToGCJ02`, so it has no jump at the edge of the region (callers check the region).
    static func offsetGCJ02(_ c: Coordinate) -> Coordinate {
        let x = c.lon - 105.0, y = c.lat - 35.0
        var dLat = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * sqrt(abs(x))
        dLat += (20.0 * sin(6.0 * x * .pi) + 20.0 * sin(2.0 * x * .pi)) * 2.0 / 3.0
        dLat += (20.0 * sin(y * .pi) + 40.0 * sin(y / 3.0 * .pi)) * 2.0 / 3.0
        dLat += (160.0 * sin(y / 12.0 * .pi) + 320.0 * sin(y * .pi / 30.0)) * 2.0 / 3.0
        var dLon = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * sqrt(abs(x))
        dLon += (20.0 * sin(6.0 * x * .pi) + 20.0 * sin(2.0 * x * .pi)) * 2.0 / 3.0
        dLon += (20.0 * sin(x * .pi) + 40.0 * sin(x / 3.0 * .pi)) * 2.0 / 3.0
        dLon += (150.0 * sin(x / 12.0 * .pi) + 300.0 * sin(x / 30.0 * .pi)) * 2.0 / 3.0
        let radLat = c.lat / 180.0 * .pi
        var magic = sin(radLat)
        magic = 1 - ee * magic * magic
        let sqrtMagic = sqrt(magic)
        dLat = (dLat * 180.0) / ((a * (1 - ee)) / (magic * sqrtMagic) * .pi)
        dLon = (dLon * 180.0) / (a / sqrtMagic * cos(radLat) * .pi)
        return Coordinate(lon: c.lon + dLon, lat: c.lat + dLat)
    }

    public static func gcj02ToBD09(_ c: Coordinate) -> Coordinate {
        let x = c.lon, y = c.lat
        let z = sqrt(x * x + y * y) + 0.00002 * sin(y * bdFactor)
        let theta = atan2(y, x) + 0.000003 * cos(x * bdFactor)
        return Coordinate(lon: z * cos(theta) + 0.0065, lat: z * sin(theta) + 0.006)
    }

    public static func wgs84ToBD09(_ c: Coordinate) -> Coordinate { gcj02ToBD09(wgs84ToGCJ02(c)) }

    public static func gcj02ToWGS84(_ c: Coordinate) -> Coordinate { invert(offsetGCJ02, c) }
    public static func bd09ToGCJ02(_ c: Coordinate) -> Coordinate { invert(gcj02ToBD09, c) }
    public static func bd09ToWGS84(_ c: Coordinate) -> Coordinate { gcj02ToWGS84(bd09ToGCJ02(c)) }

    /// Solves forward(x) = target. The offsets vary slowly (about 1e-5 per degree of shift), so
    /// each step gains about five digits; 1e-12° is ~0.1 µm.
    static func invert(_ forward: (Coordinate) -> Coordinate, _ target: Coordinate) -> Coordinate {
        var x = target
        for _ in 0..<30 {
            let f = forward(x)
            let dLon = f.lon - target.lon, dLat = f.lat - target.lat
            x = Coordinate(lon: x.lon - dLon, lat: x.lat - dLat)
            if abs(dLon) < 1e-12 && abs(dLat) < 1e-12 { break }
        }
        return x
    }
}
