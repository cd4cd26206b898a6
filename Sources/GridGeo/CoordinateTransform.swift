import Foundation

/// A coordinate that cannot be taken in its CRS: not finite, out of range, outside the CRS's area
/// of use, or outside the region where GCJ-02 / BD-09 apply. A domain error: callers say where
/// (field, line, feature) and the HTTP layer maps it to 400.
public struct CoordinateRangeError: Error, CustomStringConvertible, Sendable {
    /// The axis at fault when only one is (x = longitude/easting, y = latitude/northing).
    public enum Axis: Sendable { case x, y }
    public let coordinate: Coordinate
    public let axis: Axis?
    public let message: String
    public init(coordinate: Coordinate, axis: Axis? = nil, message: String) {
        self.coordinate = coordinate; self.axis = axis; self.message = message
    }
    public var description: String { message }
}

/// Turns coordinates in a CRS into WGS84 longitude-latitude, with every check in one place, in
/// this order (each failure a `CoordinateRangeError`):
///
/// 1. both numbers finite;
/// 2. geographic input (wgs84, gcj02, bd09, geographic EPSG CRSs): longitude within -180..180,
///    latitude within -90..90;
/// 3. gcj02 and bd09: the point lies where those datums apply (`ChinaDatum.applies(at:)`);
///    elsewhere AMap, Tencent, WeChat and Baidu give WGS84, and shifting such a point by the
///    China offset would silently move it by hundreds of metres, so it is refused;
/// 4. EPSG CRSs: the point in WGS84 lies in the CRS's area of use as PROJ's database gives it
///    (`proj_get_area_of_use`), widened by `areaMargin` degrees on every side for data that spills
///    over a zone's edge. Degrees sent with a projected CRS (114.42, 23.10 as EPSG:4547) land
///    thousands of kilometres away and are refused with that likely mistake named.
///
/// WGS84 and CGCS2000 (EPSG:4490) agree to a few centimetres; the store treats them as one
/// (DESIGN §3), so EPSG:4490 input is only checked, not transformed. Cheap to create: the PROJ
/// transformation comes from `CRSService.shared`.
public struct CoordinateTransform: Sendable {
    public let crs: CRS
    private let proj: ProjTransform?
    /// PROJ's definition of an EPSG CRS (name, kind, area of use); nil for wgs84, gcj02, bd09.
    public let definition: CRSDefinition?
    /// Degrees by which an EPSG CRS's area of use is widened before a point is refused.
    public static let areaMargin = 1.0

    /// Throws `CRS.UnknownCRS` for an EPSG code PROJ does not know.
    public init(_ crs: CRS) throws {
        self.crs = crs
        guard case .epsg(let n) = crs else {
            proj = nil
            definition = nil
            return
        }
        guard let d = CRSCatalog.shared.definition(epsg: n) else { throw CRS.UnknownCRS(name: crs.description) }
        definition = d
        proj = n == 4490 ? nil : try CRSService.shared.transform(from: crs, to: .wgs84)
    }

    /// The same as `init`: kept for callers that read better with it.
    public static func shared(_ crs: CRS) throws -> CoordinateTransform { try CoordinateTransform(crs) }

    /// Whether the input is in degrees (longitude, latitude) rather than metres.
    public var isGeographic: Bool { definition.map { $0.kind == .geographic } ?? true }

    public func toWGS84(_ c: Coordinate) throws -> Coordinate {
        try Self.checkFinite(c)
        if isGeographic { try Self.checkLonLat(c) }
        switch crs {
        case .wgs84:
            return c
        case .gcj02, .bd09:
            guard ChinaDatum.applies(at: c) else {
                throw CoordinateRangeError(coordinate: c, message: """
                    \(Self.text(c)) is outside the region where \(crs) is used (mainland China, Hong Kong and Macau; \
                    ChinaDatum.applies): outside China, AMap, Tencent, WeChat and Baidu give WGS84 coordinates, so name the CRS wgs84
                    """)
            }
            return crs == .gcj02 ? ChinaDatum.gcj02ToWGS84(c) : ChinaDatum.bd09ToWGS84(c)
        case .epsg:
            var out: Coordinate?
            if let proj { out = try? proj.forward(c) } else { out = c }
            if let p = out, p.lon.isFinite, p.lat.isFinite, (-180...180).contains(p.lon), (-90...90).contains(p.lat),
               definition?.area?.contains(p, margin: Self.areaMargin) ?? true {
                return p
            }
            throw outsideArea(c, landsAt: out)
        }
    }

    /// The error for a point outside the area of use, naming the CRS and the likely mistake.
    private func outsideArea(_ c: Coordinate, landsAt p: Coordinate?) -> CoordinateRangeError {
        var s = "\(Self.text(c)) in \(crs.longDescription)"
        if let p, p.lon.isFinite, p.lat.isFinite { s += " lands at longitude \(Self.round(p.lon)), latitude \(Self.round(p.lat))," }
        s += " outside the area where that CRS is used"
        if let a = definition?.area { s += " (\(a.name.isEmpty ? "" : a.name + " ")\(a.bounds))" }
        let looksLikeDegrees = abs(c.lon) <= 180 && abs(c.lat) <= 90
        if !isGeographic && looksLikeDegrees {
            s += ". These numbers look like longitude and latitude in degrees, but \(crs) takes easting and northing in metres: for degrees name the CRS wgs84 (or gcj02, bd09, cgcs2000)"
        } else if swappedFits(c) {
            s += isGeographic ? ". Longitude and latitude look swapped: give the longitude first"
                              : ". Easting and northing look swapped: give the easting (x) first"
        } else {
            s += ". Is the CRS right?"
        }
        return CoordinateRangeError(coordinate: c, message: s)
    }

    private func swappedFits(_ c: Coordinate) -> Bool {
        let s = Coordinate(lon: c.lat, lat: c.lon)
        if isGeographic, !((-180...180).contains(s.lon) && (-90...90).contains(s.lat)) { return false }
        guard let p = proj == nil ? s : try? proj!.forward(s), p.lon.isFinite, p.lat.isFinite else { return false }
        return definition?.area?.contains(p, margin: Self.areaMargin) ?? false
    }

    // MARK: the range checks every path shares

    /// Both numbers finite; the axis at fault is named.
    public static func checkFinite(_ c: Coordinate) throws {
        guard c.lon.isFinite else { throw CoordinateRangeError(coordinate: c, axis: .x, message: "coordinates must be finite numbers") }
        guard c.lat.isFinite else { throw CoordinateRangeError(coordinate: c, axis: .y, message: "coordinates must be finite numbers") }
    }

    /// Longitude within -180..180 and latitude within -90..90 (finite first).
    public static func checkLonLat(_ c: Coordinate) throws {
        try checkFinite(c)
        guard (-180...180).contains(c.lon) else {
            throw CoordinateRangeError(coordinate: c, axis: .x, message: "longitude \(text(c.lon)) is out of range -180..180 (is the CRS right?)")
        }
        guard (-90...90).contains(c.lat) else {
            let swapped = (-90...90).contains(c.lon) && (-180...180).contains(c.lat)
            throw CoordinateRangeError(coordinate: c, axis: .y, message: "latitude \(text(c.lat)) is out of range -90..90" + (swapped ? " (longitude and latitude swapped?)" : " (is the CRS right?)"))
        }
    }

    static func text(_ d: Double) -> String { JSONText.number(d) }
    static func text(_ c: Coordinate) -> String { "(\(text(c.lon)), \(text(c.lat)))" }
    static func round(_ d: Double) -> String { JSONText.number((d * 1e4).rounded() / 1e4) }
}
