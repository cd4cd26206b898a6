/// One record of CSV text (RFC 4180): where its bytes and its fields are and the line it starts
/// on. A record the scanner could not read carries a problem instead of fields.
struct CSVRecord: Sendable {
    /// Physical line (LF, CRLF or bare CR each end one) where the record starts, from 1.
    var line: Int
    /// Raw bytes of the record, without its line end.
    var start: Int, end: Int
    /// Index of its first field in `CSVRecords.fields` (pairs of offsets) and how many it has.
    var firstField: Int32, fieldCount: Int32
    /// `quoted`: some field is quoted; `nonASCII`: some byte is 0x80 or above (check UTF-8).
    var flags: UInt8
    /// Index into `CSVRecords.problems`, or -1.
    var problem: Int32

    static let quoted: UInt8 = 1, nonASCII: UInt8 = 2
}

/// The records found in one stretch of bytes. Offsets refer to the buffer that was scanned.
struct CSVRecords: Sendable {
    var records: [CSVRecord] = []
    /// start, end of each field; a quoted field's range includes its quotes.
    var fields: [Int32] = []
    var problems: [String] = []

    mutating func removeAll() {
        records.removeAll(keepingCapacity: true)
        fields.removeAll(keepingCapacity: true)
        problems.removeAll(keepingCapacity: true)
    }

    @inline(__always)
    func field(_ r: CSVRecord, _ k: Int) -> (start: Int, end: Int) {
        let f = Int(r.firstField) + 2 * k
        return (Int(fields[f]), Int(fields[f + 1]))
    }
}

/// Splits UTF-8 (or ASCII-compatible) bytes into RFC 4180 records, across chunk boundaries:
/// fields separated by commas; a field that starts with a double quote runs to the matching
/// closing quote and may hold commas, line breaks and doubled quotes; a quote inside an unquoted
/// field is an ordinary character (as Excel and Python's `csv` read it); records end with CRLF,
/// LF or a bare CR. Empty and whitespace-only lines are no records.
///
/// Errors, each attached to the record's first line: text after a closing quote (`"a"b`), a
/// quoted field still open at the end of the input, and records longer than `maxRecordBytes`
/// (almost always a stray quote). After one the scanner starts again at the next line, so one
/// broken row costs only itself when the caller skips bad rows.
struct CSVScanner {
    /// Python's `csv` stops at 128 KiB per field; a record of a megabyte is no point list.
    static let maxRecordBytes = 1 << 20

    /// The line number at the scan position.
    private(set) var line = 1
    /// Discarding bytes up to the next line break after an error whose line did not end yet.
    private var skipping = false
    private var skipLastWasCR = false

    /// Scans p[from...] and appends every complete record to `out`, at most `limit`. Returns the
    /// position after the last record taken; the bytes from there on belong to an incomplete
    /// record (unless `atEOF`) and must be offered again with more bytes after them.
    mutating func scan(_ p: UnsafeBufferPointer<UInt8>, from: Int, atEOF: Bool, into out: inout CSVRecords, limit: Int = .max) -> Int {
        let n = p.count
        var pos = from
        if skipping {
            if skipLastWasCR {
                // The line already ended with a CR at the end of the previous bytes: an LF right
                // after it belongs to it.
                guard pos < n || atEOF else { return pos }
                if pos < n && p[pos] == 10 { pos += 1 }
            } else if let q = afterLineBreak(p, from: pos, atEOF: atEOF) {
                var cr = false
                line += LineCount.breaks(p, from: pos, to: q, lastWasCR: &cr)
                pos = q
            } else {
                line += LineCount.breaks(p, from: pos, to: n, lastWasCR: &skipLastWasCR)
                return n
            }
            skipping = false
            skipLastWasCR = false
        }
        var taken = 0
        while pos < n && taken < limit {
            let s = pos
            let fieldBase = out.fields.count
            var flags: UInt8 = 0
            var breaksInside = 0
            var i = s
            var complete = false
            var problem: String?
            var resyncFrom = s  // where to look for the next line break after a problem
            record: while true {
                let fs = i
                if i < n && p[i] == 34 {
                    flags |= CSVRecord.quoted
                    i += 1
                    var closed = false
                    while !closed {
                        while i < n {
                            let b = p[i]
                            if b == 34 { break }
                            if b >= 0x80 { flags |= CSVRecord.nonASCII }
                            else if b == 13 { breaksInside += 1 }
                            else if b == 10 && p[i - 1] != 13 { breaksInside += 1 }
                            i += 1
                        }
                        if i >= n {
                            if atEOF { problem = "a quoted field is never closed (a stray \" ?)" }
                            break record
                        }
                        if i + 1 < n {
                            if p[i + 1] == 34 { i += 2; continue }
                        } else if !atEOF {
                            break record  // the next chunk may hold the second quote of a pair
                        }
                        i += 1
                        closed = true
                    }
                    if i < n, p[i] != 44, p[i] != 10, p[i] != 13 {
                        problem = "text after the closing quote of a quoted field (a quote inside a field must be doubled: \"\")"
                        resyncFrom = i
                        break record
                    }
                } else {
                    while i < n {
                        let b = p[i]
                        // Comma, LF, CR end an unquoted field. (Not a static table: its lazy
                        // initialisation check costs more per byte than the three compares.)
                        if b <= 44 && (b == 44 || b == 10 || b == 13) { break }
                        if b >= 0x80 { flags |= CSVRecord.nonASCII }
                        i += 1
                    }
                }
                out.fields.append(Int32(truncatingIfNeeded: fs))
                out.fields.append(Int32(truncatingIfNeeded: i))
                if i >= n {
                    if atEOF { complete = true; pos = n }
                    break record
                }
                let b = p[i]
                if b == 44 { i += 1; continue }
                if b == 13 {
                    if i + 1 < n { pos = p[i + 1] == 10 ? i + 2 : i + 1 }
                    else if atEOF { pos = i + 1 }
                    else { break record }  // a CR at the chunk's end: LF may follow
                } else {
                    pos = i + 1
                }
                complete = true
                break record
            }
            let recordLine = line
            if complete {
                let count = (out.fields.count - fieldBase) / 2
                let end = Int(out.fields[out.fields.count - 1])
                if count == 1 && flags == 0 && Self.isBlank(p, s, end) {
                    out.fields.removeLast(2)
                } else {
                    out.records.append(CSVRecord(line: recordLine, start: s, end: end, firstField: Int32(fieldBase),
                                                 fieldCount: Int32(count), flags: flags, problem: -1))
                    taken += 1
                }
                line += breaksInside + (pos > end ? 1 : 0)
                continue
            }
            out.fields.removeLast(out.fields.count - fieldBase)
            if problem == nil {
                // Incomplete: wait for more bytes, unless this record is already too long.
                guard n - s > Self.maxRecordBytes else { return s }
                problem = "a record longer than \(Self.maxRecordBytes >> 20) MiB (a quoted field never closed?)"
            }
            out.problems.append(problem!)
            out.records.append(CSVRecord(line: recordLine, start: s, end: s, firstField: Int32(fieldBase), fieldCount: 0,
                                         flags: 0, problem: Int32(out.problems.count - 1)))
            taken += 1
            // Start again at the next line: after the problem spot for junk after a quote, after the
            // record's first line when a quote never closed.
            if let q = afterLineBreak(p, from: resyncFrom, atEOF: atEOF) {
                var cr = false
                line += LineCount.breaks(p, from: s, to: q, lastWasCR: &cr)
                pos = q
            } else {
                skipLastWasCR = false
                line += LineCount.breaks(p, from: s, to: n, lastWasCR: &skipLastWasCR)
                skipping = true
                return n
            }
        }
        return pos
    }

    /// The position after the first line break at or after `from`; nil when the bytes end first
    /// (at the end of the input: the end).
    private func afterLineBreak(_ p: UnsafeBufferPointer<UInt8>, from: Int, atEOF: Bool) -> Int? {
        var i = from
        let n = p.count
        if skipLastWasCR && skipping && i < n && i == 0 && p[0] == 10 { return 1 }
        while i < n {
            if p[i] == 10 { return i + 1 }
            if p[i] == 13 {
                if i + 1 < n { return p[i + 1] == 10 ? i + 2 : i + 1 }
                return atEOF ? i + 1 : nil
            }
            i += 1
        }
        return atEOF ? n : nil
    }

    private static func isBlank(_ p: UnsafeBufferPointer<UInt8>, _ s: Int, _ e: Int) -> Bool {
        var i = s
        while i < e { if p[i] != 32 && p[i] != 9 { return false }; i += 1 }
        return true
    }
}

/// Field values and CSV text in bytes.
enum CSVText {
    /// The value of a raw field: for a quoted one, the quotes removed and doubled quotes undone.
    @inline(__always)
    static func value(_ p: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int, into out: inout [UInt8]) {
        if end > start && p[start] == 34 {
            var i = start + 1
            let e = end - 1
            while i < e {
                out.append(p[i])
                i += p[i] == 34 ? 2 : 1
            }
        } else {
            out.append(contentsOf: UnsafeBufferPointer(rebasing: p[start..<end]))
        }
    }

    static func string(_ p: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) -> String {
        var b: [UInt8] = []
        value(p, start, end, into: &b)
        return String(decoding: b, as: UTF8.self)
    }

    /// Writes a value as one CSV field: quoted (with doubled quotes) when it holds a comma, a
    /// quote, CR or LF, as Python's `csv.writer` does with QUOTE_MINIMAL.
    @inline(__always)
    static func appendField<C: Collection>(_ v: C, to out: inout [UInt8]) where C.Element == UInt8 {
        if v.contains(where: { $0 == 44 || $0 == 34 || $0 == 10 || $0 == 13 }) {
            out.append(34)
            for b in v { out.append(b); if b == 34 { out.append(34) } }
            out.append(34)
        } else {
            out.append(contentsOf: v)
        }
    }

    static func field(_ s: String) -> [UInt8] {
        var out: [UInt8] = []
        appendField(Array(s.utf8), to: &out)
        return out
    }
}
