import CGEOS
import Foundation
import GridGeo

/// GEOS refused an input or an operation failed inside it (its own message, e.g. a
/// `TopologyException`).
public struct GEOSError: Error, CustomStringConvertible {
    public let description: String
}

/// One GEOS context: GEOS's reentrant C API (`…_r`), for use on ONE thread at a time (the type is
/// not Sendable; make one per worker).
///
/// Why GEOS's own C API and not GEOS through SpatiaLite's SQL, as the rest of the store does: the
/// uncovered-area computation (issue 9 §7) makes tens of thousands of small overlays, and through
/// SQL each one re-parsed the grid and the discs (blob → gaia → GEOS → gaia → blob) for every
/// category and tier; measured, the same overlays through this API took about half the CPU
/// (docs/PERFORMANCE.md, "Coverage"). This is the very library SpatiaLite links (libgeos_c, Debian's libgeos-dev 3.11),
/// doing the same geometry; nothing here clips or nodes by hand.
public final class GEOSContext {
    let handle: OpaquePointer
    private let messages = Messages()
    private let reader: OpaquePointer
    private let writer: OpaquePointer

    private final class Messages { var last = "" }

    public init() throws {
        guard let h = GEOS_init_r() else { throw GEOSError(description: "GEOS could not start a context") }
        handle = h
        GEOSContext_setErrorMessageHandler_r(h, { message, user in
            guard let message, let user else { return }
            Unmanaged<Messages>.fromOpaque(user).takeUnretainedValue().last = String(cString: message)
        }, Unmanaged.passUnretained(messages).toOpaque())
        guard let r = GEOSWKBReader_create_r(h), let w = GEOSWKBWriter_create_r(h) else {
            GEOS_finish_r(h)
            throw GEOSError(description: "GEOS could not create its WKB reader and writer")
        }
        reader = r
        writer = w
        GEOSWKBWriter_setByteOrder_r(h, w, Int32(GEOS_WKB_NDR.rawValue))
        GEOSWKBWriter_setOutputDimension_r(h, w, 2)
    }

    deinit {
        GEOSWKBReader_destroy_r(handle, reader)
        GEOSWKBWriter_destroy_r(handle, writer)
        GEOS_finish_r(handle)
    }

    /// GEOS's last error message on this context.
    var lastMessage: String { messages.last }

    /// The pointer, or GEOSError with GEOS's last message.
    func check(_ p: OpaquePointer?, _ what: @autoclosure () -> String) throws -> OpaquePointer {
        guard let p else { throw GEOSError(description: "GEOS \(what()) failed: \(messages.last)") }
        return p
    }

    func owned(_ p: OpaquePointer?, _ what: @autoclosure () -> String) throws -> GEOSGeometry {
        GEOSGeometry(context: self, pointer: try check(p, what()))
    }

    /// A geometry from WKB (any byte order).
    public func geometry(wkb: Data) throws -> GEOSGeometry {
        let p = wkb.withUnsafeBytes { b in
            GEOSWKBReader_read_r(handle, reader, b.bindMemory(to: UInt8.self).baseAddress, b.count)
        }
        return try owned(p, "reading WKB")
    }

    /// A polygon of one closed ring (lon/lat, the closing repeat included).
    public func polygon(_ ring: Ring) throws -> GEOSGeometry {
        var xy: [Double] = []
        xy.reserveCapacity(ring.count * 2)
        for c in ring { xy.append(c.lon); xy.append(c.lat) }
        let seq = try check(GEOSCoordSeq_copyFromBuffer_r(handle, xy, UInt32(ring.count), 0, 0), "making a ring")
        let shell = try check(GEOSGeom_createLinearRing_r(handle, seq), "making a ring")
        return try owned(GEOSGeom_createPolygon_r(handle, shell, nil, 0), "making a polygon")
    }

    /// A collection of copies of `members` (`type`: GEOS_MULTILINESTRING, GEOS_MULTIPOLYGON,
    /// GEOS_GEOMETRYCOLLECTION …).
    func collection(_ type: Int32, copies members: [OpaquePointer]) throws -> GEOSGeometry {
        var clones: [OpaquePointer?] = []
        clones.reserveCapacity(members.count)
        for m in members {
            guard let c = GEOSGeom_clone_r(handle, m) else {
                for c in clones { GEOSGeom_destroy_r(handle, c) }
                throw GEOSError(description: "GEOS could not copy a geometry: \(messages.last)")
            }
            clones.append(c)
        }
        // GEOS takes the members (not the array) on success and on failure alike.
        return try owned(GEOSGeom_createCollection_r(handle, type, &clones, UInt32(clones.count)), "making a collection")
    }

    /// A (Multi)Polygon as little-endian MultiPolygon WKB (as SpatiaLite's
    /// `AsBinary(CastToMultiPolygon(…))` gives it); nil when it is empty.
    func multiPolygonWKB(_ g: OpaquePointer) throws -> Data? {
        if GEOSisEmpty_r(handle, g) == 1 { return nil }
        var holder: GEOSGeometry?
        var target = g
        if GEOSGeomTypeId_r(handle, g) != Int32(GEOS_MULTIPOLYGON.rawValue) {
            var polygons: [OpaquePointer] = []
            GEOSGeometry.polygons(of: g, context: handle) { polygons.append($0) }
            holder = try collection(Int32(GEOS_MULTIPOLYGON.rawValue), copies: polygons)
            target = holder!.pointer
        }
        var size = 0
        guard let bytes = GEOSWKBWriter_write_r(handle, writer, target, &size) else {
            throw GEOSError(description: "GEOS could not write WKB: \(messages.last)")
        }
        defer { GEOSFree_r(handle, bytes) }
        return withExtendedLifetime(holder) { Data(bytes: bytes, count: size) }
    }
}

/// A geometry owned by Swift (freed with its context's GEOS when released).
public final class GEOSGeometry {
    let context: GEOSContext
    let pointer: OpaquePointer

    init(context: GEOSContext, pointer: OpaquePointer) {
        self.context = context
        self.pointer = pointer
    }

    deinit { GEOSGeom_destroy_r(context.handle, pointer) }

    /// Area on the WGS84 ellipsoid in m² of the polygons in it (holes subtracted; lines and points
    /// count 0), by GridGeo's `EllipsoidArea` (exact equal-area map; within 1e-6 of
    /// `geod_polygonarea`'s geodesic area for city-sized polygons).
    public var area: Double { GEOSGeometry.area(pointer, context: context.handle) }

    /// Whether the geometry has no points.
    public var isEmpty: Bool { GEOSisEmpty_r(context.handle, pointer) != 0 }

    /// The polygon as little-endian MultiPolygon WKB; nil when empty.
    public func multiPolygonWKB() throws -> Data? { try context.multiPolygonWKB(pointer) }

    /// `self` minus `other` (GEOS `Difference`, OverlayNG).
    public func difference(_ other: GEOSGeometry) throws -> GEOSGeometry {
        try context.owned(GEOSDifference_r(context.handle, pointer, other.pointer), "difference")
    }

    /// The part of either that is not in both (GEOS `SymDifference`): how far two polygons differ.
    public func symmetricDifference(_ other: GEOSGeometry) throws -> GEOSGeometry {
        try context.owned(GEOSSymDifference_r(context.handle, pointer, other.pointer), "symmetric difference")
    }

    /// `self` united with `other` (GEOS `Union`, OverlayNG).
    public func union(_ other: GEOSGeometry) throws -> GEOSGeometry {
        try context.owned(GEOSUnion_r(context.handle, pointer, other.pointer), "union")
    }

    /// The union of copies of `parts` (GEOS `UnaryUnion`): overlapping members are fine.
    public static func union(_ parts: [GEOSGeometry], context: GEOSContext) throws -> GEOSGeometry {
        let c = try context.collection(Int32(GEOS_GEOMETRYCOLLECTION.rawValue), copies: parts.map(\.pointer))
        return try withExtendedLifetime(c) { try context.owned(GEOSUnaryUnion_r(context.handle, c.pointer), "union") }
    }

    /// Calls `body` with every Polygon inside `g` (itself, or the members of a multi or a
    /// collection, recursively); the pointers belong to `g`.
    static func polygons(of g: OpaquePointer, context h: OpaquePointer, _ body: (OpaquePointer) -> Void) {
        let type = GEOSGeomTypeId_r(h, g)
        if type == Int32(GEOS_POLYGON.rawValue) {
            body(g)
        } else if type == Int32(GEOS_MULTIPOLYGON.rawValue) || type == Int32(GEOS_GEOMETRYCOLLECTION.rawValue) {
            for i in 0..<max(0, GEOSGetNumGeometries_r(h, g)) {
                if let m = GEOSGetGeometryN_r(h, g, i) { polygons(of: m, context: h, body) }
            }
        }
    }

    static func area(_ g: OpaquePointer, context h: OpaquePointer) -> Double {
        var total = 0.0
        polygons(of: g, context: h) { p in
            guard GEOSisEmpty_r(h, p) == 0 else { return }
            if let shell = GEOSGetExteriorRing_r(h, p) { total += ringArea(shell, context: h) }
            for i in 0..<max(0, GEOSGetNumInteriorRings_r(h, p)) {
                if let hole = GEOSGetInteriorRingN_r(h, p, i) { total -= ringArea(hole, context: h) }
            }
        }
        return total
    }

    /// |area| of one ring, orientation ignored (GridGeo's `EllipsoidArea`).
    private static func ringArea(_ ring: OpaquePointer, context h: OpaquePointer) -> Double {
        guard let seq = GEOSGeom_getCoordSeq_r(h, ring) else { return 0 }
        var n: UInt32 = 0
        guard GEOSCoordSeq_getSize_r(h, seq, &n) != 0, n >= 4 else { return 0 }
        return withUnsafeTemporaryAllocation(of: Double.self, capacity: Int(n) * 2) { xy in
            guard GEOSCoordSeq_copyToBuffer_r(h, seq, xy.baseAddress, 0, 0) != 0 else { return 0 }
            return EllipsoidArea.ring(lonLat: UnsafeBufferPointer(xy))
        }
    }
}

/// A geometry prepared for repeated predicates against it (GEOS `Prepare`: its edges indexed once).
public final class GEOSPrepared {
    public let geometry: GEOSGeometry
    private let prepared: OpaquePointer

    public init(_ geometry: GEOSGeometry) throws {
        self.geometry = geometry
        prepared = try geometry.context.check(GEOSPrepare_r(geometry.context.handle, geometry.pointer), "preparing a geometry")
    }

    deinit { GEOSPreparedGeom_destroy_r(geometry.context.handle, prepared) }

    /// Whether `other` shares at least a point with the prepared geometry (GEOS `PreparedIntersects`).
    public func intersects(_ other: GEOSGeometry) throws -> Bool {
        let r = GEOSPreparedIntersects_r(geometry.context.handle, prepared, other.pointer)
        if r == 2 { throw GEOSError(description: "GEOS intersects failed: \(geometry.context.lastMessage)") }
        return r == 1
    }

    /// Whether `other` lies in the prepared geometry, its boundary included (GEOS `PreparedCovers`).
    public func covers(_ other: GEOSGeometry) throws -> Bool {
        let r = GEOSPreparedCovers_r(geometry.context.handle, prepared, other.pointer)
        if r == 2 { throw GEOSError(description: "GEOS covers failed: \(geometry.context.lastMessage)") }
        return r == 1
    }
}
