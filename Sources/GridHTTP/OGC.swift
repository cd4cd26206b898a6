import Foundation
import GridGeo
import GridStore
import HTTPTypes
import Hummingbird

/// The OGC API vocabulary, defined once: link relations, media types, conformance classes,
/// query parameter names and the coordinate reference systems offered (Part 2).
enum OGC {
    enum Rel {
        static let `self` = "self"
        static let alternate = "alternate"
        static let serviceDesc = "service-desc"
        static let serviceDoc = "service-doc"
        static let conformance = "conformance"
        static let data = "data"
        static let items = "items"
        static let collection = "collection"
        static let next = "next"
        static let prev = "prev"
        /// IANA "related": used for the planner's map page.
        static let related = "related"
    }

    enum Media {
        static let json = "application/json"
        static let geoJSON = "application/geo+json"
        static let html = "text/html"
        static let htmlUTF8 = "text/html; charset=utf-8"
        static let openAPI = "application/vnd.oai.openapi+json;version=3.0"
    }

    enum Param {
        static let bbox = "bbox"
        static let bboxCRS = "bbox-crs"
        static let limit = "limit"
        static let offset = "offset"
        static let crs = "crs"
        static let f = "f"
        static let datetime = "datetime"
    }

    enum Header {
        /// OGC API – Features Part 2: the CRS of the coordinates in the body, as `<uri>`.
        static let contentCRS = HTTPField.Name("Content-Crs")!
    }

    enum Conformance {
        static let core = "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core"
        static let geoJSON = "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson"
        static let oas30 = "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/oas30"
        static let crs = "http://www.opengis.net/spec/ogcapi-features-2/1.0/conf/crs"
    }

    /// Exactly the classes implemented. Not the HTML class: resources are JSON only (the API
    /// description and the map page are HTML, but landing page, collections and items are not).
    static let conformance = [Conformance.core, Conformance.geoJSON, Conformance.oas30, Conformance.crs]

    static let crs84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
    static let defaultLimit = 10
    static let maxLimit = 10_000

    /// Paths of the OGC resources besides collections, used by routes, links and the API definition.
    enum Path {
        static let landing = "/"
        static let conformance = "/conformance"
        static let collections = "/collections"
        static let api = "/api"
        static let apiHTML = "/api.html"
        static let map = "/map"
        static func collection(_ id: String) -> String { "/collections/\(id)" }
        static func items(_ id: String) -> String { "/collections/\(id)/items" }
        static func item(_ id: String, _ featureId: String) -> String { "/collections/\(id)/items/\(featureId)" }
    }

    /// Checks an `f` parameter: JSON is the only encoding of the OGC resources.
    static func checkFormat(_ params: Parameters, allowed: [String] = ["json"]) throws {
        if let f = params.get(Param.f), !allowed.contains(f) {
            throw APIError.badParameter(Param.f, "only \(allowed.map { "'\($0)'" }.joined(separator: " or ")) is offered, found '\(f)'")
        }
    }
}

extension OGC {
    /// Checks a `datetime` value (OGC API – Features Part 1 §7.15.4): an RFC 3339 date-time or
    /// full-date, or an interval `start/end` whose open ends are `..` or empty; start ≤ end.
    static func checkDatetime(_ value: String) throws {
        func bad(_ why: String) -> APIError {
            APIError.badParameter(Param.datetime, "\(why), found '\(value)'; write an RFC 3339 time such as 2025-01-01T00:00:00Z, " +
                "or an interval such as 2025-01-01T00:00:00Z/2025-02-01T00:00:00Z, ../2025-02-01T00:00:00Z or 2025-01-01T00:00:00Z/..")
        }
        let parts = value.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        guard parts.count <= 2 else { throw bad("at most one '/'") }
        if parts.count == 1 {
            guard instant(parts[0]) != nil else { throw bad("not an RFC 3339 date or date-time") }
            return
        }
        let open = { (s: String) in s.isEmpty || s == ".." }
        guard !(open(parts[0]) && open(parts[1])) else { throw bad("an interval needs at least one end") }
        var ends: [Date] = []
        for p in parts where !open(p) {
            guard let d = instant(p) else { throw bad("'\(p)' is not an RFC 3339 date or date-time") }
            ends.append(d)
        }
        if ends.count == 2, ends[0] > ends[1] { throw bad("the interval ends before it starts") }
    }

    /// An RFC 3339 date-time (with offset, optional fraction) or full-date, as an instant.
    static func instant(_ s: String) -> Date? {
        // A date-time needs its offset (RFC 3339 §5.6); Foundation would read a local time as UTC.
        let u = s.uppercased()
        if u.contains("T") {
            let offset = u.suffix(6)
            guard u.hasSuffix("Z") || (offset.first == "+" || offset.first == "-") && offset.dropFirst(3).first == ":" else { return nil }
        }
        let f = ISO8601DateFormatter()
        for options: ISO8601DateFormatter.Options in [[.withInternetDateTime], [.withInternetDateTime, .withFractionalSeconds], [.withFullDate]] {
            f.formatOptions = options
            if let d = f.date(from: s) { return d }
        }
        // RFC 3339 allows a lower-case t and z.
        if s.contains("t") || s.hasSuffix("z") { return instant(s.uppercased()) }
        return nil
    }
}

/// A CRS offered for output (`crs`) and bounding boxes (`bbox-crs`), with the axis order its
/// definition states: EPSG:4326 and EPSG:4490 are latitude first, EPSG:4547 northing first;
/// CRS84 and EPSG:3857 are longitude/easting first. Whoever names an EPSG CRS, in any spelling,
/// gets the EPSG axis order; longitude-first WGS84 is CRS84.
struct OutputCRS: Hashable, Sendable {
    let uri: String
    /// nil for CRS84 (the store's own coordinates).
    let epsg: Int?
    /// The CRS's first axis is latitude or northing.
    let northFirst: Bool
    /// Projected (metres) rather than geographic (degrees).
    let projected: Bool

    var title: String {
        switch epsg {
        case nil: return "WGS 84 longitude-latitude (CRS84)"
        case 4326: return "WGS 84 latitude-longitude (EPSG:4326)"
        case 4490: return "CGCS2000 latitude-longitude (EPSG:4490)"
        case 4547: return "CGCS2000 / 3-degree Gauss-Kruger CM 114E, northing-easting (EPSG:4547)"
        case 3857: return "WGS 84 / Pseudo-Mercator (EPSG:3857)"
        case let n?: return "EPSG:\(n)"
        }
    }

    static let crs84 = OutputCRS(uri: OGC.crs84, epsg: nil, northFirst: false, projected: false)
    static let supported: [OutputCRS] = [
        crs84,
        epsg(4326, northFirst: true, projected: false),
        epsg(4490, northFirst: true, projected: false),
        epsg(4547, northFirst: true, projected: true),
        epsg(3857, northFirst: false, projected: true),
    ]
    static var supportedURIs: [String] { supported.map(\.uri) }

    private static func epsg(_ n: Int, northFirst: Bool, projected: Bool) -> OutputCRS {
        OutputCRS(uri: "http://www.opengis.net/def/crs/EPSG/0/\(n)", epsg: n, northFirst: northFirst, projected: projected)
    }

    /// Accepts the OGC URIs (http or https), safe CURIEs (`[EPSG:4326]`), URNs and `EPSG:n`.
    static func parse(_ raw: String, parameter: String) throws -> OutputCRS {
        var s = raw.trimmingCharacters(in: .whitespaces)
        if s.hasPrefix("["), s.hasSuffix("]") { s = String(s.dropFirst().dropLast()) }
        let l = s.lowercased()
        let crs84Names = ["crs84", "ogc:crs84", "urn:ogc:def:crs:ogc:1.3:crs84", "urn:ogc:def:crs:ogc::crs84",
                          "http://www.opengis.net/def/crs/ogc/1.3/crs84", "https://www.opengis.net/def/crs/ogc/1.3/crs84"]
        if crs84Names.contains(l) { return crs84 }
        var code: Int?
        for prefix in ["http://www.opengis.net/def/crs/epsg/0/", "https://www.opengis.net/def/crs/epsg/0/",
                       "urn:ogc:def:crs:epsg::", "urn:ogc:def:crs:epsg:", "epsg:"] where l.hasPrefix(prefix) {
            code = Int(l.dropFirst(prefix.count).split(separator: ":").last ?? "")
            break
        }
        if let code, let c = supported.first(where: { $0.epsg == code }) { return c }
        throw APIError.badParameter(parameter, "unsupported CRS '\(raw)'; supported: \(supportedURIs.joined(separator: ", "))")
    }

    /// How the store should write geometries in this CRS.
    var geometryOutput: GeometryOutput {
        GeometryOutput(epsg: epsg == 4326 || epsg == 4490 ? nil : epsg, swapAxes: northFirst, precision: projected ? 3 : 9)
    }

    var contentCRSHeader: String { "<\(uri)>" }

    /// Converts a bounding box written in this CRS (in its axis order) to a CRS84 envelope, plus
    /// the densified outline in CRS84 when the box is not a longitude-latitude rectangle.
    func toCRS84(_ v: [Double]) throws -> (BoundingBox, [Coordinate]?) {
        // v = lower corner, upper corner, in this CRS's axis order.
        let (x0, y0, x1, y1) = northFirst ? (v[1], v[0], v[3], v[2]) : (v[0], v[1], v[2], v[3])
        // A longitude range may cross the antimeridian (OGC API – Features Part 1 §7.15.3: the
        // lower-left longitude greater than the upper-right one); latitudes and projected
        // coordinates may not be reversed.
        guard y0 <= y1, x0 <= x1 || !projected else {
            throw APIError.badParameter(OGC.Param.bbox, "minimum is greater than maximum" + (y0 > y1 ? " (latitude or northing)" : ""))
        }
        guard projected, let epsg else {
            guard (-180...180).contains(x0), (-180...180).contains(x1), (-90...90).contains(y0), (-90...90).contains(y1) else {
                throw APIError.badParameter(OGC.Param.bbox, "longitudes must be within -180..180 and latitudes within -90..90" +
                    (northFirst ? " (this CRS is latitude first)" : ""))
            }
            return (BoundingBox(minLon: x0, minLat: y0, maxLon: x1, maxLat: y1), nil)
        }
        let t = try CRSService.shared.transform(from: .epsg(epsg), to: .wgs84)
        var ring: [Coordinate] = []
        let n = 16
        func add(_ x: Double, _ y: Double) throws {
            do { ring.append(try t.forward(Coordinate(lon: x, lat: y))) } catch {
                throw APIError.badParameter(OGC.Param.bbox, "the box lies outside the area where \(uri) can be transformed")
            }
        }
        for i in 0..<n { try add(x0 + (x1 - x0) * Double(i) / Double(n), y0) }
        for i in 0..<n { try add(x1, y0 + (y1 - y0) * Double(i) / Double(n)) }
        for i in 0..<n { try add(x1 - (x1 - x0) * Double(i) / Double(n), y1) }
        for i in 0..<n { try add(x0, y1 - (y1 - y0) * Double(i) / Double(n)) }
        ring.append(ring[0])
        // PROJ wraps longitudes and clamps latitudes far outside a projection's range: a corner that
        // does not come back where it started was outside it.
        for (x, y) in [(x0, y0), (x1, y1)] {
            let back = try? t.inverse(try t.forward(Coordinate(lon: x, lat: y)))
            guard let back, abs(back.lon - x) < 1, abs(back.lat - y) < 1 else {
                throw APIError.badParameter(OGC.Param.bbox, "the box is outside the valid area of \(uri)")
            }
        }
        let b = BoundingBox(ring)
        guard ring.allSatisfy({ (-180...180).contains($0.lon) && (-90...90).contains($0.lat) }) else {
            throw APIError.badParameter(OGC.Param.bbox, "the box is outside the valid area of \(uri)")
        }
        return (b, ring)
    }
}
