import ArgumentParser
import GridAnalysis
import GridHTTP
import GridStore
import Hummingbird
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

    func run() async throws {
        let db = try store.open()
        if !noSample, try db.isEmpty() {
            try loadSample(into: db, root: nil)
        }
        var logger = Logger(label: "wangge")
        logger.logLevel = .info
        let assignIndex = try AssignmentIndex.build(from: db)
        note("assignment index: \(assignIndex.gridInfo.count) grids, \(assignIndex.compoundInfo.count) compounds, generation \(assignIndex.generation), built in \(Int(assignIndex.buildSeconds * 1000)) ms")
        let assigner = AssignmentService(db: db, index: assignIndex)
        let services = AppServices(db: db, publicURL: publicURL, assigner: assigner)
        if reloadInterval > 0 {
            // Imports usually run as another process (`wangge import`), so the server polls the
            // generation number (one indexed read) and swaps in a new index when it changes.
            let interval = reloadInterval
            Task.detached {
                while !Task.isCancelled {
                    try? await Task.sleep(for: .seconds(interval))
                    do {
                        if try assigner.reloadIfChanged() {
                            let i = try assigner.current()
                            note("boundaries changed: assignment index rebuilt for generation \(i.generation) in \(Int(i.buildSeconds * 1000)) ms")
                        }
                    } catch {
                        note("reloading the assignment index failed, keeping the current one: \(error)")
                    }
                }
            }
        }
        let app = buildApplication(ServerConfig(host: host, port: port, publicURL: publicURL), services: services, logger: logger)
        note("wangge serving \(store.db) on http://\(host):\(port)/")
        try await app.runService()
    }
}
