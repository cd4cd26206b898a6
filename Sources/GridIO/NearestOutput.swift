import GridAnalysis
import GridGeo
import GridIndex

/// The encodings of a nearest-station answer shared by the HTTP API and the batch CLI.
extension NearestAnswer {
    public static let csvHeader = "id,rank,station_id,category,distance_m,walk_min"

    /// Millimetres for distances, thousandths of a minute for walking time: plenty for people,
    /// and far inside the 5 cm the answers are checked to.
    static func metres(_ m: Double) -> String { JSONText.number((m * 1000).rounded() / 1000) }
    static func minutes(_ m: Double) -> String { JSONText.number((m * 1000).rounded() / 1000) }

    /// One CSV row per station under `csvHeader`, nearest first; a point with no station within
    /// reach gets one row with only its id, so every input point shows in the output.
    public func csvRows(id: String) -> String {
        let qid = CSV.escape(id)
        guard !stations.isEmpty else { return qid + ",,,,,\n" }
        var s = ""
        for n in stations {
            s += qid; s += ","; s += String(n.rank); s += ","; s += CSV.escape(n.station.id); s += ","
            s += CSV.escape(n.station.category); s += ","; s += Self.metres(n.metres); s += ","; s += Self.minutes(n.walkMinutes); s += "\n"
        }
        return s
    }

    /// One GeoJSON Feature per station (the station's point and attributes, `distance_m`,
    /// `walk_min`, `rank`, and `query_id` when given), joined by commas.
    public func geoJSONFeatures(queryId: String? = nil) -> String {
        var out: [UInt8] = []
        appendFeatures(to: &out, queryId: queryId)
        return String(decoding: out, as: UTF8.self)
    }

    /// Appends the features as bytes: each station's head and tail copied from the index's
    /// `StationText`, the answer's own members written between them without building a String
    /// (`GET /nearest` is a hot path: docs/PERFORMANCE.md).
    public func appendFeatures(to out: inout [UInt8], queryId: String?) {
        guard let first = stations.first else { return }
        // The station's own parts are encoded once per index (StationText); one answer, one index.
        let text = StationText.of(first.index)
        var qid: [UInt8] = []
        if let queryId { ByteText.append("\"query_id\":", to: &qid); ByteText.jsonString(queryId, into: &qid); qid.append(44) }
        var size = out.count
        for n in stations { size += text.size(n.position) + qid.count + 80 }
        out.reserveCapacity(size)
        for (k, n) in stations.enumerated() {
            if k > 0 { out.append(44) }
            text.head(n.position, into: &out)
            out.append(contentsOf: qid)
            ByteText.append("\"rank\":", to: &out); ByteText.decimal(n.rank, into: &out)
            ByteText.append(",\"distance_m\":", to: &out); ByteText.thousandths(n.metres, into: &out)
            ByteText.append(",\"walk_min\":", to: &out); ByteText.thousandths(n.walkMinutes, into: &out)
            text.tail(n.position, into: &out)
        }
    }

    /// The members every answer carries about how distance was measured.
    public var methodMembers: String {
        Self.methodMembers(method: method, detourFactor: detourFactor, walkingSpeedKmh: walkingSpeedKmh, generation: generation)
    }

    public static func methodMembers(method: String, detourFactor: Double, walkingSpeedKmh: Double, generation: Int64) -> String {
        var out: [UInt8] = []
        appendMethodMembers(method: method, detourFactor: detourFactor, walkingSpeedKmh: walkingSpeedKmh, generation: generation, to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// `"method":…,"detour_factor":…,"walking_speed_kmh":…,"generation":…` as bytes.
    public static func appendMethodMembers(method: String, detourFactor: Double, walkingSpeedKmh: Double, generation: Int64,
                                           to out: inout [UInt8]) {
        ByteText.append("\"method\":", to: &out); ByteText.jsonString(method, into: &out)
        ByteText.append(",\"detour_factor\":", to: &out); ByteText.number(detourFactor, into: &out)
        ByteText.append(",\"walking_speed_kmh\":", to: &out); ByteText.number(walkingSpeedKmh, into: &out)
        ByteText.append(",\"generation\":", to: &out); ByteText.decimal(Int(generation), into: &out)
    }

    /// The whole answer to one point: a GeoJSON FeatureCollection of the stations, nearest first,
    /// with the query point (WGS84) and the method members, as UTF-8 bytes.
    public func geoJSONCollectionBytes() -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(320 + stations.count * 480)
        ByteText.append("{\"type\":\"FeatureCollection\",\"query\":{\"lon\":", to: &out); ByteText.jsonNumber(point.lon, into: &out)
        ByteText.append(",\"lat\":", to: &out); ByteText.jsonNumber(point.lat, into: &out)
        ByteText.append("},", to: &out)
        Self.appendMethodMembers(method: method, detourFactor: detourFactor, walkingSpeedKmh: walkingSpeedKmh, generation: generation, to: &out)
        ByteText.append(",\"numberReturned\":", to: &out); ByteText.decimal(stations.count, into: &out)
        ByteText.append(",\"features\":[", to: &out)
        appendFeatures(to: &out, queryId: nil)
        ByteText.append("]}", to: &out)
        return out
    }

    /// `geoJSONCollectionBytes()` as a String.
    public func geoJSONCollection() -> String { String(decoding: geoJSONCollectionBytes(), as: UTF8.self) }

    /// One JSON object per line for the batch CLI: the input id, the point and the stations.
    public func jsonLine(id: String) -> String {
        var s = "{\"id\":"; s += JSONText.quoted(id)
        s += ",\"lon\":"; s += JSONText.number(point.lon); s += ",\"lat\":"; s += JSONText.number(point.lat)
        s += ",\"stations\":["
        for (k, n) in stations.enumerated() {
            if k > 0 { s += "," }
            s += "{\"rank\":"; s += String(n.rank); s += ",\"station_id\":"; s += JSONText.quoted(n.station.id)
            s += ",\"category\":"; s += JSONText.quoted(n.station.category)
            s += ",\"distance_m\":"; s += Self.metres(n.metres); s += ",\"walk_min\":"; s += Self.minutes(n.walkMinutes); s += "}"
        }
        s += "],"; s += methodMembers; s += "}"
        return s
    }
}
