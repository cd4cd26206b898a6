import Foundation
import GridGeo
import GridStore
import XCTest

/// Every bad input gets a message that says what and where, and leaves the store exactly as it was.
final class BadInputTests: XCTestCase {
    var db: GridDatabase!
    var before = ""

    override func setUpWithError() throws {
        db = try makeStore(self)
        try db.replaceCategories([StationCategory(code: "canteen", nameZh: "社区食堂", nameEn: "Community canteen", countsTowardAll: true)])
        try db.importGeoJSON(.districts, data: featureCollection([polygonFeature("441302", "\"name\":\"惠城区\"", ring: box(114, 23, 1, 1))]))
        try db.importGeoJSON(.streets, data: featureCollection([polygonFeature("441302001", "\"district_id\":\"441302\"", ring: box(114, 23, 1, 1))]))
        before = try snapshot(db)
    }

    /// Runs an import that must fail, checks the store is untouched, and returns the problems.
    func rejected(_ layer: Layer, _ text: String, _ options: ImportOptions = ImportOptions(), file: StaticString = #filePath, line: UInt = #line) throws -> [ImportProblem] {
        do {
            _ = try db.importGeoJSON(layer, data: Data(text.utf8), options: options)
            XCTFail("import was accepted", file: file, line: line)
            return []
        } catch let e as ImportError {
            XCTAssertEqual(try snapshot(db), before, "store changed", file: file, line: line)
            XCTAssertFalse(e.problems.isEmpty, file: file, line: line)
            return e.problems
        }
    }

    func fc(_ features: String...) -> String { String(decoding: featureCollection(features), as: UTF8.self) }

    func testMalformedJSONNamesLineAndColumn() throws {
        let p = try rejected(.districts, "{\"type\": \"FeatureCollection\",\n \"features\": [\n {\"type\": \"Feature\" \"x\": 1}]}")
        XCTAssertEqual(p[0].line, 3)
        XCTAssertNotNil(p[0].column)
        XCTAssertTrue(p[0].message.contains("invalid JSON"))
    }

    func testNotGeoJSON() throws {
        XCTAssertTrue(try rejected(.districts, "[1,2]")[0].message.contains("GeoJSON object"))
        XCTAssertTrue(try rejected(.districts, "{\"type\":\"Topology\"}")[0].message.contains("unknown GeoJSON type"))
        XCTAssertTrue(try rejected(.districts, "{\"type\":\"FeatureCollection\"}")[0].message.contains("features"))
    }

    func testWrongGeometryTypeNamesTheFeature() throws {
        let p = try rejected(.districts, fc(polygonFeature("A", ring: box(114, 23, 0.1, 0.1)),
                                            #"{"type":"Feature","properties":{"id":"B"},"geometry":{"type":"Point","coordinates":[114,23]}}"#))
        XCTAssertEqual(p.count, 1)
        XCTAssertEqual(p[0].featureIndex, 1)
        XCTAssertEqual(p[0].featureId, "B")
        XCTAssertTrue(p[0].message.contains("found Point"), p[0].message)
    }

    func testSelfIntersectingPolygonIsRejectedOrRepaired() throws {
        let bowtie = polygonFeature("441302", ring: [(114, 23), (114.1, 23.1), (114.1, 23), (114, 23.1), (114, 23)])
        let p = try rejected(.districts, fc(bowtie))
        XCTAssertEqual(p[0].featureIndex, 0)
        XCTAssertTrue(p[0].message.contains("Self-intersection"), p[0].message)
        // Repair: the bow tie becomes two triangles.
        let r = try db.importGeoJSON(.districts, data: Data(fc(bowtie).utf8), options: ImportOptions(invalid: .repair))
        XCTAssertEqual(r.repaired, 1)
        let m = try db.areas(.districts)[0].geometry
        XCTAssertEqual(m.polygons.count, 2)
    }

    func testUnclosedAndShortRings() throws {
        let open = #"{"type":"Feature","properties":{"id":"X"},"geometry":{"type":"Polygon","coordinates":[[[114,23],[115,23],[115,24],[114,24]]]}}"#
        let p = try rejected(.districts, fc(open))
        XCTAssertEqual(p[0].featureIndex, 0)
        XCTAssertEqual(p[0].field, "geometry.coordinates[0]")
        XCTAssertTrue(p[0].message.contains("not closed"))
    }

    func testOutOfRangeAndNonFiniteCoordinates() throws {
        let far = try rejected(.districts, fc(polygonFeature("X", ring: box(179.5, 23, 1, 1))))
        XCTAssertTrue(far[0].message.contains("out of range"), far[0].message)
        let inf = #"{"type":"Feature","properties":{"id":"X"},"geometry":{"type":"Polygon","coordinates":[[[114,23],[1e400,23],[115,24],[114,23]]]}}"#
        XCTAssertTrue(try rejected(.districts, fc(inf))[0].message.contains("finite"))
        let text = #"{"type":"Feature","properties":{"id":"X"},"geometry":{"type":"Polygon","coordinates":[[[114,23],["115",23],[115,24],[114,23]]]}}"#
        XCTAssertTrue(try rejected(.districts, fc(text))[0].message.contains("numbers"))
    }

    func testDuplicateAndMissingIds() throws {
        let p = try rejected(.districts, fc(polygonFeature("A", ring: box(114, 23, 0.1, 0.1)), polygonFeature("A", ring: box(114.2, 23, 0.1, 0.1)),
                                            #"{"type":"Feature","properties":{},"geometry":{"type":"Polygon","coordinates":[[[114,23],[115,23],[115,24],[114,23]]]}}"#))
        XCTAssertEqual(p.count, 2)
        XCTAssertEqual(p[0].featureIndex, 1)
        XCTAssertTrue(p[0].message.contains("duplicate id (also feature 0)"))
        XCTAssertEqual(p[1].featureIndex, 2)
        XCTAssertTrue(p[1].message.contains("missing id"))
    }

    func testParentIdsThatNameNoRow() throws {
        let p = try rejected(.communities, fc(polygonFeature("441302001001", "\"street_id\":\"441302001\"", ring: box(114, 23, 0.1, 0.1)),
                                              polygonFeature("441302009001", "\"street_id\":\"441302009\"", ring: box(114.2, 23, 0.1, 0.1))))
        XCTAssertEqual(p.count, 1)
        XCTAssertEqual(p[0].featureIndex, 1)
        XCTAssertTrue(p[0].message.contains("street_id '441302009' names no row in streets"), p[0].message)
        let s = #"{"type":"Feature","properties":{"id":"S1","category":"spaceport"},"geometry":{"type":"Point","coordinates":[114.5,23.5]}}"#
        XCTAssertTrue(try rejected(.stations, fc(s))[0].message.contains("category 'spaceport' is not a station category"))
    }

    func testWrongAttributeTypes() throws {
        let c = polygonFeature("C1", "\"households\":\"many\",\"population\":-4", ring: box(114, 23, 0.01, 0.01))
        let p = try rejected(.compounds, fc(c))
        XCTAssertEqual(p.map(\.field), ["properties.households", "properties.population"])
        XCTAssertTrue(p[1].message.contains("negative"))
    }

    func testUnknownCRS() throws {
        let p = try rejected(.districts, "{\"type\":\"FeatureCollection\",\"crs\":{\"type\":\"name\",\"properties\":{\"name\":\"EPSG:999999\"}},\"features\":[]}")
        XCTAssertEqual(p[0].field, "crs")
        XCTAssertTrue(p[0].message.contains("unknown CRS"))
    }

    func testAppendRejectsExistingIdsAndReplaceKeepsGenerations() throws {
        let p = try rejected(.districts, fc(polygonFeature("441302", ring: box(114, 23, 1, 1))), ImportOptions(mode: .append))
        XCTAssertTrue(p[0].message.contains("already exists"))
        let g0 = try db.currentGeneration()
        try db.importGeoJSON(.districts, data: Data(fc(polygonFeature("441302", "\"name\":\"new\"", ring: box(114, 23, 1, 1))).utf8))
        XCTAssertEqual(try db.currentGeneration(), g0 + 1)
        XCTAssertEqual(try db.areas(.districts)[0].name, "new")
    }
}
