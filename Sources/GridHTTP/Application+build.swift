import GridAnalysis
import GridStore
import Hummingbird
import Logging
import ServiceLifecycle

public struct ServerConfig: Sendable {
    public var host: String
    public var port: Int
    /// The address clients use, for absolute links (e.g. behind a proxy); else taken from Host.
    public var publicURL: String?
    /// Seconds between checks for a new boundary generation written by another process; nil
    /// turns the reloader off.
    public var reloadInterval: Duration?
    /// Which other origins' web pages may read the layers (default: any).
    public var cors: CORSPolicy
    public init(host: String = "127.0.0.1", port: Int = 8080, publicURL: String? = nil, reloadInterval: Duration? = .seconds(5),
                cors: CORSPolicy = .anyOrigin) {
        self.host = host; self.port = port; self.publicURL = publicURL; self.reloadInterval = reloadInterval; self.cors = cors
    }
}

/// What the routes need, held once and shared by the controllers.
public struct AppServices: Sendable {
    public let db: GridDatabase
    public let publicURL: String?
    /// The in-memory indexes (built lazily unless the caller passes a service with a built set).
    public let indexes: IndexService
    /// The longest isochrone contour `GET /isochrone` draws, minutes (`serve --isochrone-max-minutes`).
    public let isochroneMaxMinutes: Double
    public init(db: GridDatabase, publicURL: String? = nil, indexes: IndexService? = nil,
                isochroneMaxMinutes: Double = IsochroneQuery.defaultMaxMinutes) {
        self.db = db; self.publicURL = publicURL
        self.indexes = indexes ?? IndexService(db: db)
        self.isochroneMaxMinutes = isochroneMaxMinutes
    }
}

/// The whole server: the router, and the services that run beside it (the index reloader).
public func buildApplication(_ config: ServerConfig, services: AppServices, logger: Logger = Logger(label: "wangge")) -> some ApplicationProtocol {
    var app = Application(
        router: buildRouter(services, cors: config.cors),
        configuration: .init(address: .hostname(config.host, port: config.port), serverName: "wangge"),
        logger: logger)
    if let interval = config.reloadInterval {
        app.addServices(IndexReloader(indexes: services.indexes, interval: interval, logger: logger))
    }
    return app
}

/// Every route, behind the one HTTP boundary: CORS outermost (so error responses carry it too),
/// then the error table, then the token reader; HEAD generated for every GET; 405 and OPTIONS for known paths.
public func buildRouter(_ services: AppServices, cors: CORSPolicy = .anyOrigin) -> Router<WanggeRequestContext> {
    let router = Router(context: WanggeRequestContext.self, options: .autoGenerateHeadEndpoints)
    router.add(middleware: CORSReadsMiddleware(policy: cors))
    router.add(middleware: ErrorMiddleware())
    // Inside the error table, so a refused token gets the same JSON body as every other error.
    router.add(middleware: TokenAuthenticator(db: services.db))
    router.get("/health") { _, _ in Health(status: "ok") }
    LandingController(services: services).addRoutes(to: router)
    FeaturesController(services: services).addRoutes(to: router.group("collections"))
    OpenAPIController(services: services).addRoutes(to: router)
    MapController(services: services).addRoutes(to: router)
    AssignController(services: services).addRoutes(to: router)
    NearestController(services: services).addRoutes(to: router)
    CoverageController(services: services).addRoutes(to: router)
    IsochroneController(services: services).addRoutes(to: router)
    IdentityController().addRoutes(to: router)
    // Last, so that it wraps only the not-found responder (see MethodFallbackMiddleware).
    router.add(middleware: MethodFallbackMiddleware(table: RouteTable(router.routes)))
    return router
}

/// `GET /health`.
struct Health: ResponseEncodable, Equatable {
    var status: String
}
