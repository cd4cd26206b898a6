import GridCases
import GridStore
import Hummingbird

/// A case as `GET /cases/{id}`, `POST /cases` and `POST /cases/{id}/events` return it (the
/// `case` schema of the API definition). `contact` is left out for readers who may not see it
/// (planners, and staff outside the case's area reading it as its reporter never are).
struct CaseBody: ResponseEncodable, Equatable {
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
