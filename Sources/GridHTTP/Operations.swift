import Hummingbird
import HummingbirdCore
import Logging
import NIOCore

/// How the server protects itself and reports what it does (`wangge serve` options): the rate
/// limit, the largest request body, the read timeout for slow clients and the connection cap.
public struct OperationsConfig: Sendable {
    /// Per token, and per address for anonymous requests (`RateLimit.default`: 100/s, burst 1,000).
    public var rateLimit: RateLimit
    /// Limit loopback clients too (off by default: the machine's own scripts, tests and a proxy
    /// in front; see `RateLimitMiddleware`).
    public var rateLimitLoopback: Bool
    /// Largest request body by its Content-Length, refused with 413 before it is read; the
    /// batch routes' own limit (16 MiB).
    public var maxBodyBytes: Int
    /// A connection that sends nothing for this long (an idle keep-alive, or a slow client
    /// between two pieces of its request) is closed; nil: never.
    public var readTimeout: Duration?
    /// Connections served at once; further ones wait in the listen backlog until one closes, so
    /// a flood of connections cannot exhaust file descriptors. nil: no cap.
    public var maxConnections: Int?
    /// One log line per request (method, path, status, the request id): Hummingbird's
    /// `LogRequestsMiddleware` at info. Off by default (a line per request costs on hot paths).
    public var logRequests: Bool

    public init(rateLimit: RateLimit = .default, rateLimitLoopback: Bool = false, maxBodyBytes: Int = 16 << 20,
                readTimeout: Duration? = .seconds(30), maxConnections: Int? = 4096, logRequests: Bool = false) {
        self.rateLimit = rateLimit; self.rateLimitLoopback = rateLimitLoopback; self.maxBodyBytes = maxBodyBytes
        self.readTimeout = readTimeout; self.maxConnections = maxConnections; self.logRequests = logRequests
    }

    /// Hummingbird's cap on open connections: past `maxConnections` the server stops accepting
    /// (new connections wait in the listen backlog) until one closes.
    func connectionCap(logger: Logger) -> (any AvailableConnectionsDelegate)? {
        maxConnections.map { MaximumAvailableConnections($0, logger: logger) }
    }

    /// Hummingbird's HTTP/1 server with its idle timeout as the read timeout: a connection is
    /// closed when nothing was read for that long while no request is in progress, or while a
    /// request is still being read (headers not complete — the decoder has produced nothing —
    /// or a body that stopped arriving); never while a response is being computed or written.
    var server: HTTPServerBuilder {
        let timeout = readTimeout.map { TimeAmount.nanoseconds(Int64($0.components.seconds) * 1_000_000_000 + $0.components.attoseconds / 1_000_000_000) }
        return wanggeHTTPServer(idleTimeout: timeout)
    }
}
