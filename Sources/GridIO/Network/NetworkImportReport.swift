import Foundation
import GridGeo

/// What `wangge import network` read, kept and dropped, and what it built.
public struct NetworkImportReport: Sendable, Equatable {
    /// `geojson` or `osm`.
    public var format: String
    /// Lines judged: GeoJSON features' line parts, or OSM ways carrying `highway`.
    public var waysRead = 0
    public var waysKept = 0
    /// Dropped lines by reason, and under each reason by the deciding tag (`highway=motorway`).
    public var dropped: [FootProfile.DropReason: [String: Int]] = [:]
    /// Kept lines by their `highway` value (`(none)` for GeoJSON lines without one).
    public var keptByHighway: [String: Int] = [:]
    /// OSM node references with no node in the file (ways cut at the extract's edge): those ways are
    /// split there and their located parts kept.
    public var missingNodeRefs = 0
    public var edges = 0
    public var nodes = 0
    public var degenerateDropped = 0
    public var mergedNodes = 0
    /// Total edge length, metres.
    public var lengthM = 0.0

    public init(format: String) { self.format = format }

    public var waysDropped: Int { dropped.values.reduce(0) { $0 + $1.values.reduce(0, +) } }

    mutating func drop(_ reason: FootProfile.DropReason, tag: String) { dropped[reason, default: [:]][tag, default: 0] += 1 }

    /// The report as a JSON object: `{"format", "ways_read", "ways_kept", "ways_dropped",
    /// "dropped": {reason: {tag: count}}, "kept_by_highway": {value: count}, "missing_node_refs",
    /// "edges", "nodes", "degenerate_dropped", "merged_nodes", "length_m"}`.
    public var json: JSONValue {
        func counts(_ d: [String: Int]) -> JSONValue {
            .object(JSONObject(d.sorted { $0.key < $1.key }.map { (key: String, value: Int) -> (String, JSONValue) in (key, JSONValue.int(value)) }))
        }
        let byReason: [(String, JSONValue)] = dropped.sorted { $0.key < $1.key }.map { ($0.key.rawValue, counts($0.value)) }
        let pairs: [(String, JSONValue)] = [
            ("format", .string(format)), ("ways_read", .int(waysRead)), ("ways_kept", .int(waysKept)),
            ("ways_dropped", .int(waysDropped)),
            ("dropped", .object(JSONObject(byReason))),
            ("kept_by_highway", counts(keptByHighway)), ("missing_node_refs", .int(missingNodeRefs)),
            ("edges", .int(edges)), ("nodes", .int(nodes)), ("degenerate_dropped", .int(degenerateDropped)),
            ("merged_nodes", .int(mergedNodes)), ("length_m", .number((lengthM * 1000).rounded() / 1000)),
        ]
        return .object(JSONObject(pairs))
    }

    /// Human-readable lines for the CLI.
    public var lines: [String] {
        var out = ["read \(waysRead) lines (\(format)): kept \(waysKept), dropped \(waysDropped)"]
        for (reason, tags) in dropped.sorted(by: { $0.key < $1.key }) {
            let detail = tags.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }.map { "\($0.key) \($0.value)" }
            out.append("  dropped \(reason.rawValue): \(tags.values.reduce(0, +)) (\(detail.joined(separator: ", ")))")
        }
        let kept = keptByHighway.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }.map { "\($0.key) \($0.value)" }
        if !kept.isEmpty { out.append("  kept by highway: \(kept.joined(separator: ", "))") }
        if missingNodeRefs > 0 { out.append("  \(missingNodeRefs) node references not in the file (ways cut at the extract's edge)") }
        if degenerateDropped > 0 { out.append("  \(degenerateDropped) zero-length pieces dropped") }
        if mergedNodes > 0 { out.append("  \(mergedNodes) node pairs at one position merged") }
        out.append("network: \(edges) edges, \(nodes) nodes, \(String(format: "%.1f", lengthM / 1000)) km")
        return out
    }
}

/// A network file that cannot be imported: the message names the file and where.
public struct NetworkImportError: Error, CustomStringConvertible, Sendable {
    public let description: String
    public init(_ description: String) { self.description = description }
}
