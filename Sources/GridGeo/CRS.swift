import Foundation

/// A coordinate reference system a user may name. Input is always turned into WGS84 / CGCS2000
/// longitude-latitude, which the store keeps.
///
/// Naming a CRS builds nothing: `CRS(parsing:)` reads the name and, for an EPSG code, looks the
/// code up once in PROJ's database through `CRSCatalog` (cached). PROJ transformations come
/// from `CRSService.shared`, created once per pair and reused.
public enum CRS: Hashable, Sendable, CustomStringConvertible {
    case wgs84
    case gcj02
    case bd09
    case epsg(Int)

    /// A name that is no CRS wangge knows, or an EPSG code PROJ's database does not hold.
    public struct UnknownCRS: Error, CustomStringConvertible, Sendable {
        public let name: String
        public init(name: String) { self.name = name }
        public var description: String {
            "unknown CRS '\(name)': use wgs84, cgcs2000, gcj02, bd09, CRS84 or an EPSG code such as EPSG:4547"
        }
    }

    /// Parses the names users write: `wgs84`, `cgcs2000`, `gcj02`, `bd09`, `EPSG:4547`, `4547`,
    /// OGC URIs (`http://www.opengis.net/def/crs/EPSG/0/4490`, `.../OGC/1.3/CRS84`) and URNs.
    /// EPSG:4326 means longitude-latitude WGS84 here (users passing it with lon/lat data mean
    /// CRS84). Throws `UnknownCRS` for anything else, including EPSG codes PROJ does not know.
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
        var code: Substring?
        for prefix in ["epsg:", "urn:ogc:def:crs:epsg::", "urn:ogc:def:crs:epsg:", "http://www.opengis.net/def/crs/epsg/0/",
                       "https://www.opengis.net/def/crs/epsg/0/"] where s.hasPrefix(prefix) {
            code = s.dropFirst(prefix.count)
        }
        if code == nil, !s.isEmpty, s.allSatisfy(\.isNumber) { code = s[...] }
        guard let code, let n = Int(code.split(separator: ":").last ?? ""), n > 0, n < 1_000_000 else {
            throw UnknownCRS(name: raw)
        }
        if n == 4326 { self = .wgs84; return }
        // A lookup in PROJ's database, done once per code (CRSCatalog caches it), not a transformation.
        guard CRSCatalog.shared.definition(epsg: n) != nil else { throw UnknownCRS(name: raw) }
        self = .epsg(n)
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

    /// The name PROJ gives an EPSG CRS, for messages: `EPSG:4547 (CGCS2000 / 3-degree Gauss-Kruger CM 114E)`.
    public var longDescription: String {
        switch self {
        case .wgs84: return "WGS 84 longitude-latitude (EPSG:4326)"
        case .gcj02: return "GCJ-02 (AMap, Tencent, WeChat)"
        case .bd09: return "BD-09 (Baidu)"
        case .epsg(let n):
            guard let d = CRSCatalog.shared.definition(epsg: n) else { return description }
            return "\(description) (\(d.name))"
        }
    }

    /// The PROJ name of this CRS; nil for the China datums, which PROJ does not know.
    var projName: String? {
        switch self {
        case .wgs84: return "EPSG:4326"
        case .epsg(let n): return "EPSG:\(n)"
        case .gcj02, .bd09: return nil
        }
    }
}
