import Foundation
import GridGeo
import GridGEOS
import GridIndex
import GridStore

/// One category × tier of a grid that needs GEOS: the stations whose discs reach it (one per spot).
struct GapJob: Sendable {
    let t: Int, c: Int
    let stations: [Int]
}

/// A grid's jobs, and the tiers whose `all` row the worker decides.
struct GridWork: Sendable {
    let j: Int
    let jobs: [GapJob]
    let allTiers: [Int]
}

/// The GEOS side of `CoverageGaps`, one per thread (its GEOS context is not shareable).
///
/// Per grid, ONE arrangement (`GEOSArrangement`: the grid's and every reaching disc's boundaries
/// noded and polygonized into faces, each face labelled with the discs covering it) answers every
/// category and tier: a category × tier's uncovered part is the faces inside the grid that none of
/// its discs covers, its area their geodesic sum, its polygon their union (only when polygons are
/// asked for); `all` is the faces uncovered for at least one category. Where noding loses a face
/// (the faces do not add up to the grid) the worker falls back to one GEOS overlay per category ×
/// tier, `grid − UnaryUnion(discs)`, as the SpatiaLite path did.
final class GapWorker {
    private let context: GEOSContext
    private let stations: StationIndex
    private let radii: [Double]
    private let polygons: Bool
    /// GEOS discs by tier and spot, kept for the neighbouring grids this worker meets later.
    private var discs: [DiscKey: GEOSPreparedShape] = [:]

    private struct DiscKey: Hashable {
        let t: Int
        let centre: Coordinate
    }

    private let arrangements: Bool
    /// Grids computed by overlays.
    private(set) var overlayGrids = 0

    init(stations: StationIndex, radii: [Double], polygons: Bool, arrangements: Bool = true) throws {
        context = try GEOSContext()
        self.arrangements = arrangements
        self.stations = stations
        self.radii = radii
        self.polygons = polygons
    }

    /// The gaps of `jobs` (row = category) and the `all` row (`allRow`) of `allTiers`, as
    /// (tier, row, gap).
    func run(grid: CoverageGrid, jobs: [GapJob], allTiers: [Int], allRow: Int) throws -> [(Int, Int, GridGap)] {
        let shape = try GEOSPreparedShape(try context.geometry(wkb: grid.wkb))
        var index: [DiscKey: Int] = [:]
        var shapes: [GEOSPreparedShape] = []
        let jobDiscs = try jobs.map { job in
            try job.stations.map { s -> Int in
                let key = DiscKey(t: job.t, centre: stations.stations[s].point)
                if let i = index[key] { return i }
                let disc = try self.disc(key)
                index[key] = shapes.count
                shapes.append(disc)
                return shapes.count - 1
            }
        }
        if arrangements, let arrangement = try GEOSArrangement.make(grid: shape, discs: shapes) {
            return try answer(arrangement, grid: grid, jobs: jobs, jobDiscs: jobDiscs, allTiers: allTiers, allRow: allRow)
        }
        overlayGrids += 1
        return try overlays(shape.geometry, grid: grid, jobs: jobs, jobDiscs: jobDiscs.map { $0.map { shapes[$0] } },
                            allTiers: allTiers, allRow: allRow)
    }

    private func disc(_ key: DiscKey) throws -> GEOSPreparedShape {
        if let d = discs[key] { return d }
        let d = try GEOSPreparedShape(try context.polygon(GeodesicDisc.ring(centre: key.centre, radius: radii[key.t])))
        discs[key] = d
        return d
    }

    /// Splitting a grid's edges where discs cross them moves its geodesic area by ~1e-7: never
    /// report more uncovered than the grid has.
    private func gap(_ area: Double, empty: Bool, grid: CoverageGrid, polygon: () throws -> Data?) rethrows -> GridGap {
        if empty { return GridGap(shape: .none, areaM2: 0) }
        return GridGap(shape: .part(polygons ? try polygon() : nil), areaM2: min(area, grid.areaM2))
    }

    private func answer(_ a: GEOSArrangement, grid: CoverageGrid, jobs: [GapJob], jobDiscs: [[Int]],
                        allTiers: [Int], allRow: Int) throws -> [(Int, Int, GridGap)] {
        var out: [(Int, Int, GridGap)] = []
        var uncovered: [[Int]] = []  // per job, its faces
        for (k, job) in jobs.enumerated() {
            let faces = a.areas.indices.filter { f in !jobDiscs[k].contains { a.covers(disc: $0, face: f) } }
            uncovered.append(faces)
            out.append((job.t, job.c, try gap(faces.reduce(0) { $0 + a.areas[$1] }, empty: faces.isEmpty, grid: grid) {
                try a.union(faces: faces)
            }))
        }
        for t in allTiers {
            let parts = jobs.indices.filter { jobs[$0].t == t && !uncovered[$0].isEmpty }
            if parts.count == 1 {
                out.append((t, allRow, out[parts[0]].2))
            } else {
                var any = [Bool](repeating: false, count: a.areas.count)
                for k in parts { for f in uncovered[k] { any[f] = true } }
                let faces = a.areas.indices.filter { any[$0] }
                out.append((t, allRow, try gap(faces.reduce(0) { $0 + a.areas[$1] }, empty: faces.isEmpty, grid: grid) {
                    try a.union(faces: faces)
                }))
            }
        }
        return out
    }

    private func overlays(_ g: GEOSGeometry, grid: CoverageGrid, jobs: [GapJob], jobDiscs: [[GEOSPreparedShape]],
                          allTiers: [Int], allRow: Int) throws -> [(Int, Int, GridGap)] {
        var out: [(Int, Int, GridGap)] = []
        var parts: [GEOSGeometry?] = []
        for (k, job) in jobs.enumerated() {
            let ds = jobDiscs[k].map(\.geometry)
            let cover = ds.count == 1 ? ds[0] : try GEOSGeometry.union(ds, context: context)
            let rest = try g.difference(cover)
            parts.append(rest.isEmpty ? nil : rest)
            out.append((job.t, job.c, try gap(rest.geodesicArea, empty: rest.isEmpty, grid: grid) { try rest.multiPolygonWKB() }))
        }
        for t in allTiers {
            let ps = jobs.indices.filter { jobs[$0].t == t && parts[$0] != nil }
            if ps.count == 1 {
                out.append((t, allRow, out[ps[0]].2))
            } else {
                let u = ps.isEmpty ? nil : try GEOSGeometry.union(ps.map { parts[$0]! }, context: context)
                out.append((t, allRow, try gap(u?.geodesicArea ?? 0, empty: u?.isEmpty ?? true, grid: grid) { try u?.multiPolygonWKB() }))
            }
        }
        return out
    }
}
