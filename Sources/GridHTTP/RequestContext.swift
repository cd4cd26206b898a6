import Foundation
import GridStore
import Hummingbird
import HummingbirdAuth
import NIOCore

/// The request context of every wangge route: what middleware learns about a request and the
/// handlers read. Today that is the request id (Hummingbird's, also in the logger's metadata as
/// `hb.request.id`), the JSON encoder of typed bodies, and who is calling (`identity`, set by
/// `TokenAuthenticator` from the request's token; nil for anonymous reads).
public struct WanggeRequestContext: AuthRequestContext {
    public var coreContext: CoreRequestContextStorage
    /// The holder of the request's valid token, or nil when it carried none.
    public var identity: Identity?
    /// The peer's address (the rate limit's key for anonymous requests); nil without a socket
    /// (router tests).
    public var remoteAddress: SocketAddress?

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        identity = nil
        remoteAddress = source.channel.remoteAddress
    }

    /// The caller's identity, or `AuthError.missingToken` (401) for an anonymous request. (A
    /// token that was sent but is unknown or revoked never gets this far: the authenticator
    /// refuses it with 401.)
    public func requireIdentity() throws -> Identity {
        guard let identity else { throw AuthError.missingToken }
        return identity
    }

    /// The id under which this request's log lines are written (`hb.request.id`), also named in
    /// the body of a 500 so an operator can find the detail.
    public var requestID: String { id }

    /// Typed bodies: members in sorted order (Foundation's encoder on Linux keeps no declaration
    /// order; sorted is at least the same on every run), slashes in URLs unescaped (`http://…`,
    /// not `http:\/\/…`), dates as RFC 3339.
    public var responseEncoder: JSONEncoder { Self.makeEncoder() }

    static func makeEncoder() -> JSONEncoder {
        let e = JSONEncoder()
        e.outputFormatting = [.withoutEscapingSlashes, .sortedKeys]
        e.dateEncodingStrategy = .iso8601
        return e
    }
}
