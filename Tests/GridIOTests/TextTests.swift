import Foundation
@testable import GridIO
import GridTestSupport
import XCTest

/// Numbers, UTF-8 and declared encodings: the byte-level readers against the C library.
final class TextTests: XCTestCase {
    func parse(_ s: String) -> Double? {
        let b = Array(s.utf8)
        return b.withUnsafeBufferPointer { DecimalParsing.parse($0, 0, $0.count) }
    }

    /// Every decimal text strtod reads in full gives strtod's double, bit for bit; the rest is
    /// refused, and so are strtod's non-decimal forms (nan, inf, hexadecimal: not numbers in
    /// JSON, CSV or a query string).
    func testDecimalsAgreeWithStrtod() {
        var rng = SplitMix64(seed: 53)
        var texts = ["0", "-0", "1", "1.", ".5", "-.5", "+3", "114.4204025", "23.10432435", "1e5", "1E-5", "-2.5e+3", "0.000001",
                     "9007199254740993", "18446744073709551615", "12345678901234567890", "0.1234567890123456789",
                     "114.42040250000001", "  7.5 ", "\t8", "1e400", "nan", "inf", "-infinity", "0x1p3",
                     "", " ", "-", ".", "e5", "1e", "1.2.3", "12a", "1,5", "١٢"]
        for _ in 0..<200_000 {
            let d = (rng.unit() - 0.5) * pow(10, Double(Int(rng.next() % 12)) - 4)
            switch rng.next() % 5 {
            case 0: texts.append("\(d)")
            case 1: texts.append(String(format: "%.7f", d))
            case 2: texts.append(String(format: "%.\(rng.next() % 19)f", 100 + d))
            case 3: texts.append(String(format: "%.17g", d))
            default: texts.append(String(format: "%.\(rng.next() % 20)e", d))
            }
        }
        var fast = 0
        for t in texts {
            let expected: Double? = t.withCString { c in
                var end: UnsafeMutablePointer<CChar>?
                let v = strtod(c, &end)
                var rest = end!
                while rest.pointee == 32 || rest.pointee == 9 { rest += 1 }
                return rest.pointee == 0 && end != UnsafeMutablePointer(mutating: c) && !t.allSatisfy({ $0 == " " || $0 == "\t" }) ? v : nil
            }
            let got = parse(t)
            let lower = t.lowercased()
            if lower.contains("nan") || lower.contains("inf") || lower.contains("0x") {
                XCTAssertNil(got, "\(t): decimal numbers only")
            } else if let expected, !expected.isNaN {
                XCTAssertEqual(got?.bitPattern, expected.bitPattern, t)
            } else if expected == nil {
                XCTAssertNil(got, t)
            } else {
                XCTAssertTrue(got?.isNaN ?? false, t)
            }
            if got != nil { fast += 1 }
        }
        XCTAssertGreaterThan(fast, 190_000)
    }

    /// Strict UTF-8 agrees with Swift's own validation on random and adversarial byte strings.
    func testUTF8CheckAgreesWithSwift() {
        var rng = SplitMix64(seed: 8)
        var cases: [[UInt8]] = [[0xC0, 0x80], [0xED, 0xA0, 0x80], [0xF4, 0x90, 0x80, 0x80], [0xE2, 0x82], [0xF0, 0x9F, 0x98, 0x80],
                                Array("惠城-甲1".utf8), [0xBB, 0xDD]]
        for _ in 0..<50_000 {
            cases.append((0..<Int(rng.next() % 6)).map { _ in
                let r = rng.next()
                return r % 3 == 0 ? UInt8(truncatingIfNeeded: r >> 8) : [0x41, 0xC3, 0xA9, 0xE7, 0xBD, 0x91, 0xF0, 0x9F, 0x80, 0xED][Int((r >> 8) % 10)]
            })
        }
        for c in cases {
            XCTAssertEqual(UTF8Check.firstInvalid(c) == nil, String(validating: c, as: UTF8.self) != nil, "\(c)")
        }
        XCTAssertEqual(UTF8Check.firstInvalid([0x41, 0x42, 0xFF, 0x43]), 2)
    }

    /// GB18030 from a Chinese spreadsheet, fed in pieces that cut characters in two.
    func testGB18030Transcodes() throws {
        let text = "id,lon,lat\r\n惠城-甲1,114.42,23.10\r\n惠城-乙2,114.41,23.09\r\n"
        let gb = try XCTUnwrap(gb18030(text))
        XCTAssertNotEqual(gb, Array(text.utf8))
        for piece in [1, 2, 3, 7, 1000] {
            let t = try Transcoder(try TextEncoding(named: "GB18030"))
            var out: [UInt8] = []
            var k = 0
            while k < gb.count {
                let e = Swift.min(gb.count, k + piece)
                try gb[k..<e].withUnsafeBufferPointer { try t.convert($0, final: e == gb.count, into: &out) }
                k = e
            }
            XCTAssertEqual(String(decoding: out, as: UTF8.self), text, "pieces of \(piece)")
        }
    }

    func testUndecodableBytesNameTheLine() throws {
        let bytes = Array("id,lon,lat\na,1,2\nb".utf8) + [0x81, 0x20] + Array(",1,2\n".utf8)
        let t = try Transcoder(try TextEncoding(named: "GB18030"))
        var out: [UInt8] = []
        XCTAssertThrowsError(try bytes.withUnsafeBufferPointer { try t.convert($0, final: true, into: &out) }) { e in
            XCTAssertEqual((e as? TextDecodingError)?.line, 3, "\(e)")
        }
        XCTAssertThrowsError(try TextEncoding(named: "KLINGON-8"))
        XCTAssertNil(try TextEncoding(named: "utf-8").iconvName)
        XCTAssertEqual(try TextEncoding.fromContentType("text/csv; charset=\"GB18030\"").iconvName, "GB18030")
        XCTAssertNil(try TextEncoding.fromContentType("text/csv").iconvName)
    }
}

/// The GB18030 bytes of a string, by iconv the other way.
func gb18030(_ s: String) -> [UInt8]? {
    let cd = iconv_open("GB18030", "UTF-8")
    guard cd != iconv_t(bitPattern: -1) else { return nil }
    defer { iconv_close(cd) }
    var input = Array(s.utf8)
    var output = [UInt8](repeating: 0, count: input.count * 4 + 16)
    let outCount = output.count
    return input.withUnsafeMutableBufferPointer { i -> [UInt8]? in
        output.withUnsafeMutableBufferPointer { o -> [UInt8]? in
            var ip: UnsafeMutablePointer<CChar>? = UnsafeMutableRawPointer(i.baseAddress!).assumingMemoryBound(to: CChar.self)
            var op: UnsafeMutablePointer<CChar>? = UnsafeMutableRawPointer(o.baseAddress!).assumingMemoryBound(to: CChar.self)
            var il = i.count, ol = outCount
            guard iconv(cd, &ip, &il, &op, &ol) != -1 else { return nil }
            return Array(o[0..<(outCount - ol)])
        }
    }
}
