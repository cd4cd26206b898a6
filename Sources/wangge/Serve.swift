import ArgumentParser
import GridAnalysis
import GridHTTP
import GridIndex
import GridStore
import Logging

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Run the HTTP service (OGC API – Features and the assignment endpoints).")

    @OptionGroup var store: StoreOptions

    @Option(help: "Address to listen on.")
    var host: String = "127.0.0.1"

    @Option(help: "Port to listen on.")
    var port: Int = 8080

    @Option(help: "Public base URL for links, when behind a proxy (e.g. https://grid.example.org).")
    var publicURL: String?

    @Flag(help: "Do not fill an empty store with the sample city.")
    var noSample = false

    @Option(help: "Seconds between checks for a new boundary generation (an import by another process); 0 turns it off.")
    var reloadInterval: Int = 5

    @Option(help: "Seconds between case sweeps (overdue escalation, re-routing after a re-import); 0 turns it off.")
    var caseSweepInterval: Int = 60

    @Option(name: .customLong("cors-origin"), help: ArgumentHelp(
        "Web origins whose pages may read the layers (CORS, GET and HEAD): * (the default), none, or origins such as https://maps.example.org (repeat or separate with commas).",
        valueName: "origin"))
    var corsOrigins: [String] = []

    @Option(help: ArgumentHelp("Requests per client (per token; per address for anonymous requests): N/s or N/min, 0 for no limit. Loopback clients are not limited unless --rate-limit-loopback.",
                               valueName: "rate"))
    var rateLimit: String = "100/s"

    @Option(help: "Requests a client may make at once before the rate applies (the token bucket's size; default 10 s at the rate).")
    var rateBurst: Int?

    @Flag(help: "Limit loopback clients too (by default the machine's own scripts and a proxy in front are not limited).")
    var rateLimitLoopback = false

    @Option(help: "Seconds a connection may send nothing while idle or in the middle of a request before it is closed (slow clients); 0: never.")
    var readTimeout: Int = 30

    @Option(help: "Connections served at once; more wait until one closes.")
    var maxConnections: Int = 4096

    @Option(help: "Log lines as text (for people) or json (one JSON object per line on stderr, for log collectors).")
    var logFormat: LogFormat = .text

    @Flag(help: "Write one log line per request (method, path, status, request id).")
    var logRequests = false

    @Option(help: ArgumentHelp("Commit durability: full fsyncs the write-ahead log at every commit (an acknowledged case survives a power loss); normal only at checkpoints (survives a crash of the process, not of the machine).",
                               valueName: "full|normal"))
    var synchronous: GridDatabase.Durability = .full

    enum LogFormat: String, ExpressibleByArgument, CaseIterable { case text, json }

    @Option(help: "The longest isochrone contour GET /isochrone draws, minutes (1 or more).")
    var isochroneMaxMinutes: Double = IsochroneQuery.defaultMaxMinutes

    func validate() throws {
        guard isochroneMaxMinutes.isFinite, isochroneMaxMinutes >= 1 else {
            throw ValidationError("--isochrone-max-minutes must be a number of minutes, 1 or more, found \(isochroneMaxMinutes)")
        }
        guard (1...65535).contains(port) else { throw ValidationError("--port must be 1…65535, found \(port)") }
        guard caseSweepInterval >= 0 else { throw ValidationError("--case-sweep-interval must be 0 or more seconds, found \(caseSweepInterval)") }
        guard reloadInterval >= 0 else { throw ValidationError("--reload-interval must be 0 or more seconds, found \(reloadInterval)") }
        do { _ = try CORSPolicy(parsing: corsOrigins) } catch { throw ValidationError("--cors-origin: \(error)") }
        do { _ = try operations() } catch { throw ValidationError("--rate-limit: \(error)") }
        guard readTimeout >= 0 else { throw ValidationError("--read-timeout must be 0 or more seconds, found \(readTimeout)") }
        guard maxConnections >= 1 else { throw ValidationError("--max-connections must be at least 1, found \(maxConnections)") }
        if let b = rateBurst, b < 1 { throw ValidationError("--rate-burst must be at least 1, found \(b)") }
    }

    func operations() throws -> OperationsConfig {
        OperationsConfig(rateLimit: try RateLimit(parsing: rateLimit, burst: rateBurst.map(Double.init)), rateLimitLoopback: rateLimitLoopback,
                         readTimeout: readTimeout > 0 ? .seconds(readTimeout) : nil, maxConnections: maxConnections, logRequests: logRequests)
    }

    func run() async throws {
        let db = try store.open(durability: synchronous)
        if !noSample, try db.isEmpty() {
            try loadSample(into: db, root: nil)
        }
        var logger = logFormat == .json ? Logger(label: "wangge") { JSONLogHandler(label: $0) } : Logger(label: "wangge")
        logger.logLevel = .info
        let indexes = IndexService(db: db, current: try Indexes.build(from: db))
        note("index set: \(try indexes.current().summary)")
        let config = ServerConfig(host: host, port: port, publicURL: publicURL,
                                  reloadInterval: reloadInterval > 0 ? .seconds(reloadInterval) : nil,
                                  cors: try CORSPolicy(parsing: corsOrigins),
                                  caseSweepInterval: caseSweepInterval > 0 ? .seconds(caseSweepInterval) : nil, operations: try operations())
        let (db_, host_, port_, limit) = (store.db, host, port, config.operations.rateLimit)
        let app = buildApplication(config, services: AppServices(db: db, publicURL: publicURL, indexes: indexes, isochroneMaxMinutes: isochroneMaxMinutes),
                                   logger: logger) { _ in
            note("wangge serving \(db_) on http://\(host_):\(port_)/ (rate limit \(limit))")
        }
        do {
            try await app.runService()
        } catch {
            if let message = ListenFailure.message(error, host: host, port: port) { throw CLIError(message) }
            throw error
        }
    }
}

extension GridDatabase.Durability: ExpressibleByArgument {}
