import Foundation
import GridGeo
import GridIndex
@testable import GridIO
import GridTestSupport
import XCTest

/// The streaming engine on a real store: its answers against the index's own, its reports, its
/// stop rule, and the CSV cases of issue 8 §1 through files.
final class BatchAssignerTests: XCTestCase {
    static let city = SyntheticCity(columns: 6, rows: 5)

    struct Run {
        var output: String
        var reports: [String]
        var stopped: Bool
    }

    func run(_ index: AssignmentIndex, input: [UInt8], geoJSON: Bool = false, format: BatchFormat = .csv, stop: Bool = false,
             nearest: Bool = true, ids: PointColumns.IDSource = .column("id"), encoding: TextEncoding = .utf8,
             crs: CRS = .wgs84, crsGiven: Bool = false) throws -> Run {
        let dir = try temporaryFolder(self)
        let inPath = dir.appendingPathComponent("in").path, outPath = dir.appendingPathComponent("out").path
        FileManager.default.createFile(atPath: inPath, contents: Data(input))
        FileManager.default.createFile(atPath: outPath, contents: nil)
        let inH = try XCTUnwrap(FileHandle(forReadingAtPath: inPath)), outH = try XCTUnwrap(FileHandle(forWritingAtPath: outPath))
        var reports: [String] = []
        let engine = BatchAssigner(index: index, reader: try PointReader(crs: crs), format: format, output: outH.fileDescriptor,
                                   stopOnError: stop, nearest: nearest, report: { reports.append($0) })
        if geoJSON {
            try engine.runGeoJSON(inH.fileDescriptor, crsGiven: crsGiven)
        } else {
            try engine.runCSV(inH.fileDescriptor, ids: ids, lon: "lon", lat: "lat", encoding: encoding)
        }
        try outH.close()
        return Run(output: try String(contentsOfFile: outPath, encoding: .utf8), reports: reports, stopped: engine.stoppedOnError)
    }

    /// Every row the engine writes (fast path from `place`, full answer where needed) is exactly
    /// the row of the index's full answer, over more points than one chunk holds.
    func testRowsEqualTheFullAnswers() throws {
        let index = try makeIndex(self, city: Self.city)
        let pts = cityPoints(Self.city, random: 150_000)
        var input = "id,lon,lat\r\n"
        for (k, p) in pts.enumerated() { input += "p\(k),\(p.lon),\(p.lat)\r\n" }
        let r = try run(index, input: Array(input.utf8))
        let rows = r.output.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        XCTAssertEqual(rows.first, Assignment.csvHeader)
        XCTAssertEqual(rows.count, pts.count + 2)
        var boundary = 0, outside = 0
        for (k, p) in pts.enumerated() {
            let a = index.assign(p)
            if a.boundary { boundary += 1 }
            if a.grid == nil { outside += 1 }
            if rows[k + 1] != a.csvRow(id: "p\(k)") { XCTFail("row \(k): \(rows[k + 1]) vs \(a.csvRow(id: "p\(k)"))"); break }
        }
        XCTAssertGreaterThan(boundary, 100)
        XCTAssertGreaterThan(outside, 1000)
        XCTAssertTrue(r.reports.last?.contains("\(boundary) on a grid boundary, \(outside) outside every grid; skipped 0") ?? false, "\(r.reports)")
    }

    func testJSONOutputsAgreeWithTheTypedProperties() throws {
        let index = try makeIndex(self, city: Self.city)
        let pts = cityPoints(Self.city, random: 300)
        var input = "id,lon,lat\n"
        for (k, p) in pts.enumerated() { input += "\"q,\(k)\",\(p.lon),\(p.lat)\n" }
        let lines = try run(index, input: Array(input.utf8), format: .jsonl).output.split(separator: "\n")
        let fc = try JSONParser.parse(run(index, input: Array(input.utf8), format: .geojson).output)
        let features = try XCTUnwrap(fc.objectValue?["features"]?.arrayValue)
        XCTAssertEqual(lines.count, pts.count)
        XCTAssertEqual(features.count, pts.count)
        for (k, p) in pts.enumerated() {
            let props = index.assign(p).properties()
            let line = try XCTUnwrap(try JSONParser.parse(String(lines[k])).objectValue)
            XCTAssertEqual(line["id"], .string("q,\(k)"))
            for m in props.members { XCTAssertEqual(line[m.key], m.value, "\(k) \(m.key)") }
            XCTAssertEqual(features[k].objectValue?["properties"], .object(props))
        }
    }

    func testBadRowsAreLocatedSkippedOrStop() throws {
        let index = try makeIndex(self, city: Self.city)
        let input = "id,lon,lat\na,114.26,23.01\nb,abc,23.01\nc,114.26\n\"d,114.26,23.01\ne,114.26,23.01,9\nf,114.27,23.02\n"
        let skip = try run(index, input: Array(input.utf8))
        XCTAssertEqual(skip.output.split(separator: "\n").dropFirst().map { $0.split(separator: ",").first.map(String.init) ?? "" }, ["a", "f"])
        for (line, word) in [(3, "lon"), (4, "fields"), (5, "never closed"), (6, "fields")] {
            XCTAssertTrue(skip.reports.contains { $0.contains("line \(line):") && $0.contains(word) }, "\(line) \(skip.reports)")
        }
        XCTAssertTrue(skip.reports.last?.contains("skipped 4 bad row(s)") ?? false)
        let stop = try run(index, input: Array(input.utf8), stop: true)
        XCTAssertTrue(stop.stopped)
        XCTAssertEqual(stop.output.split(separator: "\n").count, 2, "the header and a")
        XCTAssertFalse(stop.reports.contains { $0.contains("line 4:") })
    }

    /// Issue 8 §1's examples through the engine, as `wangge assign` runs them.
    func testSpreadsheetCSVThroughTheEngine() throws {
        let index = try makeIndex(self, city: Self.city)
        let bom = try run(index, input: [0xEF, 0xBB, 0xBF] + Array("id,lon,lat\r\nA-1,114.26,23.01\r\n".utf8))
        XCTAssertTrue(bom.output.hasSuffix("\n") && bom.output.split(separator: "\n")[1].hasPrefix("A-1,"), bom.output)

        let multi = try run(index, input: Array("id,lon,lat,note\nR1,114.26,23.01,\"call back; old address:\nR9,114.27,23.02,moved\"\n".utf8))
        XCTAssertEqual(multi.output.split(separator: "\n").count, 2)
        XCTAssertTrue(multi.output.contains("\nR1,"))

        let text = "id,lon,lat\n惠城-甲1,114.26,23.01\n惠城-乙2,114.27,23.02\n"
        let gb = try XCTUnwrap(gb18030(text))
        let declared = try run(index, input: gb, encoding: try TextEncoding(named: "GB18030"))
        XCTAssertEqual(declared.output.split(separator: "\n").dropFirst().map { String($0.prefix(6)) }, ["惠城-甲1,", "惠城-乙2,"])
        let undeclared = try run(index, input: gb)
        XCTAssertEqual(undeclared.output, Assignment.csvHeader + "\n")
        XCTAssertTrue(undeclared.reports.contains { $0.contains("line 2:") && $0.contains("UTF-8") && $0.contains("--encoding") }, "\(undeclared.reports)")

        let wide = try run(index, input: Array("id,lon,lat\nD2,114,42,23,10\n".utf8))
        XCTAssertTrue(wide.reports.contains { $0.contains("line 2:") && $0.contains("expected 3 fields") })

        XCTAssertThrowsError(try run(index, input: Array("lon,lat\n114.26,23.01\n".utf8))) { e in
            XCTAssertTrue("\(e)".contains("'id'"), "\(e)")
        }
        XCTAssertThrowsError(try run(index, input: Array("id,lon,lat\nx,114.26,23.01\n".utf8), ids: .column("gid")))
        let numbered = try run(index, input: Array("lon,lat\n114.26,23.01\n\n114.27,23.02\n".utf8), ids: .lineNumber)
        XCTAssertEqual(numbered.output.split(separator: "\n").dropFirst().map { $0.prefix(2) }, ["2,", "4,"])
    }

    func testGeoJSONInputHonoursItsCRSMember() throws {
        let index = try makeIndex(self, city: Self.city)
        let p = Coordinate(SyntheticCity.base.lon + 20 * SyntheticCity.unit, SyntheticCity.base.lat + 20 * SyntheticCity.unit)
        let g = ChinaDatum.wgs84ToGCJ02(p)
        let body = #"{"type":"FeatureCollection","crs":{"type":"name","properties":{"name":"gcj02"}},"features":[{"type":"Feature","id":"q","properties":{},"geometry":{"type":"Point","coordinates":[\#(g.lon),\#(g.lat)]}}]}"#
        let expected = index.assign(p).csvRow(id: "q")
        let fromMember = try run(index, input: Array(body.utf8), geoJSON: true)
        XCTAssertEqual(fromMember.output.split(separator: "\n")[1], Substring(expected), "\(fromMember.reports)")
        let asGiven = try run(index, input: Array(body.utf8), geoJSON: true, crsGiven: true)
        XCTAssertEqual(asGiven.output.split(separator: "\n")[1], Substring(index.assign(g).csvRow(id: "q")))
        // A crs member after the features cannot change how they were read: an error, not a silent answer.
        let late = #"{"type":"FeatureCollection","features":[{"type":"Feature","id":"q","properties":{},"geometry":{"type":"Point","coordinates":[\#(g.lon),\#(g.lat)]}}],"crs":{"type":"name","properties":{"name":"gcj02"}}}"#
        XCTAssertThrowsError(try run(index, input: Array(late.utf8), geoJSON: true))
    }
}
