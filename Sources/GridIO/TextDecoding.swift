#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Bytes that are not valid UTF-8 (or not valid in the declared encoding), located by line.
public struct TextDecodingError: Error, CustomStringConvertible, Sendable {
    public let line: Int
    public let message: String
    public var description: String { "line \(line): \(message)" }
}

/// Strict UTF-8 (Unicode 15, table 3-7): no overlong forms, no surrogates, nothing above
/// U+10FFFF, no truncated sequences. Returns the offset of the first bad byte, or nil.
public enum UTF8Check {
    public static func firstInvalid(_ p: UnsafeBufferPointer<UInt8>, from start: Int = 0, to end: Int? = nil) -> Int? {
        var i = start
        let n = end ?? p.count
        while i < n {
            let b = p[i]
            if b < 0x80 { i += 1; continue }
            let need: Int
            var lo: UInt8 = 0x80, hi: UInt8 = 0xBF
            switch b {
            case 0xC2...0xDF: need = 1
            case 0xE0: need = 2; lo = 0xA0
            case 0xE1...0xEC, 0xEE, 0xEF: need = 2
            case 0xED: need = 2; hi = 0x9F
            case 0xF0: need = 3; lo = 0x90
            case 0xF1...0xF3: need = 3
            case 0xF4: need = 3; hi = 0x8F
            default: return i
            }
            guard i + need < n else { return i }  // truncated at the end
            let c1 = p[i + 1]
            guard c1 >= lo && c1 <= hi else { return i }
            for k in 2..<(need + 1) where !(0x80...0xBF).contains(p[i + k]) { return i }
            i += need + 1
        }
        return nil
    }

    public static func firstInvalid(_ bytes: [UInt8]) -> Int? {
        bytes.withUnsafeBufferPointer { firstInvalid($0) }
    }
}

/// Line breaks as CSV counts them: LF, CRLF and a bare CR each end one line.
enum LineCount {
    /// Lines ended in p[from..<to]; `lastWasCR` carries a CR at the end of the previous piece so
    /// that a CRLF split across two pieces counts once.
    static func breaks(_ p: UnsafeBufferPointer<UInt8>, from: Int, to: Int, lastWasCR: inout Bool) -> Int {
        var n = 0
        var i = from
        while i < to {
            let b = p[i]
            if b == 10 {
                if !lastWasCR { n += 1 }
                lastWasCR = false
            } else if b == 13 {
                n += 1
                lastWasCR = true
            } else {
                lastWasCR = false
            }
            i += 1
        }
        return n
    }
}

/// A text encoding a user declared (`--encoding GB18030`, `charset=` on `text/csv`): either UTF-8,
/// checked strictly, or anything glibc's iconv converts to UTF-8 (GB18030, GBK, CP936, BIG5,
/// Shift_JIS, UTF-16 with a BOM, Windows-1252 …).
public struct TextEncoding: Sendable, CustomStringConvertible {
    /// The name as given; nil for UTF-8.
    public let iconvName: String?
    public var description: String { iconvName ?? "UTF-8" }

    public static let utf8 = TextEncoding(iconvName: nil)

    private init(iconvName: String?) { self.iconvName = iconvName }

    /// Throws when iconv does not know the name.
    public init(named raw: String) throws {
        let name = raw.trimmingCharacters(in: [" ", "\t", "\""])
        let folded = name.uppercased().replacingOccurrences(of: "_", with: "-")
        if folded == "UTF-8" || folded == "UTF8" || folded == "US-ASCII" || folded == "ASCII" {
            self.iconvName = nil
            return
        }
        let cd = iconv_open("UTF-8", name)
        if cd == iconv_t(bitPattern: -1) {
            throw UnknownEncoding(name: name)
        }
        iconv_close(cd)
        self.iconvName = name
    }

    /// The `charset` parameter of a Content-Type (`text/csv; charset=GB18030`), UTF-8 when absent.
    public static func fromContentType(_ contentType: String?) throws -> TextEncoding {
        guard let contentType else { return .utf8 }
        for param in contentType.split(separator: ";").dropFirst() {
            let kv = param.split(separator: "=", maxSplits: 1)
            if kv.count == 2, kv[0].trimmingCharacters(in: .whitespaces).lowercased() == "charset" {
                return try TextEncoding(named: String(kv[1]))
            }
        }
        return .utf8
    }
}

public struct UnknownEncoding: Error, CustomStringConvertible, Sendable {
    public let name: String
    public var description: String {
        "unknown text encoding '\(name)' (use a name iconv knows, e.g. UTF-8, GB18030, GBK, BIG5, UTF-16)"
    }
}

/// Streaming conversion to UTF-8 through iconv. Bytes the source encoding cannot hold are an
/// error naming the line; a sequence cut at a chunk's end waits for the next chunk.
final class Transcoder {
    private let cd: iconv_t
    private let name: String
    private var pending: [UInt8] = []
    /// Lines ended in the UTF-8 already produced, for error messages.
    private var lines = 0
    private var lastWasCR = false

    init(_ encoding: TextEncoding) throws {
        guard let name = encoding.iconvName else { preconditionFailure("no transcoder for UTF-8") }
        let cd = iconv_open("UTF-8", name)
        if cd == iconv_t(bitPattern: -1) { throw UnknownEncoding(name: name) }
        self.cd = cd!
        self.name = name
    }

    deinit { iconv_close(cd) }

    /// Appends the UTF-8 of `input` (after what is pending from earlier calls) to `out`. `final`
    /// says no more input follows: an incomplete sequence is then an error.
    func convert(_ input: UnsafeBufferPointer<UInt8>, final: Bool, into out: inout [UInt8]) throws {
        pending.append(contentsOf: input)
        let outStart = out.count
        var consumed = 0
        try pending.withUnsafeMutableBufferPointer { inBuf in
            var inLeft = inBuf.count
            while inLeft > 0 {
                let room = Swift.max(inLeft * 4, 4096)
                let before = out.count
                out.reserveCapacity(before + room)
                var produced = 0
                var result = 0
                var err: Int32 = 0
                // Write into spare capacity, then commit what iconv produced.
                out.append(contentsOf: repeatElement(0, count: room))
                out.withUnsafeMutableBufferPointer { o in
                    var inPtr: UnsafeMutablePointer<CChar>? = UnsafeMutableRawPointer(inBuf.baseAddress! + consumed).assumingMemoryBound(to: CChar.self)
                    var outPtr: UnsafeMutablePointer<CChar>? = UnsafeMutableRawPointer(o.baseAddress! + before).assumingMemoryBound(to: CChar.self)
                    var outLeft = room
                    let inBefore = inLeft
                    result = iconv(cd, &inPtr, &inLeft, &outPtr, &outLeft)
                    err = errno
                    produced = room - outLeft
                    consumed += inBefore - inLeft
                }
                out.removeLast(room - produced)
                if result == -1 {
                    if err == E2BIG { continue }
                    if err == EINVAL && !final { break }  // a sequence cut by the chunk's end
                    let line = lineOfEnd(out, from: outStart)
                    let what = err == EINVAL ? "ends in the middle of a character" : "has bytes that are not valid \(name)"
                    throw TextDecodingError(line: line, message: "the input \(what) (byte 0x\(String(inBuf[consumed], radix: 16, uppercase: true)); is --encoding / charset right?)")
                }
            }
        }
        out.withUnsafeBufferPointer { lines += LineCount.breaks($0, from: outStart, to: $0.count, lastWasCR: &lastWasCR) }
        pending.removeFirst(consumed)
    }

    private func lineOfEnd(_ out: [UInt8], from: Int) -> Int {
        var cr = lastWasCR
        return out.withUnsafeBufferPointer { lines + LineCount.breaks($0, from: from, to: $0.count, lastWasCR: &cr) } + 1
    }
}
