import GridGeo
import GridStore
import Hummingbird

/// The OpenAPI 3.0 definition of the service (the landing page's `service-desc`) and its HTML
/// rendering (`service-doc`). Every route the router serves has a path here and every path here
/// is routed: OpenAPITests walks both and compares. Collections are written out one path per
/// layer, so each layer's property filters and feature schema are declared exactly.
struct OpenAPIController {
    let services: AppServices

    func addRoutes(to router: Router<WanggeRequestContext>) {
        router.get(RouterPath(OGC.Path.api), use: definition)
        router.get(RouterPath(OGC.Path.apiHTML), use: documentation)
    }

    @Sendable func definition(_ request: Request, context: WanggeRequestContext) async throws -> Response {
        try OGC.checkFormat(request.uri.queryParameters)
        let base = Links(request, publicURL: services.publicURL).base
        // The document is built as JSON values (readable as Swift literals), not a typed body.
        return Response(status: .ok, headers: [.contentType: OGC.Media.openAPI],
                        body: .init(byteBuffer: ByteBuffer(string: JSONText.encode(OpenAPI.document(serverURL: base, schema: services.db.schema).json))))
    }

    @Sendable func documentation(_ request: Request, context: WanggeRequestContext) async throws -> Response {
        let base = Links(request, publicURL: services.publicURL).base
        let html = OpenAPIHTML.render(OpenAPI.document(serverURL: base, schema: services.db.schema).json)
        return Response(status: .ok, headers: [.contentType: OGC.Media.htmlUTF8], body: .init(byteBuffer: ByteBuffer(string: html)))
    }
}

enum OpenAPI {
    /// Largest offset accepted, so that paging arithmetic can never overflow.
    static let maxOffset = 1_000_000_000_000

    /// The columns of each layer come from the store's schema (`GridDatabase.schema`).
    static func document(serverURL: String, schema: StoreSchema) -> J {
        var paths: [(String, J)] = [
            (OGC.Path.landing, get("landing page", "Links to the API definition, the conformance declaration, the layers and the map page.",
                                   tag: "Capabilities", parameters: [.parameterRef("f")], ok: ok(OGC.Media.json, .schemaRef("landingPage")))),
            (OGC.Path.conformance, get("conformance declaration", "The conformance classes this server implements.",
                                       tag: "Capabilities", parameters: [.parameterRef("f")], ok: ok(OGC.Media.json, .schemaRef("confClasses")))),
            (OGC.Path.api, get("API definition", "This document (OpenAPI 3.0).", tag: "Capabilities",
                               parameters: [.parameterRef("f")], ok: ok(OGC.Media.openAPI, ["type": "object"]))),
            (OGC.Path.apiHTML, get("API documentation", "This document rendered as HTML.", tag: "Capabilities",
                                   ok: ok(OGC.Media.html, ["type": "string"]), errors: [])),
            (OGC.Path.collections, get("the layers", "Every layer, with its spatial extent, storage CRS and the CRSs it can be served in.",
                                       tag: "Data", parameters: [.parameterRef("f")], ok: ok(OGC.Media.json, .schemaRef("collections")))),
        ]
        for layer in Layer.all { paths += layerPaths(schema[layer]) }
        paths += assignPaths()
        paths += coveragePaths()
        paths += nearestPaths()
        paths += casePaths()
        paths += caseViewPaths()
        paths += open311Paths()
        paths += isochronePaths()
        paths += [
            ("/categories", get("station categories", "The service-station categories (codes used by the stations layer's `category`).",
                                tag: "Data", ok: ok(OGC.Media.json, .schemaRef("categories")), errors: [])),
            ("/me", withSecurity(get("who am I", "The identity of the request's token: its id, role, area and name. 401 without a valid token.",
                                     tag: "Service", ok: ok(OGC.Media.json, .schemaRef("identity")), errors: ["401"]))),
            ("/metrics", get("metrics", "Prometheus text exposition format 0.0.4: requests by route pattern and status, latency histograms, " +
                             "the index set (generation, build seconds, features per layer), imports per layer (see MetricsController).",
                             tag: "Service", ok: ok("text/plain; version=0.0.4; charset=utf-8", ["type": "string"]), errors: [])),
            ("/health", get("health check", "Answers 200 while the service runs.", tag: "Service",
                            ok: ok(OGC.Media.json, ["type": "object", "required": ["status"], "properties": ["status": ["type": "string"]]]), errors: [])),
            (MapPage.scriptPath, get("the map page's script", "The planner's map page's JavaScript (Leaflet layers, the grid chain on click).",
                                     tag: "Map", ok: ok("application/javascript", ["type": "string"]), errors: [])),
            (OGC.Path.map, get("planner's map page", "An HTML map of every layer (Leaflet, served by this service). " +
                               "`tiles` sets a base-map tile URL template (the server default comes from WANGGE_MAP_TILES); there is no base map by default.",
                               tag: "Map", parameters: [[
                                   "name": "tiles", "in": "query", "required": false,
                                   "description": "tile URL template such as https://tile.example.org/{z}/{x}/{y}.png",
                                   "schema": ["type": "string"],
                               ]], ok: ok(OGC.Media.html, ["type": "string"]), errors: [])),
            ("/static/leaflet/{file}", get("Leaflet", "Leaflet's script and style sheet, from the system's libjs-leaflet.", tag: "Map",
                                           parameters: [fileParameter(MapController.leafletFiles)],
                                           ok: ["description": "the file", "content": ["application/javascript": ["schema": ["type": "string"]],
                                                                                     "text/css": ["schema": ["type": "string"]]]],
                                           errors: ["404"])),
            ("/static/leaflet/images/{file}", get("Leaflet images", "Leaflet's control and marker images.", tag: "Map",
                                                  parameters: [fileParameter(MapController.leafletImages)],
                                                  ok: ["description": "the image", "content": ["image/png": ["schema": ["type": "string", "format": "binary"]]]],
                                                  errors: ["404"])),
        ]
        return [
            "openapi": "3.0.3",
            "info": [
                "title": "wangge 网格 — grid management",
                "version": "1.0.0",
                "description": .string("""
                    Grids, compounds and service stations of a city's grid management (网格化管理) as OGC API – Features \
                    (Part 1 Core, GeoJSON, OpenAPI 3.0; Part 2 Coordinate Reference Systems by Reference). Coordinates are \
                    stored as WGS 84 longitude-latitude (CRS84); `crs` returns them in \(OutputCRS.supported.map(\.title).joined(separator: "; ")).

                    HTTP (RFC 9110): every GET path also answers HEAD (the same headers, no body) and OPTIONS (204 with `Allow`); \
                    another method on a known path is a 405 with `Allow`. CORS: web pages on other origins may read (GET, HEAD, \
                    and their preflight), from any origin unless the server was started with `--cors-origin`; `Content-Crs` is exposed. \
                    Errors are JSON (`exception`); a 500 names a request id and nothing else, the detail is in the server log.
                    """),
                "license": ["name": "sample data: see geodata/README.md"],
            ],
            "servers": [["url": .string(serverURL)]],
            "tags": [
                ["name": "Capabilities", "description": "what the service offers"],
                ["name": "Data", "description": "the layers as OGC API – Features"],
                ["name": "Assignment", "description": "which grid a point lies in"],
                ["name": "Coverage", "description": "5/10/15-minute life-service circles: who is covered, where the gaps are"],
                ["name": "Nearest", "description": "nearest service stations and the life service circles"],
                ["name": "Map", "description": "the planner's map page"],
                ["name": "Service", "description": "operations"],
                ["name": "Open311", "description": "Open311 GeoReport v2 over the cases (JSON and XML)"],
            ],
            "paths": .object(paths),
            "components": components(schema),
        ]
    }

    // MARK: paths

    static func layerPaths(_ schema: LayerSchema) -> [(String, J)] {
        let layer = schema.layer
        let name = layer.name
        var itemParams: [J] = ["limit", "offset", "bbox", "bbox-crs", "crs", "datetime", "f-geojson", "generation"].map { .parameterRef($0) }
        itemParams.append(filter("id", "string", "feature id"))
        for c in schema.columns { itemParams.append(filter(c.name, type(c.kind), c.description)) }
        return [
            (OGC.Path.collection(name), get("the \(layer.title.lowercased()) layer", "\(layer.title) (\(layer.titleZh)): extent, CRSs and links.",
                                            tag: "Data", id: "describe_\(name)", parameters: [.parameterRef("f")],
                                            ok: ok(OGC.Media.json, .schemaRef("collection")), errors: ["400"])),
            (OGC.Path.items(name), get("\(layer.title.lowercased()) (\(layer.titleZh))", """
                    Features of the \(name) layer, in pages (`limit`, default \(OGC.defaultLimit); a larger limit than \(OGC.maxLimit) \
                    is served as \(OGC.maxLimit); follow the `next` link). Filter by `bbox` (in `bbox-crs`, axis order of that CRS; \
                    it may cross the antimeridian) and by property equality \
                    (\((["id"] + schema.names).joined(separator: ", "))). `datetime` is accepted and checked but \
                    filters nothing: the layers have no time. `generation` answers as the layer stood at an earlier \
                    boundary generation. Unknown parameters are an error.
                    """, tag: "Data", id: "items_\(name)", parameters: itemParams,
                    ok: ok(OGC.Media.geoJSON, .schemaRef("featureCollection_\(name)"), headers: true).adding([
                        ("links", .object([("first_feature", [
                            "operationId": .string("item_\(name)"),
                            "parameters": ["featureId": "$response.body#/features/0/id"],
                            "description": "the first feature of the page, by its id",
                        ])])),
                    ]), errors: ["400"])),
            (OGC.Path.item(name, "{featureId}"), get("one of the \(name)", "One feature of the \(name) layer by its id.",
                                                     tag: "Data", id: "item_\(name)",
                                                     parameters: [.parameterRef("featureId"), .parameterRef("crs"), .parameterRef("f-geojson"), .parameterRef("generation")],
                                                     ok: ok(OGC.Media.geoJSON, .schemaRef("feature_\(name)"), headers: true), errors: ["400", "404"])),
        ]
    }

    static func type(_ k: LayerSchema.ValueKind) -> String {
        switch k {
        case .text: return "string"
        case .integer: return "integer"
        case .real: return "number"
        }
    }

    static func filter(_ name: String, _ type: String, _ description: String) -> J {
        [
            "name": .string(name), "in": "query", "required": false, "style": "form", "explode": false,
            "description": .string("only features whose \(name) equals this (\(description))"),
            "schema": ["type": .string(type)],
        ]
    }

    /// Marks every operation of a path item as needing a token.
    static func withSecurity(_ item: J) -> J {
        guard case .object(let ops) = item else { return item }
        return .object(ops.map { method, op in
            guard case .object(var members) = op else { return (method, op) }
            members.append(("security", tokenSecurity))
            return (method, .object(members))
        })
    }

    static func fileParameter(_ names: [String]) -> J {
        ["name": "file", "in": "path", "required": true, "schema": ["type": "string", "enum": .strings(names)]]
    }

    static func get(_ summary: String, _ description: String, tag: String, id: String? = nil, parameters: [J] = [],
                    ok: J, errors: [String] = ["400"]) -> J {
        var op: [(String, J)] = [
            ("tags", [.string(tag)]),
            ("summary", .string(summary)),
            ("description", .string(description)),
            ("operationId", .string(id ?? summary.lowercased().map { $0.isLetter || $0.isNumber ? $0 : "_" }.reduce("") { $0 + String($1) })),
        ]
        if !parameters.isEmpty { op.append(("parameters", .array(parameters))) }
        var responses: [(String, J)] = [("200", ok)]
        for e in errors { responses.append((e, .responseRef(errorResponses[e] ?? "BadRequest"))) }
        responses.append(("500", .responseRef("ServerError")))
        op.append(("responses", .object(responses)))
        return ["get": .object(op)]
    }

    /// The shared error responses (components/responses) by status.
    static let errorResponses = ["401": "Unauthorized", "403": "Forbidden", "404": "NotFound", "409": "Conflict", "415": "UnsupportedMediaType"]

    /// The `security` member of an operation that needs a token (either scheme).
    static let tokenSecurity: J = [["bearerToken": []], ["apiKey": []]]

    static func ok(_ media: String, _ schema: J, headers: Bool = false) -> J {
        var r: [(String, J)] = [("description", "success"), ("content", .object([(media, J.object([("schema", schema)]))]))]
        if headers {
            r.append(("headers", ["Content-Crs": [
                "description": "the CRS of the coordinates in the body, as <URI> (OGC API – Features Part 2)",
                "schema": ["type": "string"],
            ]]))
        }
        return .object(r)
    }

    // MARK: components

    static func components(_ schema: StoreSchema) -> J {
        let crsEnum = J.strings(OutputCRS.supportedURIs)
        var schemas: [(String, J)] = [
            ("link", [
                "type": "object", "required": ["href", "rel"],
                "properties": ["href": ["type": "string"], "rel": ["type": "string"], "type": ["type": "string"],
                               "title": ["type": "string"]],
            ]),
            ("links", ["type": "array", "items": .schemaRef("link")]),
            ("landingPage", [
                "type": "object", "required": ["links"],
                "properties": ["title": ["type": "string"], "description": ["type": "string"], "links": .schemaRef("links")],
            ]),
            ("confClasses", [
                "type": "object", "required": ["conformsTo"],
                "properties": ["conformsTo": ["type": "array", "items": ["type": "string"]]],
            ]),
            ("extent", [
                "type": "object",
                "properties": ["spatial": [
                    "type": "object",
                    "properties": [
                        "bbox": ["type": "array", "minItems": 1, "items": ["type": "array", "minItems": 4, "maxItems": 6, "items": ["type": "number"]]],
                        "crs": ["type": "string"],
                    ],
                ]],
            ]),
            ("collection", [
                "type": "object", "required": ["id", "links"],
                "properties": [
                    "id": ["type": "string"], "title": ["type": "string"], "description": ["type": "string"],
                    "links": .schemaRef("links"), "extent": .schemaRef("extent"),
                    "itemType": ["type": "string"],
                    "crs": ["type": "array", "items": ["type": "string"]],
                    "storageCrs": ["type": "string"],
                ],
            ]),
            ("collections", [
                "type": "object", "required": ["links", "collections"],
                "properties": ["links": .schemaRef("links"), "collections": ["type": "array", "items": .schemaRef("collection")]],
            ]),
            ("exception", [
                "type": "object", "required": ["code", "description"],
                "properties": [
                    "code": ["type": "string"], "description": ["type": "string"], "status": ["type": "integer"],
                    "field": ["type": "string"], "problems": ["type": "array", "items": ["type": "object"]],
                ],
            ]),
            ("identity", [
                "type": "object", "required": ["token_id", "role"],
                "properties": ["token_id": ["type": "integer"], "role": ["type": "string", "enum": .strings(Role.allCases.map(\.rawValue))],
                               "name": ["type": "string"], "district_id": ["type": "string"], "community_id": ["type": "string"],
                               "grid_id": ["type": "string"]],
            ]),
            ("categories", [
                "type": "object", "required": ["categories"],
                "properties": ["categories": ["type": "array", "items": [
                    "type": "object", "required": ["code", "name_zh", "name_en"],
                    "properties": ["code": ["type": "string"], "name_zh": ["type": "string"], "name_en": ["type": "string"],
                                   "counts_toward_all": ["type": "boolean"]],
                ]]],
            ]),
            ("polygonGeometry", [
                "type": "object", "required": ["type", "coordinates"],
                "properties": ["type": ["type": "string", "enum": ["Polygon", "MultiPolygon"]], "coordinates": ["type": "array"]],
            ]),
            ("pointGeometry", [
                "type": "object", "required": ["type", "coordinates"],
                "properties": ["type": ["type": "string", "enum": ["Point"]],
                               "coordinates": ["type": "array", "minItems": 2, "maxItems": 3, "items": ["type": "number"]]],
            ]),
        ]
        for layer in Layer.all {
            var props: [(String, J)] = [("id", ["type": "string", "description": "the feature id"])]
            for c in schema[layer].columns {
                props.append((c.name, ["type": .string(type(c.kind)), "nullable": true, "description": .string(c.description)]))
            }
            schemas.append(("feature_\(layer.name)", [
                "type": "object", "required": ["type", "id", "geometry", "properties"],
                "properties": [
                    "type": ["type": "string", "enum": ["Feature"]],
                    "id": ["type": "string"],
                    "geometry": .schemaRef(layer.geometry == .point ? "pointGeometry" : "polygonGeometry"),
                    "properties": ["type": "object", "required": ["id"], "properties": .object(props)],
                    "links": .schemaRef("links"),
                    "generation": ["type": "integer", "minimum": 1, "description": "the boundary generation the feature was read at"],
                ],
            ]))
            schemas.append(("featureCollection_\(layer.name)", [
                "type": "object", "required": ["type", "features"],
                "properties": [
                    "type": ["type": "string", "enum": ["FeatureCollection"]],
                    "features": ["type": "array", "items": .schemaRef("feature_\(layer.name)")],
                    "links": .schemaRef("links"),
                    "numberMatched": ["type": "integer", "minimum": 0],
                    "numberReturned": ["type": "integer", "minimum": 0],
                    "timeStamp": ["type": "string", "format": "date-time"],
                    "generation": ["type": "integer", "minimum": 0, "description": "the boundary generation the page was read at"],
                ],
            ]))
        }
        let error: (String) -> J = { d in ["description": .string(d), "content": ["application/json": ["schema": .schemaRef("exception")]]] }
        return [
            "schemas": .object(schemas),
            "parameters": [
                "f": ["name": "f", "in": "query", "required": false, "description": "encoding (JSON only)",
                      "schema": ["type": "string", "enum": ["json"]]],
                "f-geojson": ["name": "f", "in": "query", "required": false, "description": "encoding (GeoJSON only)",
                              "schema": ["type": "string", "enum": ["json", "geojson"]]],
                "limit": ["name": "limit", "in": "query", "required": false, "style": "form", "explode": false,
                          "description": .string("features per page; at most \(OGC.maxLimit) are served (a larger limit gets \(OGC.maxLimit) and a `next` link)"),
                          "schema": ["type": "integer", "minimum": 1, "default": .int(OGC.defaultLimit)]],
                "datetime": ["name": "datetime", "in": "query", "required": false, "style": "form", "explode": false,
                             "description": "an RFC 3339 date-time or interval (`start/end`, open ends `..`); checked, but the layers have no time, so it filters nothing",
                             "schema": ["type": "string"]],
                "offset": ["name": "offset", "in": "query", "required": false, "style": "form", "explode": false,
                           "description": "features to skip (the `next` and `prev` links set it)",
                           "schema": ["type": "integer", "minimum": 0, "maximum": .int(maxOffset), "default": 0]],
                "bbox": ["name": "bbox", "in": "query", "required": false, "style": "form", "explode": false,
                         "description": "lower and upper corner, in the axis order of bbox-crs (CRS84: minLon,minLat,maxLon,maxLat); 6 numbers add heights, which are ignored; a lower longitude greater than the upper one crosses the antimeridian",
                         "schema": ["type": "array", "minItems": 4, "maxItems": 6, "items": ["type": "number"]]],
                "bbox-crs": ["name": "bbox-crs", "in": "query", "required": false, "style": "form", "explode": false,
                             "description": "the CRS of bbox (default CRS84)",
                             "schema": ["type": "string", "format": "uri", "enum": crsEnum, "default": .string(OGC.crs84)]],
                "crs": ["name": "crs", "in": "query", "required": false, "style": "form", "explode": false,
                        "description": "the CRS of the returned coordinates, in that CRS's axis order (default CRS84); EPSG:4326 and EPSG:4490 are latitude first, EPSG:4547 northing first",
                        "schema": ["type": "string", "format": "uri", "enum": crsEnum, "default": .string(OGC.crs84)]],
                "generation": ["name": "generation", "in": "query", "required": false, "style": "form", "explode": false,
                               "description": "answer as the boundaries stood at this boundary generation (1 to the newest; see `wangge generations`); default the newest. Earlier generations' rows stay queryable after re-imports.",
                               "schema": ["type": "integer", "minimum": 1]],
                "featureId": ["name": "featureId", "in": "path", "required": true, "description": "the feature id, percent-encoded (`/` as %2F)",
                              "schema": ["type": "string", "minLength": 1]],
            ],
            "securitySchemes": [
                "bearerToken": ["type": "http", "scheme": "bearer",
                                "description": "a token from `wangge token create` (roles: admin, district, community, worker, planner, reporter)"],
                "apiKey": ["type": "apiKey", "in": "query", "name": "api_key", "description": "the same token, as Open311 GeoReport v2 clients send it"],
            ],
            "responses": [
                "BadRequest": error("a parameter is invalid (the body names it in `field`)"),
                "NotFound": error("no such collection, feature or route"),
                "Unauthorized": error("no token where one is needed, or a token that is unknown or revoked"),
                "Forbidden": error("the token's role or area does not allow this"),
                "Conflict": error("the request does not fit the resource's current state (the body names it and what is allowed)"),
                "UnsupportedMediaType": error("the body's Content-Type is not one this route reads"),
                "ServerError": error("an internal error: the body names the request id under which the server logged the detail"),
            ],
        ]
    }
}
