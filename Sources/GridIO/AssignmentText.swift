import Synchronization
import GridGeo
import GridIndex

/// JSON and CSV text in bytes, shared by the answer writers.
enum ByteText {
    /// A JSON string literal: the same escapes as `JSONText.quoted`.
    @inline(__always)
    static func jsonString(_ s: String, into out: inout [UInt8]) {
        out.append(34)
        for b in s.utf8 {
            switch b {
            case 34: out.append(92); out.append(34)
            case 92: out.append(92); out.append(92)
            case 10: out.append(92); out.append(110)
            case 13: out.append(92); out.append(114)
            case 9: out.append(92); out.append(116)
            case 0..<0x20:
                let hex = Array("0123456789abcdef".utf8)
                out.append(contentsOf: [92, 117, 48, 48, hex[Int(b >> 4)], hex[Int(b & 15)]])
            default: out.append(b)
            }
        }
        out.append(34)
    }

    @inline(__always)
    static func append(_ s: String, to out: inout [UInt8]) { out.append(contentsOf: s.utf8) }

    @inline(__always)
    static func jsonNumber(_ d: Double, into out: inout [UInt8]) { out.append(contentsOf: JSONText.number(d).utf8) }

    /// `{"id":…,"name":…}` or `null`: how an answer names a grid, compound or parent.
    static func ref(_ id: String?, _ name: String?, into out: inout [UInt8]) {
        guard let id else { append("null", to: &out); return }
        append("{\"id\":", to: &out); jsonString(id, into: &out)
        append(",\"name\":", to: &out)
        if let name { jsonString(name, into: &out) } else { append("null", to: &out) }
        out.append(125)
    }
}

/// Where the text of the parts of an answer comes from: encoded on the spot (one answer, as in
/// `GET /assign`) or copied from a per-index table (batches).
protocol AnswerFragments {
    /// `"grid":{…},"community":{…},"street":{…},"district":{…}`
    func chain(_ g: GridInfo, into out: inout [UInt8])
    /// `{"name":…,"phone":…}` or `null`
    func worker(_ g: GridInfo, into out: inout [UInt8])
    /// `{"id":…,"name":…}`
    func ref(_ g: GridInfo, into out: inout [UInt8])
    func ref(_ c: CompoundInfo, into out: inout [UInt8])
    /// the grid id as a JSON string
    func quotedID(_ g: GridInfo, into out: inout [UInt8])
}

/// Encodes every part when asked.
struct EncodedFragments: AnswerFragments {
    func chain(_ g: GridInfo, into out: inout [UInt8]) {
        ByteText.append("\"grid\":", to: &out); ByteText.ref(g.id, g.name, into: &out)
        ByteText.append(",\"community\":", to: &out); ByteText.ref(g.communityId, g.communityName, into: &out)
        ByteText.append(",\"street\":", to: &out); ByteText.ref(g.streetId, g.streetName, into: &out)
        ByteText.append(",\"district\":", to: &out); ByteText.ref(g.districtId, g.districtName, into: &out)
    }
    func worker(_ g: GridInfo, into out: inout [UInt8]) {
        guard g.workerName != nil || g.workerPhone != nil else { ByteText.append("null", to: &out); return }
        ByteText.append("{\"name\":", to: &out)
        if let n = g.workerName { ByteText.jsonString(n, into: &out) } else { ByteText.append("null", to: &out) }
        ByteText.append(",\"phone\":", to: &out)
        if let n = g.workerPhone { ByteText.jsonString(n, into: &out) } else { ByteText.append("null", to: &out) }
        out.append(125)
    }
    func ref(_ g: GridInfo, into out: inout [UInt8]) { ByteText.ref(g.id, g.name, into: &out) }
    func ref(_ c: CompoundInfo, into out: inout [UInt8]) { ByteText.ref(c.id, c.name, into: &out) }
    func quotedID(_ g: GridInfo, into out: inout [UInt8]) { ByteText.jsonString(g.id, into: &out) }
}

/// The text of every grid's and compound's part of an answer, encoded once per
/// `AssignmentIndex` and kept in one flat byte array (copying from it touches no reference
/// counts, which matters when every core writes answers at once). `AssignmentText.of(index)`
/// builds it on first use and caches it by the index's identity.
public final class AssignmentText: Sendable {
    enum Part: Int, CaseIterable { case chain, worker, ref, quotedID, csvChain, csvID }
    /// Parts per grid and per compound (literals, not `allCases.count`: no lazy static on the hot path).
    static var gridParts: Int { 6 }
    static var compoundParts: Int { 2 }
    enum CompoundPart: Int, CaseIterable { case ref, csvID }

    let bytes: [UInt8]
    /// start, end of part p of grid g at 2 * (g * gridParts + p); compounds follow the grids.
    let spans: [Int32]
    let gridCount: Int

    public init(_ index: AssignmentIndex) {
        var bytes: [UInt8] = [], spans: [Int32] = []
        func add(_ body: (inout [UInt8]) -> Void) {
            spans.append(Int32(bytes.count)); body(&bytes); spans.append(Int32(bytes.count))
        }
        let enc = EncodedFragments()
        for g in index.gridInfo {
            add { enc.chain(g, into: &$0) }
            add { enc.worker(g, into: &$0) }
            add { enc.ref(g, into: &$0) }
            add { enc.quotedID(g, into: &$0) }
            add { out in
                for (k, v) in [g.id, g.communityId, g.streetId, g.districtId].enumerated() {
                    if k > 0 { out.append(44) }
                    if let v { CSVText.appendField(Array(v.utf8), to: &out) }
                }
            }
            add { CSVText.appendField(Array(g.id.utf8), to: &$0) }
        }
        for c in index.compoundInfo {
            add { enc.ref(c, into: &$0) }
            add { CSVText.appendField(Array(c.id.utf8), to: &$0) }
        }
        self.bytes = bytes
        self.spans = spans
        gridCount = index.gridInfo.count
    }

    /// A view for one thread's run of writes: no reference counting per copy.
    struct View: AnswerFragments {
        let bytes: UnsafeBufferPointer<UInt8>
        let spans: UnsafeBufferPointer<Int32>
        let gridCount: Int

        @inline(__always)
        func copy(_ slot: Int, into out: inout [UInt8]) {
            out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[Int(spans[2 * slot])..<Int(spans[2 * slot + 1])]))
        }
        @inline(__always)
        func grid(_ g: Int, _ p: Part, into out: inout [UInt8]) { copy(g * AssignmentText.gridParts + p.rawValue, into: &out) }
        @inline(__always)
        func compound(_ c: Int, _ p: CompoundPart, into out: inout [UInt8]) {
            copy(gridCount * AssignmentText.gridParts + c * AssignmentText.compoundParts + p.rawValue, into: &out)
        }

        func chain(_ g: GridInfo, into out: inout [UInt8]) { grid(g.ordinal, .chain, into: &out) }
        func worker(_ g: GridInfo, into out: inout [UInt8]) { grid(g.ordinal, .worker, into: &out) }
        func ref(_ g: GridInfo, into out: inout [UInt8]) { grid(g.ordinal, .ref, into: &out) }
        func ref(_ c: CompoundInfo, into out: inout [UInt8]) { compound(c.ordinal, .ref, into: &out) }
        func quotedID(_ g: GridInfo, into out: inout [UInt8]) { grid(g.ordinal, .quotedID, into: &out) }
    }

    func withView<R>(_ body: (View) throws -> R) rethrows -> R {
        try bytes.withUnsafeBufferPointer { b in
            try spans.withUnsafeBufferPointer { s in try body(View(bytes: b, spans: s, gridCount: gridCount)) }
        }
    }

    private struct Entry { weak var index: AssignmentIndex?; let text: AssignmentText }
    private static let cache = Mutex<[Entry]>([])

    /// The table of an index, built once and kept while the index lives (the last few indexes).
    public static func of(_ index: AssignmentIndex) -> AssignmentText {
        if let t = cache.withLock({ $0.first { $0.index === index }?.text }) { return t }
        let t = AssignmentText(index)
        cache.withLock { list in
            list.removeAll { $0.index == nil || $0.index === index }
            list.append(Entry(index: index, text: t))
            if list.count > 4 { list.removeFirst() }
        }
        return t
    }
}
