import GridStore
import Hummingbird
import HummingbirdAuth

/// Why a request may not do what it asked (issue 11 §5). 401 for no token where one is needed and
/// for a token the store does not accept; 403 for a valid token outside its role or area.
public enum AuthError: Error, Sendable, Equatable {
    case missingToken
    case invalidToken
    /// The reason, in words: which role or area would be needed.
    case forbidden(String)
}

/// Reads the caller's token — `Authorization: Bearer TOKEN`, or Open311's `api_key` query
/// parameter (GeoReport v2 passes it so) — and puts its identity in the context. No token: the
/// request goes on anonymously (routes that need one call `requireIdentity`). A token that is
/// unknown or revoked is refused at once with 401, on every route, so a client with a stale token
/// learns it on its first request.
struct TokenAuthenticator: AuthenticatorMiddleware {
    typealias Context = WanggeRequestContext
    let db: GridDatabase

    func authenticate(request: Request, context: Context) async throws -> Identity? {
        let token: String
        if request.headers[.authorization] != nil {
            // Some other scheme (Basic, a bare token) is a client mistake worth naming, not anonymity.
            guard let bearer = request.headers.bearer, !bearer.token.isEmpty else { throw AuthError.invalidToken }
            token = bearer.token
        } else if request.uri.query?.contains("api_key") == true, let key = request.uri.queryParameters["api_key"] {
            // (The substring test keeps the hot anonymous reads from parsing their query twice.)
            token = String(key)
        } else {
            return nil
        }
        guard let identity = try db.identity(forToken: token) else { throw AuthError.invalidToken }
        return identity
    }
}
