import Foundation
import GridCases
import GridAnalysis
import GridGeo
import GridIO
import GridStore
import Hummingbird
import Logging
import NIOCore

/// Every error a client sees: an HTTP status and a JSON body in the OGC API exception style
/// (`code`, `description`), plus where the problem is (`field`, and `problems` located by line,
/// column, feature index or id). Handlers throw these or domain errors; `ErrorTable` turns the
/// domain errors into these.
public struct APIError: HTTPResponseError, Sendable {
    public let status: HTTPResponse.Status
    public let code: String
    public let description: String
    public var field: String?
    /// Up to a hundred located problems (a batch or an import reports them all at once).
    public var problems: [Problem] = []
    /// Extra response headers, such as `Allow` on a 405.
    public var headers: HTTPFields = [:]

    public init(_ status: HTTPResponse.Status, code: String, _ description: String, field: String? = nil) {
        self.status = status; self.code = code; self.description = description; self.field = field
    }

    public static func badParameter(_ name: String, _ message: String) -> APIError {
        APIError(.badRequest, code: "InvalidParameterValue", "\(name): \(message)", field: name)
    }
    public static func notFound(_ message: String) -> APIError { APIError(.notFound, code: "NotFound", message) }

    /// The body, as clients decode it.
    public var body: ErrorBody {
        ErrorBody(code: code, description: description, status: Int(status.code), field: field, problems: problems.isEmpty ? nil : problems)
    }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        var fields = headers
        fields[.contentType] = "application/json; charset=utf-8"
        // Encoding a struct of strings and integers cannot fail; should it ever, the status still goes out.
        let data = (try? WanggeRequestContext.makeEncoder().encode(body)) ?? Data()
        return Response(status: status, headers: fields, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}

/// The JSON body of every 4xx and 5xx (the `exception` schema of the API definition).
public struct ErrorBody: Codable, Equatable, Sendable {
    /// A word for the kind of error: InvalidParameterValue, InvalidInput, NotFound,
    /// MethodNotAllowed, PayloadTooLarge, Unauthorized, Forbidden, TooManyRequests, ServiceUnavailable,
    /// ServerError.
    public var code: String
    /// What was wrong, in words, naming the parameter or the place.
    public var description: String
    /// The HTTP status again, for clients that only keep the body.
    public var status: Int
    /// The parameter, header or body member at fault.
    public var field: String?
    public var problems: [Problem]?
}

/// One located problem in a batch or an import.
public struct Problem: Codable, Equatable, Sendable {
    public var message: String
    public var featureIndex: Int?
    public var featureId: String?
    public var field: String?
    /// 1-based line (CSV, or JSON text) and column (JSON text).
    public var line: Int?
    public var column: Int?

    public init(message: String, featureIndex: Int? = nil, featureId: String? = nil, field: String? = nil, line: Int? = nil, column: Int? = nil) {
        self.message = message; self.featureIndex = featureIndex; self.featureId = featureId
        self.field = field; self.line = line; self.column = column
    }

    public init(_ e: PointInputError) {
        self.init(message: e.message, featureIndex: e.featureIndex, field: e.field, line: e.line)
    }

    public init(_ p: ImportProblem) {
        self.init(message: p.message, featureIndex: p.featureIndex, featureId: p.featureId, field: p.field, line: p.line, column: p.column)
    }
}

/// The one table from errors to what a client sees. Domain errors carry no HTTP: this is where
/// they get a status. Anything not listed is a bug or an outage: the detail goes to the log under
/// the request's id, and the client gets a generic 500 naming that id, never internal text
/// (SQL, file paths, type names).
enum ErrorTable {
    static func apiError(for error: any Error, request: Request, requestID: String, logger: Logger) -> APIError {
        switch error {
        case let e as APIError:
            return e
        case let e as ImportError:
            var err = APIError(.unprocessableContent, code: "InvalidInput", e.description)
            err.problems = e.problems.map(Problem.init)
            return err
        case let e as CRS.UnknownCRS:
            return .badParameter("crs", e.description)
        case let e as CoordinateRangeError:
            return APIError(.badRequest, code: "InvalidParameterValue", e.description, field: "lon,lat")
        case let e as PointInputError:
            var err = APIError(.badRequest, code: "InvalidParameterValue", e.description, field: e.field)
            err.problems = [Problem(e)]
            return err
        case let e as BatchInputError:
            return APIError(.badRequest, code: "InvalidInput", e.description, field: "body")
        case let e as JSONSyntaxError:
            var err = APIError.badParameter("body", e.description)
            err.problems = [Problem(message: e.message, line: e.line, column: e.column)]
            return err
        case let e as GeoJSONError:
            var err = APIError(.badRequest, code: "InvalidInput", e.description, field: "body")
            err.problems = [Problem(message: e.message, featureIndex: e.featureIndex, field: e.path.isEmpty ? nil : e.path)]
            return err
        case let e as CaseInputError:
            return .badParameter(e.field, e.message)
        case let e as CaseNotFound:
            return APIError(.notFound, code: "NotFound", e.description, field: "caseId")
        case let e as CaseTransitionConflict:
            return APIError(.conflict, code: "InvalidTransition", e.description, field: "action")
        case let e as CaseForbidden:
            return APIError(.forbidden, code: "Forbidden", e.description)
        case let e as AuthError:
            switch e {
            case .missingToken:
                var err = APIError(.unauthorized, code: "Unauthorized", "this request needs a token: Authorization: Bearer TOKEN (or api_key=TOKEN)",
                                   field: "Authorization")
                err.headers[.wwwAuthenticate] = "Bearer realm=\"wangge\""
                return err
            case .invalidToken:
                var err = APIError(.unauthorized, code: "Unauthorized", "the token is not valid (unknown, revoked, or not a Bearer token)",
                                   field: "Authorization")
                err.headers[.wwwAuthenticate] = "Bearer realm=\"wangge\", error=\"invalid_token\""
                return err
            case .forbidden(let why):
                return APIError(.forbidden, code: "Forbidden", why)
            }
        case let e as RateLimited:
            var err = APIError(.tooManyRequests, code: "TooManyRequests",
                               "too many requests from this client (\(e.client)); retry after \(e.retryAfter) s, or send points in one batch (POST /assign)")
            err.headers[.retryAfter] = String(e.retryAfter)
            return err
        case let e as IntakeQueueFull:
            var err = APIError(.serviceUnavailable, code: "ServiceUnavailable", e.description)
            err.headers[.retryAfter] = String(e.retryAfter)
            return err
        case let e as IsochroneRefusal:
            switch e.kind {
            case .noNetwork: return APIError(.conflict, code: "NoWalkingNetwork", e.message)
            case .outOfReach: return APIError(.unprocessableContent, code: "OutOfReach", e.description, field: e.field)
            }
        case let e as TokenError:
            return APIError(.badRequest, code: "InvalidParameterValue", e.description)
        case is NIOTooManyBytesError:
            return APIError(.contentTooLarge, code: "PayloadTooLarge", "the request body is larger than this route accepts")
        case let e as HTTPError where e.status.code < 500:
            let code: String
            switch e.status {
            case .notFound: code = "NotFound"
            case .contentTooLarge: code = "PayloadTooLarge"
            case .methodNotAllowed: code = "MethodNotAllowed"
            default: code = "BadRequest"
            }
            let message = e.body ?? (e.status == .notFound ? "no route for \(request.method) \(request.uri.path)" : e.status.reasonPhrase)
            var err = APIError(e.status, code: code, message)
            err.headers = e.headers
            return err
        default:
            logger.error("unhandled error answered with 500", metadata: [
                "request": .string("\(request.method) \(request.uri)"),
                "error": .string(String(reflecting: error)),
            ])
            return serverError(requestID: requestID)
        }
    }

    /// The body of every 500: the request id and nothing else about the failure.
    static func serverError(requestID: String) -> APIError {
        APIError(.internalServerError, code: "ServerError",
                 "internal error; the server log has the detail under request id \(requestID)")
    }
}

/// Maps errors to responses in one place (`ErrorTable`), so handlers can just throw. It returns
/// the error response rather than throwing it, so middleware outside it (CORS) decorates error
/// responses like any other.
struct ErrorMiddleware: RouterMiddleware {
    typealias Context = WanggeRequestContext

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch {
            let e = ErrorTable.apiError(for: error, request: request, requestID: context.requestID, logger: context.logger)
            var response = try e.response(from: request, context: context)
            // Open311 clients read the spec's error list, in the format the path names. (A 405 is
            // the router's answer about methods, which the spec does not cover: it keeps the
            // common body, like every other 405.)
            if request.uri.path.hasPrefix(Open311Controller.root + "/"), e.status != .methodNotAllowed {
                var open311 = try Open311Document.errors(e, format: Open311Format(path: request.uri.path)).response(from: request, context: context)
                for field in e.headers where field.name != .contentType { open311.headers.append(field) }
                response = open311
            }
            // HEAD answers carry the headers of the error, not its body (RFC 9110 §9.3.2).
            return request.method == .head ? response.createHeadResponse() : response
        }
    }
}
