@testable import GridIO
import GridTestSupport
import XCTest

/// The RFC 4180 scanner on its own: records, fields, line numbers, errors, chunk boundaries.
final class CSVScannerTests: XCTestCase {
    struct Scanned: Equatable {
        var line: Int
        var fields: [String]?  // nil: a problem
        var problem: String?
    }

    /// Scans `text` handing the scanner `chunk` bytes at a time (as the CLI reads a file).
    static func scan(_ bytes: [UInt8], chunk: Int = .max) -> [Scanned] {
        var scanner = CSVScanner()
        var recs = CSVRecords()
        var out: [Scanned] = []
        var buf: [UInt8] = []
        var pos = 0, fed = 0
        while true {
            let n = Swift.min(chunk, bytes.count - fed)
            buf.append(contentsOf: bytes[fed..<(fed + n)])
            fed += n
            let atEOF = fed == bytes.count
            buf.withUnsafeBufferPointer { p in
                pos = scanner.scan(p, from: pos, atEOF: atEOF, into: &recs)
                for r in recs.records {
                    if r.problem >= 0 {
                        out.append(Scanned(line: r.line, fields: nil, problem: recs.problems[Int(r.problem)]))
                    } else {
                        out.append(Scanned(line: r.line, fields: (0..<Int(r.fieldCount)).map { k in
                            let f = recs.field(r, k)
                            return CSVText.string(p, f.start, f.end)
                        }))
                    }
                }
            }
            recs.removeAll()
            buf.removeFirst(pos)
            pos = 0
            if atEOF { break }
        }
        return out
    }

    static func scan(_ text: String, chunk: Int = .max) -> [Scanned] { scan(Array(text.utf8), chunk: chunk) }

    func fields(_ text: String) -> [[String]?] { Self.scan(text).map(\.fields) }

    func testQuotedFieldsCommasDoubledQuotesAndLineBreaks() {
        XCTAssertEqual(fields("a,\"b,c\",\"d\"\"e\",\n"), [["a", "b,c", "d\"e", ""]])
        XCTAssertEqual(fields("id,note\nR1,\"call back; old address:\nR9, moved\"\nR2,x\n"),
                       [["id", "note"], ["R1", "call back; old address:\nR9, moved"], ["R2", "x"]])
        XCTAssertEqual(Self.scan("id,note\nR1,\"two\r\nlines\"\nR2,x\n").map(\.line), [1, 2, 4], "a record's line is where it starts")
        XCTAssertEqual(fields("\"\"\n"), [[""]], "an empty quoted field is a record with one empty field")
        XCTAssertEqual(fields("a\"b,c\n"), [["a\"b", "c"]], "a quote inside an unquoted field is literal, as Excel and Python read it")
        XCTAssertEqual(fields("x, \"y\"\n"), [["x", " \"y\""]], "a field that does not start with a quote is unquoted")
    }

    func testLineEndsBlankLinesAndTheLastLine() {
        for text in ["a,b\r\nc,d\r\n", "a,b\nc,d\n", "a,b\rc,d\r", "a,b\r\nc,d", "a,b\rc,d", "a,b\n\nc,d\n", "a,b\r\n  \r\nc,d\r\n\r\n"] {
            XCTAssertEqual(fields(text), [["a", "b"], ["c", "d"]], text.debugDescription)
        }
        XCTAssertEqual(Self.scan("a,b\r\rc,d\n\ne,f").map(\.line), [1, 3, 5], "CR, CR, LF, LF: four line ends")
        XCTAssertEqual(fields(""), [])
    }

    func testErrorsAndRecovery() {
        // A quote that never closes takes only its own line: the scan goes on at the next one.
        let unclosed = Self.scan("id,lon,lat\na,1,2\n\"g,3,4\nh,5,6\n")
        XCTAssertEqual(unclosed.map(\.line), [1, 2, 3, 4])
        XCTAssertNil(unclosed[2].fields)
        XCTAssertTrue(unclosed[2].problem?.contains("never closed") ?? false)
        XCTAssertEqual(unclosed[3].fields, ["h", "5", "6"])
        // Text after a closing quote is an error of that record.
        let junk = Self.scan("a,\"b\"c,d\ne,f\n")
        XCTAssertNil(junk[0].fields)
        XCTAssertTrue(junk[0].problem?.contains("closing quote") ?? false)
        XCTAssertEqual(junk[1], Scanned(line: 2, fields: ["e", "f"]))
        // A record longer than the limit (a stray quote in a big file) is refused, not buffered forever.
        let long = "x,\"" + String(repeating: "y", count: CSVScanner.maxRecordBytes + 10) + "\nz,1\n"
        let scanned = Self.scan(long, chunk: 1 << 16)
        XCTAssertNil(scanned[0].fields)
        XCTAssertEqual(scanned.last, Scanned(line: 2, fields: ["z", "1"]))
    }

    /// Any chunking gives the same records: quotes, CRLF and doubled quotes split across chunks.
    func testChunkBoundariesDoNotMatter() {
        let text = "id,\"n\"\"ote\",lon\r\n1,\"a\r\nb\",2\r3,\"\"\"\",4\n\n5,\"x,y\",\"6\"\r\n\"7\"\"\",8,9"
        let whole = Self.scan(text)
        XCTAssertEqual(whole.count, 5)
        for chunk in 1...12 {
            XCTAssertEqual(Self.scan(text, chunk: chunk), whole, "chunk \(chunk)")
        }
    }

    /// Random records written by RFC 4180's rules read back exactly, at random chunk sizes.
    func testRandomRecordsRoundTrip() {
        var rng = SplitMix64(seed: 4180)
        let alphabet: [String] = ["a", "1", ".", " ", ",", "\"", "\n", "\r\n", "\r", "网", "格", "-", "é"]
        for _ in 0..<300 {
            var records: [[String]] = []
            for _ in 0..<Int(rng.next() % 6 + 1) {
                records.append((0..<Int(rng.next() % 4 + 2)).map { _ in
                    (0..<Int(rng.next() % 6)).map { _ in alphabet[Int(rng.next() % UInt64(alphabet.count))] }.joined()
                })
            }
            var text = ""
            var lines: [Int] = []
            var line = 1
            for r in records {
                lines.append(line)
                let row = r.map { f in
                    f.unicodeScalars.contains(where: { ",\"\n\r".unicodeScalars.contains($0) }) || f.isEmpty && r.count == 1
                        ? "\"" + f.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : f
                }.joined(separator: ",")
                let end = ["\n", "\r\n", "\r"][Int(rng.next() % 3)]
                text += row + end
                line += Array(row).filter { $0 == "\n" || $0 == "\r" || $0 == "\r\n" }.count + 1
            }
            let chunk = Int(rng.next() % 7 + 1)
            let got = Self.scan(text, chunk: chunk)
            XCTAssertEqual(got.map(\.fields), records.map { Optional($0) }, text.debugDescription)
            XCTAssertEqual(got.map(\.line), lines, text.debugDescription)
        }
    }
}
