import Foundation
import GridGeo

/// Reads a walking network from GeoJSON: a FeatureCollection (or one Feature, or a bare geometry)
/// of LineString and MultiLineString features, each part one line. Properties honoured when
/// present: `highway`, `name`, `foot`, `access` (strings; the foot profile decides), the rest is
/// kept as the edge's `extra` JSON. A line without `highway` is a footpath. Lines share a vertex
/// where their positions are exactly equal.
///
/// Errors (`NetworkImportError`, naming the feature index and the member): broken JSON (line and
/// column), a geometry that is not a line, a line with fewer than two positions, a non-finite or
/// out-of-range coordinate, a position outside the CRS's area of use, a non-string tag.
enum NetworkGeoJSONReader {
    static func read(_ data: Data, crs: CRS?, source: String, progress: ((String) -> Void)? = nil) throws -> (ways: [NetworkWay], report: NetworkImportReport, crs: CRS) {
        let value: JSONValue
        do { value = try JSONParser.parse(data) } catch let e as JSONSyntaxError {
            throw NetworkImportError("\(source): \(e)")
        }
        guard let root = value.objectValue else { throw NetworkImportError("\(source): expected a GeoJSON object, found \(value.typeName)") }
        let fileCRSName = root["crs"]?.objectValue?["properties"]?.objectValue?["name"]?.stringValue
        let effective: CRS
        if let crs {
            effective = crs
        } else if let fileCRSName {
            do { effective = try CRS(parsing: fileCRSName) } catch { throw NetworkImportError("\(source): the file's crs member: \(error)") }
        } else {
            effective = .wgs84
        }
        let transform: CoordinateTransform
        do { transform = try CoordinateTransform(effective) } catch { throw NetworkImportError("\(source): \(error)") }

        let features: [JSONValue]
        switch root["type"]?.stringValue {
        case "FeatureCollection":
            guard let list = root["features"]?.arrayValue else { throw NetworkImportError("\(source): a FeatureCollection needs a 'features' array") }
            features = list
        case "Feature":
            features = [value]
        case "LineString", "MultiLineString":
            features = [.object(JSONObject([("type", .string("Feature")), ("properties", .null), ("geometry", value)]))]
        case let t:
            throw NetworkImportError("\(source): expected a FeatureCollection of LineString or MultiLineString features, found type \(t.map { "'\($0)'" } ?? "none")")
        }

        var report = NetworkImportReport(format: "geojson")
        var ways: [NetworkWay] = []
        var keys: [Coordinate: Int64] = [:]
        for (fi, f) in features.enumerated() {
            if fi > 0, fi % 100_000 == 0 { progress?("read \(fi)/\(features.count) features") }
            func fail(_ path: String, _ message: String) -> NetworkImportError {
                NetworkImportError("\(source): feature \(fi)\(path.isEmpty ? "" : ", \(path)"): \(message)")
            }
            guard let obj = f.objectValue, obj["type"]?.stringValue == "Feature" else { throw fail("", "expected a Feature object") }
            var props = JSONObject()
            switch obj["properties"] {
            case .none, .some(.null): break
            case .some(.object(let o)): props = o
            case .some(let other): throw fail("properties", "properties must be an object or null, found \(other.typeName)")
            }
            var tags: [String: String] = [:]
            for key in ["highway", "name", "foot", "access"] {
                switch props[key] {
                case .none, .some(.null): break
                case .some(.string(let s)): tags[key] = s
                case .some(let other): throw fail("properties.\(key)", "must be a string, found \(other.typeName)")
                }
            }
            if let bad = JSONValue.object(props).nonFiniteNumberPath("properties") { throw fail(bad, "numbers must be finite") }
            guard let g = obj["geometry"]?.objectValue else { throw fail("geometry", "a network feature needs a LineString or MultiLineString geometry") }
            let parts: [(JSONValue, String)]
            switch g["type"]?.stringValue {
            case "LineString":
                guard let c = g["coordinates"] else { throw fail("geometry.coordinates", "missing") }
                parts = [(c, "geometry.coordinates")]
            case "MultiLineString":
                guard let c = g["coordinates"]?.arrayValue else { throw fail("geometry.coordinates", "expected an array of lines") }
                parts = c.enumerated().map { ($1, "geometry.coordinates[\($0)]") }
            case let t:
                throw fail("geometry.type", "\(t.map { "'\($0)'" } ?? "no type") is not a line: the network takes LineString and MultiLineString")
            }
            var extraObj = JSONObject()
            for (k, v) in props.members where k != "highway" && k != "name" { extraObj[k] = v }
            let extra = extraObj.count > 0 ? JSONText.encode(.object(extraObj)) : nil
            for (part, path) in parts {
                guard let positions = part.arrayValue else { throw fail(path, "expected an array of positions") }
                guard positions.count >= 2 else { throw fail(path, "a line needs at least two positions, found \(positions.count)") }
                var coords: [Coordinate] = []
                coords.reserveCapacity(positions.count)
                for (k, p) in positions.enumerated() {
                    let pp = "\(path)[\(k)]"
                    guard let a = p.arrayValue, a.count >= 2, let x = a[0].doubleValue, let y = a[1].doubleValue else {
                        throw fail(pp, "a position needs two numbers [x, y]")
                    }
                    do { coords.append(try transform.toWGS84(Coordinate(lon: x, lat: y))) } catch {
                        throw fail(pp, "\(error)")
                    }
                }
                report.waysRead += 1
                switch FootProfile.decide(tags) {
                case .drop(let reason, let tag):
                    report.drop(reason, tag: tag)
                    continue
                case .keep: break
                }
                report.waysKept += 1
                report.keptByHighway[tags["highway"] ?? "(none)", default: 0] += 1
                let nodes = coords.map { c -> Int64 in
                    if let k = keys[c] { return k }
                    let k = Int64(keys.count + 1)
                    keys[c] = k
                    return k
                }
                ways.append(NetworkWay(nodes: nodes, coordinates: coords, highway: tags["highway"], name: tags["name"], extra: extra))
            }
        }
        return (ways, report, effective)
    }
}
