import Foundation
import GridGeo

/// A small generated city with the hard cases of point-in-grid assignment, for tests and for
/// benchmarks when the sample city is not at hand: jagged grids on a jittered lattice whose
/// neighbours share identical vertices, a grid with a hole filled by an enclave grid, and a
/// multipolygon grid with an exclave set into a neighbour's hole.
///
/// Every coordinate is a multiple of 1/4096° added to a dyadic base, so the midpoint of any edge
/// is exactly representable and exactly on the edge: tests can build points that lie on shared
/// edges, not merely near them.
public struct SyntheticCity: Sendable {
    public let columns: Int, rows: Int
    public static let unit = 1.0 / 4096
    public static let cell = 16  // lattice step in units (~430 m)
    public static let base = Coordinate(114.25, 23.0)

    public struct Grid: Sendable {
        public let id: String
        public let communityId: String
        public let geometry: MultiPolygon
    }

    public let grids: [Grid]
    /// Lattice corners (shared vertices) and midpoints of interior edges (on shared edges).
    public let sharedVertices: [Coordinate]
    public let sharedEdgePoints: [Coordinate]
    public let extent: BoundingBox

    public init(columns: Int = 8, rows: Int = 6) {
        self.columns = columns; self.rows = rows
        func h(_ a: Int, _ b: Int, _ c: Int) -> Int {
            var x = UInt64(bitPattern: Int64(a &* 73_856_093 ^ b &* 19_349_663 ^ c &* 83_492_791))
            x ^= x >> 33; x &*= 0xff51_afd7_ed55_8ccd; x ^= x >> 33
            return Int(x % 7) - 3  // -3...3 units
        }
        func pt(_ u: Int, _ v: Int) -> Coordinate {
            Coordinate(Self.base.lon + Double(u) * Self.unit, Self.base.lat + Double(v) * Self.unit)
        }
        // Lattice corner (i, j) in units, jittered except on the outer edge (kept straight so
        // points can be put on it exactly).
        func corner(_ i: Int, _ j: Int) -> (Int, Int) {
            let inner = i > 0 && j > 0 && i < columns && j < rows
            return (i * Self.cell + (inner ? h(i, j, 1) : 0), j * Self.cell + (inner ? h(i, j, 2) : 0))
        }
        // The jagged middle vertex of the edge between two corners (same from both sides).
        func middle(_ a: (Int, Int), _ b: (Int, Int), key: (Int, Int, Int), outer: Bool) -> (Int, Int) {
            let mu = (a.0 + b.0) / 2, mv = (a.1 + b.1) / 2
            if outer { return (mu, mv) }
            return (mu + h(key.0, key.1, key.2 + 10), mv + h(key.0, key.1, key.2 + 20))
        }
        var rings: [[(Int, Int)]] = []  // per lattice cell, CCW, in units
        var vertices: [Coordinate] = [], edgePoints: [Coordinate] = []
        for j in 0..<rows {
            for i in 0..<columns {
                let c00 = corner(i, j), c10 = corner(i + 1, j), c11 = corner(i + 1, j + 1), c01 = corner(i, j + 1)
                let mb = middle(c00, c10, key: (i, j, 0), outer: j == 0)
                let mr = middle(c10, c11, key: (i + 1, j, 1), outer: i + 1 == columns)
                let mt = middle(c01, c11, key: (i, j + 1, 0), outer: j + 1 == rows)
                let ml = middle(c00, c01, key: (i, j, 1), outer: i == 0)
                rings.append([c00, mb, c10, mr, c11, mt, c01, ml, c00])
                // Exact points on the (shared) edges: the midpoints of each half edge.
                for (a, b) in [(c00, mb), (mb, c10), (c10, mr), (mr, c11)] {
                    let p = Coordinate(Self.base.lon + Double(a.0 + b.0) / 2 * Self.unit, Self.base.lat + Double(a.1 + b.1) / 2 * Self.unit)
                    edgePoints.append(p)
                }
                vertices.append(contentsOf: [pt(c00.0, c00.1), pt(mb.0, mb.1), pt(mr.0, mr.1)])
            }
        }
        func ring(_ r: [(Int, Int)]) -> Ring { r.map { pt($0.0, $0.1) } }
        func square(_ cx: Int, _ cy: Int, _ half: Int, clockwise: Bool) -> [(Int, Int)] {
            let s = [(cx - half, cy - half), (cx + half, cy - half), (cx + half, cy + half), (cx - half, cy + half), (cx - half, cy - half)]
            return clockwise ? s.reversed() : s
        }
        var grids: [Grid] = []
        let holeCell = 2 * columns + 2
        func community(_ i: Int) -> String { String(format: "441302001%03d", i / 4 + 1) }
        // 15 digits: the community's 12 and a sequence number.
        func id(_ n: Int) -> String { community(n < rings.count ? n % columns : holeCell % columns) + String(format: "%03d", n % 1000 + 1) }
        // The hole: lattice cell (2, 2) has a square hole filled by an enclave grid.
        // The exclave: lattice cell (5, 3) has a hole filled by a detached part of cell (1, 4)'s grid.
        let exclaveHost = 3 * columns + 5, exclaveOwner = 4 * columns + 1
        for (n, r) in rings.enumerated() {
            let i = n % columns, j = n / columns
            var polys = [Polygon(rings: [ring(r)])]
            if n == holeCell || (n == exclaveHost && columns > 5 && rows > 4) {
                let c = (i * Self.cell + Self.cell / 2, j * Self.cell + Self.cell / 2)
                polys = [Polygon(rings: [ring(r), ring(square(c.0, c.1, 3, clockwise: true))])]
            }
            if n == exclaveOwner && columns > 5 && rows > 4 {
                let hi = exclaveHost % columns, hj = exclaveHost / columns
                polys.append(Polygon(rings: [ring(square(hi * Self.cell + Self.cell / 2, hj * Self.cell + Self.cell / 2, 3, clockwise: false))]))
            }
            grids.append(Grid(id: id(n), communityId: community(i), geometry: MultiPolygon(polygons: polys)))
        }
        let hi = holeCell % columns, hj = holeCell / columns
        grids.append(Grid(id: id(rings.count), communityId: community(hi),
                          geometry: MultiPolygon(polygons: [Polygon(rings: [ring(square(hi * Self.cell + Self.cell / 2, hj * Self.cell + Self.cell / 2, 3, clockwise: false))])])))
        self.grids = grids
        sharedVertices = vertices
        sharedEdgePoints = edgePoints
        extent = BoundingBox(minLon: Self.base.lon, minLat: Self.base.lat,
                             maxLon: Self.base.lon + Double(columns * Self.cell) * Self.unit,
                             maxLat: Self.base.lat + Double(rows * Self.cell) * Self.unit)
    }

    public var communityIds: [String] { Array(Set(grids.map(\.communityId))).sorted() }

    /// The layers as GeoJSON FeatureCollections, parents first, ready for `importGeoJSON`.
    /// Parents are rectangles around the city: only their ids and names matter here.
    public func layers() -> [(layer: String, geojson: String)] {
        let e = extent
        let rect = "{\"type\":\"Polygon\",\"coordinates\":[[[\(e.minLon - 0.01),\(e.minLat - 0.01)],[\(e.maxLon + 0.01),\(e.minLat - 0.01)],[\(e.maxLon + 0.01),\(e.maxLat + 0.01)],[\(e.minLon - 0.01),\(e.maxLat + 0.01)],[\(e.minLon - 0.01),\(e.minLat - 0.01)]]]}"
        func fc(_ fs: [String]) -> String { "{\"type\":\"FeatureCollection\",\"features\":[" + fs.joined(separator: ",\n") + "]}" }
        let district = fc(["{\"type\":\"Feature\",\"properties\":{\"id\":\"441302\",\"name\":\"惠城区\"},\"geometry\":\(rect)}"])
        let street = fc(["{\"type\":\"Feature\",\"properties\":{\"id\":\"441302001\",\"name\":\"河南岸街道\",\"district_id\":\"441302\"},\"geometry\":\(rect)}"])
        let communities = fc(communityIds.map {
            "{\"type\":\"Feature\",\"properties\":{\"id\":\"\($0)\",\"name\":\"社区\($0.suffix(3))\",\"street_id\":\"441302001\"},\"geometry\":\(rect)}"
        })
        let grids = fc(self.grids.map { g in
            "{\"type\":\"Feature\",\"properties\":{\"id\":\"\(g.id)\",\"name\":\"网格\(g.id.suffix(6))\",\"community_id\":\"\(g.communityId)\",\"worker_name\":\"王\(g.id.suffix(2))\",\"worker_phone\":\"1380000\(g.id.suffix(4))\"},\"geometry\":\(GeoJSON.text(.multiPolygon(g.geometry)))}"
        })
        // One compound: the middle of lattice cell (0, 0).
        let c = Coordinate(Self.base.lon + 8 * Self.unit, Self.base.lat + 8 * Self.unit)
        let d = 4 * Self.unit
        let compound = "{\"type\":\"Polygon\",\"coordinates\":[[[\(c.lon - d),\(c.lat - d)],[\(c.lon + d),\(c.lat - d)],[\(c.lon + d),\(c.lat + d)],[\(c.lon - d),\(c.lat + d)],[\(c.lon - d),\(c.lat - d)]]]}"
        let compounds = fc(["{\"type\":\"Feature\",\"properties\":{\"id\":\"C1\",\"name\":\"碧桂园\",\"grid_id\":\"\(grids.isEmpty ? "" : self.grids[0].id)\"},\"geometry\":\(compound)}"])
        return [("districts", district), ("streets", street), ("communities", communities), ("grids", grids), ("compounds", compounds)]
    }
}
