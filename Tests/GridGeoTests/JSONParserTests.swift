import GridGeo
import XCTest

final class JSONParserTests: XCTestCase {
    func testParsesNestedValuesAndKeepsNumberText() throws {
        let v = try JSONParser.parse(#"{"a": [1, 2.50, -3e2, true, null], "b": "中\"文\u00e9", "c": 123456789012345678}"#)
        let o = try XCTUnwrap(v.objectValue)
        XCTAssertEqual(o.keys, ["a", "b", "c"])
        let a = try XCTUnwrap(o["a"]?.arrayValue)
        XCTAssertEqual(a[1], .number(2.5, text: "2.50"))
        XCTAssertEqual(a[2].doubleValue, -300)
        XCTAssertEqual(a[3], .bool(true))
        XCTAssertEqual(a[4], .null)
        XCTAssertEqual(o["b"]?.stringValue, "中\"文é")
        XCTAssertEqual(o["c"]?.intValue, 123456789012345678)
    }

    func testReportsLineAndColumnOfSyntaxErrors() {
        let text = "{\n  \"type\": \"FeatureCollection\",\n  \"features\": [1, 2,]\n}"
        XCTAssertThrowsError(try JSONParser.parse(text)) { error in
            let e = error as! JSONSyntaxError
            XCTAssertEqual(e.line, 3)
            XCTAssertEqual(e.column, 21)
        }
        XCTAssertThrowsError(try JSONParser.parse("{\"a\": NaN}"))
        XCTAssertThrowsError(try JSONParser.parse("[1] x"))
        XCTAssertThrowsError(try JSONParser.parse("\"unterminated"))
        XCTAssertThrowsError(try JSONParser.parse(String(repeating: "[", count: 10_000)))
    }

    func testEncodesWhatItParses() throws {
        let text = #"{"a":[1,2.5,"x\ny"],"b":{"c":null,"d":false}}"#
        XCTAssertEqual(JSONText.encode(try JSONParser.parse(text)), text)
    }
}
