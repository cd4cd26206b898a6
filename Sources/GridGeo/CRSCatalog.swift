import CProj
import Foundation
import Synchronization

/// What PROJ's database says about an EPSG CRS: its name, whether it is in degrees or metres, and
/// its area of use (the EPSG "bounding box" of where the CRS is meant to be used).
public struct CRSDefinition: Sendable, Equatable {
    public enum Kind: Sendable, Equatable { case geographic, projected }

    /// The area where a CRS is used, in WGS84 degrees. `west > east` when it crosses ±180°.
    public struct Area: Sendable, Equatable {
        public let west: Double, south: Double, east: Double, north: Double
        /// EPSG's description of the area, e.g. "China - onshore between 112°30'E and 115°30'E."
        public let name: String

        /// Whether a WGS84 point lies in the area widened by `margin` degrees on every side.
        public func contains(_ c: Coordinate, margin: Double = 0) -> Bool {
            guard c.lat >= south - margin, c.lat <= north + margin else { return false }
            if west <= east {
                if east - west + 2 * margin >= 360 { return true }
                return Self.within(c.lon, west - margin, east + margin)
            }
            // Crossing the antimeridian: [west, 180] ∪ [-180, east].
            return Self.within(c.lon, west - margin, 180 + margin) || Self.within(c.lon, -180 - margin, east + margin)
        }

        /// Longitude test that also accepts the same meridian written 360° away.
        private static func within(_ lon: Double, _ lo: Double, _ hi: Double) -> Bool {
            (lo...hi).contains(lon) || (lo...hi).contains(lon + 360) || (lo...hi).contains(lon - 360)
        }

        /// "longitude 112.5..115.5, latitude 21.52..45.45"
        public var bounds: String { "longitude \(JSONText.number(west))..\(JSONText.number(east)), latitude \(JSONText.number(south))..\(JSONText.number(north))" }
    }

    public let code: Int
    public let name: String
    public let kind: Kind
    public let area: Area?
}

/// EPSG definitions read from PROJ's database once per code and kept: a lookup costs a
/// millisecond or so (a database query), which a request must not pay every time. Unknown codes
/// are remembered too (up to `maxUnknown`), so a client repeating a bad code costs nothing.
public final class CRSCatalog: Sendable {
    public static let shared = CRSCatalog()

    private enum Entry: Sendable { case known(CRSDefinition), unknown }
    private let entries = Mutex<[Int: Entry]>([:])
    private static let maxUnknown = 4096

    /// The definition of an EPSG code; nil when PROJ does not know it or it is neither a
    /// geographic nor a projected CRS (vertical, geocentric and engineering CRSs are not
    /// coordinates of a point on a map).
    public func definition(epsg code: Int) -> CRSDefinition? {
        if let e = entries.withLock({ $0[code] }) {
            if case .known(let d) = e { return d }
            return nil
        }
        // Looked up outside the lock: two threads may both look up a new code, which is harmless.
        let d = Self.lookUp(code)
        entries.withLock { e in
            if d != nil || e.count < Self.maxUnknown { e[code] = d.map(Entry.known) ?? .unknown }
        }
        return d
    }

    private static func lookUp(_ code: Int) -> CRSDefinition? {
        guard let ctx = proj_context_create() else { return nil }
        defer { proj_context_destroy(ctx) }
        proj_log_level(ctx, PJ_LOG_NONE)
        guard let obj = proj_create(ctx, "EPSG:\(code)") else { return nil }
        defer { proj_destroy(obj) }
        let kind: CRSDefinition.Kind
        switch proj_get_type(obj) {
        case PJ_TYPE_GEOGRAPHIC_2D_CRS, PJ_TYPE_GEOGRAPHIC_3D_CRS: kind = .geographic
        case PJ_TYPE_PROJECTED_CRS: kind = .projected
        default: return nil
        }
        let name = proj_get_name(obj).map { String(cString: $0) } ?? "EPSG:\(code)"
        var w = 0.0, s = 0.0, e = 0.0, n = 0.0
        var areaName: UnsafePointer<CChar>?
        var area: CRSDefinition.Area?
        if proj_get_area_of_use(ctx, obj, &w, &s, &e, &n, &areaName) != 0, w > -1000 {
            area = CRSDefinition.Area(west: w, south: s, east: e, north: n, name: areaName.map { String(cString: $0) } ?? "")
        }
        return CRSDefinition(code: code, name: name, kind: kind, area: area)
    }
}

extension CRS {
    /// Identifies the EPSG code of a CRS written as WKT (a shapefile's .prj), through PROJ's
    /// identification; nil when PROJ is not confident (below 70 %).
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
