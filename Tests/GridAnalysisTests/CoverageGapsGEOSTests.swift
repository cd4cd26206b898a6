import Foundation
@testable import GridAnalysis
import GridGEOS
import GridGeo
import GridIndex
import GridStore
import GridTestSupport
import XCTest

/// The uncovered areas GridAnalysis computes through GEOS's C API (`GapWorker`) against the
/// SpatiaLite SQL path it replaced (`ST_Difference(grid, ST_UnaryUnion(discs))`, ellipsoidal
/// `ST_Area`; `GridDatabase.uncoveredParts` and `unionOfParts`), on the generated city: jagged
/// shared edges, a grid with a hole and its enclave, a multipolygon grid with an exclave, a disc
/// tangent to the city's straight outer edge, coincident stations of one category and of two
/// categories, discs inside a hole, and one to many discs per grid.
final class CoverageGapsGEOSTests: XCTestCase {
    static let categories = ["canteen", "health_station", "after_school"].map {
        StationCategory(code: $0, nameZh: $0, nameEn: $0, countsTowardAll: true)
    }

    /// SpatiaLite's answer: the polygon (nil = nothing uncovered) and its ellipsoidal area.
    struct Part { let wkb: Data?; let areaM2: Double }

    func testGEOSPathAgreesWithSpatiaLite() throws {
        let city = SyntheticCity()
        let db = try makeStore(self, city: city)
        try db.replaceCategories(Self.categories)
        let radii = [150.0, 300.0, 600.0]
        var rng = SplitMix64(seed: 11)
        let e = city.extent
        var stations: [(String, Coordinate)] = []
        for cat in Self.categories.map(\.code) {
            for _ in 0..<9 {
                stations.append((cat, Coordinate(Double.random(in: e.minLon...e.maxLon, using: &rng),
                                                 Double.random(in: e.minLat...e.maxLat, using: &rng))))
            }
        }
        let u = SyntheticCity.unit, cell = Double(SyntheticCity.cell)
        // The hole of lattice cell (2, 2): a small disc inside the enclave, one across its edge.
        let hole = Coordinate(e.minLon + 2.5 * cell * u, e.minLat + 2.5 * cell * u)
        stations.append(("after_school", hole))
        stations.append(("canteen", Coordinate(hole.lon + 3 * u, hole.lat)))
        // Coincident: twice in one category, and a second category at the same spot.
        let twin = Coordinate(e.minLon + 4.3 * cell * u, e.minLat + 1.7 * cell * u)
        stations += [("health_station", twin), ("health_station", twin), ("canteen", twin)]
        // Tangent: the 300 m disc's southern vertex (azimuth 180°) on the straight bottom edge.
        let foot = Coordinate(e.minLon + 1.4 * cell * u, e.minLat)
        stations.append(("after_school", GeodesicDisc.direct(foot, azimuth: 0, metres: 300 * GeodesicDisc.equalAreaFactor())))
        let features = stations.enumerated().map { i, s in
            "{\"type\":\"Feature\",\"properties\":{\"id\":\"S\(i)\",\"category\":\"\(s.0)\"},\"geometry\":{\"type\":\"Point\",\"coordinates\":[\(s.1.lon),\(s.1.lat)]}}"
        }
        try db.importGeoJSON(.stations, data: Data("{\"type\":\"FeatureCollection\",\"features\":[\(features.joined(separator: ","))]}".utf8))

        let data = try CoverageData.load(from: db)
        let opts = try CoverageOptions.parse(tier: nil, radius: radii.map { String(Int($0)) }.joined(separator: ","), categories: nil,
                                             level: nil, knownTiers: CoverageTier.defaults, knownCategories: try db.categories())
        let gaps = try CoverageGaps.compute(CompoundCoverage(data: data, options: opts))

        let context = try GEOSContext()
        let detour = opts.method.detour
        var parts = 0, multiDisc = 0
        for (gi, grid) in data.grids.enumerated() {
            let gridGeometry = try context.geometry(wkb: grid.wkb)
            for (t, r) in radii.enumerated() {
                var sqlParts: [Part] = []
                for (c, cat) in opts.categories.enumerated() {
                    // Every disc of the category (SpatiaLite gets them all; the GEOS path only those reaching the grid).
                    let spots = Array(Set(stations.filter { $0.0 == cat }.map(\.1)))
                    var sql = Part(wkb: grid.wkb, areaM2: grid.areaM2)
                    if !spots.isEmpty {
                        try db.uncoveredParts([(grid.id, spots.map { GeodesicDisc.ring(centre: $0, radius: r / detour) })]) { _, p in
                            sql = Part(wkb: p.wkb, areaM2: p.areaM2)
                        }
                    }
                    sqlParts.append(sql)
                    let reaching = spots.filter { Geodesic.distance($0, Coordinate(lon: (grid.bbox.minLon + grid.bbox.maxLon) / 2,
                                                                                   lat: (grid.bbox.minLat + grid.bbox.maxLat) / 2)) < r + 700 }
                    if reaching.count > 1 { multiDisc += 1 }
                    try compare(gaps.gap(tier: t, row: c, grid: gi)!, sql: sql, gridGeometry: gridGeometry, gridAreaM2: grid.areaM2, context: context,
                                what: "\(grid.id) \(cat) \(r) m", parts: &parts)
                }
                let pieces = sqlParts.compactMap(\.wkb)
                var all = Part(wkb: nil, areaM2: 0)
                if !pieces.isEmpty {
                    let u = try db.unionOfParts(pieces)
                    all = Part(wkb: u.wkb, areaM2: u.areaM2)
                }
                try compare(gaps.gap(tier: t, row: opts.categories.count, grid: gi)!, sql: all, gridGeometry: gridGeometry, gridAreaM2: grid.areaM2,
                            context: context, what: "\(grid.id) all \(r) m", parts: &parts)
            }
        }
        XCTAssertGreaterThan(parts, 50, "partly covered grids compared")
        XCTAssertGreaterThan(multiDisc, 20, "grids reached by several discs of one category compared")
    }

    private func compare(_ gap: GridGap, sql: Part, gridGeometry: GEOSGeometry, gridAreaM2: Double, context: GEOSContext,
                         what: String, parts: inout Int) throws {
        let scale = gridGeometry.area
        // SpatiaLite's ellipsoidal ST_Area (librttopo's spheroid formula) and GeographicLib's exact
        // geod_polygonarea differ by up to ~2e-6 of these grids' areas, and every node splits a
        // straight lon/lat edge into two whose geodesics enclose ~1e-7 of the area more or less.
        XCTAssertEqual(gap.areaM2, sql.areaM2, accuracy: scale * 5e-6, "GEOS C API vs SpatiaLite, \(what)")
        let got: GEOSGeometry?
        switch gap.shape {
        case .none: got = nil
        case .whole: got = gridGeometry
        case .part(let wkb):
            parts += 1
            got = try context.geometry(wkb: wkb)
            // Capped at the grid's own (SpatiaLite) area where a disc only grazes the grid.
            XCTAssertEqual(min(got!.area, gridAreaM2), gap.areaM2, accuracy: scale * 1e-9, "the area is the polygon's, \(what)")
        }
        let expected = try sql.wkb.map { try context.geometry(wkb: $0) }
        switch (got, expected) {
        case (nil, nil): break
        case (let g?, let e?):
            XCTAssertEqual(try g.symmetricDifference(e).area, 0, accuracy: scale * 1e-5, "polygon vs SpatiaLite's, \(what)")
        case (let g?, nil): XCTAssertEqual(g.area, 0, accuracy: scale * 1e-6, "a polygon, SpatiaLite none, \(what)")
        case (nil, let e?): XCTAssertEqual(e.area, 0, accuracy: scale * 1e-6, "none, SpatiaLite a polygon, \(what)")
        }
    }
}
