import Foundation
import GridCases
import GridGeo
import GridStore
import Hummingbird

/// The managers' views of cases (issue 11 §6): the cases as an OGC API – Features collection
/// (`/collections/cases`, which QGIS and GDAL load) and `GET /cases/stats`. Both need a staff
/// token, as the case list does (cases carry reporters' contact details): `Authorization:
/// Bearer TOKEN`, or `api_key=TOKEN` in the query for clients that can only be given a URL (the
/// paging links repeat it, so such a client can follow them). The collection is not listed in
/// `/collections`, which anyone may read: clients open it by its URL.
struct CaseViewsController {
    let services: AppServices
    var cases: CaseService { services.cases }

    static let collectionId = "cases"
    /// The most items one page serves (a larger `limit` is served as this, with a next link).
    static let maxLimit = CasesController.maxLimit
    static let itemParameters: Set<String> = [
        "grid_id", "community_id", "street_id", "district_id", "state", "category", "overdue", "datetime", "bbox", "limit", "offset",
        "f", "api_key",
    ]
    static let statsParameters: Set<String> = [
        "level", "grid_id", "community_id", "street_id", "district_id", "state", "category", "from", "to", "api_key",
    ]

    func addRoutes(to router: Router<WanggeRequestContext>) {
        router.get("/cases/stats", use: stats)
        router.get(RouterPath(OGC.Path.collection(Self.collectionId)), use: collection)
        router.get(RouterPath(OGC.Path.items(Self.collectionId)), use: items)
        router.get(RouterPath(OGC.Path.items(Self.collectionId) + "/:featureId"), use: item)
    }

    // MARK: the collection

    @Sendable func collection(_ request: Request, context: WanggeRequestContext) async throws -> CollectionInfo {
        _ = try context.requireIdentity()
        try OGC.checkFormat(request.uri.queryParameters)
        let l = Links(request, publicURL: services.publicURL)
        let key = Self.apiKey(request)
        return CollectionInfo(
            id: Self.collectionId, title: "Cases 案件",
            description: "Cases (案件): points, WGS84; properties " + Self.propertyNames.joined(separator: ", ") +
                ". Filters: grid_id, community_id, street_id, district_id, state (comma-separated), category, overdue, datetime (reported at), bbox. Needs a staff token.",
            itemType: "feature", extent: nil, crs: [OGC.crs84], storageCrs: OGC.crs84,
            links: [
                Links.link(l.url(OGC.Path.collection(Self.collectionId), query: key), rel: OGC.Rel.`self`, type: OGC.Media.json),
                Links.link(l.url(OGC.Path.items(Self.collectionId), query: key), rel: OGC.Rel.items, type: OGC.Media.geoJSON),
            ])
    }

    @Sendable func items(_ request: Request, context: WanggeRequestContext) async throws -> GeoJSONResponse {
        let identity = try context.requireIdentity()
        let (q, kept) = try Self.itemsQuery(request.uri.queryParameters)
        let (views, total) = try cases.list(q, by: identity)
        let l = Links(request, publicURL: services.publicURL)
        let path = OGC.Path.items(Self.collectionId)
        func page(_ offset: Int) -> [(String, String)] { kept + (offset > 0 ? [(OGC.Param.offset, String(offset))] : []) }
        var links = [
            Links.link(l.url(path, query: page(q.offset)), rel: OGC.Rel.`self`, type: OGC.Media.geoJSON),
            Links.link(l.url(OGC.Path.collection(Self.collectionId), query: Self.apiKey(request)), rel: OGC.Rel.collection, type: OGC.Media.json),
        ]
        if q.offset + views.count < total {
            links.append(Links.link(l.url(path, query: page(q.offset + q.limit)), rel: OGC.Rel.next, type: OGC.Media.geoJSON))
        }
        if q.offset > 0 {
            links.append(Links.link(l.url(path, query: page(max(0, q.offset - q.limit))), rel: OGC.Rel.prev, type: OGC.Media.geoJSON))
        }
        let body = GeoJSONFeatureCollection(numberMatched: total, numberReturned: views.count, timeStamp: FeaturesController.timeStamp(),
                                            generation: nil, links: links, features: views.map(Self.feature))
        return try GeoJSONResponse(encoding: body, contentCRS: .crs84)
    }

    @Sendable func item(_ request: Request, context: WanggeRequestContext) async throws -> GeoJSONResponse {
        let identity = try context.requireIdentity()
        try Self.only(request.uri.queryParameters, ["f", "api_key"])
        try OGC.checkFormat(request.uri.queryParameters, allowed: ["json", "geojson"])
        let text = try context.parameters.require("featureId")
        guard let id = Int64(text), id > 0 else {
            throw APIError.notFound("no feature '\(text.prefix(40))' in collection 'cases' (case ids are positive whole numbers)")
        }
        var f = Self.feature(try cases.read(id: id, by: identity))
        let l = Links(request, publicURL: services.publicURL)
        f.links = [
            Links.link(l.url(OGC.Path.item(Self.collectionId, String(id)), query: Self.apiKey(request)), rel: OGC.Rel.`self`, type: OGC.Media.geoJSON),
            Links.link(l.url(OGC.Path.collection(Self.collectionId), query: Self.apiKey(request)), rel: OGC.Rel.collection, type: OGC.Media.json),
        ]
        return try GeoJSONResponse(encoding: f, contentCRS: .crs84)
    }

    static let propertyNames = [
        "category", "description", "state", "level", "overdue", "deadline", "reported_at", "updated_at", "closed_at", "grid_id",
        "community_id", "street_id", "district_id", "compound_id", "worker_name", "outside_grids", "contact",
    ]

    /// A case as a GeoJSON feature: id the case id, a WGS84 point, the list's fields as
    /// properties (`contact` null for readers who may not see it, as on /cases).
    static func feature(_ v: CaseView) -> GeoJSONFeature {
        let c = v.record, r = c.routing
        func s(_ x: String?) -> JSONValue { x.map { .string($0) } ?? .null }
        let props = JSONObject([
            ("category", .string(c.category)), ("description", .string(c.description)), ("state", .string(c.state.rawValue)),
            ("level", .string(c.level.rawValue)), ("overdue", .bool(v.overdue)), ("deadline", .string(CaseTime.format(c.deadlineAt))),
            ("reported_at", .string(CaseTime.format(c.reportedAt))), ("updated_at", .string(CaseTime.format(c.updatedAt))),
            ("closed_at", s(c.closedAt.map(CaseTime.format))), ("grid_id", s(r.gridId)), ("community_id", s(r.communityId)),
            ("street_id", s(r.streetId)), ("district_id", s(r.districtId)), ("compound_id", s(r.compoundId)),
            ("worker_name", s(r.workerName)), ("outside_grids", .bool(r.outsideGrids)), ("contact", s(v.showsContact ? c.contact : nil)),
        ])
        return GeoJSONFeature(id: String(c.id), geometry: .object(JSONObject([("type", .string("Point")), ("coordinates", .array([.number(c.lon), .number(c.lat)]))])),
                              properties: .object(props))
    }

    /// The api_key of the request, to repeat in links (see the type's comment).
    static func apiKey(_ request: Request) -> [(String, String)] {
        request.uri.queryParameters["api_key"].map { [("api_key", String($0))] } ?? []
    }

    static func only(_ p: Parameters, _ allowed: Set<String>) throws {
        for (k, _) in p where !allowed.contains(String(k)) {
            throw APIError.badParameter(String(k), "unknown parameter; this request takes " + allowed.sorted().joined(separator: ", "))
        }
    }

    /// The items filters (OGC API – Features: `bbox` CRS84, `datetime` an instant or interval of
    /// the time reported, `limit`, `offset`) and the case list's (`state`, area ids, `category`,
    /// `overdue`), with what paging links repeat.
    static func itemsQuery(_ p: Parameters) throws -> (CaseQuery, [(String, String)]) {
        try only(p, itemParameters)
        var list: [(key: Substring, value: Substring)] = []
        var kept: [(String, String)] = []
        var q = CaseQuery()
        q.limit = OGC.defaultLimit
        for (k, v) in p {
            switch k {
            case "limit":
                guard let n = Int(v), n >= 1 else { throw APIError.badParameter("limit", "a whole number from 1 (at most \(maxLimit) are served)") }
                q.limit = min(n, maxLimit)
                kept.append(("limit", String(q.limit)))
                continue
            case "offset":
                guard let n = Int(v), (0...OpenAPI.maxOffset).contains(n) else { throw APIError.badParameter("offset", "a whole number from 0 to \(OpenAPI.maxOffset)") }
                q.offset = n
                continue
            case "f":
                try OGC.checkFormat(p, allowed: ["json", "geojson"])
            case "datetime":
                (q.reportedFrom, q.reportedBefore) = try interval(String(v))
            case "bbox":
                let (box, _) = try ItemsParameters.bbox(String(v))
                q.bbox = (box.minLon, box.minLat, box.maxLon, box.maxLat)
            case "api_key":
                break
            default:
                list.append((k, v))
            }
            kept.append((String(k), String(v)))
        }
        let filters = try CasesController.query(Parameters(list))
        q.states = filters.states; q.gridId = filters.gridId; q.communityId = filters.communityId; q.streetId = filters.streetId
        q.districtId = filters.districtId; q.category = filters.category; q.overdue = filters.overdue
        return (q, kept)
    }

    /// A `datetime` value as a half-open interval of reporting times: an instant matches cases
    /// reported in that millisecond, a date the whole (UTC) day, an interval both ends inclusive.
    static func interval(_ value: String) throws -> (Date?, Date?) {
        try OGC.checkDatetime(value)
        func end(_ s: String, upper: Bool) -> Date? {
            guard !(s.isEmpty || s == ".."), let d = OGC.instant(s) else { return nil }
            guard upper else { return d }
            return d.addingTimeInterval(s.contains("T") || s.contains("t") ? 0.001 : 86_400)
        }
        let parts = value.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        if parts.count == 1 { return (end(parts[0], upper: false), end(parts[0], upper: true)) }
        return (end(parts[0], upper: false), end(parts[1], upper: true))
    }

    // MARK: statistics

    @Sendable func stats(_ request: Request, context: WanggeRequestContext) async throws -> CaseStatsBody {
        let identity = try context.requireIdentity()
        let p = request.uri.queryParameters
        try Self.only(p, Self.statsParameters)
        var level = StatsLevel.grid
        if let l = p["level"] {
            guard let v = StatsLevel(rawValue: String(l)) else {
                throw APIError.badParameter("level", "one of " + StatsLevel.allCases.map(\.rawValue).joined(separator: ", ") + ", found '\(l.prefix(40))'")
            }
            level = v
        }
        let q = try CasesController.query(Parameters(p.filter { $0.key != "level" && $0.key != "api_key" }))
        let rows = try cases.stats(level: level, q, by: identity)
        return CaseStatsBody(level: level.rawValue, areas: rows.map(CaseStatsBody.Area.init))
    }
}

/// `GET /cases/stats`: one entry per area (see `CaseStatsRow` for the definitions).
struct CaseStatsBody: ResponseEncodable {
    var level: String
    var areas: [Area]

    struct Area: Codable {
        /// The grid, community, street or district id; null for cases with none at this level.
        var id: String?
        var total: Int
        var by_state: [String: Int]
        var open: Int
        var overdue: Int
        var closed: Int
        var median_hours_to_close: Double?
        var p90_hours_to_close: Double?
        var share_closed_within_deadline: Double?
        var share_solved_at_compound: Double?

        init(_ r: CaseStatsRow) {
            id = r.area; total = r.total
            by_state = Dictionary(uniqueKeysWithValues: r.byState.map { ($0.key.rawValue, $0.value) })
            open = r.open; overdue = r.overdue; closed = r.closed
            median_hours_to_close = r.medianHoursToClose; p90_hours_to_close = r.p90HoursToClose
            share_closed_within_deadline = r.closedWithinDeadline; share_solved_at_compound = r.solvedAtCompound
        }

        // Nulls written out (the synthesized encoder would leave them out).
        func encode(to encoder: Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(id, forKey: .id); try c.encode(total, forKey: .total); try c.encode(by_state, forKey: .by_state)
            try c.encode(open, forKey: .open); try c.encode(overdue, forKey: .overdue); try c.encode(closed, forKey: .closed)
            try c.encode(median_hours_to_close, forKey: .median_hours_to_close); try c.encode(p90_hours_to_close, forKey: .p90_hours_to_close)
            try c.encode(share_closed_within_deadline, forKey: .share_closed_within_deadline)
            try c.encode(share_solved_at_compound, forKey: .share_solved_at_compound)
        }
    }
}
