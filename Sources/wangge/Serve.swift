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

    @Option(name: .customLong("cors-origin"), help: ArgumentHelp(
        "Web origins whose pages may read the layers (CORS, GET and HEAD): * (the default), none, or origins such as https://maps.example.org (repeat or separate with commas).",
        valueName: "origin"))
    var corsOrigins: [String] = []

    @Option(help: "The longest isochrone contour GET /isochrone draws, minutes (1 or more).")
    var isochroneMaxMinutes: Double = IsochroneQuery.defaultMaxMinutes

    func validate() throws {
        guard isochroneMaxMinutes.isFinite, isochroneMaxMinutes >= 1 else {
            throw ValidationError("--isochrone-max-minutes must be a number of minutes, 1 or more, found \(isochroneMaxMinutes)")
        }
        guard (1...65535).contains(port) else { throw ValidationError("--port must be 1…65535, found \(port)") }
        guard reloadInterval >= 0 else { throw ValidationError("--reload-interval must be 0 or more seconds, found \(reloadInterval)") }
        do { _ = try CORSPolicy(parsing: corsOrigins) } catch { throw ValidationError("--cors-origin: \(error)") }
    }

    func run() async throws {
        let db = try store.open()
        if !noSample, try db.isEmpty() {
            try loadSample(into: db, root: nil)
        }
        var logger = Logger(label: "wangge")
        logger.logLevel = .info
        let indexes = IndexService(db: db, current: try Indexes.build(from: db))
        note("index set: \(try indexes.current().summary)")
        let config = ServerConfig(host: host, port: port, publicURL: publicURL,
                                  reloadInterval: reloadInterval > 0 ? .seconds(reloadInterval) : nil,
                                  cors: try CORSPolicy(parsing: corsOrigins))
        let app = buildApplication(config, services: AppServices(db: db, publicURL: publicURL, indexes: indexes, isochroneMaxMinutes: isochroneMaxMinutes), logger: logger)
        note("wangge serving \(store.db) on http://\(host):\(port)/")
        try await app.runService()
    }
}
