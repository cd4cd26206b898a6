import Foundation
import GridGeo
import GridStore

/// The walking network as an immutable graph (DESIGN §3, walking network): compact adjacency
/// arrays (CSR), connected components, and a segment index that snaps points onto edges.
///
/// Nodes are the store's junction ids renumbered densely 0..<nodeCount. Each edge of the store
/// (one row of `network_edges`, already split at junctions) gives two arcs, one each way, so the
/// graph is undirected as a pedestrian's is; parallel edges and loops (source = target) are kept
/// as they are. Arc weights are the edges' `lengthM` (geodesic metres).
///
/// Snapping (`snap`, WalkingGraph+Snap.swift) puts a point at its foot point on the nearest edge
/// by geodesic distance, only onto components of at least `minComponentNodes` nodes (50 by
/// default, as routing engines do, so that an isolated courtyard path does not strand a
/// compound). Routing is in WalkingGraph+Route.swift.
public final class WalkingGraph: Sendable {
    /// Routing engines' default for the smallest component points may snap to (OSRM's and
    /// Valhalla's "small component" sizes are of this order; issue 10 asks for 50).
    public static let defaultMinComponentNodes = 50
    /// The longest access leg, in metres: a point farther than this from every snappable edge is
    /// off the network (uncovered, unreachable, no network answer). Valhalla's default
    /// `search_cutoff` (35 km); far beyond any walking tier.
    public static let maxAccessMetres = 35_000.0

    /// Store node id of each dense node.
    public let nodeIds: [Int64]
    /// CSR: the arcs of node n are arcs[offsets[n] ..< offsets[n + 1]].
    public let offsets: [Int32]
    /// Head node of each arc.
    public let targets: [Int32]
    /// Metres of each arc (its edge's lengthM).
    public let lengths: [Double]
    /// The edge (index into the edge arrays) each arc runs along.
    public let arcEdges: [Int32]

    /// Per edge: the store's fid, its dense end nodes, its length in metres.
    public let edgeIds: [Int64]
    public let edgeSource: [Int32]
    public let edgeTarget: [Int32]
    public let edgeLength: [Double]
    /// Vertices of every edge, flattened: edge e's are coordinates[coordinateStart[e] ..< coordinateStart[e + 1]].
    let coordinates: [Coordinate]
    let coordinateStart: [Int32]

    /// Component of each node (0-based), and each component's node count.
    public let component: [Int32]
    public let componentSizes: [Int]
    /// Components smaller than this take no snapped points.
    public let minComponentNodes: Int
    let segments: SegmentGrid

    public var nodeCount: Int { nodeIds.count }
    public var edgeCount: Int { edgeIds.count }
    /// Whether edge e lies on a component large enough to snap to.
    public func snappable(edge e: Int) -> Bool { componentSizes[Int(component[Int(edgeSource[e])])] >= minComponentNodes }

    /// Builds the graph from the store's edges (`StoreSnapshot.network`). Empty input gives an
    /// empty graph (every snap answers nil).
    public init(_ edges: [NetworkEdgeRecord], minComponentNodes: Int = WalkingGraph.defaultMinComponentNodes) {
        self.minComponentNodes = minComponentNodes
        var dense: [Int64: Int32] = [:]
        var nodeIds: [Int64] = []
        func node(_ id: Int64) -> Int32 {
            if let n = dense[id] { return n }
            let n = Int32(nodeIds.count)
            dense[id] = n; nodeIds.append(id)
            return n
        }
        var edgeIds: [Int64] = [], src: [Int32] = [], dst: [Int32] = [], len: [Double] = []
        var coords: [Coordinate] = [], start: [Int32] = [0]
        dense.reserveCapacity(edges.count); nodeIds.reserveCapacity(edges.count)
        edgeIds.reserveCapacity(edges.count); src.reserveCapacity(edges.count); dst.reserveCapacity(edges.count)
        len.reserveCapacity(edges.count); start.reserveCapacity(edges.count + 1)
        coords.reserveCapacity(edges.reduce(0) { $0 + $1.coordinates.count })
        for e in edges {
            edgeIds.append(e.id); src.append(node(e.sourceNode)); dst.append(node(e.targetNode)); len.append(e.lengthM)
            coords += e.coordinates
            start.append(Int32(coords.count))
        }
        // CSR by counting sort of both arcs of every edge.
        let n = nodeIds.count
        var degree = [Int32](repeating: 0, count: n + 1)
        for e in 0..<edgeIds.count { degree[Int(src[e]) + 1] += 1; degree[Int(dst[e]) + 1] += 1 }
        for i in 0..<n { degree[i + 1] += degree[i] }
        var fill = degree
        var targets = [Int32](repeating: 0, count: 2 * edgeIds.count)
        var lengths = [Double](repeating: 0, count: 2 * edgeIds.count)
        var arcEdges = [Int32](repeating: 0, count: 2 * edgeIds.count)
        for e in 0..<edgeIds.count {
            for (a, b) in [(src[e], dst[e]), (dst[e], src[e])] {
                let k = Int(fill[Int(a)]); fill[Int(a)] += 1
                targets[k] = b; lengths[k] = len[e]; arcEdges[k] = Int32(e)
            }
        }
        // Components by iterative depth-first search.
        var comp = [Int32](repeating: -1, count: n)
        var sizes: [Int] = []
        var stack: [Int32] = []
        for s in 0..<n where comp[s] < 0 {
            let c = Int32(sizes.count)
            var size = 0
            comp[s] = c; stack.append(Int32(s))
            while let u = stack.popLast() {
                size += 1
                for k in Int(degree[Int(u)])..<Int(degree[Int(u) + 1]) where comp[Int(targets[k])] < 0 {
                    comp[Int(targets[k])] = c; stack.append(targets[k])
                }
            }
            sizes.append(size)
        }
        self.nodeIds = nodeIds; self.offsets = degree; self.targets = targets; self.lengths = lengths; self.arcEdges = arcEdges
        self.edgeIds = edgeIds; self.edgeSource = src; self.edgeTarget = dst; self.edgeLength = len
        self.coordinates = coords; self.coordinateStart = start
        self.component = comp; self.componentSizes = sizes
        let eligible = (0..<edgeIds.count).filter { sizes[Int(comp[Int(src[$0])])] >= minComponentNodes }
        self.segments = SegmentGrid(coordinates: coords, start: start, edges: eligible)
    }

    /// Metres from edge e's source to each of its vertices: cumulative geodesic segment lengths
    /// scaled so the last equals the edge's lengthM (the two agree to float rounding when the
    /// importer computed lengthM as the contract says). Computed when asked, for the few edges a
    /// snap or an isochrone cuts, not for every edge at build time (that was most of the build).
    func along(edge e: Int) -> [Double] {
        let lo = Int(coordinateStart[e]), hi = Int(coordinateStart[e + 1])
        var cum = [Double](repeating: 0, count: max(hi - lo, 1))
        for k in stride(from: lo + 1, to: hi, by: 1) { cum[k - lo] = cum[k - lo - 1] + Geodesic.distance(coordinates[k - 1], coordinates[k]) }
        let total = cum[cum.count - 1]
        let scale = total > 0 ? edgeLength[e] / total : 0
        return cum.map { $0 * scale }
    }

    /// The vertices of edge e, source first.
    public func geometry(edge e: Int) -> ArraySlice<Coordinate> {
        coordinates[Int(coordinateStart[e])..<Int(coordinateStart[e + 1])]
    }

    /// One line for logs.
    public var summary: String {
        let big = componentSizes.filter { $0 >= minComponentNodes }.count
        return "\(nodeCount) nodes, \(edgeCount) edges, \(componentSizes.count) components (\(big) of ≥ \(minComponentNodes) nodes)"
    }
}
