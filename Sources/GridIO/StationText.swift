import GridGeo
import GridIndex
import Synchronization

/// Each station's unchanging GeoJSON parts, encoded once per `StationIndex` into one flat byte
/// array (answers copy them: `GET /nearest` is a hot path, and a flat array is copied without
/// touching a reference count per part), so the index itself holds plain values only.
///
/// Station `i`'s head is `bytes[spans[2i]..<spans[2i+1]]`:
/// `{"type":"Feature","id":…,"geometry":{"type":"Point","coordinates":[lon,lat]},"properties":{`;
/// its tail is `bytes[spans[2i+1]..<spans[2i+2]]`:
/// `,"category":…,"name":…,"level":…,"grid_id":…,"community_id":…,"street_id":…,"district_id":…,"compound_id":…}}`
/// (null for a missing value). An answer writes head, its own members, tail.
public final class StationText: Sendable {
    let bytes: [UInt8]
    let spans: [Int32]

    init(_ index: StationIndex) {
        var bytes: [UInt8] = [], spans: [Int32] = [0]
        for st in index.stations {
            var head = "{\"type\":\"Feature\",\"id\":" + JSONText.quoted(st.id)
            head += ",\"geometry\":{\"type\":\"Point\",\"coordinates\":[" + JSONText.number(st.point.lon) + "," + JSONText.number(st.point.lat)
            head += "]},\"properties\":{"
            bytes.append(contentsOf: head.utf8)
            spans.append(Int32(bytes.count))
            var tail = ",\"category\":" + JSONText.quoted(st.category)
            for (key, v) in [("name", st.name), ("level", st.level), ("grid_id", st.gridId), ("community_id", st.communityId),
                             ("street_id", st.streetId), ("district_id", st.districtId), ("compound_id", st.compoundId)] {
                tail += ",\"" + key + "\":" + (v.map(JSONText.quoted) ?? "null")
            }
            tail += "}}"
            bytes.append(contentsOf: tail.utf8)
            spans.append(Int32(bytes.count))
        }
        self.bytes = bytes
        self.spans = spans
    }

    /// Bytes of station `position`'s head and tail together (to size an output buffer).
    @inline(__always)
    func size(_ position: Int) -> Int { Int(spans[2 * position + 2] - spans[2 * position]) }

    @inline(__always)
    func head(_ position: Int, into out: inout [UInt8]) { copy(2 * position, into: &out) }

    @inline(__always)
    func tail(_ position: Int, into out: inout [UInt8]) { copy(2 * position + 1, into: &out) }

    @inline(__always)
    private func copy(_ slot: Int, into out: inout [UInt8]) {
        let s = Int(spans[slot]), e = Int(spans[slot + 1])
        bytes.withUnsafeBufferPointer { out.append(contentsOf: UnsafeBufferPointer(rebasing: $0[s..<e])) }
    }

    private struct Entry { weak var index: StationIndex?; let text: StationText }
    private static let cache = Mutex<[Entry]>([])

    /// The table of an index, built once and kept while the index lives (the last few indexes).
    public static func of(_ index: StationIndex) -> StationText {
        if let t = cache.withLock({ $0.first { $0.index === index }?.text }) { return t }
        let t = StationText(index)
        cache.withLock { list in
            list.removeAll { $0.index == nil || $0.index === index }
            list.append(Entry(index: index, text: t))
            if list.count > 4 { list.removeFirst() }
        }
        return t
    }
}
