import Foundation
import GridAnalysis
import GridCases
import GridStore
import Hummingbird
import HummingbirdCore
import Logging
import NIOCore
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
    /// Time between case sweeps (overdue escalation, re-routing after a re-import); nil turns it off.
    public var caseSweepInterval: Duration?
    /// Rate limit, body limit, read timeout, connection cap (see `OperationsConfig`).
    public var operations: OperationsConfig
    public init(host: String = "127.0.0.1", port: Int = 8080, publicURL: String? = nil, reloadInterval: Duration? = .seconds(5),
                cors: CORSPolicy = .anyOrigin, caseSweepInterval: Duration? = .seconds(60), operations: OperationsConfig = .init()) {
        self.host = host; self.port = port; self.publicURL = publicURL; self.reloadInterval = reloadInterval; self.cors = cors
        self.caseSweepInterval = caseSweepInterval
        self.operations = operations
    }
}

/// What the routes need, held once and shared by the controllers.
public struct AppServices: Sendable {
    public let db: GridDatabase
    public let publicURL: String?
    /// The in-memory indexes (built lazily unless the caller passes a service with a built set).
    public let indexes: IndexService
    /// Cases: intake, the loop, the sweep (over the same store and index set).
    public let cases: CaseService
    /// The longest isochrone contour `GET /isochrone` draws, minutes (`serve --isochrone-max-minutes`).
    public let isochroneMaxMinutes: Double
    /// `intakeQueueLimit`: case intakes that may wait for the store's writer before POST /cases
    /// answers 503 (GridCases' group commit).
    public init(db: GridDatabase, publicURL: String? = nil, indexes: IndexService? = nil, clock: (@Sendable () -> Date)? = nil,
                isochroneMaxMinutes: Double = IsochroneQuery.defaultMaxMinutes,
                intakeQueueLimit: Int = CaseService.defaultIntakeQueueLimit) {
        self.db = db; self.publicURL = publicURL
        let indexes = indexes ?? IndexService(db: db)
        self.indexes = indexes
        self.isochroneMaxMinutes = isochroneMaxMinutes
        cases = CaseService(db: db, indexes: indexes, now: clock ?? { Date() }, intakeQueueLimit: intakeQueueLimit)
    }
}

/// The whole server: the router, and the services that run beside it (the index reloader).
/// `onServerRunning` is called once the listening socket is bound (not before: a busy port fails
/// the run instead).
public func buildApplication(_ config: ServerConfig, services: AppServices, logger: Logger = Logger(label: "wangge"),
                             onServerRunning: @escaping @Sendable (any Channel) async -> Void = { _ in }) -> some ApplicationProtocol {
    var app = Application(
        router: buildRouter(services, cors: config.cors, operations: config.operations),
        server: config.operations.server,
        configuration: .init(address: .hostname(config.host, port: config.port), serverName: "wangge",
                             availableConnectionsDelegate: config.operations.connectionCap(logger: logger)),
        onServerRunning: onServerRunning,
        logger: logger)
    if let interval = config.reloadInterval {
        app.addServices(IndexReloader(indexes: services.indexes, interval: interval, logger: logger))
    }
    if let interval = config.caseSweepInterval {
        app.addServices(CaseSweeper(cases: services.cases, interval: interval, logger: logger))
    }
    return app
}

/// HTTP/1.1 with a JSON 414 for an over-long request head (OversizeHeadHandler) instead of an
/// empty 400, and the read timeout (`idleTimeout`, see `OperationsConfig.server`).
public func wanggeHTTPServer(idleTimeout: TimeAmount? = nil) -> HTTPServerBuilder {
    .http1(configuration: .init(additionalChannelHandlers: [OversizeHeadHandler()], idleTimeout: idleTimeout))
}

/// Every route, behind the one HTTP boundary: the request id and the request metrics outermost
/// (every answer counted and carrying its id), then CORS (so error responses carry it too),
/// then the error table, then the token reader, the rate limit (per token, so after it) and the
/// body limit; HEAD generated for every GET; 405 and OPTIONS for known paths.
public func buildRouter(_ services: AppServices, cors: CORSPolicy = .anyOrigin, operations: OperationsConfig = .init()) -> Router<WanggeRequestContext> {
    let router = Router(context: WanggeRequestContext.self, options: .autoGenerateHeadEndpoints)
    let metrics = WanggeMetrics.shared
    router.add(middleware: RequestIDMiddleware())
    router.add(middleware: MetricsMiddleware())
    if operations.logRequests { router.add(middleware: LogRequestsMiddleware(.info)) }
    router.add(middleware: CORSReadsMiddleware(policy: cors))
    router.add(middleware: ErrorMiddleware())
    // Inside the error table, so a refused token gets the same JSON body as every other error.
    router.add(middleware: TokenAuthenticator(db: services.db))
    if !operations.rateLimit.isOff {
        router.add(middleware: RateLimitMiddleware(limiter: RateLimiter(operations.rateLimit), limitLoopback: operations.rateLimitLoopback))
    }
    router.add(middleware: BodyLimitMiddleware(maxBytes: operations.maxBodyBytes))
    router.get("/health") { _, _ in Health(status: "ok") }
    LandingController(services: services).addRoutes(to: router)
    FeaturesController(services: services).addRoutes(to: router.group("collections"))
    OpenAPIController(services: services).addRoutes(to: router)
    MapController(services: services).addRoutes(to: router)
    AssignController(services: services).addRoutes(to: router)
    NearestController(services: services).addRoutes(to: router)
    CoverageController(services: services).addRoutes(to: router)
    CasesController(services: services).addRoutes(to: router)
    Open311Controller(services: services).addRoutes(to: router)
    CaseViewsController(services: services).addRoutes(to: router)
    IsochroneController(services: services).addRoutes(to: router)
    IdentityController().addRoutes(to: router)
    MetricsController(services: services, metrics: metrics).addRoutes(to: router)
    // Last, so that it wraps only the not-found responder (see MethodFallbackMiddleware).
    router.add(middleware: MethodFallbackMiddleware(table: RouteTable(router.routes)))
    return router
}

/// `GET /health`.
struct Health: ResponseEncodable, Equatable {
    var status: String
}
