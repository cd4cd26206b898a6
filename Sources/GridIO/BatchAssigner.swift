import Foundation
import Synchronization
import GridGeo
import GridIndex

/// Output formats of a batch: CSV under `Assignment.csvHeader`, a GeoJSON FeatureCollection, or
/// one JSON object per line.
public enum BatchFormat: String, CaseIterable, Sendable {
    case csv, geojson, jsonl

    /// From an output path's extension; CSV when there is none.
    public static func fromExtension(_ path: String?) -> BatchFormat {
        let p = path?.lowercased() ?? ""
        if p.hasSuffix(".geojson") || p.hasSuffix(".json") { return .geojson }
        if p.hasSuffix(".jsonl") || p.hasSuffix(".ndjson") { return .jsonl }
        return .csv
    }
}

/// The input of a batch could not be read at all (as opposed to a bad row, which is reported and
/// skipped or stops the run).
public struct BatchInputError: Error, CustomStringConvertible, Sendable {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// The streaming engine of `wangge assign`. A CSV input is read in 4 MiB chunks; one thread
/// splits each chunk into records (RFC 4180, `CSVScanner`), then every core takes a slice of the
/// records and parses, assigns and writes them into its own buffer (the index and its text table
/// are immutable, so threads share them freely), and the buffers go out in input order. Memory
/// stays flat: one chunk, its records and their output text at a time.
public final class BatchAssigner {
    let index: AssignmentIndex
    let text: AssignmentText
    var reader: PointReader
    let format: BatchFormat
    let output: Int32
    let stopOnError: Bool
    let nearest: Bool
    /// Where progress and bad-row reports go (stderr in the CLI).
    let report: (String) -> Void
    public private(set) var stoppedOnError = false

    private var written = 0, skipped = 0, boundary = 0, outsideAll = 0
    private var wroteFeature = false
    private let started = Date()
    private var lastProgress = Date()
    static let chunkSize = 4 << 20
    static let pointBatch = 1 << 16

    /// `output` is a file descriptor the answers are written to (it is not closed).
    public init(index: AssignmentIndex, reader: PointReader, format: BatchFormat, output: Int32, stopOnError: Bool, nearest: Bool,
                report: @escaping (String) -> Void) {
        self.index = index; self.text = AssignmentText.of(index)
        self.reader = reader; self.format = format; self.output = output; self.stopOnError = stopOnError
        self.nearest = nearest; self.report = report
    }

    // MARK: CSV

    /// Reads CSV from the file descriptor `input`: a header naming the columns (`ids` says where
    /// ids come from), then one point per record, in `encoding` (strict UTF-8 by default).
    public func runCSV(_ input: Int32, ids: PointColumns.IDSource, lon: String, lat: String, encoding: TextEncoding = .utf8) throws {
        do {
            try PointStream.csv(input, ids: ids, lon: lon, lat: lat, encoding: encoding, reader: reader,
                                onHeader: { start() },  // no output at all unless the header is good
                                body: { p, recs, first, parser in processCSV(p, recs, first, parser) })
        } catch let e as BatchInputError where stoppedOnError {
            _ = e  // stopped at a bad row before the input ended
        }
        try finish()
    }

    /// One slice's output: the text, the bad rows met, and counts.
    private struct SliceResult {
        var text: [UInt8] = []
        var problems: [PointInputError] = []
        var problemCount = 0
        /// Length of `text` when the first bad row was met (stop on error).
        var textAtFirstProblem = -1
        var points = 0, boundary = 0, outside = 0
    }

    /// Parses, assigns and writes records[first...] on every core; false when the run goes on.
    private func processCSV(_ buf: [UInt8], _ recs: CSVRecords, _ first: Int, _ parser: CSVPointParser) -> Bool {
        let count = recs.records.count - first
        let slices = Swift.max(1, Swift.min(ProcessInfo.processInfo.activeProcessorCount * 2, count / 2048))
        let results = Mutex([SliceResult](repeating: SliceResult(), count: slices))
        let (index, text, format, nearest, stopOnError, idColumn) = (self.index, self.text, self.format, self.nearest, self.stopOnError, parser.columns.id)
        DispatchQueue.concurrentPerform(iterations: slices) { s in
            // Each thread reads the shared bytes and table through its own pointers.
            buf.withUnsafeBufferPointer { p in text.withView { view in
                var r = SliceResult()
                let lo = first + s * count / slices, hi = first + (s + 1) * count / slices
                r.text.reserveCapacity((hi - lo) * 100)
                for k in lo..<hi {
                    let rec = recs.records[k]
                    let pt: Coordinate
                    do throws(PointInputError) { pt = try parser.point(p, recs, rec) } catch {
                        var e = error
                        if e.line == nil { e.line = rec.line }
                        if r.problems.count <= 100 { r.problems.append(e) }
                        r.problemCount += 1
                        if stopOnError { r.textAtFirstProblem = r.text.count; break }
                        continue
                    }
                    let id = idColumn.map { recs.field(rec, $0) }
                    let pl = index.place(pt)
                    r.points += 1
                    if pl.boundary { r.boundary += 1 }
                    if pl.grid < 0 { r.outside += 1 }
                    switch format {
                    case .csv:
                        if let id {
                            if p[id.start] == 34 { r.text.append(contentsOf: UnsafeBufferPointer(rebasing: p[id.start..<id.end])) }
                            else { CSVText.appendField(UnsafeBufferPointer(rebasing: p[id.start..<id.end]), to: &r.text) }
                        } else {
                            ByteText.append(String(rec.line), to: &r.text)
                        }
                        r.text.append(44)
                        if pl.coveringCount <= 1 && (pl.grid >= 0 || !nearest) {
                            AnswerWriter.csvAfterID(pl, view, into: &r.text)
                        } else {
                            AnswerWriter.csvAfterID(index.assign(pt, nearest: nearest), into: &r.text)
                        }
                        r.text.append(10)
                    case .jsonl, .geojson:
                        let idText = id.map { CSVText.string(p, $0.start, $0.end) } ?? String(rec.line)
                        Self.writeJSON(index.assign(pt, nearest: nearest), id: idText, format, view, into: &r.text)
                    }
                }
                results.withLock { $0[s] = r }
            } }
        }
        return emit(results.withLock { $0 })
    }

    @inline(__always)
    static func writeJSON(_ a: Assignment, id: String, _ format: BatchFormat, _ view: AssignmentText.View, into out: inout [UInt8]) {
        if format == .jsonl {
            AnswerWriter.jsonLine(a, id: id, view, into: &out)
            out.append(10)
        } else {
            out.append(44); out.append(10)  // every feature is preceded by ",\n"; `emit` drops the very first
            AnswerWriter.feature(a, id: id, withDistances: false, view, into: &out)
        }
    }

    /// Writes the slices in order and reports their bad rows; true when the run stops here.
    private func emit(_ slices: [SliceResult]) -> Bool {
        for r in slices {
            if outputError != nil { return true }
            for e in r.problems { note(e) }
            skipped += r.problemCount
            if r.problemCount > r.problems.count { noteCountOnly() }
            written += r.points; boundary += r.boundary; outsideAll += r.outside
            if r.textAtFirstProblem >= 0 {
                writeAnswers(r.text[..<r.textAtFirstProblem])
                stoppedOnError = true
                return true
            }
            writeAnswers(r.text[...])
        }
        progress()
        return false
    }

    // MARK: GeoJSON

    /// Reads a GeoJSON FeatureCollection of Points from `input`, feature by feature. Its legacy
    /// `crs` member, when it comes before the features, is the input CRS unless `crsGiven`.
    public func runGeoJSON(_ input: Int32, crsGiven: Bool) throws {
        start()
        var ids: [String] = [], points: [Coordinate] = []
        try PointStream.geoJSON(input, reader: &reader, crsGiven: crsGiven, report: report) { r in
            switch r {
            case .success(let f):
                ids.append(f.id); points.append(f.point)
                if points.count >= Self.pointBatch {
                    processPoints(ids, points)
                    ids.removeAll(keepingCapacity: true); points.removeAll(keepingCapacity: true)
                }
            case .failure(let e):
                processPoints(ids, points)
                ids.removeAll(keepingCapacity: true); points.removeAll(keepingCapacity: true)
                note(e)
                skipped += 1
                if stopOnError { stoppedOnError = true; return false }
            }
            return true
        }
        if !stoppedOnError { processPoints(ids, points) }
        try finish()
    }

    /// Assigns and writes already-read points on every core.
    private func processPoints(_ ids: [String], _ points: [Coordinate]) {
        let n = points.count
        guard n > 0 else { return }
        let slices = Swift.max(1, Swift.min(ProcessInfo.processInfo.activeProcessorCount * 2, n / 1024))
        let results = Mutex([SliceResult](repeating: SliceResult(), count: slices))
        let (index, text, format, nearest) = (self.index, self.text, self.format, self.nearest)
        DispatchQueue.concurrentPerform(iterations: slices) { s in
            text.withView { view in
                var r = SliceResult()
                for k in (s * n / slices)..<((s + 1) * n / slices) {
                    let a = index.assign(points[k], nearest: nearest)
                    r.points += 1
                    if a.boundary { r.boundary += 1 }
                    if a.grid == nil { r.outside += 1 }
                    if format == .csv {
                        CSVText.appendField(Array(ids[k].utf8), to: &r.text)
                        r.text.append(44)
                        AnswerWriter.csvAfterID(a, into: &r.text)
                        r.text.append(10)
                    } else {
                        Self.writeJSON(a, id: ids[k], format, view, into: &r.text)
                    }
                }
                results.withLock { $0[s] = r }
            }
        }
        _ = emit(results.withLock { $0 })
    }

    // MARK: output and reports

    func start() {
        switch format {
        case .csv: writeAnswers(Array((Assignment.csvHeader + "\n").utf8)[...])
        case .geojson: writeAnswers(Array("{\"type\":\"FeatureCollection\",\"features\":[\n".utf8)[...])
        case .jsonl: break
        }
    }

    func finish() throws {
        if let outputError { throw BatchInputError(outputError) }
        if format == .geojson { writeAnswers(Array("\n]}\n".utf8)[...]) }
        let t = Date().timeIntervalSince(started)
        report("assigned \(written) points in \(String(format: "%.2f", t)) s (\(Int(Double(written) / Swift.max(t, 1e-9))) /s): "
             + "\(boundary) on a grid boundary, \(outsideAll) outside every grid; skipped \(skipped) bad row(s)"
             + (stoppedOnError ? "; stopped at the first bad row (--on-error stop)" : ""))
    }

    /// Set when writing failed (a full disk, a closed pipe): the run stops and throws it.
    private var outputError: String?
    private var listed = 0
    private var saidCountOnly = false

    func note(_ e: PointInputError) {
        if listed < 100 || stopOnError { report("bad row: \(e.description)"); listed += 1 } else { noteCountOnly() }
    }

    func noteCountOnly() {
        if !saidCountOnly { report("(further bad rows are counted, not listed)"); saidCountOnly = true }
    }

    func progress() {
        if Date().timeIntervalSince(lastProgress) >= 1 {
            lastProgress = Date()
            let rate = Double(written) / Date().timeIntervalSince(started)
            report("assigned \(written) points (\(Int(rate)) /s)")
        }
    }

    /// Writes answer text; the first GeoJSON feature loses the separator every feature carries.
    func writeAnswers(_ bytes: ArraySlice<UInt8>) {
        guard outputError == nil else { return }
        var b = bytes
        if format == .geojson && !wroteFeature && b.count >= 2 && b.first == 44 {
            b = b.dropFirst(2)
            wroteFeature = true
        }
        b.withUnsafeBytes { raw in
            var off = 0
            while off < raw.count {
                let w = Foundation.write(output, raw.baseAddress! + off, raw.count - off)
                if w < 0 {
                    if errno == EINTR { continue }
                    outputError = "cannot write the output: \(String(cString: strerror(errno)))"
                    return
                }
                off += w
            }
        }
    }
}
