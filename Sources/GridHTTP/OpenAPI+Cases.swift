import GridCases
import GridStore

/// Cases (issue 11's CasesController) in the API definition.
extension OpenAPI {
    static func casePaths() -> [(String, J)] {
        func err(_ d: String) -> J { ["description": .string(d), "content": ["application/json": ["schema": .schemaRef("exception")]]] }
        let str: J = ["type": "string"], nstr: J = ["type": "string", "nullable": true]
        let num: J = ["type": "number"], nnum: J = ["type": "number", "nullable": true]
        let states = J.strings(CaseState.allCases.map(\.rawValue))
        let levels = J.strings(CaseLevel.allCases.map(\.rawValue))
        let event: J = [
            "type": "object", "required": ["id", "at", "action", "to_state", "level", "actor", "role"],
            "properties": [
                "id": ["type": "integer"], "at": ["type": "string", "format": "date-time"], "action": str,
                "from_state": ["type": "string", "nullable": true, "enum": states], "to_state": ["type": "string", "enum": states],
                "level": ["type": "string", "enum": levels], "grid_id": nstr, "actor": str,
                "role": ["type": "string", "description": "the token's role, or system (the sweep)"],
                "token_id": ["type": "integer", "nullable": true], "reason": nstr, "note": nstr, "photo_url": nstr,
            ],
        ]
        let caseSchema: J = [
            "type": "object",
            "required": ["id", "category", "description", "state", "level", "overdue", "deadline", "reported_at", "lon", "lat", "outside_grids",
                         "generation", "routed_generation", "photo_urls", "actions"],
            "properties": [
                "id": ["type": "integer"], "category": str, "description": str,
                "state": ["type": "string", "enum": states], "level": ["type": "string", "enum": levels],
                "overdue": ["type": "boolean", "description": "open and past its deadline now"],
                "deadline": ["type": "string", "format": "date-time",
                             "description": "the end of the reporting (or escalation) day in Asia/Shanghai (ordinary), or of the 15th day after it (complex)"],
                "reported_at": ["type": "string", "format": "date-time"], "updated_at": ["type": "string", "format": "date-time"],
                "closed_at": ["type": "string", "format": "date-time", "nullable": true],
                "lon": ["type": "number", "description": "WGS84"], "lat": ["type": "number", "description": "WGS84"],
                "input_crs": str, "input_lon": num, "input_lat": num, "accuracy_m": nnum,
                "grid_id": nstr, "community_id": nstr, "street_id": nstr, "district_id": nstr, "compound_id": nstr,
                "worker_name": nstr, "worker_phone": nstr,
                "outside_grids": ["type": "boolean", "description": "reported outside every grid: routed to the nearest grid's community for triage"],
                "nearest_grid_id": nstr, "nearest_m": nnum,
                "generation": ["type": "integer", "description": "the boundary generation the case was first assigned under"],
                "routed_generation": ["type": "integer"],
                "contact": ["type": "string", "description": "only for staff of the case's area and its reporter; never for planners"],
                "reporter": ["type": "string", "description": "the reporting token's name (shown with contact)"],
                "photo_urls": ["type": "array", "items": str],
                "actions": ["type": "array", "items": ["type": "string", "enum": .strings(CaseAction.allCases.map(\.rawValue))],
                            "description": "what the reader may do now"],
                "events": ["type": "array", "items": event],
            ],
        ]
        let caseIdParam: J = ["name": "caseId", "in": "path", "required": true, "schema": ["type": "integer", "minimum": 1]]
        let authErrors: [(String, J)] = [
            ("401", .responseRef("Unauthorized")),
            ("403", .responseRef("Forbidden")),
        ]
        func op(_ summary: String, _ description: String, id: String, parameters: [J], body: J? = nil, ok: [(String, J)], errors: [(String, J)]) -> J {
            var o: [(String, J)] = [("tags", ["Cases"]), ("summary", .string(summary)), ("description", .string(description)),
                                    ("operationId", .string(id)), ("parameters", .array(parameters))]
            if let body { o.append(("requestBody", ["required": true, "content": ["application/json": ["schema": body]]])) }
            o.append(("responses", .object(ok + errors + authErrors + [("500", .responseRef("ServerError"))])))
            o.append(("security", tokenSecurity))
            return .object(o)
        }
        let intake: J = [
            "type": "object", "required": ["lon", "lat", "category", "description"],
            "properties": [
                "lon": ["type": "number", "description": "longitude (or easting) in crs"],
                "lat": ["type": "number", "description": "latitude (or northing) in crs"],
                "crs": ["type": "string", "description": "wgs84 (default), cgcs2000, gcj02, bd09 or an EPSG code; the rules of /assign"],
                "accuracy_m": ["type": "number", "minimum": 0, "maximum": .double(CaseService.maxAccuracy)],
                "category": ["type": "string", "description": "a code of /case-categories"],
                "description": ["type": "string", "maxLength": .int(CaseService.maxDescription), "description": "what is wrong (at most 4,000 characters)"],
                "contact": ["type": "string", "maxLength": .int(CaseService.maxContact)],
                "photo_urls": ["type": "array", "maxItems": .int(CaseService.maxPhotos), "items": ["type": "string", "format": "uri"]],
            ],
        ]
        let eventBody: J = [
            "type": "object", "required": ["action"],
            "properties": [
                "action": ["type": "string", "enum": .strings(CaseAction.allCases.map(\.rawValue))],
                "note": ["type": "string"], "photo_url": ["type": "string", "format": "uri"],
                "grid_id": ["type": "string", "description": "reroute: the grid to move the case to"],
                "reason": ["type": "string", "enum": .strings(RejectReason.allCases.map(\.rawValue)), "description": "reject: why"],
            ],
        ]
        let caseOK: J = ["description": "the case", "content": ["application/json": ["schema": caseSchema]]]
        let listParams: [J] = [
            ["name": "state", "in": "query", "required": false, "description": "states, comma-separated", "schema": str],
            ["name": "grid_id", "in": "query", "required": false, "schema": str],
            ["name": "community_id", "in": "query", "required": false, "schema": str],
            ["name": "street_id", "in": "query", "required": false, "schema": str],
            ["name": "district_id", "in": "query", "required": false, "schema": str],
            ["name": "category", "in": "query", "required": false, "schema": str],
            ["name": "overdue", "in": "query", "required": false, "schema": ["type": "boolean"]],
            ["name": "from", "in": "query", "required": false, "description": "reported at or after (RFC 3339, or a date in Asia/Shanghai)", "schema": str],
            ["name": "to", "in": "query", "required": false, "description": "reported before (RFC 3339, or a date in Asia/Shanghai)", "schema": str],
            ["name": "limit", "in": "query", "required": false, "schema": ["type": "integer", "minimum": 1, "maximum": .int(CasesController.maxLimit), "default": 100]],
            ["name": "offset", "in": "query", "required": false, "schema": ["type": "integer", "minimum": 0, "default": 0]],
        ]
        let post = op("report a case", """
            Stores a case at a point, routed by the point-in-grid index (the grid GET /assign names for the same point and crs) to its \
            grid, community, street, district, compound and worker, with its first event. Outside every grid the case goes to the \
            nearest grid's community for triage (`outside_grids`); more than 10 km from every grid it is refused (400: wrong coordinates). `Idempotency-Key` makes retries safe: the same token and key \
            return the first case with 200 (201 when created). Needs a reporter, worker, community, district or admin token. \
            The answer comes after the case was committed (synchronous=FULL: fsynced); intakes arriving together share one \
            commit. When more intakes wait for the store than the server holds, 503 with `Retry-After`: nothing was stored, \
            retry with the same key.
            """, id: "case_create",
            parameters: [["name": "Idempotency-Key", "in": "header", "required": false, "schema": ["type": "string", "maxLength": .int(CaseService.maxIdempotencyKey)]]],
            body: intake,
            ok: [("200", caseOK), ("201", caseOK)],
            errors: [("400", .responseRef("BadRequest")), ("413", err("body too large")), ("415", .responseRef("UnsupportedMediaType")),
                     ("503", err("too many intakes waiting for the store; retry after Retry-After seconds with the same Idempotency-Key"))])
        let list = op("list cases", "Cases newest first, limited to the token's area (worker: its grid; community, district: theirs; planner, admin: all). Staff tokens only. `links` has `self`, and `next`/`prev` where there are more pages.",
                      id: "case_list", parameters: listParams,
                      ok: [("200", ["description": "a page of cases", "content": ["application/json": ["schema": [
                          "type": "object", "required": ["cases", "numberMatched", "numberReturned", "links"],
                          "properties": ["cases": ["type": "array", "items": caseSchema], "numberMatched": ["type": "integer"],
                                         "numberReturned": ["type": "integer"], "limit": ["type": "integer"], "offset": ["type": "integer"],
                                         "links": .schemaRef("links")],
                      ]]]])],
                      errors: [("400", .responseRef("BadRequest"))])
        let one = op("one case", "A case with its events (oldest first). The reporter reads its own cases; staff those of their area; planners all, without contact details.",
                     id: "case_get", parameters: [caseIdParam], ok: [("200", caseOK)],
                     errors: [("400", .responseRef("BadRequest")), ("404", .responseRef("NotFound"))])
        let act = op("act on a case", """
            One transition of the loop, recorded as an append-only event: file, reject (reason invalid|duplicate), dispatch, handle, \
            redo (verification failed), verify, close, evaluate, escalate (one level up), reroute (grid_id). A transition the \
            current state does not allow is a 409 naming the state and the allowed actions.
            """, id: "case_act", parameters: [caseIdParam], body: eventBody, ok: [("201", caseOK)],
            errors: [("400", .responseRef("BadRequest")), ("404", .responseRef("NotFound")), ("409", .responseRef("Conflict")),
                     ("413", err("body too large")), ("415", .responseRef("UnsupportedMediaType"))])
        let categories = get("case categories", "The case categories: code, names, group, deadline class (ordinary: the same day; complex: 15 days) and first level.",
                             tag: "Cases", id: "case_categories",
                             ok: ok(OGC.Media.json, ["type": "object", "required": ["categories"], "properties": ["categories": ["type": "array", "items": [
                                 "type": "object", "required": ["code", "name_zh", "name_en", "group", "deadline_class", "first_level"],
                                 "properties": ["code": str, "name_zh": str, "name_en": str, "group": str,
                                                "deadline_class": ["type": "string", "enum": .strings(DeadlineClass.allCases.map(\.rawValue))],
                                                "first_level": ["type": "string", "enum": levels]],
                             ]]]]), errors: [])
        return [
            ("/cases", ["get": list, "post": post]),
            ("/cases/{caseId}", ["get": one]),
            ("/cases/{caseId}/events", ["post": act]),
            ("/case-categories", categories),
        ]
    }
}
