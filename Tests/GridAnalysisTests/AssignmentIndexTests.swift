import Foundation
import GridAnalysis
import GridIndex
import GridTestSupport
import GridIO
import GridGeo
import GridStore
import XCTest

final class AssignmentIndexTests: XCTestCase {
    /// The index against a brute-force scan with GridGeo's own PointInPolygon over every grid.
    func testIndexMatchesBruteForceOnTheHardCases() throws {
        let city = SyntheticCity(columns: 12, rows: 9)
        let index = try AssignmentIndex.build(from: makeStore(self, city: city))
        XCTAssertEqual(index.gridInfo.count, city.grids.count)
        let points = hardPoints(city, random: 20_000)
        var boundaryPoints = 0, sharedPoints = 0
        for p in points {
            var expected: [String] = []
            var onBoundary = false
            for g in city.grids {
                switch PointInPolygon.locate(p, in: g.geometry) {
                case .outside: break
                case .inside: expected.append(g.id)
                case .boundary: expected.append(g.id); onBoundary = true
                }
            }
            expected.sort()
            let a = index.assign(p)
            XCTAssertEqual(a.candidates.map(\.grid.id), expected, "candidates at \(p)")
            XCTAssertEqual(a.grid?.id, expected.first, "primary is the smallest covering id at \(p)")
            XCTAssertEqual(a.boundary, onBoundary, "boundary flag at \(p)")
            let fast = index.grids.primary(p)
            XCTAssertEqual(fast.index >= 0 ? index.gridInfo[fast.index].id : nil, expected.first)
            XCTAssertEqual(fast.boundary, onBoundary)
            if onBoundary { boundaryPoints += 1 }
            if expected.count > 1 { sharedPoints += 1 }
        }
        // The hard cases really were exercised.
        XCTAssertGreaterThan(sharedPoints, city.grids.count)
        XCTAssertGreaterThan(boundaryPoints, sharedPoints)
        XCTAssertGreaterThan(index.grids.stats.interiorCells, index.grids.stats.cells / 4, "most cells answer without an edge test")
    }

    func testHoleEnclaveAndExclave() throws {
        let city = SyntheticCity(columns: 8, rows: 6)
        let index = try AssignmentIndex.build(from: makeStore(self, city: city))
        let u = SyntheticCity.unit, b = SyntheticCity.base
        func centre(_ i: Int, _ j: Int) -> Coordinate { Coordinate(b.lon + Double(i * 16 + 8) * u, b.lat + Double(j * 16 + 8) * u) }
        func owner(_ i: Int, _ j: Int) -> String {
            // The grid of lattice cell (i, j): the one holding a point well inside the cell, beside its middle.
            let p = Coordinate(b.lon + Double(i * 16 + 8) * u, b.lat + Double(j * 16 + 12) * u)
            return city.grids.first { PointInPolygon.locate(p, in: $0.geometry) == .inside }!.id
        }
        // The hole of cell (2, 2) belongs to the enclave grid, not to the grid around it.
        let enclave = city.grids.last!.id
        XCTAssertEqual(index.assign(centre(2, 2)).grid?.id, enclave)
        XCTAssertNotEqual(owner(2, 2), enclave)
        // The exclave in cell (5, 3) belongs to the grid of cell (1, 4).
        XCTAssertEqual(index.assign(centre(5, 3)).grid?.id, owner(1, 4))
        XCTAssertNotEqual(owner(5, 3), owner(1, 4))
        // On the hole's edge: both the surrounding grid and the enclave.
        let holeEdge = Coordinate(b.lon + Double(2 * 16 + 5) * u, b.lat + Double(2 * 16 + 8) * u)
        let a = index.assign(holeEdge)
        XCTAssertTrue(a.boundary)
        XCTAssertEqual(Set(a.candidates.map(\.grid.id)), [owner(2, 2), enclave])
    }

    /// The store is the source of truth: the index must agree with SpatiaLite's ST_Covers.
    func testIndexAgreesWithSpatiaLiteOnGeneratedCity() throws {
        let city = SyntheticCity(columns: 10, rows: 8)
        let db = try makeStore(self, city: city)
        let index = try AssignmentIndex.build(from: db)
        var disagreements: [String] = []
        for p in hardPoints(city, random: 5_000, seed: 11) {
            let mine = index.assign(p).candidates.map(\.grid.id)
            let theirs = try db.coveringIds(.grids, p)
            if mine != theirs { disagreements.append("\(p): index \(mine), SpatiaLite \(theirs)") }
        }
        XCTAssertEqual(disagreements.count, 0, disagreements.prefix(10).joined(separator: "\n"))
    }

    /// The same on the bundled sample city (thousands of generated grids with jagged shared
    /// edges), when geodata/ is present.
    func testIndexAgreesWithSpatiaLiteOnSampleCity() throws {
        guard let root = SampleCity.locateRoot() ?? Self.repoRootWithSample() else {
            throw XCTSkip("geodata/ (the sample city) is not present")
        }
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("wangge-sample-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: dir) }
        let db = try GridDatabase(path: dir.appendingPathComponent("s.sqlite").path)
        try SampleCity.load(into: db, root: root)
        let index = try AssignmentIndex.build(from: db)
        XCTAssertGreaterThan(index.gridInfo.count, 1000)
        var rng = SplitMix64(seed: 42)
        let e = index.grids.extent
        var points: [Coordinate] = []
        for _ in 0..<30_000 {
            points.append(Coordinate(Double.random(in: e.minLon...e.maxLon, using: &rng), Double.random(in: e.minLat...e.maxLat, using: &rng)))
        }
        // Stored vertices: mostly shared by two or more grids.
        let grids = try db.grids()
        for f in grids.shuffled(using: &rng).prefix(1500) { points.append(contentsOf: Geometry.multiPolygon(f.geometry).coordinates.prefix(3)) }
        var disagreements: [String] = []
        var shared = 0
        for p in points {
            let mine = index.assign(p).candidates.map(\.grid.id)
            let theirs = try db.coveringIds(.grids, p)
            if mine.count > 1 { shared += 1 }
            if mine != theirs { disagreements.append("\(p): index \(mine), SpatiaLite \(theirs)") }
        }
        XCTAssertEqual(disagreements.count, 0, disagreements.prefix(10).joined(separator: "\n"))
        XCTAssertGreaterThan(shared, 1000, "vertices shared by several grids were tested")
    }

    static func repoRootWithSample() -> URL? {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        return FileManager.default.fileExists(atPath: root.appendingPathComponent("geodata/grids.geojson").path) ? root : nil
    }

    func testAnswerNamesTheChainCompoundAndWorker() throws {
        let city = SyntheticCity()
        let index = try AssignmentIndex.build(from: makeStore(self, city: city))
        let p = Coordinate(SyntheticCity.base.lon + 8 * SyntheticCity.unit, SyntheticCity.base.lat + 8 * SyntheticCity.unit)
        let a = index.assign(p)
        let g = try XCTUnwrap(a.grid)
        XCTAssertEqual(g.id.count, 15)
        XCTAssertEqual(g.districtId, "441302"); XCTAssertEqual(g.districtName, "惠城区")
        XCTAssertEqual(g.streetId, "441302001"); XCTAssertEqual(g.streetName, "河南岸街道")
        XCTAssertEqual(g.communityId, String(g.id.prefix(12))); XCTAssertNotNil(g.communityName)
        XCTAssertNotNil(g.workerName); XCTAssertNotNil(g.workerPhone)
        XCTAssertEqual(a.compound?.id, "C1")
        XCTAssertEqual(a.compound?.name, "碧桂园")
        XCTAssertFalse(a.boundary)
        XCTAssertGreaterThan(a.generation, 0)
        XCTAssertNil(index.assign(Coordinate(p.lon + 20 * SyntheticCity.unit, p.lat)).compound)
    }

    /// Outside every grid: no grid, and the nearest grid by geodesic distance to its boundary,
    /// checked against a dense independent sampling of every edge.
    func testOutsidePointGetsNearestGridByGeodesicDistance() throws {
        let city = SyntheticCity(columns: 6, rows: 5)
        let index = try AssignmentIndex.build(from: makeStore(self, city: city))
        func bruteForce(_ p: Coordinate) -> (String, Double) {
            var best = ("", Double.infinity)
            for g in city.grids {
                for poly in g.geometry.polygons {
                    for ring in poly.rings {
                        for k in 0..<(ring.count - 1) {
                            let a = ring[k], b = ring[k + 1]
                            for s in 0...400 {
                                let t = Double(s) / 400
                                let d = Geodesic.distance(p, Coordinate(a.lon + (b.lon - a.lon) * t, a.lat + (b.lat - a.lat) * t))
                                if d < best.1 { best = (g.id, d) }
                            }
                        }
                    }
                }
            }
            return best
        }
        let e = city.extent
        let probes = [
            Coordinate(e.minLon - 0.003, (e.minLat + e.maxLat) / 2),
            Coordinate(e.maxLon + 0.01, e.maxLat + 0.02),
            Coordinate((e.minLon + e.maxLon) / 2 + 0.0011, e.minLat - 0.0005),
            Coordinate(e.minLon - 0.3, e.minLat - 0.2),
        ]
        for p in probes {
            let a = index.assign(p)
            XCTAssertNil(a.grid)
            XCTAssertTrue(a.candidates.isEmpty)
            let n = try XCTUnwrap(a.nearest)
            let (id, d) = bruteForce(p)
            XCTAssertEqual(n.grid.id, id, "nearest grid from \(p)")
            XCTAssertLessThanOrEqual(n.metres, d + 1e-6, "never farther than a sampled boundary point")
            XCTAssertEqual(n.metres, d, accuracy: 0.05)
        }
        // Far away, poles and the antimeridian are normal answers too.
        for p in [Coordinate(0, 90), Coordinate(0, -90), Coordinate(180, 0), Coordinate(-180, 23), Coordinate(0, 0)] {
            let a = index.assign(p)
            XCTAssertNil(a.grid)
            let n = try XCTUnwrap(a.nearest, "\(p)")
            XCTAssertGreaterThan(n.metres, 1_000_000)
        }
    }

    func testAccuracyRadiusAddsEveryGridWithinIt() throws {
        let city = SyntheticCity(columns: 6, rows: 5)
        let index = try AssignmentIndex.build(from: makeStore(self, city: city))
        var rng = SplitMix64(seed: 3)
        let e = city.extent
        for _ in 0..<40 {
            let p = Coordinate(Double.random(in: e.minLon...e.maxLon, using: &rng), Double.random(in: e.minLat...e.maxLat, using: &rng))
            let radius = Double.random(in: 20...400, using: &rng)
            let a = index.assign(p, accuracy: radius)
            let plain = index.assign(p)
            XCTAssertEqual(a.grid?.id, plain.grid?.id, "the radius does not change the primary grid")
            // Independent check: a grid is within the radius when some sampled boundary point is
            // (minus sampling slack) or it covers the point.
            for g in city.grids {
                var d = Double.infinity
                for poly in g.geometry.polygons {
                    for ring in poly.rings {
                        for k in 0..<(ring.count - 1) {
                            for s in 0...100 {
                                let t = Double(s) / 100
                                d = min(d, Geodesic.distance(p, Coordinate(ring[k].lon + (ring[k + 1].lon - ring[k].lon) * t, ring[k].lat + (ring[k + 1].lat - ring[k].lat) * t)))
                            }
                        }
                    }
                }
                if PointInPolygon.locate(p, in: g.geometry) != .outside { d = 0 }
                let listed = a.candidates.first { $0.grid.id == g.id }
                if d < radius - 0.5 { XCTAssertNotNil(listed, "\(g.id) at \(d) m is within \(radius) m of \(p)") }
                if d > radius + 0.5 { XCTAssertNil(listed, "\(g.id) at \(d) m is beyond \(radius) m") }
                if let listed, d > 0 { XCTAssertEqual(listed.metres, d, accuracy: 0.5) }
            }
            XCTAssertEqual(a.candidates.map(\.metres), a.candidates.map(\.metres).sorted(), "nearest first")
        }
    }

    /// A reload builds a new index and swaps it in; readers meanwhile see the old or the new
    /// one, each whole.
    func testReloadSwapsTheIndexAtomically() async throws {
        let small = SyntheticCity(columns: 4, rows: 3), large = SyntheticCity(columns: 9, rows: 7)
        let db = try makeStore(self, city: small)
        let service = IndexService(db: db)
        let before = try service.current().assignment
        XCTAssertEqual(before.gridInfo.count, small.grids.count)
        XCTAssertNil(try service.reloadIfChanged())
        let inLarge = Coordinate(large.extent.maxLon - 0.001, large.extent.maxLat - 0.001)
        XCTAssertNil(try service.assign(inLarge).grid)

        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<4 {
                group.addTask {
                    for _ in 0..<300 {
                        let idx = try service.current().assignment
                        // Each index is whole: its grid count matches its own answers.
                        XCTAssertTrue(idx.gridInfo.count == small.grids.count || idx.gridInfo.count == large.grids.count)
                        let a = idx.assign(inLarge)
                        XCTAssertEqual(a.grid != nil, idx.gridInfo.count == large.grids.count)
                    }
                }
            }
            group.addTask {
                for (name, text) in large.layers() where ["communities", "grids", "compounds"].contains(name) {
                    try db.importGeoJSON(Layer.named(name)!, data: Data(text.utf8))
                }
                XCTAssertNotNil(try service.reloadIfChanged())
            }
            try await group.waitForAll()
        }
        XCTAssertGreaterThan(try service.current().generation, before.generation)
        XCTAssertNotNil(try service.assign(inLarge).grid)
        XCTAssertEqual(before.gridInfo.count, small.grids.count, "the old index is untouched")
    }
}
