import Hummingbird
import NIOCore

/// Reading a request body of one declared media type, bounded: the checks the JSON case routes
/// and Open311's form POST share.
enum RequestBody {
    /// The body, after checking that `Content-Type` (its media type, parameters ignored, case
    /// folded) is `mediaType`.
    /// - Parameters:
    ///   - what: how the 415 names the content ("the case", "the request (GeoReport v2)").
    ///   - limit: the largest body in bytes; more is 413 without reading the rest.
    /// - Throws: `APIError` 415 (`UnsupportedMediaType`, field `Content-Type`) or 413 (`PayloadTooLarge`).
    static func collect(_ request: Request, mediaType: String, what: String, limit: Int) async throws -> ByteBuffer {
        let type = request.headers[.contentType]?.split(separator: ";").first?.trimmingCharacters(in: .whitespaces).lowercased()
        guard type == mediaType else {
            throw APIError(.unsupportedMediaType, code: "UnsupportedMediaType",
                           "Content-Type: send \(what) as \(mediaType), found \(type.map { "'\($0.prefix(60))'" } ?? "none")",
                           field: "Content-Type")
        }
        var req = request
        do { return try await req.collectBody(upTo: limit) } catch is NIOTooManyBytesError {
            throw APIError(.contentTooLarge, code: "PayloadTooLarge", "the body is larger than \(limit >> 10) KiB")
        }
    }
}
