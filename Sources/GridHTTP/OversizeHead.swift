import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdCore
import NIOCore
import NIOHTTP1
import NIOHTTPTypes

/// Answers a request whose request line and headers exceed NIO's decoder limit (80 KiB: a
/// 100 KB query string, say) with a JSON 414 from the error table, instead of the empty-bodied
/// 400 Hummingbird writes for every HTTP parse error (`HTTPChannelHandler` catches
/// `HTTPParserError` before any route or middleware sees the request, so this has to sit in the
/// channel pipeline: `HTTP1Channel.Configuration.additionalChannelHandlers`, just after the
/// HTTP codec). Other parse errors keep Hummingbird's 400. After the answer the server closes
/// its side only (the decoder cannot go on after an error) and lets the client finish sending:
/// closing outright with unread bytes would reset the connection and could lose the answer.
final class OversizeHeadHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundOut = HTTPResponsePart

    /// The decoder's limits (Hummingbird's defaults), named in the answer.
    static let limitBytes = 80 * 1024

    static var error: APIError {
        APIError(.uriTooLong, code: "URITooLong",
                 "the request line and headers are longer than \(limitBytes / 1024) KiB; send long lists in a POST body "
                 + "(POST /assign and POST /nearest take GeoJSON or CSV) or split the request", field: "uri")
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        context.fireChannelRead(data)
    }

    /// Set once the 414 is on its way: the decoder then reports every further read as an error,
    /// which is swallowed until the client closes.
    private var answered = false

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if answered { return }
        guard let e = error as? HTTPParserError, e == .headerOverflow else {
            context.fireErrorCaught(error)
            return
        }
        answered = true
        let body = (try? WanggeRequestContext.makeEncoder().encode(Self.error.body)) ?? Data()
        var fields = HTTPFields()
        fields[.contentType] = "application/json; charset=utf-8"
        fields[.contentLength] = String(body.count)
        fields[.connection] = "close"
        context.write(wrapOutboundOut(.head(HTTPResponse(status: .uriTooLong, headerFields: fields))), promise: nil)
        context.write(wrapOutboundOut(.body(context.channel.allocator.buffer(bytes: body))), promise: nil)
        let closing = NIOLoopBound(context, eventLoop: context.eventLoop)
        context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { _ in
            let halfClosed = closing.value.eventLoop.makePromise(of: Void.self)
            halfClosed.futureResult.whenFailure { _ in closing.value.close(promise: nil) }
            closing.value.close(mode: .output, promise: halfClosed)
        }
    }
}
