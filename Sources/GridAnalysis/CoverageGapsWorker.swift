import Foundation
import GridGeo
import GridGEOS
import GridIndex
import GridStore

/// One category × tier of a grid that needs GEOS: the discs that reach it (indices into the rings
/// `GapWorker` is given; one per spot).
struct GapJob: Sendable {
    let t: Int, c: Int
    let discs: [Int]
}

/// A grid's jobs, and the tiers whose `all` row the worker decides.
struct GridWork: Sendable {
    let j: Int
    let jobs: [GapJob]
    let allTiers: [Int]
}

/// The GEOS side of `CoverageGaps`, one per thread (a GEOS context is not shareable).
///
/// Per grid × category × tier: the grid minus its discs, by GEOS's overlay (OverlayNG) through
/// its C API — discs whose box meets the grid's but not the grid itself dropped first (a prepared
/// intersects), one disc straight into `Difference`, several united first (`Union` for two,
/// `UnaryUnion` beyond). Each grid is read into GEOS and prepared once for all its categories and
/// tiers, and each disc (rings computed once for all workers) read once per worker, kept for the
/// neighbouring grids that meet it again. `all` of a tier is the union of the categories'
/// uncovered parts. Areas are ellipsoidal (GridGeo's `EllipsoidArea` over the result's rings);
/// polygons leave as little-endian MultiPolygon WKB from GEOS's writer.
final class GapWorker {
    private let context: GEOSContext
    private let rings: [Ring]
    /// GEOS discs by ring, read when first needed and kept for the neighbouring grids.
    private var discs: [GEOSGeometry?]

    init(rings: [Ring]) throws {
        context = try GEOSContext()
        self.rings = rings
        discs = Array(repeating: nil, count: rings.count)
    }

    /// The gaps of `jobs` (row = category) and the `all` row (`allRow`) of `allTiers`, as
    /// (tier, row, gap). Throws GEOSError when GEOS fails.
    func run(grid: CoverageGrid, jobs: [GapJob], allTiers: [Int], allRow: Int) throws -> [(Int, Int, GridGap)] {
        let g = try context.geometry(wkb: grid.wkb)
        // Discs whose box meets the grid's but not the grid are left out (a prepared
        // intersects is ~10× cheaper than an overlay that changes nothing).
        let prepared = try GEOSPrepared(g)
        var out: [(Int, Int, GridGap)] = []
        out.reserveCapacity(jobs.count + allTiers.count)
        var parts: [GEOSGeometry?] = []
        for job in jobs {
            let ds = try job.discs.map { try disc($0) }.filter { try prepared.intersects($0) }
            if ds.isEmpty {
                parts.append(g)
                out.append((job.t, job.c, GridGap(shape: .whole, areaM2: grid.areaM2)))
                continue
            }
            let rest = try g.difference(try union(ds))
            parts.append(rest.isEmpty ? nil : rest)
            out.append((job.t, job.c, try gap(rest, grid: grid)))
        }
        for t in allTiers {
            let ps = jobs.indices.filter { jobs[$0].t == t && parts[$0] != nil }
            if let k = ps.first(where: { if case .whole = out[$0].2.shape { return true } else { return false } }) {
                out.append((t, allRow, out[k].2))  // one category leaves all of the grid uncovered
            } else if ps.count == 1 {
                out.append((t, allRow, out[ps[0]].2))
            } else if ps.isEmpty {
                out.append((t, allRow, GridGap(shape: .none, areaM2: 0)))
            } else {
                out.append((t, allRow, try gap(try union(ps.map { parts[$0]! }), grid: grid)))
            }
        }
        return out
    }

    private func disc(_ k: Int) throws -> GEOSGeometry {
        if let d = discs[k] { return d }
        let d = try context.polygon(rings[k])
        discs[k] = d
        return d
    }

    /// One geometry: itself; two: GEOS `Union`; more: `UnaryUnion` of a collection (measured
    /// as fast as a chain of `Union`s here).
    private func union(_ gs: [GEOSGeometry]) throws -> GEOSGeometry {
        if gs.count == 1 { return gs[0] }
        if gs.count == 2 { return try gs[0].union(gs[1]) }
        return try GEOSGeometry.union(gs, context: context)
    }

    /// Splitting a grid's edges where discs cross them moves its geodesic area by ~1e-7: never
    /// report more uncovered than the grid has.
    private func gap(_ rest: GEOSGeometry, grid: CoverageGrid) throws -> GridGap {
        guard let wkb = try rest.multiPolygonWKB() else { return GridGap(shape: .none, areaM2: 0) }
        return GridGap(shape: .part(wkb), areaM2: min(rest.area, grid.areaM2))
    }
}
