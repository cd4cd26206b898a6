import Foundation
import GridGeo
import GridStore

/// `wangge import network`: reads a walking network from GeoJSON or OpenStreetMap, keeps what the
/// foot profile allows (`FootProfile`), splits the lines at junctions and measures them
/// (`NetworkBuilder`). Writing is the store's (`GridDatabase.replaceNetwork`, all-or-nothing):
/// everything here runs before it, so a bad file never touches the store.
///
/// Lives in GridIO because it is a reader of wire formats (GeoJSON lines, osmium's OPL) shared by
/// the CLI and any later HTTP upload, next to the point readers; it needs no analysis code.
public enum NetworkImport {
    public enum Format: String, Sendable { case geojson, osm }

    public struct Result: Sendable {
        public var edges: [NetworkEdgeInput]
        public var report: NetworkImportReport
        /// The input CRS as recorded in the generation (`wgs84` for OSM).
        public var crs: String
    }

    /// By the file name: `.geojson`/`.json` (and `-`, standard input) are GeoJSON; `.pbf`, `.osm`,
    /// `.osm.gz`, `.osm.bz2`, `.opl`, `.o5m` are OpenStreetMap; anything else by its first byte
    /// (`{` is GeoJSON).
    public static func format(of path: String) -> Format {
        let lower = path.lowercased()
        if path == "-" || lower.hasSuffix(".geojson") || lower.hasSuffix(".json") || lower.hasSuffix(".geojsonl") { return .geojson }
        for s in [".pbf", ".osm", ".osm.gz", ".osm.bz2", ".opl", ".o5m", ".osc"] where lower.hasSuffix(s) { return .osm }
        if let h = FileHandle(forReadingAtPath: path) {
            defer { try? h.close() }
            if let d = try? h.read(upToCount: 64), let c = d.first(where: { !($0 == 32 || $0 == 9 || $0 == 10 || $0 == 13 || $0 == 0xEF || $0 == 0xBB || $0 == 0xBF) }) {
                return c == UInt8(ascii: "{") ? .geojson : .osm
            }
        }
        return .geojson
    }

    /// Reads, filters, splits and measures. `crs` applies to GeoJSON (default: the file's legacy
    /// `crs` member, else WGS84); OpenStreetMap is WGS84 by definition, so another `crs` is an error.
    /// `progress` gets one line at a time for large files.
    /// Throws `NetworkImportError` naming the file and the place: unreadable, broken JSON or .pbf,
    /// a feature that is not a line, fewer than two positions, non-finite coordinates, or no usable
    /// way at all (with the report's counts of what was dropped and why).
    public static func read(path: String, crs: CRS? = nil, progress: ((String) -> Void)? = nil) throws -> Result {
        switch format(of: path) {
        case .osm:
            if let crs, crs != .wgs84 { throw NetworkImportError("\(path): OpenStreetMap data is WGS84; --crs \(crs) does not apply") }
            let (ways, report) = try OSMReader.read(path: path, progress: progress)
            return try finish(ways, report, crs: "wgs84", source: path, progress: progress)
        case .geojson:
            let data: Data
            if path == "-" { data = FileHandle.standardInput.readDataToEndOfFile() } else {
                guard let d = FileManager.default.contents(atPath: path) else { throw NetworkImportError("cannot read \(path)") }
                data = d
            }
            return try read(geoJSON: data, crs: crs, source: path, progress: progress)
        }
    }

    /// GeoJSON from memory (`source` names it in errors and in the generation).
    public static func read(geoJSON data: Data, crs: CRS? = nil, source: String, progress: ((String) -> Void)? = nil) throws -> Result {
        let (ways, report, effective) = try NetworkGeoJSONReader.read(data, crs: crs, source: source, progress: progress)
        return try finish(ways, report, crs: effective.description, source: source, progress: progress)
    }

    static func finish(_ ways: [NetworkWay], _ report: NetworkImportReport, crs: String, source: String,
                       progress: ((String) -> Void)?) throws -> Result {
        var report = report
        if ways.count >= 10_000 { progress?("splitting \(ways.count) lines at junctions") }
        let built = NetworkBuilder.build(ways)
        report.edges = built.edges.count
        report.nodes = built.nodeCount
        report.degenerateDropped = built.degenerateDropped
        report.mergedNodes = built.mergedNodes
        report.lengthM = built.edges.reduce(0) { $0 + $1.lengthM }
        guard !built.edges.isEmpty else {
            let why = report.waysRead == 0 ? "it holds no lines\(report.format == "osm" ? " with a highway tag" : "")"
                : "all \(report.waysRead) lines were dropped (\(report.dropped.sorted { $0.key < $1.key }.map { "\($0.key.rawValue) \($0.value.values.reduce(0, +))" }.joined(separator: ", "))\(report.degenerateDropped > 0 ? ", or of zero length" : ""))"
            throw NetworkImportError("\(source): no usable ways for a walking network: \(why)")
        }
        return Result(edges: built.edges, report: report, crs: crs)
    }
}
