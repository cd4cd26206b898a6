import GridCases
import GridStore

/// Open311 GeoReport v2 (Open311Controller) and the managers' views of cases
/// (CaseViewsController) in the API definition.
extension OpenAPI {
    static func open311Paths() -> [(String, J)] {
        let str: J = ["type": "string"], nstr: J = ["type": "string", "nullable": true]
        let service: J = [
            "type": "object", "required": ["service_code", "service_name", "metadata", "type"],
            "properties": ["service_code": str, "service_name": str, "description": str, "metadata": ["type": "boolean"],
                           "type": ["type": "string", "enum": ["realtime"]], "keywords": str, "group": str],
        ]
        let request: J = [
            "type": "object", "required": ["service_request_id", "status", "service_code", "requested_datetime", "lat", "long"],
            "properties": [
                "service_request_id": str, "status": ["type": "string", "enum": ["open", "closed"]],
                "status_notes": ["type": "string", "description": "the loop's state and level (reported, filed, dispatched, …), overdue, triage"],
                "service_name": nstr, "service_code": str, "description": str,
                "agency_responsible": ["type": "string", "description": "the grid and community the case is routed to"],
                "service_notice": str, "requested_datetime": ["type": "string", "format": "date-time"],
                "updated_datetime": ["type": "string", "format": "date-time"],
                "expected_datetime": ["type": "string", "format": "date-time", "description": "the case's deadline"],
                "address": nstr, "address_id": nstr, "zipcode": nstr,
                "lat": ["type": "number", "description": "WGS84"], "long": ["type": "number", "description": "WGS84"], "media_url": nstr,
            ],
        ]
        let created: J = [
            "type": "object", "required": ["service_request_id", "service_notice"],
            "properties": ["service_request_id": str, "service_notice": str, "account_id": nstr],
        ]
        let errorList: J = ["type": "array", "items": ["type": "object", "required": ["code", "description"],
                                                       "properties": ["code": ["type": "integer"], "description": str]]]
        let jurisdiction: J = ["name": "jurisdiction_id", "in": "query", "required": false,
                               "description": "accepted and ignored: this server is one jurisdiction", "schema": str]
        let apiKey: J = ["name": "api_key", "in": "query", "required": false, "description": "a token (needed only to create requests)", "schema": str]
        var paths: [(String, J)] = []
        for f in Open311Format.allCases {
            let media = f == .json ? "application/json" : "text/xml"
            let xmlSchema: J = ["type": "string", "description": "GeoReport v2 XML"]
            func body(_ schema: J, _ d: String = "success") -> J {
                let chosen: J = f == .json ? schema : xmlSchema
                return ["description": .string(d), "content": .object([(media, J.object([("schema", chosen)]))])]
            }
            func errors(_ codes: [String]) -> [(String, J)] {
                codes.map { ($0, body(errorList, "the spec's error list: [{code, description}] (XML: <errors><error><code/><description/></error></errors>)")) }
                    + [("500", body(errorList, "internal error (the description names the request id)"))]
            }
            func op(_ summary: String, _ d: String, id: String, parameters: [J], ok: [(String, J)], errs: [String], form: Bool = false) -> J {
                var o: [(String, J)] = [("tags", ["Open311"]), ("summary", .string(summary)), ("description", .string(d)),
                                        ("operationId", .string("\(id)_\(f.rawValue)")), ("parameters", .array(parameters))]
                if form {
                    o.append(("requestBody", ["required": true, "content": ["application/x-www-form-urlencoded": ["schema": [
                        "type": "object", "required": ["service_code", "lat", "long", "description"],
                        "properties": [
                            "api_key": ["type": "string", "description": "a token (or in the query, or Authorization: Bearer)"],
                            "jurisdiction_id": str, "service_code": str,
                            "lat": ["type": "number", "minimum": -90, "maximum": 90, "description": "WGS84 latitude (or in coordinate_system)"],
                            "long": ["type": "number", "minimum": -180, "maximum": 180, "description": "WGS84 longitude (or in coordinate_system)"],
                            "coordinate_system": ["type": "string", "enum": ["wgs84", "gcj02", "bd09"],
                                                  "description": "extension: the datum of lat/long (phone maps in China give gcj02 or bd09); default wgs84 as the spec"],
                            "address_string": ["type": "string", "maxLength": 500, "description": "kept with the description, returned as address"],
                            "address_id": str, "email": str, "device_id": str, "account_id": str, "first_name": str, "last_name": str, "phone": str,
                            "description": ["type": "string", "maxLength": .int(CaseService.maxDescription)],
                            "media_url": ["type": "string", "format": "uri"],
                        ],
                    ]]]]))
                    o.append(("security", tokenSecurity))
                }
                o.append(("responses", .object(ok + errors(errs))))
                return .object(o)
            }
            let x = f.rawValue
            paths.append(("/open311/v2/discovery.\(x)", ["get": op(
                "Open311 service discovery", "Where the GeoReport v2 endpoint is, its specification, formats and changeset, and how to get a key.",
                id: "open311_discovery", parameters: [jurisdiction, apiKey],
                ok: [("200", body(["type": "object", "required": ["changeset", "contact", "key_service", "endpoints"], "properties": [
                    "changeset": str, "contact": str, "key_service": str,
                    "endpoints": ["type": "array", "items": ["type": "object", "required": ["specification", "url", "changeset", "type", "formats"],
                                                             "properties": ["specification": str, "url": str, "changeset": str, "type": str,
                                                                            "formats": ["type": "array", "items": str]]]],
                ]]))], errs: ["400", "401"])]))
            paths.append(("/open311/v2/services.\(x)", ["get": op(
                "Open311 services", "The case categories as GeoReport v2 services (metadata false: no attributes).",
                id: "open311_services", parameters: [jurisdiction, apiKey], ok: [("200", body(["type": "array", "items": service]))], errs: ["400", "401"])]))
            paths.append(("/open311/v2/services/{serviceCode}.\(x)", ["get": op(
                "Open311 service definition", "A service's definition: its code and no attributes.",
                id: "open311_service_definition",
                parameters: [["name": "serviceCode", "in": "path", "required": true, "schema": str], jurisdiction, apiKey],
                ok: [("200", body(["type": "object", "required": ["service_code", "attributes"],
                                   "properties": ["service_code": str, "attributes": ["type": "array", "items": ["type": "object"]]]]))],
                errs: ["400", "401", "404"])]))
            paths.append(("/open311/v2/requests.\(x)", [
                "get": op("Open311 service requests", """
                    Cases as service requests, newest first, at most 1,000. Without start_date and end_date, the 90 days before \
                    end_date (or now), as the spec. `service_request_id` (comma-separated) overrides every other parameter. No \
                    token needed: the answer carries no contact details. Extensions: bbox, page, page_size.
                    """, id: "open311_requests",
                    parameters: [
                        ["name": "service_request_id", "in": "query", "required": false, "description": "ids, comma-separated", "schema": str],
                        ["name": "service_code", "in": "query", "required": false, "description": "codes, comma-separated", "schema": str],
                        ["name": "status", "in": "query", "required": false, "description": "open, closed or open,closed", "schema": str],
                        ["name": "start_date", "in": "query", "required": false, "schema": ["type": "string", "format": "date-time"]],
                        ["name": "end_date", "in": "query", "required": false, "description": "inclusive", "schema": ["type": "string", "format": "date-time"]],
                        ["name": "bbox", "in": "query", "required": false, "description": "extension: minLong,minLat,maxLong,maxLat (WGS84)", "schema": str],
                        ["name": "page", "in": "query", "required": false, "schema": ["type": "integer", "minimum": 1]],
                        ["name": "page_size", "in": "query", "required": false, "schema": ["type": "integer", "minimum": 1, "maximum": .int(Open311Controller.maxRequests)]],
                        jurisdiction, apiKey,
                    ],
                    ok: [("200", body(["type": "array", "items": request]))], errs: ["400", "401"]),
                "post": op("create an Open311 service request", """
                    Reports a case (form-encoded, as the spec): routed like POST /cases to its grid. Needs a token (reporter, worker, \
                    community, district or admin) as api_key in the form or query, or Authorization: Bearer. 201 with the new id.
                    """, id: "open311_create", parameters: [apiKey],
                    ok: [("201", body(["type": "array", "items": created], "created"))], errs: ["400", "401", "403", "413", "415"], form: true),
            ]))
            paths.append(("/open311/v2/requests/{requestId}.\(x)", ["get": op(
                "one Open311 service request", "One case as a service request (a list of one, as the spec).", id: "open311_request",
                parameters: [["name": "requestId", "in": "path", "required": true, "schema": str], jurisdiction, apiKey],
                ok: [("200", body(["type": "array", "items": request]))], errs: ["400", "401", "404"])]))
        }
        return paths
    }

    static func caseViewPaths() -> [(String, J)] {
        let str: J = ["type": "string"]
        let auth: [String] = ["400", "401", "403"]
        let listFilters: [J] = [
            ["name": "grid_id", "in": "query", "required": false, "schema": str],
            ["name": "community_id", "in": "query", "required": false, "schema": str],
            ["name": "street_id", "in": "query", "required": false, "schema": str],
            ["name": "district_id", "in": "query", "required": false, "schema": str],
            ["name": "state", "in": "query", "required": false, "description": "states, comma-separated", "schema": str],
            ["name": "category", "in": "query", "required": false, "schema": str],
        ]
        let apiKey: J = ["name": "api_key", "in": "query", "required": false, "description": "the token, for clients that can only be given a URL", "schema": str]
        let share: J = ["type": "number", "nullable": true, "minimum": 0, "maximum": 1]
        let hours: J = ["type": "number", "nullable": true, "minimum": 0]
        let stats = withSecurity(get("case statistics", """
            Figures per grid, community, street or district (`level`, default grid) over the cases matching the filters, within \
            the token's area: counts by state, open and overdue counts, median and 90th-percentile hours from report to close \
            (type 7 percentiles over closed and evaluated cases), the share of those closed by their deadline, and the share \
            closed at the compound level (never escalated past it). Staff tokens only.
            """, tag: "Cases", id: "case_stats",
            parameters: [["name": "level", "in": "query", "required": false,
                          "schema": ["type": "string", "enum": .strings(StatsLevel.allCases.map(\.rawValue)), "default": "grid"]]]
                + listFilters + [
                    ["name": "from", "in": "query", "required": false, "description": "reported at or after (RFC 3339, or a date in Asia/Shanghai)", "schema": str],
                    ["name": "to", "in": "query", "required": false, "description": "reported before", "schema": str],
                    apiKey,
                ],
            ok: ok(OGC.Media.json, ["type": "object", "required": ["level", "areas"], "properties": [
                "level": str,
                "areas": ["type": "array", "items": ["type": "object", "required": ["id", "total", "by_state", "open", "overdue", "closed"], "properties": [
                    "id": ["type": "string", "nullable": true], "total": ["type": "integer"],
                    "by_state": ["type": "object", "additionalProperties": ["type": "integer"]],
                    "open": ["type": "integer"], "overdue": ["type": "integer"], "closed": ["type": "integer"],
                    "median_hours_to_close": hours, "p90_hours_to_close": hours,
                    "share_closed_within_deadline": share, "share_solved_at_compound": share,
                ]]],
            ]]), errors: auth))
        let feature: J = [
            "type": "object", "required": ["type", "id", "geometry", "properties"],
            "properties": [
                "type": ["type": "string", "enum": ["Feature"]], "id": ["type": "string", "description": "the case id"],
                "geometry": .schemaRef("pointGeometry"),
                "properties": ["type": "object", "description": "category, description, state, level, overdue, deadline, reported_at, updated_at, closed_at, grid_id, community_id, street_id, district_id, compound_id, worker_name, outside_grids, contact"],
                "links": .schemaRef("links"),
            ],
        ]
        let featureCollection: J = [
            "type": "object", "required": ["type", "features", "numberMatched", "numberReturned"],
            "properties": [
                "type": ["type": "string", "enum": ["FeatureCollection"]], "numberMatched": ["type": "integer"],
                "numberReturned": ["type": "integer"], "timeStamp": ["type": "string"], "links": .schemaRef("links"),
                "features": ["type": "array", "items": feature],
            ],
        ]
        let collection = withSecurity(get("the cases collection", "The cases as an OGC API – Features collection (not listed in /collections: it needs a staff token).",
                                          tag: "Cases", id: "cases_collection", parameters: [.parameterRef("f"), apiKey],
                                          ok: ok(OGC.Media.json, .schemaRef("collection")), errors: ["400", "401"]))
        let items = withSecurity(get("case items", "Cases as GeoJSON points (CRS84), newest first, within the token's area; `contact` only for staff of the case's area.",
                                     tag: "Cases", id: "cases_items",
                                     parameters: listFilters + [
                                         ["name": "overdue", "in": "query", "required": false, "schema": ["type": "boolean"]],
                                         .parameterRef("datetime"), .parameterRef("bbox"), .parameterRef("limit"), .parameterRef("offset"),
                                         .parameterRef("f-geojson"), apiKey,
                                     ],
                                     ok: ok(OGC.Media.geoJSON, featureCollection, headers: true), errors: auth))
        let item = withSecurity(get("one case item", "One case as a GeoJSON point feature.", tag: "Cases", id: "cases_item",
                                    parameters: [["name": "featureId", "in": "path", "required": true, "schema": str], .parameterRef("f-geojson"), apiKey],
                                    ok: ok(OGC.Media.geoJSON, feature, headers: true), errors: ["400", "401", "403", "404"]))
        return [
            ("/cases/stats", stats),
            ("/collections/cases", collection),
            ("/collections/cases/items", items),
            ("/collections/cases/items/{featureId}", item),
        ]
    }
}
