import GridGeo
import GridStore

/// One line as read, before splitting: its vertices' node keys and positions (WGS84).
/// Node keys identify shared vertices: OSM node ids, or for GeoJSON one key per distinct position.
public struct NetworkWay: Sendable, Equatable {
    public var nodes: [Int64]
    public var coordinates: [Coordinate]
    public var highway: String?
    public var name: String?
    public var osmWayId: Int64?
    /// Further attributes as a JSON object text, or nil.
    public var extra: String?
    public init(nodes: [Int64], coordinates: [Coordinate], highway: String? = nil, name: String? = nil,
                osmWayId: Int64? = nil, extra: String? = nil) {
        precondition(nodes.count == coordinates.count, "one node key per position")
        self.nodes = nodes; self.coordinates = coordinates; self.highway = highway; self.name = name
        self.osmWayId = osmWayId; self.extra = extra
    }
}

/// Splits kept lines into graph edges at junctions and measures them.
///
/// - A vertex is a **junction** when its node key is used twice or more among all the lines
///   (by two lines, or twice by one line) and at every line's two ends. Lines are split at every
///   junction, so no edge has a junction in its interior. Repeated consecutive keys are collapsed first.
/// - Edge length = the sum of the WGS84 geodesic lengths of its segments (GeographicLib through
///   PROJ, `Geodesic.distance`), metres.
/// - A zero-length piece whose ends are one node (a way of one repeated point) is dropped as
///   degenerate; a zero-length piece between two different nodes (two OSM nodes at one position)
///   merges those nodes, so the graph stays connected and no edge is a zero-length line.
///   A closed way with no other junction is kept as a loop (source = target, length > 0).
/// - Node ids are renumbered 1...N in order of first use, walking the lines in input order, so the
///   same input always gives the same ids.
public enum NetworkBuilder {
    public struct Result: Sendable {
        public var edges: [NetworkEdgeInput]
        public var nodeCount: Int
        /// Zero-length pieces dropped (one repeated point).
        public var degenerateDropped: Int
        /// Zero-length pieces that merged two nodes at one position.
        public var mergedNodes: Int
    }

    public static func build(_ ways: [NetworkWay]) -> Result {
        // Collapse repeated consecutive keys (an OSM way listing a node twice in a row).
        let ways = ways.map { w -> NetworkWay in
            var out = w
            out.nodes = []; out.coordinates = []
            for (k, c) in zip(w.nodes, w.coordinates) where out.nodes.last != k {
                out.nodes.append(k); out.coordinates.append(c)
            }
            return out
        }
        var uses: [Int64: Int32] = [:]
        for w in ways { for k in w.nodes { uses[k, default: 0] += 1 } }

        struct Piece { var way: Int; var lo: Int; var hi: Int; var length: Double }
        var pieces: [Piece] = []
        var parent: [Int64: Int64] = [:]
        func find(_ k: Int64) -> Int64 {
            var r = k
            while let p = parent[r], p != r { r = p }
            var x = k
            while let p = parent[x], p != r { parent[x] = r; x = p }
            return r
        }
        var degenerate = 0, merged = 0
        for (wi, w) in ways.enumerated() where w.nodes.count >= 2 {
            var lo = 0
            var length = 0.0
            for i in 1..<w.nodes.count {
                length += Geodesic.distance(w.coordinates[i - 1], w.coordinates[i])
                if i == w.nodes.count - 1 || uses[w.nodes[i]]! >= 2 {
                    if length > 0 {
                        pieces.append(Piece(way: wi, lo: lo, hi: i, length: length))
                    } else if w.nodes[lo] == w.nodes[i] {
                        degenerate += 1
                    } else {
                        let a = find(w.nodes[lo]), b = find(w.nodes[i])
                        if a != b { parent[max(a, b)] = min(a, b); merged += 1 } else { degenerate += 1 }
                    }
                    lo = i
                    length = 0
                }
            }
        }
        var ids: [Int64: Int64] = [:]
        func id(_ k: Int64) -> Int64 {
            let r = find(k)
            if let v = ids[r] { return v }
            let v = Int64(ids.count + 1)
            ids[r] = v
            return v
        }
        var edges: [NetworkEdgeInput] = []
        edges.reserveCapacity(pieces.count)
        for p in pieces {
            let w = ways[p.way]
            edges.append(NetworkEdgeInput(
                sourceNode: id(w.nodes[p.lo]), targetNode: id(w.nodes[p.hi]), lengthM: p.length, highway: w.highway,
                name: w.name, osmWayId: w.osmWayId, extra: w.extra, coordinates: Array(w.coordinates[p.lo...p.hi])))
        }
        return Result(edges: edges, nodeCount: ids.count, degenerateDropped: degenerate, mergedNodes: merged)
    }
}
