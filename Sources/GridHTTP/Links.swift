import Foundation
import GridGeo
import Hummingbird

/// Absolute links, as OGC API clients (GDAL, QGIS) expect.
struct Links {
    let base: String

    init(_ request: Request, publicURL: String?) {
        if let publicURL {
            base = publicURL.hasSuffix("/") ? String(publicURL.dropLast()) : publicURL
        } else {
            let host = request.head.authority ?? "localhost"
            base = "http://\(host)"
        }
    }

    func url(_ path: String, query: [(String, String)] = []) -> String {
        var s = base + path
        if !query.isEmpty {
            s += "?" + query.map { "\($0.0)=\(Self.escape($0.1))" }.joined(separator: "&")
        }
        return s
    }

    static func escape(_ s: String) -> String {
        var allowed = CharacterSet.urlQueryAllowed
        allowed.remove(charactersIn: "&=+?#")
        return s.addingPercentEncoding(withAllowedCharacters: allowed) ?? s
    }

    /// Escapes one path segment (a feature id may hold any character, including "/").
    static func escapePath(_ s: String) -> String {
        var allowed = CharacterSet.urlPathAllowed
        allowed.remove(charactersIn: "/;?#")
        return s.addingPercentEncoding(withAllowedCharacters: allowed) ?? s
    }

    static func link(_ href: String, rel: String, type: String, title: String? = nil) -> Link {
        Link(href: href, rel: rel, type: type, title: title)
    }

    /// Decodes a path segment captured by the router (which leaves it percent-encoded): feature
    /// ids may hold `/`, spaces or Chinese, and clients (and wangge's own links) encode them.
    static func pathSegment(_ raw: String, parameter: String) throws -> String {
        guard let s = raw.removingPercentEncoding else {
            throw APIError.badParameter(parameter, "malformed percent-encoding in '\(raw)'")
        }
        return s
    }
}
