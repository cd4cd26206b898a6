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

/// The streaming engine of `wangge assign`: reads records in batches, assigns each batch on all
/// cores (the index is immutable, so threads share it freely), writes the batch in input order.
/// Memory stays flat: at most one batch of points and its output text are held at a time.
public final class BatchAssigner {
    let index: AssignmentIndex
    let reader: PointReader
    let format: BatchFormat
    let output: FileHandle
    let stopOnError: Bool
    let nearest: Bool
    /// Where progress and bad-row reports go (stderr in the CLI).
    let report: (String) -> Void
    public private(set) var stoppedOnError = false

    private var ids: [String] = []
    private var points: [Coordinate] = []
    private var written = 0, skipped = 0, boundary = 0, outsideAll = 0
    private var firstFeature = true
    private let started = Date()
    private var lastProgress = Date()
    static let batchSize = 1 << 16

    public init(index: AssignmentIndex, reader: PointReader, format: BatchFormat, output: FileHandle, stopOnError: Bool, nearest: Bool,
                report: @escaping (String) -> Void) {
        self.index = index; self.reader = reader; self.format = format; self.output = output; self.stopOnError = stopOnError
        self.nearest = nearest; self.report = report
    }

    // MARK: CSV

    public func runCSV(_ input: FileHandle, id idName: String, lon lonName: String, lat latName: String) throws {
        var columns: PointColumns?
        var lineNo = 0
        start()
        try LineReader(input).forEachLine { line in
            lineNo += 1
            if columns == nil {
                do {
                    columns = try PointColumns(header: try CSV.fields(String(decoding: line, as: UTF8.self)), id: idName, lon: lonName, lat: latName)
                } catch let e as PointInputError {
                    throw BatchInputError(e.description)
                }
                return true
            }
            if line.allSatisfy({ $0 == 13 || $0 == 32 }) { return true }
            do {
                let (id, p) = try self.parseCSV(line, columns!, lineNo)
                self.add(id, p)
            } catch var e as PointInputError {
                e.line = lineNo
                return self.bad(e)
            }
            return true
        }
        try finish()
    }

    /// Splits on commas without building Strings for the common unquoted row; quoted rows go
    /// through the RFC 4180 parser.
    func parseCSV(_ line: ArraySlice<UInt8>, _ c: PointColumns, _ lineNo: Int) throws -> (String, Coordinate) {
        if line.contains(34) {  // a quote
            let f: [String]
            do { f = try CSV.fields(String(decoding: line, as: UTF8.self)) } catch let e as CSV.SyntaxError {
                throw PointInputError("malformed CSV: \(e.description)")
            }
            guard f.count >= c.needed else { throw PointInputError("expected at least \(c.needed) fields, found \(f.count)") }
            let p = try reader.point(lon: f[c.lon][...], lat: f[c.lat][...], lonField: c.lonName, latField: c.latName)
            return (c.id.map { f[$0] } ?? String(lineNo), p)
        }
        var starts: [Int] = [line.startIndex]
        starts.reserveCapacity(8)
        for i in line.indices where line[i] == 44 { starts.append(i + 1) }
        guard starts.count >= c.needed else { throw PointInputError("expected at least \(c.needed) fields, found \(starts.count)") }
        func field(_ k: Int) -> ArraySlice<UInt8> {
            let end = k + 1 < starts.count ? starts[k + 1] - 1 : line.endIndex
            var e = end
            while e > starts[k], line[e - 1] == 13 { e -= 1 }
            return line[starts[k]..<e]
        }
        let lon = try Self.double(field(c.lon), name: c.lonName), lat = try Self.double(field(c.lat), name: c.latName)
        let p = try reader.point(lon: lon, lat: lat, lonField: c.lonName, latField: c.latName)
        return (c.id.map { String(decoding: field($0), as: UTF8.self) } ?? String(lineNo), p)
    }

    /// strtod on the bytes; anything it does not consume in full gets PointReader's message.
    static func double(_ bytes: ArraySlice<UInt8>, name: String) throws -> Double {
        var buf = [CChar](repeating: 0, count: bytes.count + 1)
        for (k, b) in bytes.enumerated() { buf[k] = CChar(bitPattern: b) }
        var v = 0.0
        let ok = buf.withUnsafeBufferPointer { p -> Bool in
            var end: UnsafeMutablePointer<CChar>?
            v = strtod(p.baseAddress!, &end)
            guard let end, bytes.count > 0 else { return false }
            var rest = end
            while rest.pointee == 32 { rest += 1 }
            return rest.pointee == 0 && end != UnsafeMutablePointer(mutating: p.baseAddress!)
        }
        if ok && v.isFinite { return v }
        return try PointReader.number(Substring(String(decoding: bytes, as: UTF8.self)), field: name)
    }

    // MARK: GeoJSON

    public func runGeoJSON(_ input: FileHandle) throws {
        start()
        try FeatureScanner(input).forEachFeature { bytes, featureIndex, line in
            do {
                let value: JSONValue
                do { value = try JSONParser.parse(Array(bytes)) } catch let e as JSONSyntaxError {
                    throw PointInputError("invalid JSON: \(e.message)")
                }
                let f = try self.reader.feature(value)
                self.add(f.id ?? String(featureIndex), f.point)
            } catch var e as PointInputError {
                e.featureIndex = featureIndex
                e.line = line
                return self.bad(e)
            }
            return true
        }
        try finish()
    }

    // MARK: batches

    func add(_ id: String, _ p: Coordinate) {
        ids.append(id); points.append(p)
        if points.count >= Self.batchSize { flush() }
    }

    /// Reports a bad record; false stops the run.
    func bad(_ e: PointInputError) -> Bool {
        skipped += 1
        if skipped <= 100 || stopOnError { report("bad row: \(e.description)") }
        if skipped == 101 { report("(further bad rows are counted, not listed)") }
        if stopOnError { stoppedOnError = true; return false }
        return true
    }

    func start() {
        switch format {
        case .csv: write(Assignment.csvHeader + "\n")
        case .geojson: write("{\"type\":\"FeatureCollection\",\"features\":[\n")
        case .jsonl: break
        }
    }

    func flush() {
        let n = points.count
        guard n > 0 else { return }
        let slices = Swift.max(1, Swift.min(ProcessInfo.processInfo.activeProcessorCount * 2, n / 1024))
        // Each slice's text and counts land in their own slot; the mutex is taken once per slice.
        let results = Mutex([(text: String, boundary: Int, outside: Int)](repeating: ("", 0, 0), count: slices))
        let (ids, points, index, format, nearest) = (self.ids, self.points, self.index, self.format, self.nearest)
        DispatchQueue.concurrentPerform(iterations: slices) { s in
            var text = ""
            text.reserveCapacity((n / slices + 1) * 120)
            var b = 0, o = 0
            for k in (s * n / slices)..<((s + 1) * n / slices) {
                let a = index.assign(points[k], nearest: nearest)
                if a.boundary { b += 1 }
                if a.grid == nil { o += 1 }
                switch format {
                case .csv: text += a.csvRow(id: ids[k]); text += "\n"
                case .jsonl: text += a.jsonLine(id: ids[k]); text += "\n"
                case .geojson:
                    if k > 0 { text += ",\n" }
                    text += a.geoJSONFeature(id: ids[k])
                }
            }
            results.withLock { $0[s] = (text, b, o) }
        }
        let slots = results.withLock { $0 }
        let chunks = slots.map(\.text), counts = slots.map { ($0.boundary, $0.outside) }
        for (s, text) in chunks.enumerated() {
            if format == .geojson && !firstFeature && s == 0 { write(",\n") }
            write(text)
        }
        firstFeature = false
        for c in counts { boundary += c.0; outsideAll += c.1 }
        written += n
        self.ids.removeAll(keepingCapacity: true)
        self.points.removeAll(keepingCapacity: true)
        if Date().timeIntervalSince(lastProgress) >= 1 {
            lastProgress = Date()
            let rate = Double(written) / Date().timeIntervalSince(started)
            report("assigned \(written) points (\(Int(rate)) /s)")
        }
    }

    func finish() throws {
        flush()
        if format == .geojson { write("\n]}\n") }
        let t = Date().timeIntervalSince(started)
        report("assigned \(written) points in \(String(format: "%.2f", t)) s (\(Int(Double(written) / Swift.max(t, 1e-9))) /s): "
             + "\(boundary) on a grid boundary, \(outsideAll) outside every grid; skipped \(skipped) bad row(s)"
             + (stoppedOnError ? "; stopped at the first bad row (--on-error stop)" : ""))
    }

    func write(_ s: String) { output.write(Data(s.utf8)) }
}

