import ArgumentParser
import Foundation
import GridAnalysis
import GridGeo
import GridStore

struct Assign: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Assign points to grids in bulk: CSV (id,lon,lat) or GeoJSON points in, one row per point out.",
        discussion: """
            Streams: memory stays flat however many points there are. Output columns (CSV):
              \(Assignment.csvHeader)
            candidates are ';'-separated (every grid covering the point; on a shared edge or vertex
            there are several and boundary is true); the primary grid_id is the smallest covering id.
            Outside every grid, grid_id is empty; with --nearest, nearest_grid_id / nearest_m name the
            nearest grid and its geodesic distance in metres.
            Example: wangge assign points.csv --crs gcj02 --out assigned.csv
            """)

    @OptionGroup var store: StoreOptions

    @Argument(help: "Points: .csv (header with lon and lat columns) or .geojson (FeatureCollection of Points); - for standard input (CSV).")
    var file: String

    @Option(help: "CRS of the input coordinates: wgs84 (default), cgcs2000, gcj02, bd09 or EPSG:nnnn.")
    var crs: String = "wgs84"

    @Option(name: .shortAndLong, help: "Output file (default: standard output).")
    var out: String?

    @Option(help: "csv, geojson or jsonl (default: from the --out extension, else csv).")
    var format: OutputFormat?

    @Option(help: "CSV column holding the longitude (or easting).")
    var lonColumn: String = "lon"
    @Option(help: "CSV column holding the latitude (or northing).")
    var latColumn: String = "lat"
    @Option(help: "CSV column holding the point id (default id; the line number when absent).")
    var idColumn: String = "id"

    @Flag(help: "For points outside every grid, also find the nearest grid and its geodesic distance (nearest_grid_id, nearest_m).")
    var nearest = false

    @Option(help: "On a bad row: skip it (report it and go on) or stop.")
    var onError: ErrorPolicy = .skip

    enum OutputFormat: String, ExpressibleByArgument, CaseIterable { case csv, geojson, jsonl }
    enum ErrorPolicy: String, ExpressibleByArgument, CaseIterable { case skip, stop }

    func run() throws {
        let parsedCRS: CRS
        do { parsedCRS = try CRS(parsing: crs) } catch { throw ValidationError("--crs: \(error)") }
        let fmt = format ?? Self.formatFromExtension(out)
        let isGeoJSON = file.lowercased().hasSuffix(".geojson") || file.lowercased().hasSuffix(".json")
        guard let input = file == "-" ? FileHandle.standardInput : FileHandle(forReadingAtPath: file) else {
            throw ValidationError("cannot read \(file)")
        }
        let db = try store.open()
        let index = try AssignmentIndex.build(from: db)
        note("index of \(index.gridInfo.count) grids and \(index.compoundInfo.count) compounds (generation \(index.generation)) built in \(String(format: "%.2f", index.buildSeconds)) s")

        let output: FileHandle
        if let out {
            guard FileManager.default.createFile(atPath: out, contents: nil), let h = FileHandle(forWritingAtPath: out) else {
                throw ValidationError("cannot write \(out)")
            }
            output = h
        } else {
            output = FileHandle.standardOutput
        }
        let runner = BatchAssigner(index: index, reader: try PointReader(crs: parsedCRS), format: fmt, output: output, stopOnError: onError == .stop, nearest: nearest)
        if isGeoJSON {
            try runner.runGeoJSON(input)
        } else {
            try runner.runCSV(input, id: idColumn, lon: lonColumn, lat: latColumn)
        }
        if out != nil { try output.close() }
        if runner.stoppedOnError { throw ExitCode(1) }
    }

    static func formatFromExtension(_ path: String?) -> OutputFormat {
        let p = path?.lowercased() ?? ""
        if p.hasSuffix(".geojson") || p.hasSuffix(".json") { return .geojson }
        if p.hasSuffix(".jsonl") || p.hasSuffix(".ndjson") { return .jsonl }
        return .csv
    }
}

/// The streaming engine of `wangge assign`: reads records in batches, assigns each batch on all
/// cores (the index is immutable, so threads share it freely), writes the batch in input order.
final class BatchAssigner {
    let index: AssignmentIndex
    let reader: PointReader
    let format: Assign.OutputFormat
    let output: FileHandle
    let stopOnError: Bool
    let nearest: Bool
    private(set) var stoppedOnError = false

    private var ids: [String] = []
    private var points: [Coordinate] = []
    private var written = 0, skipped = 0, boundary = 0, outsideAll = 0
    private var firstFeature = true
    private let started = Date()
    private var lastProgress = Date()
    static let batchSize = 1 << 16

    init(index: AssignmentIndex, reader: PointReader, format: Assign.OutputFormat, output: FileHandle, stopOnError: Bool, nearest: Bool) {
        self.index = index; self.reader = reader; self.format = format; self.output = output; self.stopOnError = stopOnError
        self.nearest = nearest
    }

    // MARK: CSV

    func runCSV(_ input: FileHandle, id idName: String, lon lonName: String, lat latName: String) throws {
        var columns: PointColumns?
        var lineNo = 0
        start()
        try LineReader(input).forEachLine { line in
            lineNo += 1
            if columns == nil {
                do {
                    columns = try PointColumns(header: try CSV.fields(String(decoding: line, as: UTF8.self)), id: idName, lon: lonName, lat: latName)
                } catch let e as PointInputError {
                    throw ValidationError("\(e.description)")
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

    func runGeoJSON(_ input: FileHandle) throws {
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
        if skipped <= 100 || stopOnError { note("bad row: \(e.description)") }
        if skipped == 101 { note("(further bad rows are counted, not listed)") }
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
        var chunks = [String](repeating: "", count: slices)
        var counts = [(Int, Int)](repeating: (0, 0), count: slices)
        let (ids, points, index, format, nearest) = (self.ids, self.points, self.index, self.format, self.nearest)
        chunks.withUnsafeMutableBufferPointer { out in
            counts.withUnsafeMutableBufferPointer { cnt in
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
                    out[s] = text
                    cnt[s] = (b, o)
                }
            }
        }
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
            note("assigned \(written) points (\(Int(rate)) /s)")
        }
    }

    func finish() throws {
        flush()
        if format == .geojson { write("\n]}\n") }
        let t = Date().timeIntervalSince(started)
        note("assigned \(written) points in \(String(format: "%.2f", t)) s (\(Int(Double(written) / Swift.max(t, 1e-9))) /s): "
             + "\(boundary) on a grid boundary, \(outsideAll) outside every grid; skipped \(skipped) bad row(s)"
             + (stoppedOnError ? "; stopped at the first bad row (--on-error stop)" : ""))
    }

    func write(_ s: String) { output.write(Data(s.utf8)) }
}

/// Lines of a file read in 1 MiB chunks: memory stays flat for any file size.
struct LineReader {
    let handle: FileHandle
    init(_ handle: FileHandle) { self.handle = handle }

    /// Calls body with each line (without the newline); body returns false to stop.
    func forEachLine(_ body: (ArraySlice<UInt8>) throws -> Bool) throws {
        var pending: [UInt8] = []
        while true {
            let chunk = handle.readData(ofLength: 1 << 20)
            if chunk.isEmpty { break }
            pending.append(contentsOf: chunk)
            var start = 0
            while let nl = pending[start...].firstIndex(of: 10) {
                if try !body(pending[start..<nl]) { return }
                start = nl + 1
            }
            pending.removeFirst(start)
        }
        if !pending.isEmpty { _ = try body(pending[...]) }
    }
}

/// Finds the members of a FeatureCollection's top-level "features" array in a byte stream
/// without reading the whole file: each feature's bytes are handed out on their own.
struct FeatureScanner {
    let handle: FileHandle
    init(_ handle: FileHandle) { self.handle = handle }

    func forEachFeature(_ body: (_ bytes: [UInt8], _ index: Int, _ line: Int) throws -> Bool) throws {
        var depth = 0, inString = false, escape = false
        var key: [UInt8] = [], lastKey = "", readingKey = false
        var inFeatures = false, sawFeatures = false
        var capture: [UInt8] = [], capturing = false, captureLine = 1
        var line = 1, index = 0
        while true {
            let chunk = handle.readData(ofLength: 1 << 20)
            if chunk.isEmpty { break }
            for b in chunk {
                if b == 10 { line += 1 }
                if capturing { capture.append(b) }
                if inString {
                    if escape { escape = false } else if b == 92 { escape = true } else if b == 34 {
                        inString = false
                        if readingKey { lastKey = String(decoding: key, as: UTF8.self); readingKey = false }
                    } else if readingKey { key.append(b) }
                    continue
                }
                switch b {
                case 34:
                    inString = true
                    if depth == 1 && !capturing { readingKey = true; key.removeAll() }
                case 123, 91:  // { [
                    if depth == 1 && b == 91 && lastKey == "features" { inFeatures = true; sawFeatures = true }
                    else if depth == 2 && inFeatures && b == 123 {
                        capturing = true; capture = [b]; captureLine = line
                    }
                    depth += 1
                case 125, 93:  // } ]
                    depth -= 1
                    if capturing && depth == 2 {
                        capturing = false
                        if try !body(capture, index, captureLine) { return }
                        index += 1
                    }
                    if depth == 1 && inFeatures && b == 93 { inFeatures = false }
                default: break
                }
            }
        }
        guard sawFeatures else {
            throw ValidationError("the GeoJSON input has no top-level \"features\" array (expected a FeatureCollection of Points)")
        }
    }
}
