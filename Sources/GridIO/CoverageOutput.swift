import GridAnalysis
import GridGeo

/// Output formats of coverage answers.
public enum CoverageFormat: String, CaseIterable, Sendable {
    case csv, geojson, json

    /// From an output path's extension; CSV when there is none.
    public static func fromExtension(_ path: String?) -> CoverageFormat {
        let p = path?.lowercased() ?? ""
        if p.hasSuffix(".geojson") { return .geojson }
        if p.hasSuffix(".json") { return .json }
        return .csv
    }
}

/// Writes a `CoverageTable` as CSV (a header, then one line per row; empty cells for nulls), as
/// JSON (`{…meta, "rows": [{column: value}]}`) or as an RFC 7946 GeoJSON FeatureCollection (one
/// Feature per row, its columns as properties, `meta` as foreign members). Output goes through
/// `write` in chunks of about 1 MiB, so a whole city never sits in one string.
public struct CoverageWriter {
    private var buffer = ""
    private let write: (String) throws -> Void

    public init(write: @escaping (String) throws -> Void) {
        self.write = write
        buffer.reserveCapacity(1 << 20)
    }

    private mutating func emit(_ s: String) throws {
        buffer += s
        if buffer.utf8.count >= 1 << 20 { try flush() }
    }

    public mutating func flush() throws {
        if !buffer.isEmpty { try write(buffer); buffer.removeAll(keepingCapacity: true) }
    }

    static func csvCell(_ v: JSONValue) -> String {
        switch v {
        case .null: return ""
        case .string(let s): return CSV.escape(s)
        case .bool(let b): return b ? "true" : "false"
        default: return JSONText.encode(v)
        }
    }

    public mutating func csv(_ t: CoverageTable) throws {
        try emit(t.columns.joined(separator: ",") + "\n")
        for row in t.rows { try emit(row.map(Self.csvCell).joined(separator: ",") + "\n") }
        try flush()
    }

    static func object(_ t: CoverageTable, _ row: [JSONValue]) -> JSONValue {
        .object(JSONObject(Array(zip(t.columns, row))))
    }

    public mutating func json(_ t: CoverageTable, meta: JSONObject) throws {
        try emit("{")
        for (k, v) in meta.members { try emit(JSONText.quoted(k) + ":" + JSONText.encode(v) + ",") }
        try emit("\"rows\":[")
        for (i, row) in t.rows.enumerated() { try emit((i > 0 ? ",\n" : "\n") + JSONText.encode(Self.object(t, row))) }
        try emit("]}\n")
        try flush()
    }

    /// `geometry(i)` gives row i's geometry (nil writes a null geometry, e.g. for the city);
    /// rings are written with RFC 7946 winding.
    public mutating func geoJSON(_ t: CoverageTable, meta: JSONObject, geometry: (Int) -> Geometry?) throws {
        try emit("{\"type\":\"FeatureCollection\"")
        for (k, v) in meta.members { try emit("," + JSONText.quoted(k) + ":" + JSONText.encode(v)) }
        try emit(",\"numberReturned\":\(t.rows.count),\"features\":[")
        let cat = t.columns.firstIndex(of: "category"), radius = t.columns.firstIndex(of: "radius_m")
        for (i, row) in t.rows.enumerated() {
            var s = i > 0 ? ",\n{\"type\":\"Feature\"" : "\n{\"type\":\"Feature\""
            // Stable ids: the feature, the category and the radius (a feature has a row for each).
            let key = [t.featureIds[i] ?? "city"] + [cat, radius].compactMap { $0.map { Self.csvCell(row[$0]) } }
            s += ",\"id\":" + JSONText.quoted(key.joined(separator: "/"))
            s += ",\"geometry\":"
            if let g = geometry(i) { GeoJSON.write(RingOrientation.rfc7946(g), into: &s) } else { s += "null" }
            s += ",\"properties\":" + JSONText.encode(Self.object(t, row)) + "}"
            try emit(s)
        }
        try emit("]}\n")
        try flush()
    }
}
