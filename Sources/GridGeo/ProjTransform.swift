import CProj
import Foundation
import Synchronization

/// One PROJ transformation between two CRSs, axis order normalised to x = longitude/easting,
/// y = latitude/northing. Safe to share between threads.
///
/// PROJ objects are not thread-safe, so each PROJ object (with its own context) lives in a
/// `Mutex` and is used by one thread at a time. A busy object does not make a caller wait while
/// another could be made: the transform keeps up to one object per processor, created the first
/// time every existing one is busy. Creating one costs ~50 ms; using one ~0.1-1 µs.
public final class ProjTransform: Sendable {
    public let source: CRS
    public let target: CRS
    private let first: Slot
    private let more = Mutex<[Slot]>([])
    private let turn = Atomic<Int>(0)
    private static let maxSlots = max(1, ProcessInfo.processInfo.activeProcessorCount)

    /// Creates the transformation (~50 ms): use `CRSService.shared.transform(from:to:)`, which
    /// creates each pair once. Throws `CRS.UnknownCRS` when PROJ cannot relate the two CRSs.
    public init(from source: CRS, to target: CRS) throws {
        self.source = source
        self.target = target
        first = Slot(try Handle(from: source, to: target))
    }

    public func forward(_ c: Coordinate) throws -> Coordinate { try run(c, PJ_FWD) }
    public func inverse(_ c: Coordinate) throws -> Coordinate { try run(c, PJ_INV) }

    private func run(_ c: Coordinate, _ direction: PJ_DIRECTION) throws -> Coordinate {
        let out = try withHandle { h in proj_trans(h.pj, direction, proj_coord(c.lon, c.lat, 0, 0)) }
        let x = out.xy.x, y = out.xy.y
        // PROJ marks a coordinate it cannot transform with HUGE_VAL.
        guard x.isFinite, y.isFinite else {
            throw CoordinateRangeError(coordinate: c, message: "\(JSONText.number(c.lon)), \(JSONText.number(c.lat)) cannot be transformed from \(direction == PJ_FWD ? source : target) to \(direction == PJ_FWD ? target : source) (outside the area PROJ can project?)")
        }
        return Coordinate(lon: x, lat: y)
    }

    private func withHandle<R: Sendable>(_ body: (borrowing Handle) -> R) throws -> R {
        if let r = first.handle.withLockIfAvailable({ body($0) }) { return r }
        let others = more.withLock { $0 }
        for s in others {
            if let r = s.handle.withLockIfAvailable({ body($0) }) { return r }
        }
        if others.count + 1 < Self.maxSlots {
            // Every object is busy: make another (outside any lock) for this and later callers.
            let slot = Slot(try Handle(from: source, to: target))
            more.withLock { if $0.count + 1 < Self.maxSlots { $0.append(slot) } }
            return slot.handle.withLock { body($0) }
        }
        let all = [first] + others
        return all[turn.wrappingAdd(1, ordering: .relaxed).oldValue % all.count].handle.withLock { body($0) }
    }

    private final class Slot: Sendable {
        let handle: Mutex<Handle>
        init(_ h: consuming sending Handle) { handle = Mutex(h) }
    }

    /// A PROJ context and the transformation created in it; destroyed together.
    struct Handle: ~Copyable {
        let ctx: OpaquePointer
        let pj: OpaquePointer

        init(from: CRS, to: CRS) throws {
            guard let src = from.projName else { throw CRS.UnknownCRS(name: from.description) }
            guard let dst = to.projName else { throw CRS.UnknownCRS(name: to.description) }
            guard let ctx = proj_context_create() else { throw CRS.UnknownCRS(name: src) }
            proj_log_level(ctx, PJ_LOG_NONE)
            guard let raw = proj_create_crs_to_crs(ctx, src, dst, nil) else {
                proj_context_destroy(ctx)
                throw CRS.UnknownCRS(name: from == .wgs84 ? dst : src)
            }
            guard let norm = proj_normalize_for_visualization(ctx, raw) else {
                proj_destroy(raw)
                proj_context_destroy(ctx)
                throw CRS.UnknownCRS(name: src)
            }
            proj_destroy(raw)
            self.ctx = ctx
            self.pj = norm
        }

        deinit {
            proj_destroy(pj)
            proj_context_destroy(ctx)
        }
    }
}

/// The one place PROJ transformations come from: each pair of CRSs is created once (~50 ms) and
/// shared by import, assignment, items output and every later feature.
public final class CRSService: Sendable {
    public static let shared = CRSService()

    private struct Pair: Hashable, Sendable { let from: CRS, to: CRS }
    private let transforms = Mutex<[Pair: ProjTransform]>([:])
    /// Distinct pairs kept; beyond this (a client cycling through EPSG codes) new pairs are
    /// created per use rather than growing memory without bound.
    private static let maxPairs = 256

    /// The shared transformation between two CRSs PROJ knows (not GCJ-02 / BD-09: see
    /// `CoordinateTransform`). Throws `CRS.UnknownCRS`.
    public func transform(from: CRS, to: CRS) throws -> ProjTransform {
        let key = Pair(from: from, to: to)
        if let t = transforms.withLock({ $0[key] }) { return t }
        // Created outside the lock so other pairs are not held up for 50 ms.
        let t = try ProjTransform(from: from, to: to)
        return transforms.withLock { m in
            if let existing = m[key] { return existing }
            if m.count < Self.maxPairs { m[key] = t }
            return t
        }
    }

    /// The shared input transform for a CRS: to WGS84 with every check (`CoordinateTransform`).
    public func toWGS84(_ crs: CRS) throws -> CoordinateTransform { try CoordinateTransform(crs) }
}
