import GridGeo
import GridIndex
import Synchronization

/// Each station's unchanging GeoJSON parts, encoded once per `StationIndex` (answers copy them:
/// `GET /nearest` is a hot path), so the index itself holds plain values only.
public final class StationText: Sendable {
    /// `{"type":"Feature","id":…,"geometry":{…},"properties":{`, by station position.
    let featureHead: [String]
    /// `"category":…,"name":…,"level":…,"grid_id":…,"community_id":…,"street_id":…,"district_id":…,"compound_id":…`
    /// (null for a missing value), by station position.
    let attributes: [String]

    init(_ index: StationIndex) {
        featureHead = index.stations.map { st in
            "{\"type\":\"Feature\",\"id\":" + JSONText.quoted(st.id)
                + ",\"geometry\":{\"type\":\"Point\",\"coordinates\":[" + JSONText.number(st.point.lon) + "," + JSONText.number(st.point.lat)
                + "]},\"properties\":{"
        }
        attributes = index.stations.map { st in
            var a = "\"category\":" + JSONText.quoted(st.category)
            for (key, v) in [("name", st.name), ("level", st.level), ("grid_id", st.gridId), ("community_id", st.communityId),
                             ("street_id", st.streetId), ("district_id", st.districtId), ("compound_id", st.compoundId)] {
                a += ",\"" + key + "\":" + (v.map(JSONText.quoted) ?? "null")
            }
            return a
        }
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
