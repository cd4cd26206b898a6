import GridGeo
import Hummingbird

/// The OGC API landing page and conformance declaration.
struct LandingController {
    let services: AppServices

    func addRoutes(to router: Router<BasicRequestContext>) {
        router.get(RouterPath(OGC.Path.landing), use: landing)
        router.get(RouterPath(OGC.Path.conformance), use: conformance)
        router.get("/categories", use: categories)
    }

    @Sendable func landing(_ request: Request, context: BasicRequestContext) async throws -> Response {
        try OGC.checkFormat(request.uri.queryParameters)
        let l = Links(request, publicURL: services.publicURL)
        var o = JSONObject()
        o["title"] = .string("wangge 网格")
        o["description"] = .string("Grid management for city governance: grids, compounds and service stations as OGC API – Features.")
        o["links"] = .array([
            Links.link(l.url(OGC.Path.landing), rel: OGC.Rel.`self`, type: OGC.Media.json, title: "this document"),
            Links.link(l.url(OGC.Path.api), rel: OGC.Rel.serviceDesc, type: OGC.Media.openAPI, title: "the API definition (OpenAPI 3.0)"),
            Links.link(l.url(OGC.Path.apiHTML), rel: OGC.Rel.serviceDoc, type: OGC.Media.html, title: "the API documentation"),
            Links.link(l.url(OGC.Path.conformance), rel: OGC.Rel.conformance, type: OGC.Media.json, title: "conformance classes"),
            Links.link(l.url(OGC.Path.collections), rel: OGC.Rel.data, type: OGC.Media.json, title: "layers"),
            Links.link(l.url(OGC.Path.map), rel: OGC.Rel.related, type: OGC.Media.html, title: "planner's map 规划地图"),
        ])
        return jsonResponse(.object(o))
    }

    @Sendable func conformance(_ request: Request, context: BasicRequestContext) async throws -> Response {
        try OGC.checkFormat(request.uri.queryParameters)
        return jsonResponse(.object(JSONObject([("conformsTo", .array(OGC.conformance.map { .string($0) }))])))
    }

    @Sendable func categories(_ request: Request, context: BasicRequestContext) async throws -> Response {
        let list = try services.db.categories().map { c -> JSONValue in
            .object(JSONObject([
                ("code", .string(c.code)), ("name_zh", .string(c.nameZh)), ("name_en", .string(c.nameEn)),
                ("counts_toward_all", .bool(c.countsTowardAll)),
            ]))
        }
        return jsonResponse(.object(JSONObject([("categories", .array(list))])))
    }
}
