import Foundation
import GridCases
import GridGeo
import GridStore
import HTTPTypes
import Hummingbird
import NIOCore

/// Open311 GeoReport v2 (https://wiki.open311.org/GeoReport_v2/) under `/open311/v2`, a thin
/// layer over `CaseService`: the case categories are the services, a case is a service request.
/// Every route exists as `.json` and `.xml`. Errors are the spec's error list in the same format
/// (`APIError.swift` sends every error under /open311 through `Open311Document.errors`).
///
/// Extensions to the spec, all optional: `coordinate_system` on POST requests (wgs84 default,
/// gcj02, bd09: `lat`/`long` are WGS84 as the spec defines them unless it says otherwise),
/// `bbox` (minLong,minLat,maxLong,maxLat, WGS84) and `page`/`page_size` on GET requests, and
/// the `Idempotency-Key` header on POST requests (as on POST /cases).
///
/// Who may do what: creating a request needs a token (`api_key` in the form or the query, or
/// `Authorization: Bearer`), with the roles of POST /cases. Reads need none, as in the spec:
/// they carry no contact details and no reporter name (only staff read those, on /cases).
struct Open311Controller {
    let services: AppServices
    var cases: CaseService { services.cases }

    static let root = "/open311/v2"
    static let maxBodyBytes = 64 << 10
    /// The spec's maximum of one answer.
    static let maxRequests = 1_000
    /// The spec's default window of GET requests without dates.
    static let defaultWindow: TimeInterval = 90 * 86_400
    static let maxIds = 100
    /// The parameters the spec defines for POST requests and ours; anything else is refused by name.
    static let postFields: Set<String> = [
        "api_key", "jurisdiction_id", "service_code", "lat", "long", "address_string", "address_id", "email", "device_id",
        "account_id", "first_name", "last_name", "phone", "description", "media_url", "coordinate_system",
    ]
    static let listParameters: Set<String> = [
        "api_key", "jurisdiction_id", "service_request_id", "service_code", "status", "start_date", "end_date", "bbox", "page", "page_size",
    ]
    /// The marker that keeps a client's `address_string` with the description (see `addressed`).
    static let addressMarker = "\n\n地址 address: "

    func addRoutes(to router: Router<WanggeRequestContext>) {
        for f in Open311Format.allCases {
            router.get(RouterPath("\(Self.root)/discovery.\(f.rawValue)")) { r, c in try await discovery(r, c, f) }
            router.get(RouterPath("\(Self.root)/services.\(f.rawValue)")) { r, c in try await serviceList(r, c, f) }
            router.get(RouterPath("\(Self.root)/services/{serviceCode}.\(f.rawValue)")) { r, c in try await definition(r, c, f) }
            router.get(RouterPath("\(Self.root)/requests.\(f.rawValue)")) { r, c in try await requests(r, c, f) }
            router.post(RouterPath("\(Self.root)/requests.\(f.rawValue)")) { r, c in try await create(r, c, f) }
            router.get(RouterPath("\(Self.root)/requests/{requestId}.\(f.rawValue)")) { r, c in try await one(r, c, f) }
        }
    }

    // MARK: discovery

    /// When this endpoint's GeoReport v2 interface last changed (the discovery's `changeset`).
    static let changeset = "2026-12-01T00:00:00Z"

    /// Service discovery (GeoReport v2, "Service Discovery"): where the endpoint is, which
    /// specification and formats it serves, and how to get a key.
    func discovery(_ request: Request, _ context: WanggeRequestContext, _ f: Open311Format) async throws -> Open311Document {
        try Self.onlyParameters(request, ["api_key", "jurisdiction_id"])
        let links = Links(request, publicURL: services.publicURL)
        let url = links.url(Self.root)
        let endpoint = Open311Record([
            ("specification", .string("http://wiki.open311.org/GeoReport_v2")), ("url", .string(url)),
            ("changeset", .string(Self.changeset)), ("type", .string("production")),
            ("formats", .strings(item: "format", Open311Format.allCases.map { $0.contentType.components(separatedBy: ";")[0] })),
        ])
        return Open311Document(root: "discovery", item: "discovery", records: [Open311Record([
            ("changeset", .string(Self.changeset)),
            ("contact", .string("the operator of this wangge server; the API description is at \(links.url("/api"))")),
            ("key_service", .string("api_key: a token the operator issues (wangge token create --role reporter); reads need none")),
            ("endpoints", .records(item: "endpoint", [endpoint])),
        ])], format: f, single: true)
    }

    // MARK: services

    func serviceList(_ request: Request, _ context: WanggeRequestContext, _ f: Open311Format) async throws -> Open311Document {
        try Self.onlyParameters(request, ["api_key", "jurisdiction_id"])
        let records = try cases.categories().map { c in
            Open311Record([
                ("service_code", .string(c.code)), ("service_name", .string(c.nameZh)),
                ("description", .string("\(c.nameEn). Deadline: \(c.deadlineClass == .ordinary ? "the end of the reporting day" : "15 days") (Asia/Shanghai); first handled at the \(c.firstLevel.rawValue) level.")),
                ("metadata", .bool(false)), ("type", .string("realtime")),
                ("keywords", .string([c.code, c.nameEn, c.nameZh].joined(separator: ","))), ("group", .string(c.group)),
            ])
        }
        return Open311Document(root: "services", item: "service", records: records, format: f)
    }

    func definition(_ request: Request, _ context: WanggeRequestContext, _ f: Open311Format) async throws -> Open311Document {
        try Self.onlyParameters(request, ["api_key", "jurisdiction_id"])
        let code = try context.parameters.require("serviceCode")
        guard try cases.categories().contains(where: { $0.code == code }) else {
            throw APIError(.notFound, code: "NotFound", "service_code: no service '\(code.prefix(60))' (see services.\(f.rawValue))", field: "service_code")
        }
        return Open311Document(root: "service_definition", item: "service_definition",
                               records: [Open311Record([("service_code", .string(code)), ("attributes", .records(item: "attribute", []))])],
                               format: f, single: true)
    }

    // MARK: requests

    func create(_ request: Request, _ context: WanggeRequestContext, _ f: Open311Format) async throws -> Open311Document {
        let form = try await Self.form(request)
        let identity: Identity
        if let id = context.identity {
            identity = id
        } else if let key = form["api_key"] {
            guard let id = try services.db.identity(forToken: key) else { throw AuthError.invalidToken }
            identity = id
        } else {
            throw AuthError.missingToken
        }
        guard let code = form["service_code"], !code.isEmpty else { throw APIError.badParameter("service_code", "missing (see services.\(f.rawValue))") }
        guard form["lat"] != nil || form["long"] != nil else {
            throw APIError.badParameter("lat", "lat and long are required: this server locates requests by their point, not by address_string or address_id")
        }
        let lat = try Self.number(form, "lat"), lon = try Self.number(form, "long")
        var crs = CRS.wgs84
        if let name = form["coordinate_system"] {
            guard ["wgs84", "gcj02", "bd09"].contains(name.lowercased()) else {
                throw APIError.badParameter("coordinate_system", "wgs84 (the default), gcj02 or bd09, found '\(name.prefix(40))'")
            }
            crs = try CRS(parsing: name.lowercased())
        }
        guard let text = form["description"], !text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
            throw APIError.badParameter("description", "missing: say what is wrong")
        }
        let intake = CaseIntake(
            lon: lon, lat: lat, crs: crs, category: code, description: try Self.addressed(text, form["address_string"]),
            contact: Self.contact(form), photoURLs: form["media_url"].map { [$0] } ?? [],
            idempotencyKey: request.headers[HTTPField.Name("Idempotency-Key")!])
        let view: CaseView
        do { view = try await cases.report(intake, by: identity).view } catch let e as CaseInputError {
            // Name the Open311 parameter, not the case field it became.
            let field = ["category": "service_code", "photo_urls[0]": "media_url", "lon": "long", "lon,lat": "lat,long"][e.field] ?? e.field
            throw APIError.badParameter(field, e.message)
        }
        let c = view.record
        return Open311Document(root: "service_requests", item: "request", records: [Open311Record([
            ("service_request_id", .string(String(c.id))), ("service_notice", .string(Self.notice(c))), ("account_id", .null),
        ])], format: f, status: .created)
    }

    func requests(_ request: Request, _ context: WanggeRequestContext, _ f: Open311Format) async throws -> Open311Document {
        let p = request.uri.queryParameters
        try Self.onlyParameters(request, Self.listParameters)
        let names = try categoryNames()
        var records: [CaseRecord]
        if let ids = p["service_request_id"] {
            // The spec: a list of ids overrides every other parameter.
            let list = ids.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
            guard !list.isEmpty, list.count <= Self.maxIds else {
                throw APIError.badParameter("service_request_id", "1 to \(Self.maxIds) ids, comma-separated")
            }
            records = []
            for t in list {
                guard let id = Int64(t), id > 0 else { throw APIError.badParameter("service_request_id", "'\(t.prefix(40))' is not a request id") }
                // Unknown ids are left out of a list (the spec answers what it finds).
                if let c = try services.db.caseRecord(id: id) { records.append(c) }
            }
        } else {
            var q = CaseQuery()
            if let s = p["status"] {
                var states = Set<CaseState>()
                for t in s.split(separator: ",", omittingEmptySubsequences: false) {
                    switch t.trimmingCharacters(in: .whitespaces) {
                    case "open": states.formUnion(CaseState.open)
                    case "closed": states.formUnion(CaseState.allCases.filter { !$0.isOpen })
                    default: throw APIError.badParameter("status", "open, closed or open,closed, found '\(t.prefix(40))'")
                    }
                }
                q.states = CaseState.allCases.filter(states.contains)
            }
            let start = try p["start_date"].map { try CasesController.time($0, field: "start_date") }
            let end = try p["end_date"].map { try CasesController.time($0, field: "end_date") }
            if let start, let end, end < start { throw APIError.badParameter("end_date", "is before start_date") }
            // Without dates the spec's window: the 90 days before end_date (or now).
            q.reportedFrom = start ?? (end ?? cases.now()).addingTimeInterval(-Self.defaultWindow)
            // end_date is inclusive; times are stored to the millisecond.
            q.reportedBefore = end.map { $0.addingTimeInterval(0.001) }
            if let b = p["bbox"] {
                let v = b.split(separator: ",", omittingEmptySubsequences: false).map { Double($0.trimmingCharacters(in: .whitespaces)) }
                guard v.count == 4, v.allSatisfy({ $0?.isFinite == true }) else {
                    throw APIError.badParameter("bbox", "minLong,minLat,maxLong,maxLat in WGS84, found '\(b.prefix(80))'")
                }
                let n = v.map { $0! }
                guard n[0] <= n[2], n[1] <= n[3], (-180...180).contains(n[0]), (-180...180).contains(n[2]), (-90...90).contains(n[1]), (-90...90).contains(n[3]) else {
                    throw APIError.badParameter("bbox", "needs minLong <= maxLong and minLat <= maxLat within ±180 and ±90")
                }
                q.bbox = (n[0], n[1], n[2], n[3])
            }
            let size = try p["page_size"].map { try Self.whole($0, "page_size", 1...Self.maxRequests) } ?? Self.maxRequests
            let page = try p["page"].map { try Self.whole($0, "page", 1...(OpenAPI.maxOffset / Self.maxRequests)) } ?? 1
            let codes = p["service_code"].map { $0.split(separator: ",").map { String($0).trimmingCharacters(in: .whitespaces) } }
            if let codes { for c in codes where names[c] == nil { throw APIError.badParameter("service_code", "no service '\(c.prefix(60))'") } }
            // Each code's newest page, merged: the newest of the union (ids grow with time).
            q.limit = size * page
            records = []
            for code in codes.map({ $0.map(Optional.some) }) ?? [nil] {
                var one = q
                one.category = code
                records += try cases.publicCases(one).records
            }
            records.sort { $0.id > $1.id }
            records = Array(records.dropFirst(size * (page - 1)).prefix(size))
        }
        return Open311Document(root: "service_requests", item: "request", records: records.map { serviceRequest($0, names) }, format: f)
    }

    func one(_ request: Request, _ context: WanggeRequestContext, _ f: Open311Format) async throws -> Open311Document {
        try Self.onlyParameters(request, ["api_key", "jurisdiction_id"])
        let text = try context.parameters.require("requestId")
        guard let id = Int64(text), id > 0 else { throw APIError.badParameter("service_request_id", "'\(text.prefix(40))' is not a request id") }
        let c: CaseRecord
        do { c = try cases.publicCase(id: id) } catch is CaseNotFound {
            throw APIError(.notFound, code: "NotFound", "service_request_id: no request \(id)", field: "service_request_id")
        }
        return Open311Document(root: "service_requests", item: "request", records: [serviceRequest(c, try categoryNames())], format: f)
    }

    // MARK: a case as a service request

    func categoryNames() throws -> [String: String] {
        Dictionary(try cases.categories().map { ($0.code, $0.nameZh) }, uniquingKeysWith: { a, _ in a })
    }

    /// The spec's fields of a request, from the case: `status` open or closed (rejected, closed and
    /// evaluated cases are closed), `status_notes` naming the loop's state and level,
    /// `agency_responsible` the grid and community, `expected_datetime` the deadline.
    func serviceRequest(_ c: CaseRecord, _ names: [String: String]) -> Open311Record {
        let (description, address) = Self.split(c.description)
        let r = c.routing
        var notes = "\(c.state.rawValue) at the \(c.level.rawValue) level"
        if c.isOverdue(at: cases.now()) { notes += "; overdue" }
        if r.outsideGrids { notes += "; reported outside every grid, with community \(r.communityId ?? "-") for triage" }
        return Open311Record([
            ("service_request_id", .string(String(c.id))),
            ("status", .string(c.state.isOpen ? "open" : "closed")),
            ("status_notes", .string(notes)),
            ("service_name", names[c.category].map { .string($0) } ?? .null),
            ("service_code", .string(c.category)),
            ("description", .string(description)),
            ("agency_responsible", .string(Self.agency(r))),
            ("service_notice", .string(Self.notice(c))),
            ("requested_datetime", .string(Self.w3c(c.reportedAt))),
            ("updated_datetime", .string(Self.w3c(c.updatedAt))),
            ("expected_datetime", .string(Self.w3c(c.deadlineAt))),
            ("address", address.map { .string($0) } ?? .null),
            ("address_id", .null),
            ("zipcode", .null),
            ("lat", .number(c.lat)),
            ("long", .number(c.lon)),
            ("media_url", c.photoURLs.first.map { .string($0) } ?? .null),
        ])
    }

    static func agency(_ r: CaseRouting) -> String {
        if let g = r.gridId { return "grid \(g), community \(r.communityId ?? "-")" + (r.workerName.map { " (grid worker \($0))" } ?? "") }
        return "community \(r.communityId ?? "-") (triage)"
    }

    static func notice(_ c: CaseRecord) -> String {
        "routed to \(agency(c.routing)); due by \(w3c(c.deadlineAt))"
    }

    /// W3C date-time in UTC, whole seconds (`2026-11-30T02:00:00Z`), as the spec's examples.
    static func w3c(_ d: Date) -> String { Date.ISO8601FormatStyle().format(d) }

    /// The case description an Open311 request becomes: its `description`, and its
    /// `address_string` after a fixed marker (cases have no address column; `split` undoes it
    /// for `address` in GET requests). Both count toward the 4,000 characters of a description.
    static func addressed(_ description: String, _ address: String?) throws -> String {
        guard let address, !address.trimmingCharacters(in: .whitespaces).isEmpty else { return description }
        guard address.unicodeScalars.count <= 500 else { throw APIError.badParameter("address_string", "at most 500 characters") }
        return description + addressMarker + address
    }

    static func split(_ stored: String) -> (String, String?) {
        guard let r = stored.range(of: addressMarker, options: .backwards) else { return (stored, nil) }
        return (String(stored[..<r.lowerBound]), String(stored[r.upperBound...]))
    }

    /// first_name last_name, email, phone as one contact line (the case keeps one).
    static func contact(_ form: [String: String]) -> String? {
        let name = [form["first_name"], form["last_name"]].compactMap { $0 }.filter { !$0.isEmpty }.joined(separator: " ")
        let parts = [name, form["email"] ?? "", form["phone"] ?? ""].filter { !$0.isEmpty }
        return parts.isEmpty ? nil : parts.joined(separator: "; ")
    }

    // MARK: parsing

    static func onlyParameters(_ request: Request, _ allowed: Set<String>) throws {
        for (k, _) in request.uri.queryParameters where !allowed.contains(String(k)) {
            throw APIError.badParameter(String(k), "unknown parameter; this request takes " + allowed.sorted().joined(separator: ", "))
        }
    }

    static func whole(_ s: Substring, _ name: String, _ range: ClosedRange<Int>) throws -> Int {
        guard let n = Int(s), range.contains(n) else { throw APIError.badParameter(name, "a whole number from \(range.lowerBound) to \(range.upperBound)") }
        return n
    }

    static func number(_ form: [String: String], _ name: String) throws -> Double {
        guard let t = form[name] else { throw APIError.badParameter(name, "missing: lat and long go together (WGS84 degrees)") }
        guard let d = Double(t.trimmingCharacters(in: .whitespaces)), d.isFinite else {
            throw APIError.badParameter(name, "must be a number of degrees, found '\(t.prefix(40))'")
        }
        return d
    }

    /// The body as `application/x-www-form-urlencoded` fields (the spec's POST); 415 for any
    /// other content type; 400 for an unknown or repeated field.
    static func form(_ request: Request) async throws -> [String: String] {
        let body = try await RequestBody.collect(request, mediaType: "application/x-www-form-urlencoded", what: "the request (GeoReport v2)",
                                                 limit: maxBodyBytes)
        var fields: [String: String] = [:]
        for pair in String(buffer: body).split(separator: "&") {
            let kv = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard let key = decode(kv[0]) else { throw APIError.badParameter("body", "a field name is not valid percent-encoding") }
            guard postFields.contains(key) else {
                throw APIError.badParameter(key, "unknown field; POST requests takes " + postFields.sorted().joined(separator: ", ") +
                    " (the services have no attributes)")
            }
            guard let value = decode(kv.count > 1 ? kv[1] : "") else { throw APIError.badParameter(key, "not valid percent-encoding (UTF-8)") }
            guard fields.updateValue(value, forKey: key) == nil else { throw APIError.badParameter(key, "given twice") }
        }
        // An api_key in the query counts too (TokenAuthenticator read it); the form must not disagree with it.
        if let q = request.uri.queryParameters["api_key"], let f = fields["api_key"], String(q) != f {
            throw APIError.badParameter("api_key", "the form and the query name different keys")
        }
        return fields
    }

    static func decode(_ s: Substring) -> String? {
        String(s).replacingOccurrences(of: "+", with: " ").removingPercentEncoding
    }
}
