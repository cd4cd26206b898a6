import Foundation
import GRDB
import GridGeo
@testable import GridStore
import XCTest

/// Issue 8 §2 and §4 through the real import: ids written as numbers follow one rule, numbers JSON
/// cannot carry are refused naming feature and field, no output writes them, and coordinates
/// outside their CRS's area are refused naming the CRS.
final class IdentityAndNumbersTests: XCTestCase {
    var db: GridDatabase!
    var before = ""

    override func setUpWithError() throws {
        db = try makeStore(self)
        try db.replaceCategories([StationCategory(code: "canteen", nameZh: "社区食堂", nameEn: "Community canteen", countsTowardAll: true)])
        try db.importGeoJSON(.streets, data: featureCollection([polygonFeature("441302001", ring: box(114, 23, 1, 1))]))
        before = try snapshot(db)
    }

    /// An import that must fail and leave the store as it was; its problems.
    func rejected(_ layer: Layer, _ text: String, _ options: ImportOptions = ImportOptions(), file: StaticString = #filePath, line: UInt = #line) throws -> [ImportProblem] {
        do {
            _ = try db.importGeoJSON(layer, data: Data(text.utf8), options: options)
            XCTFail("import was accepted", file: file, line: line)
            return []
        } catch let e as ImportError {
            XCTAssertEqual(try snapshot(db), before, "store changed", file: file, line: line)
            return e.problems
        }
    }

    func fc(_ features: String...) -> String { String(decoding: featureCollection(features), as: UTF8.self) }

    func point(_ id: String, _ props: String = "", _ lon: Double = 114.5, _ lat: Double = 23.5) -> String {
        #"{"type":"Feature","id":\#(id),"properties":{\#(props)},"geometry":{"type":"Point","coordinates":[\#(lon),\#(lat)]}}"#
    }

    func testNumericIdsAreTheirCanonicalDecimalText() throws {
        // 10, 1e1, 10.0 and "10" are one id: the last three are duplicates of the first.
        let p = try rejected(.stations, fc(point("10"), point("1e1"), point("10.0"), point("\"10\"")))
        XCTAssertEqual(p.map(\.featureIndex), [1, 2, 3])
        XCTAssertTrue(p.allSatisfy { $0.message.contains("duplicate id (also feature 0)") && $0.featureId == "10" }, "\(p)")
        // The same through properties.id and --map id=code.
        let q = try rejected(.stations, fc(point("null", #""id":10"#), point("null", #""id":1e1"#)))
        XCTAssertEqual(q.map(\.featureIndex), [1])
        let m = try rejected(.stations, fc(point("null", #""code":10.0"#), point("null", #""code":"10""#)), ImportOptions(mapping: ["id": "code"]))
        XCTAssertEqual(m.map(\.featureIndex), [1])
        // A fraction is refused, naming the feature and field.
        let f = try rejected(.stations, fc(point("\"a\""), point("null", #""id":10.5"#)))
        XCTAssertEqual(f[0].featureIndex, 1)
        XCTAssertEqual(f[0].field, "properties.id")
        XCTAssertTrue(f[0].message.contains("whole number"), f[0].message)
        let g = try rejected(.stations, fc(point("2.5")))
        XCTAssertEqual(g[0].field, "id")

        // pandas' float ids, as the feature id, properties.id and a parent reference.
        try db.importGeoJSON(.communities, data: Data(fc(
            #"{"type":"Feature","id":441302001001.0,"properties":{"street_id":441302001.0},"geometry":{"type":"Polygon","coordinates":[[[114,23],[114.1,23],[114.1,23.1],[114,23]]]}}"#).utf8))
        try db.importGeoJSON(.grids, data: Data(fc(
            #"{"type":"Feature","properties":{"id":441302001001001.0,"community_id":4.41302001001e11},"geometry":{"type":"Polygon","coordinates":[[[114,23],[114.1,23],[114.1,23.1],[114,23]]]}}"#).utf8))
        let grid = try XCTUnwrap(try db.grids().first)
        XCTAssertEqual(grid.id, "441302001001001")
        XCTAssertEqual(grid.communityId, "441302001001")
        XCTAssertEqual(grid.streetId, "441302001", "filled from the parent")
        XCTAssertEqual(try db.areas(.communities).first?.id, "441302001001")
    }

    func testWholeNumbersWrittenAsFloatsFillIntegerColumns() throws {
        try db.importGeoJSON(.compounds, data: featureCollection([polygonFeature("C1", #""households":120.0,"population":3.5e2"#, ring: box(114, 23, 0.01, 0.01))]))
        let c = try XCTUnwrap(try db.compounds().first)
        XCTAssertEqual(c.households, 120)
        XCTAssertEqual(c.population, 350)
        before = try snapshot(db)
        let p = try rejected(.compounds, fc(polygonFeature("C2", #""households":120.5"#, ring: box(114, 23, 0.01, 0.01))))
        XCTAssertEqual(p[0].field, "properties.households")
    }

    func testNumbersJSONCannotCarryAreRefusedNamingFeatureAndField() throws {
        let p = try rejected(.compounds, fc(polygonFeature("C1", ring: box(114, 23, 0.01, 0.01)),
                                            polygonFeature("C2", #""entrance_lon":1e400"#, ring: box(114, 23, 0.01, 0.01)),
                                            polygonFeature("C3", #""survey":{"floors":[3,-1e999]}"#, ring: box(114, 23, 0.01, 0.01))))
        XCTAssertEqual(p.map(\.featureIndex), [1, 2])
        XCTAssertEqual(p.map(\.featureId), ["C2", "C3"])
        XCTAssertEqual(p.map(\.field), ["properties.entrance_lon", "properties.survey.floors[1]"])
        XCTAssertTrue(p[0].message.contains("finite"), p[0].message)
    }

    /// A store written by another tool (QGIS, sqlite3) may hold Inf: no output writes it.
    func testNoOutputWritesANonFiniteNumber() throws {
        try db.importGeoJSON(.compounds, data: featureCollection([polygonFeature("C1", #""entrance_lon":114.001,"note":"x""#, ring: box(114, 23, 0.01, 0.01))]))
        try db.write { d in
            try d.execute(sql: "UPDATE compounds SET entrance_lon = 1e999, entrance_lat = -1e999, extra = '{\"note\":\"x\",\"h\":1e999}'")
        }
        var exported = ""
        try db.exportGeoJSON(.compounds) { exported += $0 }
        let page = try db.features(.compounds, FeatureQuery(limit: 10))
        let one = try XCTUnwrap(try db.feature(.compounds, id: "C1"))
        var fast = page.features[0]
        try db.write { d in try d.execute(sql: "UPDATE compounds SET extra = NULL") }
        fast += try XCTUnwrap(try db.feature(.compounds, id: "C1"))  // the json_object path (no extra members)
        for text in [exported, page.features[0], one, fast] {
            XCTAssertFalse(text.lowercased().contains("inf") || text.lowercased().contains("nan") || text.contains("9e999"), text)
        }
        let (features, _) = try GeoJSON.features(from: try JSONParser.parse(exported))
        XCTAssertEqual(features[0].properties["entrance_lon"], .null)
        XCTAssertEqual(features[0].properties["h"], .null)
        XCTAssertEqual(try GeoJSON.feature(try JSONParser.parse(try XCTUnwrap(try db.feature(.compounds, id: "C1")))).properties["entrance_lat"], .null)
    }

    func testCoordinatesOutsideTheirCRSAreaAreRefusedNamingTheCRS() throws {
        // Degrees given as Gauss-Kruger metres.
        let p = try rejected(.districts, fc(polygonFeature("D", ring: box(114.3, 23.0, 0.1, 0.1))), ImportOptions(crs: .epsg(4547)))
        XCTAssertEqual(p[0].field, "geometry.coordinates")
        XCTAssertTrue(p[0].message.contains("EPSG:4547") && p[0].message.contains("degrees"), p[0].message)
        // The file's own crs member is checked the same way.
        let member = #"{"type":"FeatureCollection","crs":{"type":"name","properties":{"name":"urn:ogc:def:crs:EPSG::4547"}},"features":["# +
            polygonFeature("D", ring: box(114.3, 23.0, 0.1, 0.1)) + "]}"
        XCTAssertTrue(try rejected(.districts, member)[0].message.contains("EPSG:4547"))
        // GCJ-02 outside China (Osaka).
        let o = try rejected(.districts, fc(polygonFeature("D", ring: box(135.4, 34.6, 0.1, 0.1))), ImportOptions(crs: .gcj02))
        XCTAssertTrue(o[0].message.contains("outside the region where GCJ-02 is used"), o[0].message)
    }
}
