import GridGeo
import Hummingbird

/// The OGC API landing page and conformance declaration, and the station categories.
struct LandingController {
    let services: AppServices

    func addRoutes(to router: Router<WanggeRequestContext>) {
        router.get(RouterPath(OGC.Path.landing), use: landing)
        router.get(RouterPath(OGC.Path.conformance), use: conformance)
        router.get("/categories", use: categories)
    }

    @Sendable func landing(_ request: Request, context: WanggeRequestContext) async throws -> LandingPage {
        try OGC.checkFormat(request.uri.queryParameters)
        let l = Links(request, publicURL: services.publicURL)
        return LandingPage(
            title: "wangge 网格",
            description: "Grid management for city governance: grids, compounds and service stations as OGC API – Features.",
            links: [
                Links.link(l.url(OGC.Path.landing), rel: OGC.Rel.`self`, type: OGC.Media.json, title: "this document"),
                Links.link(l.url(OGC.Path.api), rel: OGC.Rel.serviceDesc, type: OGC.Media.openAPI, title: "the API definition (OpenAPI 3.0)"),
                Links.link(l.url(OGC.Path.apiHTML), rel: OGC.Rel.serviceDoc, type: OGC.Media.html, title: "the API documentation"),
                Links.link(l.url(OGC.Path.conformance), rel: OGC.Rel.conformance, type: OGC.Media.json, title: "conformance classes"),
                Links.link(l.url(OGC.Path.collections), rel: OGC.Rel.data, type: OGC.Media.json, title: "layers"),
                Links.link(l.url(OGC.Path.map), rel: OGC.Rel.related, type: OGC.Media.html, title: "planner's map 规划地图"),
            ])
    }

    @Sendable func conformance(_ request: Request, context: WanggeRequestContext) async throws -> ConformanceDeclaration {
        try OGC.checkFormat(request.uri.queryParameters)
        return ConformanceDeclaration(conformsTo: OGC.conformance)
    }

    @Sendable func categories(_ request: Request, context: WanggeRequestContext) async throws -> CategoryList {
        CategoryList(categories: try services.db.categories().map {
            .init(code: $0.code, nameZh: $0.nameZh, nameEn: $0.nameEn, countsTowardAll: $0.countsTowardAll)
        })
    }
}
