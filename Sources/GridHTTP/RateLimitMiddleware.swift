import Hummingbird
import NIOCore

/// Applies `RateLimiter` to every request: a request with a valid token counts against its
/// token (so many workers behind one NAT are limited one by one), an anonymous one against its
/// client address. Over the limit: 429 `TooManyRequests` with `Retry-After` (through the error
/// table). Requests from loopback are not limited unless `limitLoopback`: they come from the
/// machine's own scripts and tests, or from a reverse proxy in front, which should do its own
/// per-client limiting (every client would share the proxy's address here).
/// Inside `TokenAuthenticator`, which has set `context.identity`.
struct RateLimitMiddleware: RouterMiddleware {
    typealias Context = WanggeRequestContext
    let limiter: RateLimiter
    let limitLoopback: Bool

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let address = context.remoteAddress
        // No address: an in-process router test, no socket; treated as loopback.
        if !limitLoopback, address.map(Self.isLoopback) ?? true { return try await next(request, context) }
        let client: RateLimiter.Client = context.identity.map { .token($0.tokenId) } ?? .address(address?.ipAddress ?? "unknown")
        if let wait = limiter.take(client) {
            throw RateLimited(retryAfter: wait, client: client.description)
        }
        return try await next(request, context)
    }

    static func isLoopback(_ a: SocketAddress) -> Bool {
        switch a {
        case .v4(let v4): return (v4.address.sin_addr.s_addr.bigEndian >> 24) == 127
        case .v6: return a.ipAddress == "::1"
        default: return a.protocol == .unix
        }
    }
}

/// Refuses a request whose `Content-Length` is over `maxBytes` with 413 before a byte of its
/// body is read (a body without a length, chunked, is cut off by the route's own
/// `collectBody(upTo:)` as it streams in).
struct BodyLimitMiddleware: RouterMiddleware {
    typealias Context = WanggeRequestContext
    let maxBytes: Int

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        if let length = request.headers[.contentLength], let n = Int(length), n > maxBytes {
            throw APIError(.contentTooLarge, code: "PayloadTooLarge",
                           "the body is \(n) bytes, over the \(maxBytes >> 20) MiB this service accepts; split the batch or use the CLI",
                           field: "body")
        }
        return try await next(request, context)
    }
}
