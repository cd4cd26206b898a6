import Foundation
import GridAnalysis
import GridGeo
import GridIndex
import GridStore
import XCTest

/// Coverage on a real SpatiaLite store holding a tiny hand-made city: two grids side by side
/// (0.01° squares at 23°N), an L-shaped compound whose centroid lies outside it, a compound with
/// an entrance, one straddling the grids' shared edge, and stations of two categories.
final class CoverageTests: XCTestCase {
    static let categories = [
        StationCategory(code: "canteen", nameZh: "社区食堂", nameEn: "Community canteen", countsTowardAll: true),
        StationCategory(code: "health_station", nameZh: "健康驿站", nameEn: "Health station", countsTowardAll: true),
        StationCategory(code: "after_school", nameZh: "四点半课堂", nameEn: "After-school room", countsTowardAll: true),
        StationCategory(code: "other", nameZh: "其他", nameEn: "Other", countsTowardAll: false),
    ]

    static func square(_ x: Double, _ y: Double, _ w: Double, _ h: Double) -> String {
        "{\"type\":\"Polygon\",\"coordinates\":[[[\(x),\(y)],[\(x + w),\(y)],[\(x + w),\(y + h)],[\(x),\(y + h)],[\(x),\(y)]]]}"
    }
    static func fc(_ features: [String]) -> Data { Data("{\"type\":\"FeatureCollection\",\"features\":[\(features.joined(separator: ","))]}".utf8) }
    static func feature(_ props: String, _ geom: String) -> String { "{\"type\":\"Feature\",\"properties\":{\(props)},\"geometry\":\(geom)}" }

    /// L: arms 0.002° long and 0.0004° thick from (114.0010, 23.0010); its centroid is in the notch.
    static let lShape = "{\"type\":\"Polygon\",\"coordinates\":[[[114.001,23.001],[114.003,23.001],[114.003,23.0014],[114.0014,23.0014],[114.0014,23.003],[114.001,23.003],[114.001,23.001]]]}"

    func makeStore() throws -> GridDatabase {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("wangge-coverage-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: dir) }
        let db = try GridDatabase(path: dir.appendingPathComponent("s.sqlite").path)
        try db.replaceCategories(Self.categories)
        let all = Self.square(113.99, 22.99, 0.04, 0.04)
        try db.importGeoJSON(.districts, data: Self.fc([Self.feature("\"id\":\"441302\"", all)]))
        try db.importGeoJSON(.streets, data: Self.fc([Self.feature("\"id\":\"441302001\",\"district_id\":\"441302\"", all)]))
        try db.importGeoJSON(.communities, data: Self.fc([Self.feature("\"id\":\"441302001001\",\"street_id\":\"441302001\"", all)]))
        try db.importGeoJSON(.grids, data: Self.fc([
            Self.feature("\"id\":\"441302001001001\",\"community_id\":\"441302001001\"", Self.square(114, 23, 0.01, 0.01)),
            Self.feature("\"id\":\"441302001001002\",\"community_id\":\"441302001001\"", Self.square(114.01, 23, 0.01, 0.01)),
        ]))
        try db.importGeoJSON(.compounds, data: Self.fc([
            Self.feature("\"id\":\"L\",\"grid_id\":\"441302001001001\",\"households\":100,\"population\":250", Self.lShape),
            Self.feature("\"id\":\"E\",\"grid_id\":\"441302001001001\",\"households\":40,\"population\":90,\"entrance_lon\":114.006,\"entrance_lat\":23.005",
                         Self.square(114.006, 23.005, 0.001, 0.001)),
            Self.feature("\"id\":\"S\",\"grid_id\":\"441302001001002\",\"households\":7,\"population\":20", Self.square(114.0095, 23.008, 0.0015, 0.001)),
        ]))
        try db.importGeoJSON(.stations, data: Self.fc([
            Self.feature("\"id\":\"K1\",\"category\":\"canteen\"", "{\"type\":\"Point\",\"coordinates\":[114.0065,23.0052]}"),
            Self.feature("\"id\":\"K2\",\"category\":\"canteen\"", "{\"type\":\"Point\",\"coordinates\":[114.015,23.005]}"),
            Self.feature("\"id\":\"H1\",\"category\":\"health_station\"", "{\"type\":\"Point\",\"coordinates\":[114.05,23.05]}"),
        ]))
        return db
    }

    func options(_ db: GridDatabase, tier: String? = nil, radius: String? = nil, categories: String? = nil) throws -> CoverageOptions {
        try CoverageOptions.parse(tier: tier, radius: radius, categories: categories, level: nil,
                                  knownTiers: CoverageTier.defaults, knownCategories: try db.categories())
    }

    func testAccessPointsAreEntranceElseSpatiaLiteCentroid() throws {
        let db = try makeStore()
        let list = try db.compoundAccessPoints()
        XCTAssertEqual(list.map(\.id), ["E", "L", "S"])
        let e = list[0], l = list[1]
        XCTAssertTrue(e.fromEntrance)
        XCTAssertEqual(e.point, Coordinate(114.006, 23.005))
        XCTAssertFalse(l.fromEntrance)
        // The L's area-weighted centroid: two rectangles 0.002 x 0.0004 and 0.0004 x 0.0016.
        let a1 = 0.002 * 0.0004, a2 = 0.0004 * 0.0016
        let cx = (a1 * 114.002 + a2 * 114.0012) / (a1 + a2), cy = (a1 * 23.0012 + a2 * 23.0022) / (a1 + a2)
        XCTAssertEqual(l.point.lon, cx, accuracy: 1e-12)
        XCTAssertEqual(l.point.lat, cy, accuracy: 1e-12)
        // ...which lies in the notch, outside the compound.
        XCTAssertGreaterThan(l.point.lon, 114.0014)
        XCTAssertGreaterThan(l.point.lat, 23.0014)
        XCTAssertEqual(l.households, 100)
    }

    func testDistancesFlagsAndAll() throws {
        let db = try makeStore()
        let data = try CoverageData.load(from: db)
        let opts = try options(db, categories: "canteen,health_station,after_school")
        XCTAssertEqual(opts.tiers.map(\.radius), [300, 500, 1000])
        let cov = CompoundCoverage(data: data, options: opts)
        for (k, c) in data.compounds.enumerated() {
            // canteen: the nearer of K1 and K2 by geodesic distance.
            let d1 = Geodesic.distance(c.point, Coordinate(114.0065, 23.0052)), d2 = Geodesic.distance(c.point, Coordinate(114.015, 23.005))
            XCTAssertEqual(cov.walking(0, k)!, min(d1, d2), accuracy: 1e-6)
            XCTAssertEqual(cov.stationId(row: 0, k), d1 <= d2 ? "K1" : "K2")
            for t in opts.tiers { XCTAssertEqual(cov.covered(0, k, t), min(d1, d2) <= t.radius) }
            // after_school has no station: no distance, never covered, and `all` neither.
            XCTAssertNil(cov.walking(2, k))
            XCTAssertNil(cov.walkingAll(k))
            XCTAssertFalse(cov.coveredAll(k, opts.tiers[2]))
        }
        // The compound with an entrance is measured from it: K1 is ~59 m away.
        let e = data.compounds.firstIndex { $0.id == "E" }!
        XCTAssertEqual(cov.walking(0, e)!, Geodesic.distance(Coordinate(114.006, 23.005), Coordinate(114.0065, 23.0052)), accuracy: 1e-9)
        XCTAssertTrue(cov.covered(0, e, opts.tiers[0]))
    }

    func testRollUpSumsAndRatios() throws {
        let db = try makeStore()
        let data = try CoverageData.load(from: db)
        let opts = try options(db, radius: "300,800", categories: "canteen")
        let cov = CompoundCoverage(data: data, options: opts)
        let rows = cov.rollUp(.grid)
        // 2 radii x 2 grids x (canteen, all)
        XCTAssertEqual(rows.count, 8)
        for r in rows {
            let members = data.compounds.indices.filter { data.compounds[$0].gridId == r.id }
            let c = r.category == "all" ? 1 : 0
            let hh = members.reduce(0) { $0 + data.compounds[$1].households! }
            let covered = members.filter { cov.covered(row: c, $0, r.tier) }.reduce(0) { $0 + data.compounds[$1].households! }
            XCTAssertEqual(r.households, hh)
            XCTAssertEqual(r.householdsCovered, covered)
            XCTAssertEqual(r.ratioHouseholds, Double(covered) / Double(hh))
        }
        let city = cov.rollUp(.city)
        XCTAssertEqual(city.first?.households, 147)
        XCTAssertEqual(city.first?.compounds, 3)
    }

    func testUncoveredAreasByGEOS() throws {
        let db = try makeStore()
        let data = try CoverageData.load(from: db)
        let opts = try options(db, radius: "300,8000", categories: "canteen,health_station,after_school")
        let cov = CompoundCoverage(data: data, options: opts)
        let gaps = try CoverageGaps.compute(cov)
        let g1 = 0, g2 = 1
        XCTAssertEqual(data.grids[g1].id, "441302001001001")
        let gridArea = GeodesicDisc.area(try db.gridGeometry(id: data.grids[g1].id)!)
        XCTAssertEqual(data.grids[g1].areaM2, gridArea, accuracy: gridArea * 1e-6, "SpatiaLite's ellipsoidal area vs geod_polygonarea")
        // canteen at 300 m: K1's disc lies inside grid 1 (it is 300 m clear of every edge), so the
        // uncovered area is the grid minus one geodesic disc of 300 m.
        let k1 = Coordinate(114.0065, 23.0052)
        let exactDisc = GeodesicDisc.area(.polygon(Polygon(rings: [GeodesicDisc.ring(centre: k1, radius: 300, vertices: 4096)])))
        XCTAssertEqual(exactDisc, Double.pi * 300 * 300, accuracy: Double.pi * 300 * 300 * 1e-4)
        let u = gaps.gap(tier: 0, row: 0, grid: g1)!
        guard let shape = try u.geometry() else { return XCTFail("expected a polygon, got \(u.shape)") }
        XCTAssertEqual(u.areaM2, gridArea - exactDisc, accuracy: (gridArea - exactDisc) * 0.001)
        XCTAssertEqual(GeodesicDisc.area(shape), u.areaM2, accuracy: u.areaM2 * 1e-6)
        // health_station: H1 is 5-7 km away: nothing reaches at 300 m; at 8 km one disc holds it all.
        XCTAssertEqual(gaps.gap(tier: 0, row: 1, grid: g1)!.areaM2, data.grids[g1].areaM2)
        if case .whole = gaps.gap(tier: 0, row: 1, grid: g1)!.shape {} else { XCTFail("expected the whole grid") }
        XCTAssertEqual(gaps.gap(tier: 1, row: 1, grid: g2)!.areaM2, 0)
        // after_school has no station: all uncovered; `all` is then the whole grid too.
        XCTAssertEqual(gaps.gap(tier: 1, row: 2, grid: g1)!.areaM2, data.grids[g1].areaM2)
        XCTAssertEqual(gaps.gap(tier: 1, row: 3, grid: g1)!.areaM2, data.grids[g1].areaM2)
        // Roll-up: the community's uncovered area is the sum of its grids'.
        let community = cov.rollUp(.community, gaps: gaps).first { $0.category == "canteen" && $0.tier.radius == 300 }!
        XCTAssertEqual(community.uncoveredM2!, gaps.gap(tier: 0, row: 0, grid: g1)!.areaM2 + gaps.gap(tier: 0, row: 0, grid: g2)!.areaM2, accuracy: 1e-6)
    }

    func testAllIsTheUnionOfUncoveredParts() throws {
        let db = try makeStore()
        try db.importGeoJSON(.stations, data: Self.fc([
            Self.feature("\"id\":\"K1\",\"category\":\"canteen\"", "{\"type\":\"Point\",\"coordinates\":[114.004,23.005]}"),
            Self.feature("\"id\":\"H1\",\"category\":\"health_station\"", "{\"type\":\"Point\",\"coordinates\":[114.006,23.005]}"),
        ]))
        let data = try CoverageData.load(from: db)
        let cov = CompoundCoverage(data: data, options: try options(db, radius: "400", categories: "canteen,health_station"))
        let gaps = try CoverageGaps.compute(cov, grids: [0])
        let a = gaps.gap(tier: 0, row: 0, grid: 0)!.areaM2, b = gaps.gap(tier: 0, row: 1, grid: 0)!.areaM2
        let all = gaps.gap(tier: 0, row: 2, grid: 0)!.areaM2
        // Two overlapping discs 205 m apart: uncovered for one or the other = grid minus their intersection.
        XCTAssertGreaterThan(all, max(a, b))
        XCTAssertLessThan(all, a + b)
        let lens = data.grids[0].areaM2 - all
        let discArea = Double.pi * 400 * 400
        let d = Geodesic.distance(Coordinate(114.004, 23.005), Coordinate(114.006, 23.005)) / 400
        let exactLens = 2 * 400 * 400 * acos(d / 2) - 400 * 400 * d / 2 * (4 - d * d).squareRoot()
        XCTAssertEqual(lens, exactLens, accuracy: discArea * 0.005)
    }

    func testBadOptionsNameTheirField() throws {
        let cats = Self.categories
        func field(_ f: () throws -> Void) -> String? {
            do { try f(); return nil } catch let e as CoverageInputError { return e.field } catch { return "other" }
        }
        func parse(tier: String? = nil, radius: String? = nil, categories: String? = nil, level: String? = nil) throws {
            _ = try CoverageOptions.parse(tier: tier, radius: radius, categories: categories, level: level,
                                          knownTiers: CoverageTier.defaults, knownCategories: cats)
        }
        XCTAssertEqual(field { try parse(tier: "7") }, "tier")
        XCTAssertEqual(field { try parse(tier: "5,") }, "tier")
        XCTAssertEqual(field { try parse(radius: "-1") }, "radius")
        XCTAssertEqual(field { try parse(radius: "0") }, "radius")
        XCTAssertEqual(field { try parse(radius: "nan") }, "radius")
        XCTAssertEqual(field { try parse(radius: "inf") }, "radius")
        XCTAssertEqual(field { try parse(radius: "1e9") }, "radius")
        XCTAssertEqual(field { try parse(tier: "5", radius: "300") }, "radius")
        XCTAssertEqual(field { try parse(categories: "canteen,nope") }, "category")
        XCTAssertEqual(field { try parse(level: "planet") }, "level")
        XCTAssertNil(field { try parse(tier: "15,5", categories: "other", level: "street") })
        // Default categories: those that count toward all.
        let o = try CoverageOptions.parse(tier: nil, radius: nil, categories: nil, level: nil, knownTiers: CoverageTier.defaults, knownCategories: cats)
        XCTAssertEqual(o.categories, ["canteen", "health_station", "after_school"])
        XCTAssertEqual(o.method.label, "straight-line*1.0")
    }
}
