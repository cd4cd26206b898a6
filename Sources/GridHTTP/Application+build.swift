import GridAnalysis
import GridStore
import Hummingbird
import Logging

public struct ServerConfig: Sendable {
    public var host: String
    public var port: Int
    /// The address clients use, for absolute links (e.g. behind a proxy); else taken from Host.
    public var publicURL: String?
    public init(host: String = "127.0.0.1", port: Int = 8080, publicURL: String? = nil) {
        self.host = host; self.port = port; self.publicURL = publicURL
    }
}

/// What the routes need, held once and shared by the controllers.
public struct AppServices: Sendable {
    public let db: GridDatabase
    public let publicURL: String?
    /// The point-in-grid index holder (built lazily unless the caller passes a built one).
    public let assigner: AssignmentService
    public init(db: GridDatabase, publicURL: String? = nil, assigner: AssignmentService? = nil) {
        self.db = db; self.publicURL = publicURL
        self.assigner = assigner ?? AssignmentService(db: db)
    }
}

public func buildApplication(_ config: ServerConfig, services: AppServices, logger: Logger = Logger(label: "wangge")) -> some ApplicationProtocol {
    Application(
        router: buildRouter(services),
        configuration: .init(address: .hostname(config.host, port: config.port), serverName: "wangge"),
        logger: logger)
}

public func buildRouter(_ services: AppServices) -> Router<BasicRequestContext> {
    let router = Router()
    router.add(middleware: ErrorMapping())
    router.get("/health") { _, _ in
        Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: #"{"status":"ok"}"#)))
    }
    LandingController(services: services).addRoutes(to: router)
    FeaturesController(services: services).addRoutes(to: router.group("collections"))
    OpenAPIController(services: services).addRoutes(to: router)
    MapController(services: services).addRoutes(to: router)
    AssignController(services: services).addRoutes(to: router)
    return router
}
