/// GeoJSON (RFC 7946) reading with precise error locations, and writing.
public struct Feature: Sendable {
    public var id: String?
    public var properties: JSONObject
    public var geometry: Geometry?
    public init(id: String?, properties: JSONObject, geometry: Geometry?) {
        self.id = id; self.properties = properties; self.geometry = geometry
    }
}

public struct GeoJSONError: Error, CustomStringConvertible, Sendable {
    /// Zero-based index of the feature in its collection, when the error is inside one.
    public var featureIndex: Int?
    /// JSON-pointer-like path of the offending member, e.g. `geometry.coordinates[0][3]`.
    public var path: String
    public var message: String
    public init(featureIndex: Int? = nil, path: String, message: String) {
        self.featureIndex = featureIndex; self.path = path; self.message = message
    }
    public var description: String {
        let at = featureIndex.map { "feature \($0)" + (path.isEmpty ? "" : ", \(path)") } ?? path
        return at.isEmpty ? message : "\(at): \(message)"
    }
}

public enum GeoJSON {
    /// Reads a FeatureCollection, a single Feature, or a bare geometry as a one-feature list.
    /// Also returns the legacy `crs` member's name when the file carries one (GeoJSON 2008).
    public static func features(from value: JSONValue) throws -> (features: [Feature], crsName: String?) {
        guard let obj = value.objectValue else {
            throw GeoJSONError(path: "", message: "expected a GeoJSON object, found \(value.typeName)")
        }
        let crsName = obj["crs"]?.objectValue?["properties"]?.objectValue?["name"]?.stringValue
        switch obj["type"]?.stringValue {
        case "FeatureCollection":
            guard let list = obj["features"]?.arrayValue else {
                throw GeoJSONError(path: "features", message: "a FeatureCollection needs a 'features' array")
            }
            var out: [Feature] = []
            out.reserveCapacity(list.count)
            for (k, f) in list.enumerated() {
                do { out.append(try feature(f)) } catch var e as GeoJSONError {
                    e.featureIndex = k
                    throw e
                }
            }
            return (out, crsName)
        case "Feature":
            do { return ([try feature(value)], crsName) } catch var e as GeoJSONError {
                e.featureIndex = 0
                throw e
            }
        case .some(let t) where geometryTypes.contains(t):
            return ([Feature(id: nil, properties: JSONObject(), geometry: try geometry(value, path: ""))], crsName)
        case .some(let t):
            throw GeoJSONError(path: "type", message: "unknown GeoJSON type '\(t)'")
        case .none:
            throw GeoJSONError(path: "type", message: "missing 'type' member")
        }
    }

    static let geometryTypes: Set<String> = ["Point", "MultiPoint", "LineString", "MultiLineString", "Polygon", "MultiPolygon", "GeometryCollection"]

    public static func feature(_ value: JSONValue) throws -> Feature {
        guard let obj = value.objectValue, obj["type"]?.stringValue == "Feature" else {
            throw GeoJSONError(path: "", message: "expected a Feature object")
        }
        // Ids follow FeatureId's rule: whole numbers become their canonical decimal text.
        let id: String?
        do { id = try obj["id"].flatMap(FeatureId.from) } catch let e as FeatureId.Invalid {
            throw GeoJSONError(path: "id", message: e.message)
        }
        var props = JSONObject()
        switch obj["properties"] {
        case .none, .some(.null): break
        case .some(.object(let o)): props = o
        case .some(let other): throw GeoJSONError(path: "properties", message: "properties must be an object or null, found \(other.typeName)")
        }
        var geom: Geometry?
        if let g = obj["geometry"], !g.isNull { geom = try geometry(g, path: "geometry") }
        return Feature(id: id, properties: props, geometry: geom)
    }

    public static func geometry(_ value: JSONValue, path: String) throws -> Geometry {
        guard let obj = value.objectValue else {
            throw GeoJSONError(path: path, message: "geometry must be an object, found \(value.typeName)")
        }
        guard let type = obj["type"]?.stringValue else {
            throw GeoJSONError(path: path + ".type", message: "geometry has no 'type'")
        }
        let cpath = path + ".coordinates"
        guard let coords = obj["coordinates"] else {
            if type == "GeometryCollection" {
                throw GeoJSONError(path: path + ".type", message: "GeometryCollection is not supported here")
            }
            throw GeoJSONError(path: cpath, message: "geometry has no 'coordinates'")
        }
        switch type {
        case "Point": return .point(try position(coords, path: cpath))
        case "LineString": return .lineString(try positions(coords, path: cpath))
        case "Polygon": return .polygon(try polygon(coords, path: cpath))
        case "MultiPolygon":
            guard let parts = coords.arrayValue else { throw GeoJSONError(path: cpath, message: "expected an array of polygons") }
            return .multiPolygon(MultiPolygon(polygons: try parts.enumerated().map { try polygon($1, path: "\(cpath)[\($0)]") }))
        default:
            throw GeoJSONError(path: path + ".type", message: "geometry type '\(type)' is not supported here")
        }
    }

    static func position(_ v: JSONValue, path: String) throws -> Coordinate {
        guard let a = v.arrayValue, a.count >= 2 else {
            throw GeoJSONError(path: path, message: "a position needs at least two numbers [lon, lat]")
        }
        guard let x = a[0].doubleValue, let y = a[1].doubleValue else {
            throw GeoJSONError(path: path, message: "position members must be numbers")
        }
        guard x.isFinite, y.isFinite else { throw GeoJSONError(path: path, message: "coordinates must be finite") }
        return Coordinate(lon: x, lat: y)
    }

    static func positions(_ v: JSONValue, path: String) throws -> [Coordinate] {
        guard let a = v.arrayValue else { throw GeoJSONError(path: path, message: "expected an array of positions") }
        return try a.enumerated().map { try position($1, path: "\(path)[\($0)]") }
    }

    static func polygon(_ v: JSONValue, path: String) throws -> Polygon {
        guard let a = v.arrayValue, !a.isEmpty else {
            throw GeoJSONError(path: path, message: "a polygon needs at least one ring")
        }
        var rings: [Ring] = []
        for (k, r) in a.enumerated() {
            let rp = "\(path)[\(k)]"
            let ring = try positions(r, path: rp)
            guard ring.count >= 4 else { throw GeoJSONError(path: rp, message: "a ring needs at least 4 positions, found \(ring.count)") }
            guard ring.first == ring.last else { throw GeoJSONError(path: rp, message: "ring is not closed (first and last positions differ)") }
            rings.append(ring)
        }
        return Polygon(rings: rings)
    }

    // MARK: writing

    public static func write(_ g: Geometry, into out: inout String) {
        func pos(_ c: Coordinate) { out += "["; out += JSONText.number(c.lon); out += ","; out += JSONText.number(c.lat); out += "]" }
        func list(_ cs: [Coordinate]) {
            out += "["
            for (k, c) in cs.enumerated() { if k > 0 { out += "," }; pos(c) }
            out += "]"
        }
        func poly(_ p: Polygon) {
            out += "["
            for (k, r) in p.rings.enumerated() { if k > 0 { out += "," }; list(r) }
            out += "]"
        }
        switch g {
        case .point(let c): out += "{\"type\":\"Point\",\"coordinates\":"; pos(c)
        case .lineString(let cs): out += "{\"type\":\"LineString\",\"coordinates\":"; list(cs)
        case .polygon(let p): out += "{\"type\":\"Polygon\",\"coordinates\":"; poly(p)
        case .multiPolygon(let m):
            out += "{\"type\":\"MultiPolygon\",\"coordinates\":["
            for (k, p) in m.polygons.enumerated() { if k > 0 { out += "," }; poly(p) }
            out += "]"
        }
        out += "}"
    }

    public static func text(_ g: Geometry) -> String {
        var s = ""
        write(g, into: &s)
        return s
    }
}
