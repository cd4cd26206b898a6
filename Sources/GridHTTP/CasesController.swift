import Foundation
import GridCases
import GridGeo
import GridStore
import HTTPTypes
import Hummingbird
import NIOCore

/// Cases (issue 11): intake, one case with its events, transitions and the staff's list. Every
/// route needs a token (`Authorization: Bearer …`); the rules of who may do what are
/// GridCases', this file only parses and encodes.
struct CasesController {
    let services: AppServices
    var cases: CaseService { services.cases }

    static let maxBodyBytes = 256 << 10
    static let intakeMembers: Set<String> = ["lon", "lat", "crs", "accuracy_m", "category", "description", "contact", "photo_urls"]
    static let eventMembers: Set<String> = ["action", "note", "photo_url", "grid_id", "reason"]
    static let listParameters: Set<String> = ["state", "grid_id", "community_id", "street_id", "district_id", "category", "overdue",
                                              "from", "to", "limit", "offset"]
    static let maxLimit = 1_000

    func addRoutes(to router: Router<WanggeRequestContext>) {
        router.post("/cases", use: create)
        router.get("/cases", use: list)
        router.get("/cases/:caseId", use: one)
        router.post("/cases/:caseId/events", use: act)
        router.get("/case-categories", use: categories)
    }

    @Sendable func create(_ request: Request, context: WanggeRequestContext) async throws -> EditedResponse<CaseBody> {
        let identity = try context.requireIdentity()
        let o = try await Self.jsonObject(request, allowed: Self.intakeMembers)
        let key = request.headers[HTTPField.Name("Idempotency-Key")!]
        let crs: CRS
        do { crs = try (try Self.string(o, "crs")).map { try CRS(parsing: $0) } ?? .wgs84 } catch let e as CRS.UnknownCRS {
            throw APIError.badParameter("crs", e.description)
        }
        let lon = try Self.requiredNumber(o, "lon"), lat = try Self.requiredNumber(o, "lat")
        guard let category = try Self.string(o, "category") else {
            throw APIError.badParameter("category", "missing: a case category code (see /case-categories)")
        }
        guard let description = try Self.string(o, "description") else { throw APIError.badParameter("description", "missing: say what is wrong") }
        let intake = CaseIntake(
            lon: lon, lat: lat, crs: crs, accuracyMetres: try Self.number(o, "accuracy_m"), category: category, description: description,
            contact: try Self.string(o, "contact"), photoURLs: try Self.strings(o, "photo_urls"), idempotencyKey: key)
        let (view, created) = try await cases.report(intake, by: identity)
        var headers: HTTPFields = [:]
        headers[.location] = "/cases/\(view.record.id)"
        return EditedResponse(status: created ? .created : .ok, headers: headers, response: CaseBody(view))
    }

    @Sendable func one(_ request: Request, context: WanggeRequestContext) async throws -> CaseBody {
        let identity = try context.requireIdentity()
        return CaseBody(try cases.read(id: try Self.caseId(context), by: identity))
    }

    @Sendable func act(_ request: Request, context: WanggeRequestContext) async throws -> EditedResponse<CaseBody> {
        let identity = try context.requireIdentity()
        let id = try Self.caseId(context)
        let o = try await Self.jsonObject(request, allowed: Self.eventMembers)
        guard let actionText = try Self.string(o, "action") else {
            throw APIError.badParameter("action", "missing; one of " + CaseAction.allCases.map(\.rawValue).joined(separator: ", "))
        }
        guard let action = CaseAction(rawValue: actionText) else {
            throw APIError.badParameter("action", "unknown action '\(actionText.prefix(40))'; one of " + CaseAction.allCases.map(\.rawValue).joined(separator: ", "))
        }
        var reason: RejectReason?
        if let r = try Self.string(o, "reason") {
            guard let v = RejectReason(rawValue: r) else { throw APIError.badParameter("reason", "invalid or duplicate, found '\(r.prefix(40))'") }
            reason = v
        }
        let cmd = CaseCommand(action: action, note: try Self.string(o, "note"), photoURL: try Self.string(o, "photo_url"),
                              gridId: try Self.string(o, "grid_id"), reason: reason)
        let view = try cases.act(cmd, on: id, by: identity)
        return EditedResponse(status: .created, response: CaseBody(view))
    }

    @Sendable func list(_ request: Request, context: WanggeRequestContext) async throws -> CaseListBody {
        let identity = try context.requireIdentity()
        let q = try Self.query(request.uri.queryParameters)
        let (views, total) = try cases.list(q, by: identity)
        return CaseListBody(cases: views.map(CaseBody.init), numberMatched: total, numberReturned: views.count, limit: q.limit, offset: q.offset,
                            links: Self.pageLinks(request, query: q, returned: views.count, matched: total, publicURL: services.publicURL))
    }

    /// `self`, and `next`/`prev` where there are more pages, as the OGC items pages have them: the
    /// request's own filters (and `api_key`, when the token came that way) with another `offset`.
    static func pageLinks(_ request: Request, query q: CaseQuery, returned: Int, matched: Int, publicURL: String?) -> [Link] {
        let l = Links(request, publicURL: publicURL)
        let kept = request.uri.queryParameters.filter { $0.key != "offset" }.map { (String($0.key), String($0.value)) }
        func page(_ offset: Int) -> String { l.url("/cases", query: kept + (offset > 0 ? [("offset", String(offset))] : [])) }
        var links = [Links.link(page(q.offset), rel: OGC.Rel.`self`, type: OGC.Media.json)]
        if q.offset + returned < matched { links.append(Links.link(page(q.offset + q.limit), rel: OGC.Rel.next, type: OGC.Media.json)) }
        if q.offset > 0 { links.append(Links.link(page(max(0, q.offset - q.limit)), rel: OGC.Rel.prev, type: OGC.Media.json)) }
        return links
    }

    @Sendable func categories(_ request: Request, context: WanggeRequestContext) async throws -> CaseCategoryList {
        CaseCategoryList(categories: try cases.categories().map {
            .init(code: $0.code, name_zh: $0.nameZh, name_en: $0.nameEn, group: $0.group, deadline_class: $0.deadlineClass.rawValue,
                  first_level: $0.firstLevel.rawValue)
        })
    }

    /// The list's filters: `state` (comma-separated), area ids, `category`, `overdue`
    /// (true/false), `from`/`to` (reported at, RFC 3339 date-time or a date in Asia/Shanghai;
    /// `to` exclusive), `limit` (1–1,000, default 100), `offset`.
    static func query(_ p: Parameters) throws -> CaseQuery {
        // `api_key` is the token (TokenAuthenticator read it), not a filter.
        for (k, _) in p where !listParameters.contains(String(k)) && k != "api_key" {
            throw APIError.badParameter(String(k), "unknown parameter; /cases takes " + listParameters.sorted().joined(separator: ", "))
        }
        try p.rejectRepeats()
        var q = CaseQuery()
        if let s = p["state"] {
            q.states = try s.split(separator: ",").map { t in
                guard let v = CaseState(rawValue: String(t)) else {
                    throw APIError.badParameter("state", "unknown state '\(t.prefix(40))'; one of " + CaseState.allCases.map(\.rawValue).joined(separator: ", "))
                }
                return v
            }
        }
        q.gridId = p["grid_id"].map(String.init); q.communityId = p["community_id"].map(String.init)
        q.streetId = p["street_id"].map(String.init); q.districtId = p["district_id"].map(String.init)
        q.category = p["category"].map(String.init)
        if let o = p["overdue"] {
            guard o == "true" || o == "false" else { throw APIError.badParameter("overdue", "true or false, found '\(o.prefix(40))'") }
            q.overdue = o == "true"
        }
        q.reportedFrom = try p["from"].map { try time($0, field: "from") }
        q.reportedBefore = try p["to"].map { try time($0, field: "to") }
        if let l = p["limit"] {
            guard let v = Int(l), (1...maxLimit).contains(v) else { throw APIError.badParameter("limit", "a whole number from 1 to \(maxLimit)") }
            q.limit = v
        }
        if let o = p["offset"] {
            guard let v = Int(o), v >= 0, v <= OpenAPI.maxOffset else { throw APIError.badParameter("offset", "a whole number from 0 to \(OpenAPI.maxOffset)") }
            q.offset = v
        }
        return q
    }

    static func time(_ s: Substring, field: String) throws -> Date {
        let text = String(s)
        if let d = try? Date(text, strategy: Date.ISO8601FormatStyle(includingFractionalSeconds: true)) { return d }
        if let d = try? Date(text, strategy: Date.ISO8601FormatStyle()) { return d }
        var cal = Calendar(identifier: .gregorian)
        cal.timeZone = Deadlines.timeZone
        let parts = text.split(separator: "-")
        if parts.count == 3, let y = Int(parts[0]), let m = Int(parts[1]), let d = Int(parts[2]), parts[0].count == 4,
           let date = cal.date(from: DateComponents(year: y, month: m, day: d)), cal.component(.day, from: date) == d {
            return date
        }
        throw APIError.badParameter(field, "an RFC 3339 date-time (2026-11-30T08:00:00Z) or a date (2026-11-30, Asia/Shanghai), found '\(text.prefix(40))'")
    }

    static func caseId(_ context: WanggeRequestContext) throws -> Int64 {
        let text = try context.parameters.require("caseId")
        guard let id = Int64(text), id > 0 else { throw APIError.badParameter("caseId", "a case id is a positive whole number, found '\(text.prefix(40))'") }
        return id
    }

    /// The body as one JSON object with only the `allowed` members; 415 unless it is declared JSON.
    static func jsonObject(_ request: Request, allowed: Set<String>) async throws -> JSONObject {
        let body = try await RequestBody.collect(request, mediaType: "application/json", what: "the case", limit: maxBodyBytes)
        guard let o = try JSONParser.parse(Array(body.readableBytesView)).objectValue else {
            throw APIError.badParameter("body", "expected a JSON object")
        }
        for (k, _) in o.members where !allowed.contains(k) {
            throw APIError.badParameter(k, "unknown member; the body takes " + allowed.sorted().joined(separator: ", "))
        }
        return o
    }

    static func requiredNumber(_ o: JSONObject, _ name: String) throws -> Double {
        guard let v = try number(o, name) else { throw APIError.badParameter(name, "missing (give lon and lat, e.g. {\"lon\": 114.41, \"lat\": 23.09})") }
        return v
    }

    static func number(_ o: JSONObject, _ name: String) throws -> Double? {
        guard let v = o[name], !v.isNull else { return nil }
        guard let d = v.doubleValue else { throw APIError.badParameter(name, "must be a number, found \(v.typeName)") }
        guard d.isFinite else { throw APIError.badParameter(name, "must be a finite number") }
        return d
    }

    static func string(_ o: JSONObject, _ name: String) throws -> String? {
        guard let v = o[name], !v.isNull else { return nil }
        guard let s = v.stringValue else { throw APIError.badParameter(name, "must be a string, found \(v.typeName)") }
        return s
    }

    static func strings(_ o: JSONObject, _ name: String) throws -> [String] {
        guard let v = o[name], !v.isNull else { return [] }
        guard let a = v.arrayValue else { throw APIError.badParameter(name, "must be an array of URLs, found \(v.typeName)") }
        return try a.enumerated().map { k, e in
            guard let s = e.stringValue else { throw APIError.badParameter("\(name)[\(k)]", "must be a string, found \(e.typeName)") }
            return s
        }
    }
}
