import Foundation
import GridGeo
import Hummingbird
import NIOCore

/// An Open311 GeoReport v2 answer written as JSON or XML from one tree, so the two formats can
/// never disagree. The spec's XML is plain (no attributes, no namespaces): a root element, one
/// element per record (`<service>`, `<request>`, `<error>`), one child element per field, and
/// JSON is the same records as an array of objects (or one object, for a service definition).
///
/// A writer of our own rather than XMLCoder: the shapes are three flat lists whose element
/// names (`services/service`, `service_requests/request`, `errors/error`) and empty elements
/// for nulls (`<account_id/>`) are fixed by the spec; a 60-line writer says that directly,
/// where XMLCoder would need per-type key and null strategies and a new package for the build.
enum Open311Value: Sendable, Equatable {
    case string(String)
    case int(Int64)
    case number(Double)
    case bool(Bool)
    case null
    /// A list of records (`attributes` of a service definition, `endpoints` of the discovery).
    case records(item: String, [Open311Record])
    /// A list of strings (`formats` of a discovery endpoint: `<formats><format>…</format></formats>`).
    case strings(item: String, [String])
}

/// One record: fields in the spec's order.
struct Open311Record: Sendable, Equatable {
    var fields: [(String, Open311Value)]
    init(_ fields: [(String, Open311Value)]) { self.fields = fields }
    static func == (a: Open311Record, b: Open311Record) -> Bool {
        a.fields.count == b.fields.count && zip(a.fields, b.fields).allSatisfy { $0.0 == $1.0 && $0.1 == $1.1 }
    }
}

/// The two output formats, named by the path's extension (`services.json`, `requests/7.xml`).
enum Open311Format: String, Sendable, CaseIterable {
    case json, xml
    var contentType: String { self == .json ? "application/json; charset=utf-8" : "text/xml; charset=utf-8" }
    /// The format a request path ends in (JSON unless it ends in `.xml`): also how errors choose.
    init(path: String) { self = path.hasSuffix(".xml") ? .xml : .json }
}

/// A whole answer: the root element and item element names (XML), the records, and whether
/// JSON writes a single object (the service definition) rather than an array.
struct Open311Document: ResponseGenerator, Sendable {
    var root: String
    var item: String
    var records: [Open311Record]
    var format: Open311Format
    var status: HTTPResponse.Status = .ok
    var single = false

    func response(from request: Request, context: some RequestContext) throws -> Response {
        var headers = HTTPFields()
        headers[.contentType] = format.contentType
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    var text: String {
        switch format {
        case .json:
            let values = records.map(Self.json)
            return JSONText.encode(single && values.count == 1 ? values[0] : .array(values))
        case .xml:
            var out = "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
            if single, let r = records.first {
                Self.xml(r, name: root, into: &out)
            } else {
                out += "<\(root)>"
                for r in records { Self.xml(r, name: item, into: &out) }
                out += "</\(root)>"
            }
            return out + "\n"
        }
    }

    static func json(_ r: Open311Record) -> JSONValue {
        .object(JSONObject(r.fields.map { ($0.0, json($0.1)) }))
    }

    static func json(_ v: Open311Value) -> JSONValue {
        switch v {
        case .string(let s): return .string(s)
        case .int(let i): return .int(Int(i))
        case .number(let d): return .number(d)
        case .bool(let b): return .bool(b)
        case .null: return .null
        case .records(_, let list): return .array(list.map(json))
        case .strings(_, let list): return .array(list.map { .string($0) })
        }
    }

    static func xml(_ r: Open311Record, name: String, into out: inout String) {
        out += "<\(name)>"
        for (k, v) in r.fields {
            switch v {
            case .null: out += "<\(k)/>"
            case .string(let s): out += "<\(k)>\(escape(s))</\(k)>"
            case .int(let i): out += "<\(k)>\(i)</\(k)>"
            case .number(let d): out += "<\(k)>\(JSONText.number(d))</\(k)>"
            case .bool(let b): out += "<\(k)>\(b)</\(k)>"
            case .records(let item, let list):
                if list.isEmpty { out += "<\(k)/>" } else {
                    out += "<\(k)>"
                    for x in list { xml(x, name: item, into: &out) }
                    out += "</\(k)>"
                }
            case .strings(let item, let list):
                out += "<\(k)>" + list.map { "<\(item)>\(escape($0))</\(item)>" }.joined() + "</\(k)>"
            }
        }
        out += "</\(name)>"
    }

    /// Text content escaped for XML 1.0; characters XML 1.0 cannot carry at all (C0 controls
    /// other than tab, newline and return) are dropped rather than written as invalid XML.
    static func escape(_ s: String) -> String {
        var out = ""
        out.reserveCapacity(s.utf8.count)
        for ch in s.unicodeScalars {
            switch ch {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "\t", "\n", "\r": out.unicodeScalars.append(ch)
            default:
                if ch.value < 0x20 || ch.value == 0xFFFE || ch.value == 0xFFFF { continue }
                out.unicodeScalars.append(ch)
            }
        }
        return out
    }

    /// The spec's error list: `[{"code": 400, "description": "…"}]`, `<errors><error>…`.
    static func errors(_ e: APIError, format: Open311Format) -> Open311Document {
        Open311Document(root: "errors", item: "error",
                        records: [Open311Record([("code", .int(Int64(e.status.code))), ("description", .string(e.description))])],
                        format: format, status: e.status)
    }
}
