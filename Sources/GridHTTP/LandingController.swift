import GridGeo
import Hummingbird

/// The OGC API landing page and conformance declaration.
struct LandingController {
    let services: AppServices

    func addRoutes(to router: Router<BasicRequestContext>) {
        router.get("/", use: landing)
        router.get("/conformance", use: conformance)
        router.get("/categories", use: categories)
    }

    @Sendable func landing(_ request: Request, context: BasicRequestContext) async throws -> Response {
        let l = Links(request, publicURL: services.publicURL)
        var o = JSONObject()
        o["title"] = .string("wangge 网格")
        o["description"] = .string("Grid management for city governance: grids, compounds and service stations as OGC API – Features.")
        o["links"] = .array([
            Links.link(l.url("/"), rel: OGC.Rel.`self`, type: OGC.Media.json, title: "this document"),
            Links.link(l.url("/conformance"), rel: OGC.Rel.conformance, type: OGC.Media.json, title: "conformance classes"),
            Links.link(l.url("/collections"), rel: OGC.Rel.data, type: OGC.Media.json, title: "layers"),
        ])
        return jsonResponse(.object(o))
    }

    @Sendable func conformance(_ request: Request, context: BasicRequestContext) async throws -> Response {
        jsonResponse(.object(JSONObject([("conformsTo", .array(OGC.conformance.map { .string($0) }))])))
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
