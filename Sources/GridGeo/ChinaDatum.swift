import Foundation

/// GCJ-02 ("Mars coordinates", used by AMap, Tencent and WeChat maps) and BD-09 (Baidu).
/// The forward transforms are the published obfuscation formulas; the inverses are iterative
/// (fixed-point on the forward transform), accurate to well under a millimetre, unlike the
/// one-step inverse that is off by metres.
public enum ChinaDatum {
    static let a = 6378245.0
    static let ee = 0.00669342162296594323
    static let bdFactor = Double.pi * 3000.0 / 180.0

    /// GCJ-02 applies only inside China; elsewhere the published formulas leave WGS84 alone.
    public static func isInChina(_ c: Coordinate) -> Bool {
        c.lon >= 72.004 && c.lon <= 137.8347 && c.lat >= 0.8293 && c.lat <= 55.8271
    }

    public static func wgs84ToGCJ02(_ c: Coordinate) -> Coordinate {
        guard isInChina(c) else { return c }
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

    public static func gcj02ToWGS84(_ c: Coordinate) -> Coordinate { invert(wgs84ToGCJ02, c) }
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
