import Logging
import ServiceLifecycle

/// Follows re-imports made by other processes (`wangge import` while `serve` runs): polls the
/// store's boundary generation (one indexed read) and swaps in a rebuilt index set when it
/// changes. Runs as a service of the application, so it starts and stops with the server.
public struct IndexReloader: Service {
    let indexes: IndexService
    let interval: Duration
    let logger: Logger

    /// `interval` between checks; the server's `--reload-interval`.
    public init(indexes: IndexService, interval: Duration, logger: Logger) {
        self.indexes = indexes
        self.interval = interval
        self.logger = logger
    }

    public func run() async throws {
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            do {
                try await Task.sleep(for: interval)
            } catch {
                return  // cancelled: the application is stopping
            }
            do {
                if let set = try indexes.reloadIfChanged() {
                    logger.info("boundaries changed: index set rebuilt", metadata: ["summary": "\(set.summary)"])
                }
            } catch {
                logger.error("rebuilding the index set failed; keeping the current one", metadata: ["error": "\(error)"])
            }
        }
    }
}
