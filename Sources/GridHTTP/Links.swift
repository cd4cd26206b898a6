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

    static func link(_ href: String, rel: String, type: String, title: String? = nil) -> JSONValue {
        var o = JSONObject()
        o["href"] = .string(href)
        o["rel"] = .string(rel)
        o["type"] = .string(type)
        if let title { o["title"] = .string(title) }
        return .object(o)
    }
}

func jsonResponse(_ value: JSONValue, type: String = OGC.Media.json, status: HTTPResponse.Status = .ok) -> Response {
    Response(status: status, headers: [.contentType: type], body: .init(byteBuffer: ByteBuffer(string: JSONText.encode(value))))
}

import Foundation
