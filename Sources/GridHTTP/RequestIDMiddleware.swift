import HTTPTypes
import Hummingbird

extension HTTPField.Name {
    /// The request's id, read from a proxy and echoed on every response.
    static let xRequestID = HTTPField.Name("X-Request-Id")!
}

/// Gives every response an `X-Request-Id` header: the id under which the request's log lines
/// are written (`hb.request.id` in their metadata), so a user's report of a failing request leads
/// to its lines. An incoming `X-Request-Id` (from a proxy or a client that keeps its own ids)
/// is reused when it is sane — 1 to 128 printable ASCII characters (0x21–0x7E) — else
/// Hummingbird's own id stands. Outermost, so every answer carries it, errors included.
struct RequestIDMiddleware: RouterMiddleware {
    typealias Context = WanggeRequestContext

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var context = context
        if let incoming = request.headers[.xRequestID], Self.isSane(incoming) {
            context.logger[metadataKey: "hb.request.id"] = .string(incoming)
        }
        let id = context.requestID
        var response = try await next(request, context)
        response.headers[.xRequestID] = id
        return response
    }

    /// 1…128 bytes, each printable ASCII without space, so it is safe in a header and a log line.
    static func isSane(_ id: String) -> Bool {
        let bytes = id.utf8
        return (1...128).contains(bytes.count) && bytes.allSatisfy { (0x21...0x7E).contains($0) }
    }
}
