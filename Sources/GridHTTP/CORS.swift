import Hummingbird

/// Which web pages on other origins may read wangge's answers (CORS, the Fetch standard). OGC API
/// – Features recommends CORS so that Leaflet or OpenLayers pages elsewhere can load the layers.
/// Reads only: GET and HEAD (and their OPTIONS preflight); `POST /assign` is not offered across
/// origins. No credentials are ever allowed.
public enum CORSPolicy: Sendable, Equatable {
    /// No CORS headers at all (`--cors-origin none`): browsers keep other origins out.
    case off
    /// Any origin may read (`Access-Control-Allow-Origin: *`, the default).
    case anyOrigin
    /// Only these origins (`scheme://host[:port]`, exactly as browsers send `Origin`).
    case origins([String])

    /// Parses `--cors-origin` values: `*`, `none`, or origins (repeated or comma-separated).
    /// Throws a message naming the bad value.
    public init(parsing values: [String]) throws(CORSPolicyError) {
        let list = values.flatMap { $0.split(separator: ",") }.map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        if list.isEmpty || list == ["*"] { self = .anyOrigin; return }
        if list.map({ $0.lowercased() }) == ["none"] { self = .off; return }
        for o in list {
            guard o != "*", o.lowercased() != "none" else {
                throw CORSPolicyError("'\(o)' cannot be combined with other origins")
            }
            guard o.hasPrefix("http://") || o.hasPrefix("https://"), !o.dropFirst(8).contains("/") else {
                throw CORSPolicyError("'\(o)' is not an origin: write scheme://host[:port], e.g. https://maps.example.org")
            }
        }
        self = .origins(list)
    }

    /// The `Access-Control-Allow-Origin` value for a request from `origin`, or nil to send none.
    func allowOrigin(_ origin: String) -> String? {
        switch self {
        case .off: return nil
        case .anyOrigin: return "*"
        case .origins(let list): return list.contains(origin) ? origin : nil
        }
    }

    static let methods: Set<HTTPRequest.Method> = [.get, .head]
    /// Response headers a page may read besides the CORS-safelisted ones: the CRS of the
    /// coordinates (OGC API – Features Part 2) and the size of a HEAD answer.
    static let exposedHeaders = "Content-Crs, Content-Length"
    static let allowedHeaders = "Accept, Accept-Language, Content-Language, Content-Type"
    /// Seconds a browser may cache a preflight.
    static let maxAge = "86400"
}

public struct CORSPolicyError: Error, CustomStringConvertible, Sendable {
    public let description: String
    init(_ description: String) { self.description = description }
}

/// Adds CORS headers to reads and answers preflights, after the rest of the chain has answered:
/// a preflight is an OPTIONS that `MethodFallbackMiddleware` answers with 204 for known paths (an
/// unknown path stays a 404 without CORS), and error responses of reads carry the headers too, so
/// a page can read why its request failed.
struct CORSReadsMiddleware: RouterMiddleware {
    typealias Context = WanggeRequestContext
    let policy: CORSPolicy

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard policy != .off, let origin = request.headers[.origin] else { return try await next(request, context) }
        var response = try await next(request, context)
        guard let allow = policy.allowOrigin(origin) else { return response }
        if allow != "*" { response.headers[values: .vary].append("Origin") }
        if request.method == .options, let wanted = request.headers[.accessControlRequestMethod] {
            guard response.status == .noContent, let m = HTTPRequest.Method(wanted), CORSPolicy.methods.contains(m) else { return response }
            response.headers[.accessControlAllowOrigin] = allow
            response.headers[.accessControlAllowMethods] = "GET, HEAD"
            response.headers[.accessControlAllowHeaders] = CORSPolicy.allowedHeaders
            response.headers[.accessControlMaxAge] = CORSPolicy.maxAge
        } else if CORSPolicy.methods.contains(request.method) {
            response.headers[.accessControlAllowOrigin] = allow
            response.headers[.accessControlExposeHeaders] = CORSPolicy.exposedHeaders
        }
        return response
    }
}
