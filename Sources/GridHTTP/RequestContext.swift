import Foundation
import Hummingbird

/// The request context of every wangge route: what middleware learns about a request and the
/// handlers read. Today that is the request id (Hummingbird's, also in the logger's metadata as
/// `hb.request.id`) and the JSON encoder of typed bodies; an authenticated identity joins here
/// when cases and Open311 need one (an authenticator middleware sets it, handlers read it).
public struct WanggeRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
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
