import CGEOS
import Foundation

/// A polygon with GEOS's prepared form (indexed point-in-area tests), for the shapes tested
/// many times: a grid, a disc.
public final class GEOSPreparedShape {
    public let geometry: GEOSGeometry
    let prepared: OpaquePointer

    public init(_ geometry: GEOSGeometry) throws {
        self.geometry = geometry
        prepared = try geometry.context.check(GEOSPrepare_r(geometry.context.handle, geometry.pointer), "prepare")
    }

    deinit { GEOSPreparedGeom_destroy_r(geometry.context.handle, prepared) }

    /// Whether `point` (a GEOS point) lies in the interior of the shape.
    func contains(_ point: OpaquePointer) throws -> Bool {
        switch GEOSPreparedContains_r(geometry.context.handle, prepared, point) {
        case 1: return true
        case 0: return false
        default: throw GEOSError(description: "GEOS prepared contains failed")
        }
    }
}

/// The faces into which a grid's boundary and the boundaries of a set of discs cut the grid, each
/// with its geodesic area and which discs cover it: one GEOS `Node` of all the linework, one
/// `Polygonize`, then per face an interior point (`PointOnSurface`) tested against the prepared
/// grid and discs. Every union and difference of the discs within the grid is then a set of
/// faces: its area a sum, its polygon the `CoverageUnion` of the faces (built only when asked).
///
/// The faces inside the grid must tile it: `GEOSArrangement.make` checks the polygonization and
/// the faces' total area and returns nil when noding lost an edge, so that the caller falls back
/// to plain overlays.
public final class GEOSArrangement {
    /// Geodesic m² of each face inside the grid.
    public let areas: [Double]
    public let discCount: Int
    /// covered[face * discCount + disc].
    private let covered: [Bool]
    private let faces: [OpaquePointer]
    /// Owns `faces`.
    private let polygonized: GEOSGeometry

    private init(areas: [Double], discCount: Int, covered: [Bool], faces: [OpaquePointer], polygonized: GEOSGeometry) {
        self.areas = areas
        self.discCount = discCount
        self.covered = covered
        self.faces = faces
        self.polygonized = polygonized
    }

    /// Whether disc `disc` (an index into the discs given to `make`) covers face `face`.
    public func covers(disc: Int, face: Int) -> Bool { covered[face * discCount + disc] }

    /// The union of the faces (indices into `areas`) as little-endian MultiPolygon WKB, by GEOS's
    /// `CoverageUnion` (the faces are edge-matched, as polygonized faces are); nil for none.
    public func union(faces chosen: [Int]) throws -> Data? {
        guard !chosen.isEmpty else { return nil }
        let context = polygonized.context
        let c = try context.collection(Int32(GEOS_GEOMETRYCOLLECTION.rawValue), copies: chosen.map { faces[$0] })
        let u = try withExtendedLifetime(c) { try context.owned(GEOSCoverageUnion_r(context.handle, c.pointer), "coverage union") }
        return try u.multiPolygonWKB()
    }

    /// The arrangement of `grid` and `discs`, or nil when the noding was not sound: polygonizing
    /// it left cut edges, dangles or invalid rings (every input line is a closed ring, so a sound
    /// noding leaves none), or the faces inside the grid miss its geodesic area by more than
    /// `tolerance` (relative). They never add up exactly: a node splits a straight lon/lat edge
    /// into two whose geodesics enclose a little more or less (measured up to ~1.5e-5 of a
    /// 1 km² grid crossed by many discs; the overlays' nodes do the same). Throws when GEOS fails.
    public static func make(grid: GEOSPreparedShape, discs: [GEOSPreparedShape], tolerance: Double = 1e-4) throws -> GEOSArrangement? {
        let context = grid.geometry.context, h = context.handle
        let boundaries = try ([grid.geometry] + discs.map(\.geometry)).map { g in
            try context.owned(GEOSBoundary_r(h, g.pointer), "boundary")
        }
        // withExtendedLifetime: an optimised build may free a geometry right after its pointer is read.
        let lines = try withExtendedLifetime(boundaries) {
            try context.collection(Int32(GEOS_GEOMETRYCOLLECTION.rawValue), copies: boundaries.map(\.pointer))
        }
        let noded: GEOSGeometry
        do {
            noded = try withExtendedLifetime(lines) { try context.owned(GEOSNode_r(h, lines.pointer), "node") }
        } catch {
            return nil  // GEOS's noder did not converge: let the overlays do it
        }
        var cuts: OpaquePointer?, dangles: OpaquePointer?, invalid: OpaquePointer?
        let polygonized = try withExtendedLifetime(noded) {
            try context.owned(GEOSPolygonize_full_r(h, noded.pointer, &cuts, &dangles, &invalid), "polygonize")
        }
        // Every input line is a closed ring: after a sound noding no edge is left over.
        var complete = true
        for extra in [cuts, dangles, invalid] {
            guard let extra else { continue }
            if GEOSisEmpty_r(h, extra) == 0 { complete = false }
            GEOSGeom_destroy_r(h, extra)
        }
        guard complete else { return nil }
        var areas: [Double] = [], covered: [Bool] = [], faces: [OpaquePointer] = []
        let n = GEOSGetNumGeometries_r(h, polygonized.pointer)
        for i in 0..<max(0, n) {
            guard let face = GEOSGetGeometryN_r(h, polygonized.pointer, i) else { continue }
            let point = try context.owned(GEOSPointOnSurface_r(h, face), "point on surface")
            try withExtendedLifetime(point) {
                guard GEOSisEmpty_r(h, point.pointer) == 0, try grid.contains(point.pointer) else { return }
                faces.append(face)
                areas.append(GEOSGeometry.geodesicArea(face, context: h))
                for d in discs { covered.append(try d.contains(point.pointer)) }
            }
        }
        let total = areas.reduce(0, +), expected = grid.geometry.geodesicArea
        guard abs(total - expected) <= tolerance * expected + 1e-6 else { return nil }
        return GEOSArrangement(areas: areas, discCount: discs.count, covered: covered, faces: faces, polygonized: polygonized)
    }
}
