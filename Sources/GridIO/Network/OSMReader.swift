import Foundation
import GridGeo

/// Reads OpenStreetMap data (`.osm.pbf`, `.osm` XML, and whatever else `osmium` reads) through
/// Debian's `osmium-tool`: `osmium tags-filter FILE w/highway -f opl -o -` writes the ways carrying
/// `highway` and the nodes they reference as OPL text (one object a line, docs.osmcode.org/opl-file-format),
/// which is parsed here. OPL keeps node ids, so junctions are exact (shared node ids), never a
/// matter of matching coordinates.
///
/// Node references with no node in the file (a way cut at an extract's edge) split the way there:
/// each run of two or more located nodes is kept as its own line, shorter runs are dropped.
enum OSMReader {
    /// The `osmium` executable on PATH, or nil.
    static func osmiumPath() -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        for dir in path.split(separator: ":") where !dir.isEmpty {
            let p = "\(dir)/osmium"
            if FileManager.default.isExecutableFile(atPath: p) { return p }
        }
        return nil
    }

    struct RawWay { var id: Int64; var refs: [Int64]; var tags: [String: String] }

    static func read(path: String, progress: ((String) -> Void)?) throws -> (ways: [NetworkWay], report: NetworkImportReport) {
        guard FileManager.default.isReadableFile(atPath: path) else { throw NetworkImportError("cannot read \(path)") }
        guard let osmium = osmiumPath() else {
            throw NetworkImportError("reading OpenStreetMap files needs the 'osmium' command from Debian's osmium-tool package (apt-get install osmium-tool, or scripts/setup); it is not on PATH")
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: osmium)
        process.arguments = ["tags-filter", "--no-progress", "-f", "opl", "-o", "-", path, "w/highway"]
        let out = Pipe()
        process.standardOutput = out
        // stderr to a file: a pipe nobody drains could fill and stall osmium while we read stdout.
        let errURL = FileManager.default.temporaryDirectory.appendingPathComponent("wangge-osmium-\(UUID().uuidString).err")
        FileManager.default.createFile(atPath: errURL.path, contents: nil)
        defer { try? FileManager.default.removeItem(at: errURL) }
        let errHandle = try FileHandle(forWritingTo: errURL)
        process.standardError = errHandle
        do { try process.run() } catch { throw NetworkImportError("cannot run \(osmium): \(error)") }
        try? errHandle.close()

        var nodes: [Int64: Coordinate] = [:]
        var ways: [RawWay] = []
        var parseError: NetworkImportError?
        var lineNo = 0
        var pending: [UInt8] = []
        let reader = out.fileHandleForReading
        func handle(_ line: ArraySlice<UInt8>) {
            lineNo += 1
            if lineNo % 200_000 == 0 { progress?("read \(lineNo) OSM objects (\(nodes.count) nodes, \(ways.count) ways)") }
            guard parseError == nil, let first = line.first else { return }
            do {
                if first == UInt8(ascii: "n") {
                    if let n = try parseNode(line) { nodes[n.0] = n.1 }
                } else if first == UInt8(ascii: "w") {
                    if let w = try parseWay(line) { ways.append(w) }
                }
            } catch let e as NetworkImportError {
                parseError = NetworkImportError("\(path): osmium's OPL line \(lineNo): \(e.description)")
            } catch {}
        }
        while true {
            let chunk = reader.availableData
            if chunk.isEmpty { break }
            pending.append(contentsOf: chunk)
            var start = pending.startIndex
            while let nl = pending[start...].firstIndex(of: 10) {
                handle(pending[start..<nl])
                start = nl + 1
            }
            pending.removeSubrange(..<start)
        }
        if !pending.isEmpty { handle(pending[...]) }
        process.waitUntilExit()
        if process.terminationStatus != 0 {
            let msg = (try? String(contentsOf: errURL, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
            throw NetworkImportError("\(path) is not readable OpenStreetMap data: osmium exited with status \(process.terminationStatus)" +
                                     (msg.isEmpty ? "" : ": \(msg)"))
        }
        if let parseError { throw parseError }
        progress?("read \(nodes.count) nodes and \(ways.count) highway ways")

        ways.sort { $0.id < $1.id }
        var report = NetworkImportReport(format: "osm")
        var out2: [NetworkWay] = []
        for w in ways {
            report.waysRead += 1
            if case .drop(let reason, let tag) = FootProfile.decide(w.tags) {
                report.drop(reason, tag: tag)
                continue
            }
            var runs: [(nodes: [Int64], coords: [Coordinate])] = [([], [])]
            for r in w.refs {
                if let c = nodes[r] {
                    runs[runs.count - 1].nodes.append(r); runs[runs.count - 1].coords.append(c)
                } else {
                    report.missingNodeRefs += 1
                    if !runs[runs.count - 1].nodes.isEmpty { runs.append(([], [])) }
                }
            }
            let usable = runs.filter { Set($0.nodes).count >= 2 }
            guard !usable.isEmpty else {
                report.drop(.tooFewNodes, tag: "highway=\(w.tags["highway"] ?? "")")
                continue
            }
            report.waysKept += 1
            report.keptByHighway[w.tags["highway"] ?? "(none)", default: 0] += 1
            var extra = JSONObject()
            for k in ["foot", "access", "bridge", "tunnel", "layer", "surface"] { if let v = w.tags[k] { extra[k] = .string(v) } }
            let extraText = extra.count > 0 ? JSONText.encode(.object(extra)) : nil
            for run in usable {
                out2.append(NetworkWay(nodes: run.nodes, coordinates: run.coords, highway: w.tags["highway"], name: w.tags["name"],
                                       osmWayId: w.id, extra: extraText))
            }
        }
        return (out2, report)
    }

    // MARK: OPL

    /// `n<id> v.. dV c.. t.. i.. u.. T<tags> x<lon> y<lat>`; nil for a deleted node or one without a location.
    static func parseNode(_ line: ArraySlice<UInt8>) throws -> (Int64, Coordinate)? {
        var id: Int64?, x: Double?, y: Double?
        for field in line.split(separator: UInt8(ascii: " ")) {
            let rest = field.dropFirst()
            switch field.first {
            case UInt8(ascii: "n"): id = Int64(String(decoding: rest, as: UTF8.self))
            case UInt8(ascii: "d"): if rest.first == UInt8(ascii: "D") { return nil }
            case UInt8(ascii: "x"): x = rest.isEmpty ? nil : Double(String(decoding: rest, as: UTF8.self))
            case UInt8(ascii: "y"): y = rest.isEmpty ? nil : Double(String(decoding: rest, as: UTF8.self))
            default: break
            }
        }
        guard let id else { throw NetworkImportError("a node without an id") }
        guard let x, let y else { return nil }
        guard x.isFinite, y.isFinite, (-180...180).contains(x), (-90...90).contains(y) else {
            throw NetworkImportError("node \(id) has an invalid location x=\(x) y=\(y)")
        }
        return (id, Coordinate(lon: x, lat: y))
    }

    /// `w<id> v.. dV c.. t.. i.. u.. T<k=v,...> N<n1,n2,...>`; nil for a deleted way.
    static func parseWay(_ line: ArraySlice<UInt8>) throws -> RawWay? {
        var id: Int64?, refs: [Int64] = [], tags: [String: String] = [:]
        for field in line.split(separator: UInt8(ascii: " ")) {
            let rest = field.dropFirst()
            switch field.first {
            case UInt8(ascii: "w"): id = Int64(String(decoding: rest, as: UTF8.self))
            case UInt8(ascii: "d"): if rest.first == UInt8(ascii: "D") { return nil }
            case UInt8(ascii: "T"): tags = try parseTags(rest)
            case UInt8(ascii: "N"):
                for r in rest.split(separator: UInt8(ascii: ",")) {
                    guard r.first == UInt8(ascii: "n"), let v = Int64(String(decoding: r.dropFirst(), as: UTF8.self)) else {
                        throw NetworkImportError("bad node reference '\(String(decoding: r, as: UTF8.self))'")
                    }
                    refs.append(v)
                }
            default: break
            }
        }
        guard let id else { throw NetworkImportError("a way without an id") }
        return RawWay(id: id, refs: refs, tags: tags)
    }

    static func parseTags(_ s: ArraySlice<UInt8>) throws -> [String: String] {
        var tags: [String: String] = [:]
        for kv in s.split(separator: UInt8(ascii: ",")) {
            guard let eq = kv.firstIndex(of: UInt8(ascii: "=")) else { throw NetworkImportError("bad tag '\(String(decoding: kv, as: UTF8.self))'") }
            tags[try unescape(kv[kv.startIndex..<eq])] = try unescape(kv[(eq + 1)...])
        }
        return tags
    }

    /// OPL escapes a character as `%` + its Unicode code point in hex + `%`.
    static func unescape(_ s: ArraySlice<UInt8>) throws -> String {
        guard s.contains(UInt8(ascii: "%")) else { return String(decoding: s, as: UTF8.self) }
        var bytes: [UInt8] = []
        var i = s.startIndex
        while i < s.endIndex {
            if s[i] == UInt8(ascii: "%") {
                guard let end = s[(i + 1)...].firstIndex(of: UInt8(ascii: "%")),
                      let cp = UInt32(String(decoding: s[(i + 1)..<end], as: UTF8.self), radix: 16),
                      let scalar = Unicode.Scalar(cp) else {
                    throw NetworkImportError("bad escape in '\(String(decoding: s, as: UTF8.self))'")
                }
                bytes.append(contentsOf: Array(String(Character(scalar)).utf8))
                i = end + 1
            } else {
                bytes.append(s[i]); i += 1
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
