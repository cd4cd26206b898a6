import Foundation
import GridGeo

/// A problem with one input point, located by line (CSV) or feature index (GeoJSON) and field.
public struct PointInputError: Error, CustomStringConvertible, Sendable {
    public var line: Int?
    public var featureIndex: Int?
    public var field: String?
    public let message: String

    public init(line: Int? = nil, featureIndex: Int? = nil, field: String? = nil, _ message: String) {
        self.line = line; self.featureIndex = featureIndex; self.field = field; self.message = message
    }

    public var description: String {
        var s = ""
        if let line { s += "line \(line): " }
        if let featureIndex { s += "feature \(featureIndex): " }
        if let field { s += "\(field): " }
        return s + message
    }
}

/// Turns user-supplied coordinates into WGS84 points with errors that name the field: the same
/// checks for the HTTP API and the batch CLI (GridGeo's `CoordinateTransform` holds them all).
public struct PointReader {
    public let crs: CRS
    private let transform: CoordinateTransform

    public init(crs: CRS) throws {
        self.crs = crs
        transform = try CoordinateTransform(crs)
    }

    /// Parses one number; `field` names it in the error.
    public static func number(_ text: Substring, field: String) throws -> Double {
        let t = text.first == " " || text.last == " " || text.first == "\t" || text.last == "\t"
            ? text.trimmingCharacters(in: .whitespaces) : String(text)
        if t.isEmpty { throw PointInputError(field: field, "missing value") }
        guard let v = Double(t) else { throw PointInputError(field: field, "not a number: '\(t.prefix(40))'") }
        guard v.isFinite else { throw PointInputError(field: field, "must be a finite number, found '\(t.prefix(40))'") }
        return v
    }

    public func point(lon: Double, lat: Double, lonField: String = "lon", latField: String = "lat") throws -> Coordinate {
        do {
            return try transform.toWGS84(Coordinate(lon, lat))
        } catch let e as CoordinateRangeError {
            switch e.axis {
            case .x?: throw PointInputError(field: lonField, e.message)
            case .y?: throw PointInputError(field: latField, e.message)
            case nil: throw PointInputError(field: "\(lonField),\(latField)", e.message)
            }
        }
    }

    public func point(lon: Substring, lat: Substring, lonField: String = "lon", latField: String = "lat") throws -> Coordinate {
        try point(lon: Self.number(lon, field: lonField), lat: Self.number(lat, field: latField), lonField: lonField, latField: latField)
    }

    /// A GeoJSON Point feature's id (feature id, else properties.id, else nil) and WGS84 point.
    public func feature(_ value: JSONValue) throws -> (id: String?, point: Coordinate) {
        let f: Feature
        do { f = try GeoJSON.feature(value) } catch let e as GeoJSONError {
            throw PointInputError(field: e.path.isEmpty ? nil : e.path, e.message)
        }
        guard case .point(let c)? = f.geometry else {
            throw PointInputError(field: "geometry", "expected a Point, found \(f.geometry?.typeName ?? "no geometry")")
        }
        // The feature's id, else properties.id, by FeatureId's rule (whole numbers as decimal text).
        var id = f.id
        if id == nil, let v = f.properties["id"] {
            do { id = try FeatureId.from(v) } catch let e as FeatureId.Invalid { throw PointInputError(field: "properties.id", e.message) }
        }
        return (id, try point(lon: c.lon, lat: c.lat, lonField: "geometry.coordinates[0]", latField: "geometry.coordinates[1]"))
    }
}

/// Which columns of a CSV header hold the id and the coordinates.
public struct PointColumns: Sendable {
    public let id: Int?
    public let lon: Int
    public let lat: Int
    public let lonName: String, latName: String
    public var needed: Int { Swift.max(lon, lat, id ?? 0) + 1 }

    /// Names are matched case-insensitively; the id column is optional (the line number stands in).
    public init(header: [String], id idName: String = "id", lon lonName: String = "lon", lat latName: String = "lat") throws {
        let names = header.map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
        func find(_ n: String) -> Int? { names.firstIndex(of: n.lowercased()) }
        guard let lon = find(lonName) else {
            throw PointInputError(line: 1, field: lonName, "the header has no '\(lonName)' column (found: \(header.joined(separator: ",")))")
        }
        guard let lat = find(latName) else {
            throw PointInputError(line: 1, field: latName, "the header has no '\(latName)' column (found: \(header.joined(separator: ",")))")
        }
        self.lon = lon; self.lat = lat; self.id = find(idName)
        self.lonName = lonName; self.latName = latName
    }
}
