import GridGeo
import GridIndex

/// The encodings of an assignment shared by the HTTP API and the batch CLI, so both say the same
/// thing in the same words. The typed `properties` is the reference; the text writers below are
/// checked against it by a test.
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

    /// A GeoJSON Feature: the point in WGS84 and the properties above, written straight as text
    /// (same members, same order as `properties`): the hot path of `GET /assign`.
    public func geoJSONFeature(id: String?, withDistances: Bool = false) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(768)
        AnswerWriter.feature(self, id: id, withDistances: withDistances, EncodedFragments(), into: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// The same, with each grid's and compound's text copied from the index's table.
    public func geoJSONFeature(id: String?, withDistances: Bool = false, text: AssignmentText) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(768)
        text.withView { AnswerWriter.feature(self, id: id, withDistances: withDistances, $0, into: &out) }
        return String(decoding: out, as: UTF8.self)
    }

    public static let csvHeader = "id,grid_id,community_id,street_id,district_id,compound_id,boundary,candidates,nearest_grid_id,nearest_m"

    /// One CSV row under `csvHeader` (no line end); candidates are `;`-separated. Fields are quoted
    /// as RFC 4180 and Python's `csv` module quote them.
    public func csvRow(id: String) -> String {
        var out: [UInt8] = []
        CSVText.appendField(Array(id.utf8), to: &out)
        out.append(44)
        AnswerWriter.csvAfterID(self, into: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// One JSON object per line: the input id, the point and the properties.
    public func jsonLine(id: String) -> String {
        var out: [UInt8] = []
        AnswerWriter.jsonLine(self, id: id, EncodedFragments(), into: &out)
        return String(decoding: out, as: UTF8.self)
    }
}

/// The text writers behind the methods above and the batch engine.
enum AnswerWriter {
    /// The members of the properties object, without braces.
    static func properties<F: AnswerFragments>(_ a: Assignment, withDistances: Bool, _ f: F, into out: inout [UInt8]) {
        if let g = a.grid { f.chain(g, into: &out) } else {
            ByteText.append(#""grid":null,"community":null,"street":null,"district":null"#, to: &out)
        }
        ByteText.append(",\"compound\":", to: &out)
        if let c = a.compound { f.ref(c, into: &out) } else { ByteText.append("null", to: &out) }
        ByteText.append(",\"worker\":", to: &out)
        if let g = a.grid { f.worker(g, into: &out) } else { ByteText.append("null", to: &out) }
        ByteText.append(a.boundary ? ",\"boundary\":true" : ",\"boundary\":false", to: &out)
        ByteText.append(",\"candidates\":[", to: &out)
        for (k, c) in a.candidates.enumerated() {
            if k > 0 { out.append(44) }
            f.quotedID(c.grid, into: &out)
        }
        out.append(93)
        if withDistances {
            ByteText.append(",\"candidate_distances_m\":{", to: &out)
            for (k, c) in a.candidates.enumerated() {
                if k > 0 { out.append(44) }
                f.quotedID(c.grid, into: &out); out.append(58)
                ByteText.jsonNumber(Assignment.round(c.metres), into: &out)
            }
            out.append(125)
        }
        if let n = a.nearest {
            ByteText.append(",\"nearest\":{\"grid\":", to: &out); f.ref(n.grid, into: &out)
            ByteText.append(",\"distance_m\":", to: &out); ByteText.jsonNumber(Assignment.round(n.metres), into: &out)
            out.append(125)
        }
        ByteText.append(",\"generation\":", to: &out); ByteText.append(String(a.generation), to: &out)
    }

    static func feature<F: AnswerFragments>(_ a: Assignment, id: String?, withDistances: Bool, _ f: F, into out: inout [UInt8]) {
        ByteText.append("{\"type\":\"Feature\"", to: &out)
        if let id { ByteText.append(",\"id\":", to: &out); ByteText.jsonString(id, into: &out) }
        ByteText.append(",\"geometry\":{\"type\":\"Point\",\"coordinates\":[", to: &out)
        ByteText.jsonNumber(a.point.lon, into: &out); out.append(44); ByteText.jsonNumber(a.point.lat, into: &out)
        ByteText.append("]},\"properties\":{", to: &out)
        properties(a, withDistances: withDistances, f, into: &out)
        ByteText.append("}}", to: &out)
    }

    static func jsonLine<F: AnswerFragments>(_ a: Assignment, id: String, _ f: F, into out: inout [UInt8]) {
        ByteText.append("{\"id\":", to: &out); ByteText.jsonString(id, into: &out)
        ByteText.append(",\"lon\":", to: &out); ByteText.jsonNumber(a.point.lon, into: &out)
        ByteText.append(",\"lat\":", to: &out); ByteText.jsonNumber(a.point.lat, into: &out)
        out.append(44)
        properties(a, withDistances: false, f, into: &out)
        out.append(125)
    }

    /// Everything of a CSV row after `id,`.
    static func csvAfterID(_ a: Assignment, into out: inout [UInt8]) {
        for (k, v) in [a.grid?.id, a.grid?.communityId, a.grid?.streetId, a.grid?.districtId, a.compound?.id].enumerated() {
            if k > 0 { out.append(44) }
            if let v { CSVText.appendField(Array(v.utf8), to: &out) }
        }
        ByteText.append(a.boundary ? ",true," : ",false,", to: &out)
        CSVText.appendField(Array(a.candidates.map(\.grid.id).joined(separator: ";").utf8), to: &out)
        out.append(44)
        if let n = a.nearest {
            CSVText.appendField(Array(n.grid.id.utf8), to: &out)
            out.append(44)
            ByteText.jsonNumber(Assignment.round(n.metres), into: &out)
        } else {
            out.append(44)
        }
    }

    /// A CSV row (after `id,`) from where the point fell, when that says everything: at most one
    /// covering grid and no nearest-grid search. Same text as `csvAfterID` of the full answer.
    @inline(__always)
    static func csvAfterID(_ pl: Placement, _ v: AssignmentText.View, into out: inout [UInt8]) {
        if pl.grid >= 0 { v.grid(pl.grid, .csvChain, into: &out) } else { ByteText.append(",,,", to: &out) }
        out.append(44)
        if pl.compound >= 0 { v.compound(pl.compound, .csvID, into: &out) }
        ByteText.append(pl.boundary ? ",true," : ",false,", to: &out)
        if pl.grid >= 0 { v.grid(pl.grid, .csvID, into: &out) }
        out.append(44); out.append(44)
    }
}
