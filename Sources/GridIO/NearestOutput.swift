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
        var s = ""
        appendFeatures(to: &s, queryId: queryId)
        return s
    }

    /// Appends the features to `s` (no intermediate string on the hot path).
    func appendFeatures(to s: inout String, queryId: String?) {
        s.reserveCapacity(s.utf8.count + stations.count * 420)
        let qid = queryId.map { "\"query_id\":" + JSONText.quoted($0) + "," } ?? ""
        guard let first = stations.first else { return }
        // The station's own parts are encoded once per index (StationText); one answer, one index.
        let text = StationText.of(first.index)
        for (k, n) in stations.enumerated() {
            if k > 0 { s += "," }
            s += text.featureHead[n.position]
            s += qid
            s += "\"rank\":"; s += String(n.rank)
            s += ",\"distance_m\":"; s += Self.metres(n.metres)
            s += ",\"walk_min\":"; s += Self.minutes(n.walkMinutes)
            s += ","; s += text.attributes[n.position]
            s += "}}"
        }
    }

    /// The members every answer carries about how distance was measured.
    public var methodMembers: String {
        Self.methodMembers(method: method, detourFactor: detourFactor, walkingSpeedKmh: walkingSpeedKmh, generation: generation)
    }

    public static func methodMembers(method: String, detourFactor: Double, walkingSpeedKmh: Double, generation: Int64) -> String {
        "\"method\":" + JSONText.quoted(method) + ",\"detour_factor\":" + JSONText.number(detourFactor)
            + ",\"walking_speed_kmh\":" + JSONText.number(walkingSpeedKmh) + ",\"generation\":" + String(generation)
    }

    /// The whole answer to one point: a GeoJSON FeatureCollection of the stations, nearest first,
    /// with the query point (WGS84) and the method members.
    public func geoJSONCollection() -> String {
        var s = "{\"type\":\"FeatureCollection\",\"query\":{\"lon\":"
        s += JSONText.number(point.lon); s += ",\"lat\":"; s += JSONText.number(point.lat)
        s += "},"; s += methodMembers
        s += ",\"numberReturned\":"; s += String(stations.count)
        s += ",\"features\":["; appendFeatures(to: &s, queryId: nil); s += "]}"
        return s
    }

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
