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

    /// CSV from the file descriptor `input`, read as `wangge assign` reads it (RFC 4180, strict
    /// UTF-8 or a declared encoding; `ids` says where ids come from, never invented).
    public func runCSV(_ input: Int32, ids: PointColumns.IDSource, lon: String, lat: String, encoding: TextEncoding = .utf8) throws {
        try PointStream.csv(input, ids: ids, lon: lon, lat: lat, encoding: encoding, reader: reader, onHeader: { start() }) { buf, recs, first, parser in
            try buf.withUnsafeBufferPointer { p in
                for rec in recs.records[first...] {
                    do throws(PointInputError) {
                        let pt = try parser.point(p, recs, rec)
                        let id = parser.columns.id.map { k -> String in
                            let f = recs.field(rec, k)
                            return CSVText.string(p, f.start, f.end)
                        } ?? String(rec.line)
                        add(id, pt)
                    } catch {
                        var e = error
                        if e.line == nil { e.line = rec.line }
                        if !bad(e) { return true }
                    }
                }
                return false
            }
        }
        try finish()
    }

    /// A GeoJSON FeatureCollection of Point features, streamed feature by feature (its legacy
    /// `crs` member is the input CRS unless `crsGiven`).
    public func runGeoJSON(_ input: Int32, crsGiven: Bool) throws {
        start()
        var reader = self.reader
        try PointStream.geoJSON(input, reader: &reader, crsGiven: crsGiven, report: report) { r in
            switch r {
            case .success(let f): add(f.id, f.point); return true
            case .failure(let e): return bad(e)
            }
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
            let t = indexes.tiers, m = indexes.nearestMethod(query)
            write("{\"type\":\"FeatureCollection\","
                  + NearestAnswer.methodMembers(method: m.method, detourFactor: m.detourFactor, walkingSpeedKmh: t.walkingSpeedKmh, generation: indexes.generation)
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
