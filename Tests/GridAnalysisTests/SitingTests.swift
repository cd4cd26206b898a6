import Foundation
import GridAnalysis
import GridGeo
import GridIndex
import GridStore
import XCTest

/// Siting on a real SpatiaLite store: compounds along 23°N (access points = their entrances),
/// one existing canteen covering a big compound, tier 5 (300 m, detour 1.0).
///   A (114.000) 500 hh, covered by K (51 m away): must be ignored, however big.
///   B (114.010) 30 hh and C (114.012) 30 hh, 205 m apart: either covers both (60).
///   D (114.030) 60 hh alone.
///   E (114.050) 40 hh and F (114.0525) 25 hh, 256 m apart: either covers both (65).
final class SitingTests: XCTestCase {
    func makeStore() throws -> GridDatabase {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("wangge-siting-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: dir) }
        let db = try GridDatabase(path: dir.appendingPathComponent("s.sqlite").path)
        try db.replaceCategories(CoverageTests.categories)
        let all = CoverageTests.square(113.99, 22.99, 0.08, 0.02)
        try db.importGeoJSON(.districts, data: CoverageTests.fc([CoverageTests.feature("\"id\":\"441302\"", all)]))
        try db.importGeoJSON(.streets, data: CoverageTests.fc([CoverageTests.feature("\"id\":\"441302001\",\"district_id\":\"441302\"", all)]))
        try db.importGeoJSON(.communities, data: CoverageTests.fc([CoverageTests.feature("\"id\":\"441302001001\",\"street_id\":\"441302001\"", all)]))
        try db.importGeoJSON(.grids, data: CoverageTests.fc([
            CoverageTests.feature("\"id\":\"441302001001001\",\"community_id\":\"441302001001\"", CoverageTests.square(113.995, 22.995, 0.065, 0.01)),
        ]))
        let compounds: [(String, Double, Int)] = [("A", 114.000, 500), ("B", 114.010, 30), ("C", 114.012, 30), ("D", 114.030, 60),
                                                  ("E", 114.050, 40), ("F", 114.0525, 25)]
        try db.importGeoJSON(.compounds, data: CoverageTests.fc(compounds.map { id, lon, hh in
            CoverageTests.feature("\"id\":\"\(id)\",\"grid_id\":\"441302001001001\",\"households\":\(hh),\"population\":\(hh * 3),\"entrance_lon\":\(lon),\"entrance_lat\":23.0",
                                  CoverageTests.square(lon, 23.0, 0.0002, 0.0002))
        }))
        try db.importGeoJSON(.stations, data: CoverageTests.fc([
            CoverageTests.feature("\"id\":\"K\",\"category\":\"canteen\"", "{\"type\":\"Point\",\"coordinates\":[114.0005,23.0]}"),
        ]))
        return db
    }

    func options(_ db: GridDatabase, count: String, candidates: String? = nil, spacing: String? = nil) throws -> SitingOptions {
        try SitingOptions.parse(category: "canteen", tier: "5", count: count, candidates: candidates, spacing: spacing,
                                knownTiers: CoverageTier.defaults, knownCategories: try db.categories())
    }

    func testGreedyOrderTiesCoveredIgnoredAndCountedOnce() throws {
        let db = try makeStore()
        let data = try CoverageData.load(from: db)
        let r = try Siting.suggest(data, try options(db, count: "5"), inGrid: { _ in true })
        // E and F tie at 65: E by id. Then B, C, D tie at 60: B. Then D. Then nothing adds a
        // household (F and C would recount), so 3 sites though 5 were asked.
        XCTAssertEqual(r.sites.map(\.id), ["E", "B", "D"])
        XCTAssertEqual(r.sites.map(\.households), [65, 60, 60])
        XCTAssertEqual(r.sites.map(\.population), [195, 180, 180])
        XCTAssertEqual(r.sites.map(\.compounds), [["E", "F"], ["B", "C"], ["D"]])
        // A (500 hh) was covered before and counts only in the starting point.
        XCTAssertEqual(r.householdsCovered, 500)
        XCTAssertEqual(r.householdsTotal, 685)
        XCTAssertEqual(r.sites.map(\.householdsCumulative), [565, 625, 685])
        XCTAssertEqual(r.sites[0].point, Coordinate(114.05, 23.0))
        XCTAssertEqual(r.candidateCount, 6)
        let one = try Siting.suggest(data, try options(db, count: "1"), inGrid: { _ in true })
        XCTAssertEqual(one.sites.map(\.id), ["E"])
    }

    func testTableRows() throws {
        let db = try makeStore()
        let r = try Siting.suggest(try CoverageData.load(from: db), try options(db, count: "2"), inGrid: { _ in true })
        let t = r.table
        XCTAssertEqual(t.columns, SitingResult.columns)
        XCTAssertEqual(t.rows.count, 2)
        XCTAssertEqual(t.rows[0][1], .string("E"))
        XCTAssertEqual(t.rows[0][t.columns.firstIndex(of: "compound_ids")!], .string("E;F"))
        XCTAssertEqual(t.rows[1][t.columns.firstIndex(of: "households_cumulative")!], .int(625))
    }

    /// Lattice candidates through the k-d tree against an all-pairs greedy written here.
    func testLatticeMatchesAllPairsGreedy() throws {
        let db = try makeStore()
        let data = try CoverageData.load(from: db)
        let opts = try options(db, count: "4", candidates: "lattice", spacing: "150")
        let inGrid = Siting.gridTest(try db.geometries(.grids))
        let r = try Siting.suggest(data, opts, inGrid: inGrid)
        let cands = try Siting.candidatePoints(data, opts.candidates, inGrid: inGrid)
        XCTAssertGreaterThan(cands.count, 100)
        for c in cands {
            XCTAssertTrue(c.point.lon >= 113.995 && c.point.lon <= 114.06 && c.point.lat >= 22.995 && c.point.lat <= 23.005)
        }
        // A lattice point just outside the grid is dropped.
        XCTAssertFalse(inGrid(Coordinate(114.061, 23.0)))
        var open: Set<String> = ["B", "C", "D", "E", "F"]
        let hh = Dictionary(uniqueKeysWithValues: data.compounds.map { ($0.id, $0.households!) })
        var expected: [(String, Int)] = []
        for _ in 0..<4 {
            var best: (String, Int, [String])? = nil
            for c in cands.sorted(by: { $0.id < $1.id }) {
                let hit = data.compounds.filter { open.contains($0.id) && Geodesic.distance(c.point, $0.point) <= 300 }.map(\.id)
                let gain = hit.reduce(0) { $0 + hh[$1]! }
                if gain > (best?.1 ?? 0) { best = (c.id, gain, hit) }
            }
            guard let b = best else { break }
            expected.append((b.0, b.1))
            open.subtract(b.2)
        }
        XCTAssertEqual(r.sites.map(\.id), expected.map(\.0))
        XCTAssertEqual(r.sites.map(\.households), expected.map(\.1))
        XCTAssertEqual(r.sites.reduce(0) { $0 + $1.households }, 185)
    }

    func testBadInputNamesTheField() throws {
        let db = try makeStore()
        func field(_ category: String?, _ tier: String?, _ count: String?, _ cand: String? = nil, _ spacing: String? = nil) -> String? {
            do {
                _ = try SitingOptions.parse(category: category, tier: tier, count: count, candidates: cand, spacing: spacing,
                                            knownTiers: CoverageTier.defaults, knownCategories: try db.categories())
                return nil
            } catch let e as CoverageInputError { return e.field } catch { return "?" }
        }
        XCTAssertEqual(field("nope", "5", "3"), "category")
        XCTAssertEqual(field(nil, "5", "3"), "category")
        XCTAssertEqual(field("canteen", "7", "3"), "tier")
        XCTAssertEqual(field("canteen", "5", "0"), "count")
        XCTAssertEqual(field("canteen", "5", "101"), "count")
        XCTAssertEqual(field("canteen", "5", "x"), "count")
        XCTAssertEqual(field("canteen", "5", "3", "grid"), "candidates")
        XCTAssertEqual(field("canteen", "5", "3", "lattice", "49"), "spacing")
        XCTAssertEqual(field("canteen", "5", "3", "lattice", "5001"), "spacing")
        XCTAssertEqual(field("canteen", "5", "3", "lattice", nil), "spacing")
        XCTAssertNil(field("canteen", "5", "100", "lattice", "50"))
        XCTAssertNil(field("canteen", "15", "1"))
    }
}
