import GridGeo
import GridIndex

/// The encodings of an assignment shared by the HTTP API and the batch CLI, so both say the same
/// thing in the same words.
extension Assignment {
    /// The GeoJSON Feature properties. `withDistances` adds `candidate_distances_m` (used when the
    /// caller gave an accuracy radius).
    public func properties(withDistances: Bool = false) -> JSONObject {
        func ref(_ id: String?, _ name: String?) -> JSONValue {
            guard let id else { return .null }
            return .object(JSONObject([("id", .string(id)), ("name", name.map(JSONValue.string) ?? .null)]))
        }
        var o = JSONObject()
        o["grid"] = ref(grid?.id, grid?.name)
        o["community"] = ref(grid?.communityId, grid?.communityName)
        o["street"] = ref(grid?.streetId, grid?.streetName)
        o["district"] = ref(grid?.districtId, grid?.districtName)
        o["compound"] = ref(compound?.id, compound?.name)
        if let g = grid, g.workerName != nil || g.workerPhone != nil {
            o["worker"] = .object(JSONObject([("name", g.workerName.map(JSONValue.string) ?? .null),
                                              ("phone", g.workerPhone.map(JSONValue.string) ?? .null)]))
        } else {
            o["worker"] = .null
        }
        o["boundary"] = .bool(boundary)
        o["candidates"] = .array(candidates.map { .string($0.grid.id) })
        if withDistances {
            o["candidate_distances_m"] = .object(JSONObject(candidates.map { ($0.grid.id, .number(Self.round($0.metres))) }))
        }
        if let n = nearest {
            o["nearest"] = .object(JSONObject([("grid", ref(n.grid.id, n.grid.name)), ("distance_m", .number(Self.round(n.metres)))]))
        }
        o["generation"] = .int(Int(generation))
        return o
    }

    /// Millimetres are plenty for a distance people read.
    static func round(_ m: Double) -> Double { (m * 1000).rounded() / 1000 }

    /// A GeoJSON Feature: the point in WGS84 and the properties above. Written straight into one
    /// string (same members, same order as `properties`): this is the hot path of `GET /assign`.
    public func geoJSONFeature(id: String?, withDistances: Bool = false) -> String {
        var s = "{\"type\":\"Feature\""
        s.reserveCapacity(768)
        if let id { s += ",\"id\":"; s += JSONText.quoted(id) }
        s += ",\"geometry\":{\"type\":\"Point\",\"coordinates\":["
        s += JSONText.number(point.lon); s += ","; s += JSONText.number(point.lat)
        s += "]},\"properties\":{"
        s += grid?.chainJSON ?? #""grid":null,"community":null,"street":null,"district":null"#
        s += ",\"compound\":"; s += compound?.json ?? "null"
        s += ",\"worker\":"
        if let g = grid, g.workerName != nil || g.workerPhone != nil {
            s += "{\"name\":"; s += g.workerName.map(JSONText.quoted) ?? "null"
            s += ",\"phone\":"; s += g.workerPhone.map(JSONText.quoted) ?? "null"; s += "}"
        } else {
            s += "null"
        }
        s += boundary ? ",\"boundary\":true" : ",\"boundary\":false"
        s += ",\"candidates\":["
        for (k, c) in candidates.enumerated() { if k > 0 { s += "," }; s += JSONText.quoted(c.grid.id) }
        s += "]"
        if withDistances {
            s += ",\"candidate_distances_m\":{"
            for (k, c) in candidates.enumerated() {
                if k > 0 { s += "," }
                s += JSONText.quoted(c.grid.id); s += ":"; s += JSONText.number(Self.round(c.metres))
            }
            s += "}"
        }
        if let n = nearest {
            s += ",\"nearest\":{\"grid\":"; s += Self.refJSON(n.grid.id, n.grid.name)
            s += ",\"distance_m\":"; s += JSONText.number(Self.round(n.metres)); s += "}"
        }
        s += ",\"generation\":"; s += String(generation)
        s += "}}"
        return s
    }

    public static let csvHeader = "id,grid_id,community_id,street_id,district_id,compound_id,boundary,candidates,nearest_grid_id,nearest_m"

    /// One CSV row under `csvHeader`; candidates are `;`-separated.
    public func csvRow(id: String) -> String {
        var s = CSV.escape(id)
        for v in [grid?.id, grid?.communityId, grid?.streetId, grid?.districtId, compound?.id] {
            s += ","
            if let v { s += CSV.escape(v) }
        }
        s += boundary ? ",true," : ",false,"
        s += CSV.escape(candidates.map(\.grid.id).joined(separator: ";"))
        s += ","
        // An empty cell, never `null` or `inf`, should a distance ever not be finite.
        if let n = nearest { s += CSV.escape(n.grid.id) + "," + (n.metres.isFinite ? JSONText.number(Self.round(n.metres)) : "") } else { s += "," }
        return s
    }

    /// One JSON object per line: the input id, the point and the properties.
    public func jsonLine(id: String) -> String {
        var o = JSONObject()
        o["id"] = .string(id)
        o["lon"] = .number(point.lon)
        o["lat"] = .number(point.lat)
        for m in properties().members { o[m.key] = m.value }
        return JSONText.encode(.object(o))
    }
}
