import Hummingbird

/// The methods each routed path answers, taken from the router once every route is added.
/// HEAD comes with every GET (the router generates it, RFC 9110 §9.3.2) and OPTIONS with every
/// path (§9.3.7).
struct RouteTable: Sendable {
    let entries: [(path: RouterPath, methods: Set<HTTPRequest.Method>)]

    init(_ routes: [Router<WanggeRequestContext>.RouteDescription]) {
        var byPath: [String: (RouterPath, Set<HTTPRequest.Method>)] = [:]
        var order: [String] = []
        for r in routes {
            let key = r.path.description
            if byPath[key] == nil { order.append(key); byPath[key] = (r.path, []) }
            byPath[key]!.1.insert(r.method)
        }
        entries = order.map { key in
            var (path, methods) = byPath[key]!
            if methods.contains(.get) { methods.insert(.head) }
            methods.insert(.options)
            return (path, methods)
        }
    }

    /// The methods of the routed path that matches `path` (a request path, still percent-encoded),
    /// or nil when no route has that shape.
    func methods(for path: String) -> Set<HTTPRequest.Method>? {
        let segments = path.split(separator: "/", omittingEmptySubsequences: true)
        var found: Set<HTTPRequest.Method>?
        for e in entries where Self.matches(e.path, segments) {
            found = (found ?? []).union(e.methods)
        }
        return found
    }

    static func matches(_ route: RouterPath, _ segments: [Substring]) -> Bool {
        let parts = route.components
        if let last = parts.last, last.description == "**" {
            guard segments.count >= parts.count - 1 else { return false }
        } else {
            guard segments.count == parts.count else { return false }
        }
        for (p, s) in zip(parts, segments) where !(p ~= s) { return false }
        return true
    }

    /// `Allow` header value: the methods in a fixed, readable order.
    static func allow(_ methods: Set<HTTPRequest.Method>) -> String {
        let order: [HTTPRequest.Method] = [.get, .head, .post, .put, .patch, .delete, .options]
        return (order.filter(methods.contains) + methods.subtracting(order).sorted { $0.rawValue < $1.rawValue }).map(\.rawValue)
            .joined(separator: ", ")
    }
}

/// What happens when the router has no handler for a request: a known path with another method
/// is a 405 with `Allow` (RFC 9110 §15.5.6), OPTIONS on a known path is a 204 with `Allow`
/// (§9.3.7; CORS adds its headers to it for a preflight), anything else falls through to 404.
///
/// Added to the router after every route, so it wraps only the router's not-found responder
/// (Hummingbird applies middleware to the routes added after it, and all of it to not-found).
struct MethodFallbackMiddleware: RouterMiddleware {
    typealias Context = WanggeRequestContext
    let table: RouteTable

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let methods = table.methods(for: request.uri.path) else { return try await next(request, context) }
        let allow = RouteTable.allow(methods)
        if request.method == .options {
            return Response(status: .noContent, headers: [.allow: allow])
        }
        guard !methods.contains(request.method) else { return try await next(request, context) }
        var err = APIError(.methodNotAllowed, code: "MethodNotAllowed",
                           "\(request.uri.path) does not answer \(request.method.rawValue); it answers \(allow)")
        err.headers = [.allow: allow]
        throw err
    }
}
