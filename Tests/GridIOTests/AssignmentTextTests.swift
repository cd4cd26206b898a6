import GridGeo
@testable import GridIndex
@testable import GridIO
import GridTestSupport
import XCTest

/// The hand-written answer text against the typed JSON encoding.
final class AssignmentTextTests: XCTestCase {
    /// The hot-path encoder (parts encoded on the spot, and parts copied from the index's table)
    /// says exactly what the JSONObject-based properties say.
    func testFeatureTextMatchesThePropertiesObject() throws {
        let city = SyntheticCity(columns: 5, rows: 4)
        let index = try makeIndex(self, city: city)
        let table = AssignmentText.of(index)
        XCTAssertTrue(AssignmentText.of(index) === table, "built once per index")
        let inside = Coordinate(SyntheticCity.base.lon + 20 * SyntheticCity.unit, SyntheticCity.base.lat + 20 * SyntheticCity.unit)
        for p in [inside, city.sharedVertices[city.sharedVertices.count / 2], Coordinate(0, 0)] {
            for withDistances in [false, true] {
                let a = index.assign(p, accuracy: withDistances ? 500 : nil)
                for text in [a.geoJSONFeature(id: "x\"1", withDistances: withDistances),
                             a.geoJSONFeature(id: "x\"1", withDistances: withDistances, text: table)] {
                    let parsed = try XCTUnwrap(try JSONParser.parse(text).objectValue)
                    XCTAssertEqual(parsed["id"], .string("x\"1"))
                    XCTAssertEqual(parsed["properties"], .object(a.properties(withDistances: withDistances)))
                    XCTAssertEqual(try GeoJSON.feature(.object(parsed)).geometry, .point(p))
                }
                XCTAssertEqual(a.geoJSONFeature(id: nil, withDistances: withDistances),
                               a.geoJSONFeature(id: nil, withDistances: withDistances, text: table))
            }
        }
    }

    /// Names with every character JSON must escape survive both encoders.
    func testEscapes() throws {
        let g = GridInfo(id: "g\"1\\", name: "a\nb\t\u{1}网格", communityId: nil, communityName: nil, streetId: "s,1", streetName: nil,
                         districtId: nil, districtName: nil, workerName: "李\"", workerPhone: nil)
        var out: [UInt8] = []
        EncodedFragments().chain(g, into: &out)
        let parsed = try XCTUnwrap(try JSONParser.parse("{" + String(decoding: out, as: UTF8.self) + "}").objectValue)
        XCTAssertEqual(parsed["grid"]?.objectValue?["name"]?.stringValue, "a\nb\t\u{1}网格")
        XCTAssertEqual(parsed["grid"]?.objectValue?["id"]?.stringValue, "g\"1\\")
        XCTAssertEqual(parsed["community"], .null)
        let a = Assignment(point: Coordinate(1, 2), grid: g, boundary: true, candidates: [], compound: nil, nearest: nil, generation: 3)
        XCTAssertEqual(a.csvRow(id: "x,\"y\""), "\"x,\"\"y\"\"\",\"g\"\"1\\\",,\"s,1\",,,true,,,")
    }
}
