import GridGeo
import XCTest

/// Ids written as JSON numbers (FeatureId's rule) and numbers JSON cannot carry.
final class JSONIdentityTests: XCTestCase {
    func testWholeNumbersBecomeTheirCanonicalDecimalText() throws {
        let cases: [(String, String)] = [
            ("10", "10"), ("1e1", "10"), ("10.0", "10"), ("1.0E+1", "10"), ("100e-1", "10"), ("0.1e2", "10"),
            ("441302001001001.0", "441302001001001"), ("4.41302001001001e14", "441302001001001"),
            ("441302001001001001", "441302001001001001"), ("-7", "-7"), ("-0", "0"), ("0.000", "0"),
        ]
        XCTAssertEqual(FeatureId.canonical("007"), "7", "leading zeros (not JSON, but the rule is total)")
        for (text, id) in cases {
            XCTAssertEqual(FeatureId.canonical(text), id, text)
            XCTAssertEqual(try FeatureId.from(JSONParser.parse("[\(text)]").arrayValue![0]), id, text)
        }
        for text in ["10.5", "1e-1", "1e400", "1e41", "123456789012345678901234567890123456789012"] {
            XCTAssertNil(FeatureId.canonical(text), text)
            XCTAssertThrowsError(try FeatureId.from(JSONParser.parse("[\(text)]").arrayValue![0]), text) { e in
                XCTAssertTrue("\(e)".contains("whole number"), "\(e)")
            }
        }
        XCTAssertEqual(try FeatureId.from(.string("10.0")), "10.0", "a string id is kept as written")
        XCTAssertNil(try FeatureId.from(.null))
        XCTAssertThrowsError(try FeatureId.from(.bool(true)))
    }

    func testGeoJSONFeatureIdsFollowTheRule() throws {
        func id(_ raw: String) throws -> String? {
            try GeoJSON.feature(JSONParser.parse(#"{"type":"Feature","id":\#(raw),"properties":{},"geometry":null}"#)).id
        }
        XCTAssertEqual(try [id("10"), id("1e1"), id("10.0"), id("\"10\"")], ["10", "10", "10", "10"])
        XCTAssertThrowsError(try id("10.5")) { e in XCTAssertEqual((e as? GeoJSONError)?.path, "id") }
    }

    func testNonFiniteNumbersAreFoundAndNeverWritten() throws {
        let v = try JSONParser.parse(#"{"a":1,"b":{"c":[2,1e400]},"d":-1e999}"#)
        XCTAssertEqual(v.nonFiniteNumberPath(), "b.c[1]")
        XCTAssertEqual(try JSONParser.parse(#"{"a":[1.5e308]}"#).nonFiniteNumberPath(), nil)
        XCTAssertEqual(JSONText.encode(v), #"{"a":1,"b":{"c":[2,null]},"d":null}"#)
        for d in [Double.infinity, -.infinity, .nan] {
            XCTAssertEqual(JSONText.number(d), "null")
            XCTAssertEqual(JSONText.encode(.number(d)), "null")
        }
        // Everything encoded parses back with a strict parser.
        XCTAssertNoThrow(try JSONParser.parse(JSONText.encode(.array([.number(.infinity), .number(1e308), .number(-0.0)]))))
    }
}
