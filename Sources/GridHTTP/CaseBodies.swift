import GridCases
import GridGeo
import GridStore
import Hummingbird
import NIOCore

/// A case as `GET /cases/{id}`, `POST /cases` and `POST /cases/{id}/events` return it (the
/// `case` schema of the API definition). `contact` is left out for readers who may not see it
/// (planners, and staff outside the case's area reading it as its reporter never are).
///
/// The response is written by `jsonText()`, not by Foundation's `JSONEncoder`: the encoder was
/// ~5 % of the server's CPU under the intake load of issue 12 §1. The `Encodable` conformance
/// stays as the reference the writer is tested against (TypedBodyTests) and for `CaseListBody`.
struct CaseBody: Encodable, Equatable, ResponseGenerator {
    var id: Int64
    var category: String
    var description: String
    var state: String
    var level: String
    /// Open and past its deadline now (computed at read time).
    var overdue: Bool
    var deadline: String
    var reported_at: String
    var updated_at: String
    var closed_at: String?
    /// The stored point, WGS84.
    var lon: Double
    var lat: Double
    /// The point as reported: its CRS and coordinates there.
    var input_crs: String
    var input_lon: Double
    var input_lat: Double
    var accuracy_m: Double?
    var grid_id: String?
    var community_id: String?
    var street_id: String?
    var district_id: String?
    var compound_id: String?
    var worker_name: String?
    var worker_phone: String?
    /// Reported outside every grid: routed to the nearest grid's community for triage.
    var outside_grids: Bool
    var nearest_grid_id: String?
    var nearest_m: Double?
    /// The boundary generation the case was first assigned under.
    var generation: Int64
    /// The generation its routing was last checked against.
    var routed_generation: Int64
    var contact: String?
    var photo_urls: [String]
    var reporter: String?
    /// What the reader may do next.
    var actions: [String]
    var events: [EventBody]?

    struct EventBody: Codable, Equatable {
        var id: Int64
        var at: String
        var action: String
        var from_state: String?
        var to_state: String
        var level: String
        var grid_id: String?
        var actor: String
        var role: String
        var token_id: Int64?
        var reason: String?
        var note: String?
        var photo_url: String?
    }

}

extension CaseBody {
    init(_ v: CaseView) {
        let c = v.record, r = c.routing
        id = c.id; category = c.category; description = c.description; state = c.state.rawValue; level = c.level.rawValue
        overdue = v.overdue; deadline = CaseTime.format(c.deadlineAt); reported_at = CaseTime.format(c.reportedAt)
        updated_at = CaseTime.format(c.updatedAt); closed_at = c.closedAt.map(CaseTime.format)
        lon = c.lon; lat = c.lat; input_crs = c.inputCRS; input_lon = c.inputLon; input_lat = c.inputLat; accuracy_m = c.accuracyMetres
        grid_id = r.gridId; community_id = r.communityId; street_id = r.streetId; district_id = r.districtId; compound_id = r.compoundId
        worker_name = r.workerName; worker_phone = r.workerPhone; outside_grids = r.outsideGrids
        nearest_grid_id = r.nearestGridId; nearest_m = r.nearestMetres
        generation = c.generation; routed_generation = c.routedGeneration
        contact = v.showsContact ? c.contact : nil
        photo_urls = c.photoURLs
        reporter = v.showsContact ? c.reporterName : nil
        actions = v.actions.map(\.rawValue)
        events = v.events?.map {
            EventBody(id: $0.id, at: CaseTime.format($0.at), action: $0.action, from_state: $0.fromState?.rawValue, to_state: $0.toState.rawValue,
                      level: $0.level.rawValue, grid_id: $0.gridId, actor: $0.actorName, role: $0.actorRole, token_id: $0.tokenId,
                      reason: $0.reason, note: $0.note, photo_url: $0.photoURL)
        }
    }
    /// The body as JSON text: members in sorted order and `nil` members left out, as the
    /// project's `JSONEncoder` (`WanggeRequestContext.makeEncoder`) writes the `Encodable` form.
    func jsonText() -> String {
        var o = JSONObjectText()
        o.number("accuracy_m", accuracy_m)
        o.raw("actions", "[" + actions.map(JSONText.quoted).joined(separator: ",") + "]")
        o.string("category", category)
        o.string("closed_at", closed_at)
        o.string("community_id", community_id)
        o.string("compound_id", compound_id)
        o.string("contact", contact)
        o.string("deadline", deadline)
        o.string("description", description)
        o.string("district_id", district_id)
        if let events { o.raw("events", "[" + events.map { $0.jsonText() }.joined(separator: ",") + "]") }
        o.raw("generation", String(generation))
        o.string("grid_id", grid_id)
        o.raw("id", String(id))
        o.string("input_crs", input_crs)
        o.number("input_lat", input_lat)
        o.number("input_lon", input_lon)
        o.number("lat", lat)
        o.string("level", level)
        o.number("lon", lon)
        o.string("nearest_grid_id", nearest_grid_id)
        o.number("nearest_m", nearest_m)
        o.raw("outside_grids", outside_grids ? "true" : "false")
        o.raw("overdue", overdue ? "true" : "false")
        o.raw("photo_urls", "[" + photo_urls.map(JSONText.quoted).joined(separator: ",") + "]")
        o.string("reported_at", reported_at)
        o.string("reporter", reporter)
        o.raw("routed_generation", String(routed_generation))
        o.string("state", state)
        o.string("street_id", street_id)
        o.string("updated_at", updated_at)
        o.string("worker_name", worker_name)
        o.string("worker_phone", worker_phone)
        return o.close()
    }

    func response(from request: Request, context: some RequestContext) throws -> Response {
        Response(status: .ok, headers: [.contentType: "application/json; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(string: jsonText())))
    }
}

extension CaseBody.EventBody {
    func jsonText() -> String {
        var o = JSONObjectText()
        o.string("action", action)
        o.string("actor", actor)
        o.string("at", at)
        o.string("from_state", from_state)
        o.string("grid_id", grid_id)
        o.raw("id", String(id))
        o.string("level", level)
        o.string("note", note)
        o.string("photo_url", photo_url)
        o.string("reason", reason)
        o.string("role", role)
        o.string("to_state", to_state)
        if let token_id { o.raw("token_id", String(token_id)) }
        return o.close()
    }
}

/// A JSON object written member by member (names given in the order wanted; `nil` values left out).
struct JSONObjectText {
    private var text = "{"
    mutating func raw(_ name: String, _ value: String) {
        if text.utf8.count > 1 { text += "," }
        text += JSONText.quoted(name)
        text += ":"
        text += value
    }
    mutating func string(_ name: String, _ value: String?) { if let value { raw(name, JSONText.quoted(value)) } }
    mutating func number(_ name: String, _ value: Double?) { if let value { raw(name, JSONText.number(value)) } }
    mutating func close() -> String { text + "}" }
}

/// `GET /cases`.
struct CaseListBody: ResponseEncodable {
    var cases: [CaseBody]
    var numberMatched: Int
    var numberReturned: Int
    var limit: Int
    var offset: Int
    /// `self`, and `next` / `prev` when there are more pages.
    var links: [Link]
}

/// `GET /case-categories`.
struct CaseCategoryList: ResponseEncodable {
    var categories: [Category]
    struct Category: Codable {
        var code: String
        var name_zh: String
        var name_en: String
        var group: String
        var deadline_class: String
        var first_level: String
    }
}
