import ArgumentParser
import Foundation
import GridGeo
import GridIndex
import GridStore
import GridTestSupport

struct BenchAssign: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "assign",
        abstract: "Index build time and memory, then in-process point-in-grid assignment over generated points.")

    @OptionGroup var store: StoreOptions

    @Option(help: "Number of points.")
    var points: Int = 1_000_000

    @Option(help: "Also write the points as CSV (id,lon,lat) here, for the shapely / PostGIS / CLI runs.")
    var pointsCSV: String?

    @Option(help: "Seed of the point generator.")
    var seed: UInt64 = 20261122

    @Option(help: "Cells of the index grid per polygon.")
    var cellsPerPolygon: Int = 48

    func run() throws {
        let db = try store.open()
        let rss0 = Self.memory("VmRSS")
        let index = try AssignmentIndex.build(from: db, cellsPerPolygon: cellsPerPolygon)
        let rss1 = Self.memory("VmRSS")
        let gs = index.grids.stats, cs = index.compounds.stats
        print("store: \(store.db)")
        print("grids: \(gs.polygons) polygons, \(gs.vertices) vertices; compounds: \(cs.polygons) polygons, \(cs.vertices) vertices")
        print("index build: \(String(format: "%.3f", index.buildSeconds)) s (reading the store included)")
        print("index memory: arrays \(String(format: "%.1f", Double(gs.bytes + cs.bytes) / 1e6)) MB; process RSS +\(String(format: "%.1f", Double(rss1 - rss0) / 1e3)) MB over the build (peak RSS \(String(format: "%.1f", Double(Self.memory("VmHWM")) / 1e3)) MB)")
        print("grid cells: \(gs.cells) (\(index.grids.nx)×\(index.grids.ny)), \(gs.interiorCells) answer without an edge test; \(gs.cellEntries) cell entries")

        // Points: a random grid, then a uniform point in its bounding box. Most land inside some
        // grid, as historical case locations do; the rest fall outside (coast, city edge).
        var rng = SplitMix64(seed: seed)
        var pts: [Coordinate] = []
        pts.reserveCapacity(points)
        let boxes = index.grids.boxes
        for _ in 0..<points {
            let b = boxes[Int(rng.next() % UInt64(boxes.count))]
            pts.append(Coordinate(b.minLon + (b.maxLon - b.minLon) * rng.unit(), b.minLat + (b.maxLat - b.minLat) * rng.unit()))
        }
        if let pointsCSV {
            guard FileManager.default.createFile(atPath: pointsCSV, contents: nil), let h = FileHandle(forWritingAtPath: pointsCSV) else {
                throw ValidationError("cannot write \(pointsCSV)")
            }
            var s = "id,lon,lat\n"
            for (k, p) in pts.enumerated() {
                s += "\(k),\(p.lon),\(p.lat)\n"
                if s.utf8.count > 1 << 20 { h.write(Data(s.utf8)); s = "" }
            }
            h.write(Data(s.utf8))
            try h.close()
            print("points written to \(pointsCSV)")
        }

        // Primary grid only (what shapely's STRtree query and the PostGIS join compute), one thread.
        var checksum = 0, outside = 0, onBoundary = 0
        for p in pts.prefix(100_000) { checksum &+= index.grids.primary(p).index }  // warm-up
        let t0 = Date()
        checksum = 0
        for p in pts {
            let r = index.grids.primary(p)
            checksum &+= r.index
            if r.index < 0 { outside += 1 }
            if r.boundary { onBoundary += 1 }
        }
        let single = Date().timeIntervalSince(t0)
        print(String(format: "in-process, grid covering each point, 1 thread: %d points in %.3f s = %.2f M points/s (%d outside every grid, %d on a boundary, checksum %d)",
                     pts.count, single, Double(pts.count) / single / 1e6, outside, onBoundary, checksum))

        // The same on every core: the index is immutable, so threads share it without locks.
        let threads = ProcessInfo.processInfo.activeProcessorCount
        let t1 = Date()
        let grids = index.grids
        let shared = pts
        DispatchQueue.concurrentPerform(iterations: threads * 4) { s in
            var local = 0
            for k in (s * shared.count / (threads * 4))..<((s + 1) * shared.count / (threads * 4)) { local &+= grids.primary(shared[k]).index }
            if local == Int.min { print(local) }  // keeps the loop from being optimised away
        }
        let multi = Date().timeIntervalSince(t1)
        print(String(format: "in-process, grid covering each point, %d threads: %.3f s = %.2f M points/s", threads, multi, Double(pts.count) / multi / 1e6))

        // The full answer (every covering grid, compound, names; nearest grid when outside).
        let t2 = Date()
        var n = 0
        for p in pts { n &+= index.assign(p).candidates.count }
        let full = Date().timeIntervalSince(t2)
        print(String(format: "in-process, full answer (candidates, compound, nearest when outside), 1 thread: %.3f s = %.2f M points/s", full, Double(pts.count) / full / 1e6))
        // The two kinds of point apart: inside a grid (the common case) and outside every grid
        // (which adds the nearest-grid search).
        let insidePts = pts.filter { index.grids.primary($0).index >= 0 }, outsidePts = pts.filter { index.grids.primary($0).index < 0 }
        for (label, list) in [("inside a grid", insidePts), ("outside every grid", outsidePts)] where !list.isEmpty {
            let t = Date()
            for p in list { n &+= index.assign(p).candidates.count }
            let s = Date().timeIntervalSince(t)
            print(String(format: "  full answer, %d points %@: %.1f µs each", list.count, label, s / Double(list.count) * 1e6))
        }
    }

    /// A field of /proc/self/status in kB (0 where there is no /proc).
    static func memory(_ field: String) -> Int {
        guard let s = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return 0 }
        for line in s.split(separator: "\n") where line.hasPrefix(field + ":") {
            return Int(line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "0") ?? 0
        }
        return 0
    }
}
