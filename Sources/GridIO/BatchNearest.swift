import Foundation
import Synchronization
import GridAnalysis
import GridGeo
import GridIndex

/// The streaming engine of `wangge nearest`: reads points in batches, answers each batch on all
/// cores from one immutable index set, writes the batch in input order. Memory stays flat: at
/// most one batch of points and its output text are held at a time. CSV output is
/// `NearestAnswer.csvHeader`, one row per station found.
public final class BatchNearest {
    let indexes: Indexes
    let query: NearestQuery
    let reader: PointReader
    let format: BatchFormat
    let output: FileHandle
    let stopOnError: Bool
    /// Where progress and bad-row reports go (stderr in the CLI).
    let report: (String) -> Void
    public private(set) var stoppedOnError = false
    public private(set) var skipped = 0

    private var ids: [String] = []
    private var points: [Coordinate] = []
    private var written = 0, rows = 0
    private var firstFeature = true
    private let started = Date()
    private var lastProgress = Date()
    static let batchSize = 1 << 14

    public init(indexes: Indexes, query: NearestQuery, reader: PointReader, format: BatchFormat, output: FileHandle, stopOnError: Bool,
                report: @escaping (String) -> Void) {
        self.indexes = indexes; self.query = query; self.reader = reader; self.format = format; self.output = output
        self.stopOnError = stopOnError; self.report = report
    }

    /// CSV with a header naming the id (optional: the line number stands in), lon and lat columns.
    public func runCSV(_ input: FileHandle, id idName: String, lon lonName: String, lat latName: String) throws {
        var columns: PointColumns?
        var lineNo = 0
        start()
        try LineReader(input).forEachLine { line in
            lineNo += 1
            let text = String(decoding: line, as: UTF8.self)
            if columns == nil {
                do { columns = try PointColumns(header: try CSV.fields(text), id: idName, lon: lonName, lat: latName) } catch let e as PointInputError {
                    throw BatchInputError(e.description)
                }
                return true
            }
            if line.allSatisfy({ $0 == 13 || $0 == 32 }) { return true }
            do {
                let f: [String]
                do { f = try CSV.fields(text.hasSuffix("\r") ? String(text.dropLast()) : text) } catch let e as CSV.SyntaxError {
                    throw PointInputError("malformed CSV: \(e.description)")
                }
                let c = columns!
                guard f.count >= c.needed else { throw PointInputError("expected at least \(c.needed) fields, found \(f.count)") }
                let p = try self.reader.point(lon: f[c.lon][...], lat: f[c.lat][...], lonField: c.lonName, latField: c.latName)
                self.add(c.id.map { f[$0] } ?? String(lineNo), p)
            } catch var e as PointInputError {
                e.line = lineNo
                return self.bad(e)
            }
            return true
        }
        try finish()
    }

    /// A GeoJSON FeatureCollection of Point features, streamed feature by feature.
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
        case .csv: write(NearestAnswer.csvHeader + "\n")
        case .geojson:
            let t = indexes.tiers
            write("{\"type\":\"FeatureCollection\","
                  + NearestAnswer.methodMembers(method: t.method, detourFactor: t.detourFactor, walkingSpeedKmh: t.walkingSpeedKmh, generation: indexes.generation)
                  + ",\"features\":[\n")
        case .jsonl: break
        }
    }

    func flush() {
        let n = points.count
        guard n > 0 else { return }
        let slices = Swift.max(1, Swift.min(ProcessInfo.processInfo.activeProcessorCount * 2, n / 256))
        let results = Mutex([(text: String, rows: Int)](repeating: ("", 0), count: slices))
        let (ids, points, indexes, query, format) = (self.ids, self.points, self.indexes, self.query, self.format)
        DispatchQueue.concurrentPerform(iterations: slices) { s in
            var text = "", r = 0
            for k in (s * n / slices)..<((s + 1) * n / slices) {
                let a = indexes.nearest(points[k], query)
                r += a.stations.count
                switch format {
                case .csv: text += a.csvRows(id: ids[k])
                case .jsonl: text += a.jsonLine(id: ids[k]); text += "\n"
                case .geojson:
                    guard !a.stations.isEmpty else { continue }
                    if !text.isEmpty { text += ",\n" }
                    text += a.geoJSONFeatures(queryId: ids[k])
                }
            }
            results.withLock { $0[s] = (text, r) }
        }
        for slot in results.withLock({ $0 }) where !slot.text.isEmpty {
            if format == .geojson {
                if !firstFeature { write(",\n") }
                firstFeature = false
            }
            write(slot.text)
            rows += slot.rows
        }
        written += n
        self.ids.removeAll(keepingCapacity: true)
        self.points.removeAll(keepingCapacity: true)
        if Date().timeIntervalSince(lastProgress) >= 1 {
            lastProgress = Date()
            report("answered \(written) points (\(Int(Double(written) / Date().timeIntervalSince(started))) /s)")
        }
    }

    func finish() throws {
        flush()
        if format == .geojson { write("\n]}\n") }
        let t = Date().timeIntervalSince(started)
        report("answered \(written) points in \(String(format: "%.2f", t)) s (\(Int(Double(written) / Swift.max(t, 1e-9))) /s): "
             + "\(rows) station row(s); skipped \(skipped) bad row(s)"
             + (stoppedOnError ? "; stopped at the first bad row (--on-error stop)" : ""))
    }

    func write(_ s: String) { output.write(Data(s.utf8)) }
}
