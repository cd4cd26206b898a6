import Foundation
import GridGeo
@testable import GridIO
import XCTest

/// The one points reader of `POST /assign`: CSV as spreadsheets write it, GeoJSON with its crs.
final class PointBatchTests: XCTestCase {
    let wgs84 = try! PointReader(crs: .wgs84)

    func read(_ body: String, type: String = "text/csv", reader: PointReader? = nil, crsGiven: Bool = false) throws(PointBatchError) -> [PointBatch.Point] {
        try PointBatch.read(Array(body.utf8), contentType: type, reader: reader ?? wgs84, crsGiven: crsGiven)
    }

    func problems(_ body: [UInt8], type: String = "text/csv") -> [PointInputError] {
        do {
            _ = try PointBatch.read(body, contentType: type, reader: wgs84, crsGiven: false)
            XCTFail("expected problems")
        } catch {
            if case .badPoints(let list, _) = error { return list }
            XCTFail("\(error)")
        }
        return []
    }

    func problems(_ body: String, type: String = "text/csv") -> [PointInputError] { problems(Array(body.utf8), type: type) }

    // Issue 8 §1, one example each.

    func testByteOrderMarkIsNotPartOfTheHeader() throws {
        let pts = try read("\u{FEFF}id,lon,lat\r\nA-1,114.4204025,23.10432435\r\n")
        XCTAssertEqual(pts.map(\.id), ["A-1"])
        XCTAssertEqual(pts[0].point, Coordinate(114.4204025, 23.10432435))
    }

    func testQuotedLineBreakStaysInItsRecord() throws {
        let pts = try read("id,lon,lat,note\nR1,114.4204025,23.10432435,\"call back; old address:\nR9,114.40995665,23.09948775,moved\"\n")
        XCTAssertEqual(pts.map(\.id), ["R1"], "R9 is part of R1's note, not a record")
    }

    func testGB18030WithItsCharset() throws {
        let text = "id,lon,lat\n惠城-甲1,114.42,23.10\n惠城-乙2,114.41,23.09\n"
        let gb = try XCTUnwrap(gb18030(text))
        let pts = try PointBatch.read(gb, contentType: "text/csv; charset=GB18030", reader: wgs84, crsGiven: false)
        XCTAssertEqual(pts.map(\.id), ["惠城-甲1", "惠城-乙2"])
        // Without the charset the bytes are not UTF-8: refused, naming the line, never U+FFFD.
        let list = problems(gb)
        XCTAssertEqual(list.map(\.line), [2, 3])
        XCTAssertTrue(list[0].message.contains("UTF-8") && list[0].message.contains("charset"), list[0].message)
    }

    func testMoreFieldsThanTheHeaderIsRefused() {
        let list = problems("id,lon,lat\nD1,114.42,23.10\nD2,114,42,23,10\n")
        XCTAssertEqual(list.count, 1)
        XCTAssertEqual(list[0].line, 3)
        XCTAssertTrue(list[0].message.contains("expected 3 fields"), list[0].message)
        XCTAssertEqual(problems("id,lon,lat\nD1,114.42\n").first?.line, 2, "fewer fields too")
    }

    func testIdsAreNeverInvented() {
        let list = problems("lon,lat\n114.42,23.10\n")
        XCTAssertEqual(list.first?.line, 1)
        XCTAssertEqual(list.first?.field, "id")
        XCTAssertEqual(problems("id,lon,lat\n,114.42,23.10\n").first?.field, "id", "an empty id is no id")
        XCTAssertThrowsError(try PointColumns(header: ["code", "lon", "lat"], ids: .column("gid")))
        XCTAssertNil(try PointColumns(header: ["lon", "lat"], ids: .lineNumber).id, "line numbers only when asked")
        XCTAssertEqual(try PointColumns(header: [" ID ", "Lon", "LAT"]).id, 0, "names match case-insensitively")
    }

    // Other members of the kind.

    func testLineEndsQuotedNumbersAndBlankLines() throws {
        for end in ["\n", "\r\n", "\r"] {
            let pts = try read(["id,lon,lat", "\"a,1\",\"114.5\",23.5", "", "\"b\"\"2\",114.25, 23.25 "].joined(separator: end) + end)
            XCTAssertEqual(pts.map(\.id), ["a,1", "b\"2"], end.debugDescription)
            XCTAssertEqual(pts.map(\.point), [Coordinate(114.5, 23.5), Coordinate(114.25, 23.25)])
        }
    }

    func testUnclosedQuoteIsALocatedProblem() {
        let list = problems("id,lon,lat\na,114.3,23\n\"b,114.3,23.1\n")
        XCTAssertEqual(list.map(\.line), [3])
        XCTAssertNil(list[0].field)
    }

    func testEmptyAndUnknownCharset() {
        XCTAssertThrowsError(try read("")) { e in
            guard case .unreadable(let field, _, _, _) = e as? PointBatchError else { return XCTFail("\(e)") }
            XCTAssertEqual(field, "body")
        }
        XCTAssertThrowsError(try read("id,lon,lat\n", type: "text/csv; charset=nope-42")) { e in
            guard case .unreadable(let field, _, _, _) = e as? PointBatchError else { return XCTFail("\(e)") }
            XCTAssertEqual(field, "charset")
        }
    }

    /// The legacy crs member is the input CRS unless the caller named one (as `wangge import` does).
    func testGeoJSONCRSMember() throws {
        let g = ChinaDatum.wgs84ToGCJ02(Coordinate(114.42, 23.1))
        let body = #"{"type":"FeatureCollection","crs":{"type":"name","properties":{"name":"gcj02"}},"features":[{"type":"Feature","id":"q","properties":{},"geometry":{"type":"Point","coordinates":[\#(g.lon),\#(g.lat)]}}]}"#
        let fromMember = try read(body, type: "application/geo+json")
        XCTAssertEqual(fromMember[0].point.lon, 114.42, accuracy: 1e-9)
        XCTAssertEqual(fromMember[0].point.lat, 23.1, accuracy: 1e-9)
        let explicit = try read(body, type: "application/geo+json", reader: wgs84, crsGiven: true)
        XCTAssertEqual(explicit[0].point, g)
        XCTAssertThrowsError(try read(body.replacingOccurrences(of: "gcj02", with: "EPSG:999999"), type: "application/geo+json"))
    }
}
