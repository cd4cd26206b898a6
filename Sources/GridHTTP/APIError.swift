import Foundation
import GridGeo
import GridStore
import Hummingbird

/// Every error a client sees: an HTTP status and a JSON body in the OGC API exception style
/// (`code`, `description`), plus where the problem is (`field`, `line`, `featureIndex`).
public struct APIError: HTTPResponseError, Sendable {
    public let status: HTTPResponse.Status
    public let code: String
    public let description: String
    public var field: String?
    public var details: [JSONValue] = []

    public init(_ status: HTTPResponse.Status, code: String, _ description: String, field: String? = nil) {
        self.status = status; self.code = code; self.description = description; self.field = field
    }

    public static func badParameter(_ name: String, _ message: String) -> APIError {
        APIError(.badRequest, code: "InvalidParameterValue", "\(name): \(message)", field: name)
    }
    public static func notFound(_ message: String) -> APIError { APIError(.notFound, code: "NotFound", message) }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        var body = JSONObject()
        body["code"] = .string(code)
        body["description"] = .string(description)
        body["status"] = .int(Int(status.code))
        if let field { body["field"] = .string(field) }
        if !details.isEmpty { body["problems"] = .array(details) }
        return Response(
            status: status,
            headers: [.contentType: "application/json; charset=utf-8"],
            body: .init(byteBuffer: ByteBuffer(string: JSONText.encode(.object(body)))))
    }
}

/// Maps domain errors to HTTP in one place, so handlers can just throw.
struct ErrorMapping<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let e as APIError {
            throw e
        } catch let e as HTTPError {
            let code: String
            switch e.status {
            case .notFound: code = "NotFound"
            case .contentTooLarge: code = "PayloadTooLarge"
            case .methodNotAllowed: code = "MethodNotAllowed"
            default: code = e.status.code < 500 ? "BadRequest" : "ServerError"
            }
            let message = e.body ?? (e.status == .notFound ? "no route for \(request.method) \(request.uri.path)" : e.status.reasonPhrase)
            throw APIError(e.status, code: code, message)
        } catch let e as ImportError {
            var err = APIError(.unprocessableContent, code: "InvalidInput", e.description)
            err.details = e.problems.map { p in
                var o = JSONObject()
                o["message"] = .string(p.message)
                if let i = p.featureIndex { o["featureIndex"] = .int(i) }
                if let id = p.featureId { o["featureId"] = .string(id) }
                if let f = p.field { o["field"] = .string(f) }
                if let l = p.line { o["line"] = .int(l) }
                if let c = p.column { o["column"] = .int(c) }
                return .object(o)
            }
            throw err
        } catch let e as CRS.UnknownCRS {
            throw APIError.badParameter("crs", e.description)
        } catch {
            context.logger.error("unhandled error: \(error)")
            throw APIError(.internalServerError, code: "ServerError", "internal error: \(error)")
        }
    }
}
