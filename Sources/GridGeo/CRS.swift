import CProj
import Foundation

/// A coordinate reference system a user may name. Input is always turned into WGS84 / CGCS2000
/// longitude-latitude, which the store keeps.
public enum CRS: Hashable, Sendable, CustomStringConvertible {
    case wgs84
    case gcj02
    case bd09
    case epsg(Int)

    public struct UnknownCRS: Error, CustomStringConvertible, Sendable {
        public let name: String
        public var description: String {
            "unknown CRS '\(name)': use wgs84, cgcs2000, gcj02, bd09, CRS84 or an EPSG code such as EPSG:4547"
        }
    }

    /// Parses the names users write: `wgs84`, `cgcs2000`, `gcj02`, `bd09`, `EPSG:4547`, `4547`,
    /// OGC URIs (`http://www.opengis.net/def/crs/EPSG/0/4490`, `.../OGC/1.3/CRS84`) and URNs.
    public init(parsing raw: String) throws {
        let s = raw.trimmingCharacters(in: .whitespaces).lowercased()
        switch s {
        case "wgs84", "wgs-84", "wgs 84", "crs84", "ogc:crs84", "urn:ogc:def:crs:ogc:1.3:crs84", "urn:ogc:def:crs:ogc::crs84",
             "http://www.opengis.net/def/crs/ogc/1.3/crs84", "https://www.opengis.net/def/crs/ogc/1.3/crs84":
            self = .wgs84
            return
        case "cgcs2000", "cgcs-2000": self = .epsg(4490); return
        case "gcj02", "gcj-02", "gcj": self = .gcj02; return
        case "bd09", "bd-09", "bd09ll": self = .bd09; return
        default: break
        }
        var code: String?
        for prefix in ["epsg:", "urn:ogc:def:crs:epsg::", "urn:ogc:def:crs:epsg:", "http://www.opengis.net/def/crs/epsg/0/",
                       "https://www.opengis.net/def/crs/epsg/0/"] where s.hasPrefix(prefix) {
            code = String(s.dropFirst(prefix.count))
        }
        if code == nil, s.allSatisfy(\.isNumber) { code = s }
        guard let code, let n = Int(code.split(separator: ":").last ?? ""), n > 0, n < 1_000_000 else {
            throw UnknownCRS(name: raw)
        }
        // EPSG:4326 is latitude-first by its definition, but users passing it with lon/lat data mean CRS84.
        self = n == 4326 ? .wgs84 : .epsg(n)
        if case .epsg = self { _ = try ProjTransform(from: self, to: .wgs84) }
    }

    public var description: String {
        switch self {
        case .wgs84: return "EPSG:4326"
        case .gcj02: return "GCJ-02"
        case .bd09: return "BD-09"
        case .epsg(let n): return "EPSG:\(n)"
        }
    }

    /// The OGC URI used in OGC API headers and links.
    public var uri: String {
        switch self {
        case .wgs84: return "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
        case .epsg(let n): return "http://www.opengis.net/def/crs/EPSG/0/\(n)"
        case .gcj02: return "gcj02"
        case .bd09: return "bd09"
        }
    }
}

public struct CoordinateRangeError: Error, CustomStringConvertible, Sendable {
    public let coordinate: Coordinate
    public let message: String
    public var description: String { message }
}

/// Converts coordinates between a CRS and WGS84 longitude-latitude. Safe to share between
/// threads: the PROJ object it may hold serialises its own use.
public final class CoordinateTransform: @unchecked Sendable {
    public let crs: CRS
    private let proj: ProjTransform?

    public init(_ crs: CRS) throws {
        self.crs = crs
        if case .epsg(let n) = crs, n != 4490 {
            proj = try ProjTransform(from: crs, to: .wgs84)
        } else {
            // CGCS2000 and WGS84 agree to a few centimetres; the store treats them as one (DESIGN §3).
            proj = nil
        }
    }

    private static let cacheLock = NSLock()
    nonisolated(unsafe) private static var cache: [CRS: CoordinateTransform] = [:]

    /// One shared transform per CRS: creating a PROJ transformation costs ~50 ms, using one ~1 µs,
    /// so request handlers must not create their own.
    public static func shared(_ crs: CRS) throws -> CoordinateTransform {
        cacheLock.lock()
        defer { cacheLock.unlock() }
        if let t = cache[crs] { return t }
        let t = try CoordinateTransform(crs)
        if cache.count < 64 { cache[crs] = t }
        return t
    }

    public func toWGS84(_ c: Coordinate) throws -> Coordinate {
        guard c.lon.isFinite, c.lat.isFinite else {
            throw CoordinateRangeError(coordinate: c, message: "coordinates must be finite numbers")
        }
        let out: Coordinate
        switch crs {
        case .wgs84, .epsg(4490): out = c
        case .gcj02: try Self.checkLonLat(c); out = ChinaDatum.gcj02ToWGS84(c)
        case .bd09: try Self.checkLonLat(c); out = ChinaDatum.bd09ToWGS84(c)
        case .epsg: out = try proj!.forward(c)
        }
        try Self.checkLonLat(out)
        return out
    }

    public static func checkLonLat(_ c: Coordinate) throws {
        guard c.lon.isFinite, c.lat.isFinite else {
            throw CoordinateRangeError(coordinate: c, message: "coordinates must be finite numbers")
        }
        guard (-180...180).contains(c.lon), (-90...90).contains(c.lat) else {
            throw CoordinateRangeError(
                coordinate: c,
                message: "longitude \(c.lon), latitude \(c.lat) is out of range (longitude -180..180, latitude -90..90; is the CRS right, or are the axes swapped?)")
        }
    }
}

/// One PROJ transformation with axis order normalised to x = longitude/easting.
public final class ProjTransform {
    private let ctx: OpaquePointer
    private let pj: OpaquePointer
    private let lock = NSLock()

    public init(from: CRS, to: CRS) throws {
        func name(_ c: CRS) throws -> String {
            switch c {
            case .wgs84: return "EPSG:4326"
            case .epsg(let n): return "EPSG:\(n)"
            case .gcj02, .bd09: throw CRS.UnknownCRS(name: c.description)
            }
        }
        let src = try name(from), dst = try name(to)
        guard let ctx = proj_context_create() else { throw CRS.UnknownCRS(name: src) }
        proj_log_level(ctx, PJ_LOG_NONE)
        guard let raw = proj_create_crs_to_crs(ctx, src, dst, nil) else {
            proj_context_destroy(ctx)
            throw CRS.UnknownCRS(name: from == .wgs84 ? dst : src)
        }
        guard let norm = proj_normalize_for_visualization(ctx, raw) else {
            proj_destroy(raw)
            proj_context_destroy(ctx)
            throw CRS.UnknownCRS(name: src)
        }
        proj_destroy(raw)
        self.ctx = ctx
        self.pj = norm
    }

    deinit {
        proj_destroy(pj)
        proj_context_destroy(ctx)
    }

    public func forward(_ c: Coordinate) throws -> Coordinate { try run(c, PJ_FWD) }
    public func inverse(_ c: Coordinate) throws -> Coordinate { try run(c, PJ_INV) }

    private func run(_ c: Coordinate, _ dir: PJ_DIRECTION) throws -> Coordinate {
        lock.lock()
        defer { lock.unlock() }
        let out = proj_trans(pj, dir, proj_coord(c.lon, c.lat, 0, 0))
        let x = out.xy.x, y = out.xy.y
        guard x.isFinite, y.isFinite, x != .infinity else {
            throw CoordinateRangeError(coordinate: c, message: "coordinate \(c.lon), \(c.lat) cannot be transformed (outside the CRS's area?)")
        }
        return Coordinate(lon: x, lat: y)
    }
}

extension CRS {
    /// Identifies the EPSG code of a CRS written as WKT (a shapefile's .prj), through PROJ's
    /// identification; nil when PROJ is not confident.
    public static func identify(wkt: String) -> CRS? {
        guard let ctx = proj_context_create() else { return nil }
        defer { proj_context_destroy(ctx) }
        proj_log_level(ctx, PJ_LOG_NONE)
        guard let obj = proj_create(ctx, wkt) else { return nil }
        defer { proj_destroy(obj) }
        var confidence: UnsafeMutablePointer<Int32>?
        guard let list = proj_identify(ctx, obj, "EPSG", nil, &confidence) else { return nil }
        defer {
            proj_list_destroy(list)
            proj_int_list_destroy(confidence)
        }
        var best: (code: Int, confidence: Int32)?
        for k in 0..<proj_list_get_count(list) {
            guard let candidate = proj_list_get(ctx, list, k) else { continue }
            defer { proj_destroy(candidate) }
            let c = confidence?[Int(k)] ?? 0
            if let code = proj_get_id_code(candidate, 0).flatMap({ Int(String(cString: $0)) }), c >= 70, c > (best?.confidence ?? 0) {
                best = (code, c)
            }
        }
        guard let best else { return nil }
        return best.code == 4326 ? .wgs84 : .epsg(best.code)
    }
}
