import Foundation
@testable import GridAnalysis
import GridGEOS
import GridGeo
import GridIndex
import GridStore
import GridTestSupport
import XCTest

/// The uncovered areas GridAnalysis computes through GEOS's C API (one arrangement per grid, and
/// the per-category overlays it falls back to) against the SpatiaLite SQL path
/// (`ST_Difference(grid, ST_UnaryUnion(discs))`, ellipsoidal `ST_Area`) on the generated city:
/// jagged shared edges, a grid with a hole and its enclave, a multipolygon grid with an exclave,
/// a disc tangent to the city's straight outer edge, coincident stations of one category and of
/// two categories, discs inside a hole.
final class CoverageGapsGEOSTests: XCTestCase {
    static let categories = ["canteen", "health_station", "after_school"].map {
        StationCategory(code: $0, nameZh: $0, nameEn: $0, countsTowardAll: true)
    }

    /// SpatiaLite's answer: the polygon (nil = nothing uncovered) and its ellipsoidal area.
    struct Part { let wkb: Data?; let areaM2: Double }

    func testArrangementsAgreeWithSpatiaLite() throws {
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
        let cov = CompoundCoverage(data: data, options: opts)
        let arranged = try CoverageGaps.compute(cov, grids: nil, polygons: true, arrangements: true, progress: nil)
        let overlaid = try CoverageGaps.compute(cov, grids: nil, polygons: true, arrangements: false, progress: nil)
        let areasOnly = try CoverageGaps.compute(cov, grids: nil, polygons: false, arrangements: true, progress: nil)
        XCTAssertGreaterThan(arranged.geosGrids, data.grids.count / 2, "most grids must meet a disc edge for this test to mean anything")
        XCTAssertEqual(arranged.overlayGrids, 0, "every arrangement's faces add up to its grid here")
        XCTAssertEqual(overlaid.overlayGrids, overlaid.geosGrids)

        let context = try GEOSContext()
        let detour = opts.method.detour
        var parts = 0
        for (gi, grid) in data.grids.enumerated() {
            let gridGeometry = try context.geometry(wkb: grid.wkb)
            var sqlParts: [[Part]] = radii.map { _ in [] }
            for (t, r) in radii.enumerated() {
                for (c, cat) in opts.categories.enumerated() {
                    let spots = Array(Set(stations.filter { $0.0 == cat }.map(\.1)))
                    var sql = Part(wkb: grid.wkb, areaM2: grid.areaM2)
                    if !spots.isEmpty {
                        try db.uncoveredParts([(grid.id, spots.map { GeodesicDisc.ring(centre: $0, radius: r / detour) })]) { _, p in
                            sql = Part(wkb: p.wkb, areaM2: p.areaM2)
                        }
                    }
                    sqlParts[t].append(sql)
                    try compare(arranged, overlaid, areasOnly, t: t, row: c, grid: gi, sql: sql, gridAreaM2: grid.areaM2, gridGeometry: gridGeometry,
                                context: context, what: "\(grid.id) \(cat) \(r) m", parts: &parts)
                }
                let pieces = sqlParts[t].compactMap(\.wkb)
                var all = Part(wkb: nil, areaM2: 0)
                if !pieces.isEmpty {
                    let u = try db.unionOfParts(pieces)
                    all = Part(wkb: u.wkb, areaM2: u.areaM2)
                }
                try compare(arranged, overlaid, areasOnly, t: t, row: opts.categories.count, grid: gi, sql: all,
                            gridAreaM2: grid.areaM2, gridGeometry: gridGeometry, context: context, what: "\(grid.id) all \(r) m", parts: &parts)
            }
        }
        XCTAssertGreaterThan(parts, 50, "partly covered grids compared")
    }

    private func compare(_ arranged: CoverageGaps, _ overlaid: CoverageGaps, _ areasOnly: CoverageGaps, t: Int, row: Int, grid: Int,
                         sql: Part, gridAreaM2: Double, gridGeometry: GEOSGeometry, context: GEOSContext, what: String, parts: inout Int) throws {
        let scale = gridGeometry.geodesicArea
        // SpatiaLite's ellipsoidal ST_Area (librttopo's spheroid formula) and GeographicLib's exact
        // geod_polygonarea differ by up to ~2e-6 of these grids' areas. The two GEOS paths, both
        // measured by geod_polygonarea, differ by as much (up to 2.4e-6 here): every node splits a
        // straight lon/lat edge into two whose geodesics enclose ~1e-7 of the area more or less,
        // and the arrangement nodes each grid with every category's discs.
        let areaTolerance = scale * 5e-6
        _ = gridAreaM2
        let a = arranged.gap(tier: t, row: row, grid: grid)!, o = overlaid.gap(tier: t, row: row, grid: grid)!
        let q = areasOnly.gap(tier: t, row: row, grid: grid)!
        XCTAssertEqual(a.areaM2, sql.areaM2, accuracy: areaTolerance, "arrangement vs SpatiaLite, \(what)")
        XCTAssertEqual(o.areaM2, sql.areaM2, accuracy: areaTolerance, "overlays vs SpatiaLite, \(what)")
        XCTAssertEqual(q.areaM2, a.areaM2, "areas only vs with polygons, \(what)")
        XCTAssertEqual(a.areaM2, o.areaM2, accuracy: areaTolerance, "arrangement vs overlays, \(what)")
        // The polygon: the grid itself for `.whole`, nothing for `.none`.
        func shape(_ g: GridGap) throws -> GEOSGeometry? {
            switch g.shape {
            case .none: return nil
            case .whole: return gridGeometry
            case .part(let wkb): return try wkb.map { try context.geometry(wkb: $0) }
            }
        }
        if case .part(let wkb) = q.shape { XCTAssertNil(wkb, "no polygon asked for, \(what)") }
        if case .part = a.shape { parts += 1 }
        let expected = try sql.wkb.map { try context.geometry(wkb: $0) }
        for (label, gap) in [("arrangement", a), ("overlays", o)] {
            let got = try shape(gap)
            switch (got, expected) {
            case (nil, nil): break
            case (let g?, let e?):
                XCTAssertEqual(try g.symmetricDifference(e).geodesicArea, 0, accuracy: scale * 1e-5, "\(label) polygon vs SpatiaLite's, \(what)")
            case (let g?, nil): XCTAssertEqual(g.geodesicArea, 0, accuracy: scale * 1e-6, "\(label) has a polygon, SpatiaLite none, \(what)")
            case (nil, let e?): XCTAssertEqual(e.geodesicArea, 0, accuracy: scale * 1e-6, "\(label) has none, SpatiaLite a polygon, \(what)")
            }
        }
    }
}
