import GridGeo

/// Renders the OpenAPI document as one self-contained HTML page (no scripts, no CDN): every
/// path with its parameters and responses, then the schemas.
enum OpenAPIHTML {
    static func render(_ doc: JSONValue) -> String {
        let root = doc.objectValue ?? JSONObject()
        let info = root["info"]?.objectValue ?? JSONObject()
        let components = root["components"]?.objectValue ?? JSONObject()
        let sharedParams = components["parameters"]?.objectValue ?? JSONObject()
        let title = info["title"]?.stringValue ?? "API"
        var h = """
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8"><title>\(esc(title)) — API</title>
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <style>
            body{font:15px/1.45 system-ui,sans-serif;margin:0 auto;max-width:70em;padding:1em 2em;color:#222}
            h1{font-size:1.6em} h2{border-bottom:2px solid #ccc;margin-top:2em}
            .op{border:1px solid #ddd;border-radius:6px;margin:1em 0;padding:.6em 1em}
            .op h3{margin:.2em 0;font:600 1.05em ui-monospace,monospace} .get{background:#1a7f37;color:#fff;border-radius:3px;padding:0 .4em;margin-right:.5em}
            table{border-collapse:collapse;margin:.4em 0;width:100%} td,th{border:1px solid #e3e3e3;padding:.25em .5em;text-align:left;vertical-align:top}
            th{background:#f6f6f6} code{font:.92em ui-monospace,monospace;background:#f3f3f3;padding:0 .2em}
            .tag{color:#666;font-size:.85em} .toc{columns:2;font-size:.9em} .toc li{break-inside:avoid} details{margin:.3em 0} pre{background:#f6f6f6;padding:.6em;overflow:auto;font-size:.85em}
            </style></head><body>
            <h1>\(esc(title))</h1>
            <p>\(esc(info["description"]?.stringValue ?? ""))</p>
            <p>Version \(esc(info["version"]?.stringValue ?? "")) · OpenAPI \(esc(root["openapi"]?.stringValue ?? "")) ·
            machine-readable: <a href="\(OGC.Path.api)">\(OGC.Path.api)</a> · <a href="\(OGC.Path.landing)">landing page</a> · <a href="\(OGC.Path.map)">map</a></p>
            <h2>Paths</h2>

            """
        // A table of contents: one line per operation.
        h += "<ul class=\"toc\">\n"
        for (path, item) in root["paths"]?.objectValue?.members ?? [] {
            for (method, opValue) in item.objectValue?.members ?? [] {
                let op = opValue.objectValue
                let id = op?["operationId"]?.stringValue ?? path
                h += "<li><a href=\"#\(esc(id))\"><code>\(esc(method.uppercased())) \(esc(path))</code></a> — \(esc(op?["summary"]?.stringValue ?? ""))</li>\n"
            }
        }
        h += "</ul>\n"
        for (path, item) in root["paths"]?.objectValue?.members ?? [] {
            for (method, opValue) in item.objectValue?.members ?? [] {
                guard let op = opValue.objectValue else { continue }
                let id = op["operationId"]?.stringValue ?? path
                h += "<div class=\"op\" id=\"\(esc(id))\"><h3><span class=\"get\">\(esc(method.uppercased()))</span>\(esc(path))</h3>\n"
                h += "<div><b>\(esc(op["summary"]?.stringValue ?? ""))</b> <span class=\"tag\">\(esc(op["tags"]?.arrayValue?.compactMap(\.stringValue).joined(separator: ", ") ?? ""))</span></div>\n"
                h += "<p>\(esc(op["description"]?.stringValue ?? ""))</p>\n"
                let params = (op["parameters"]?.arrayValue ?? []).compactMap { p -> JSONObject? in
                    if let ref = p.objectValue?["$ref"]?.stringValue {
                        return sharedParams[String(ref.split(separator: "/").last ?? "")]?.objectValue
                    }
                    return p.objectValue
                }
                if !params.isEmpty {
                    h += "<table><tr><th>parameter</th><th>in</th><th>type</th><th>description</th></tr>\n"
                    for p in params {
                        let schema = p["schema"]?.objectValue ?? JSONObject()
                        h += "<tr><td><code>\(esc(p["name"]?.stringValue ?? ""))</code>\(p["required"] == .bool(true) ? " (required)" : "")</td>"
                        h += "<td>\(esc(p["in"]?.stringValue ?? ""))</td><td>\(esc(typeText(schema)))</td>"
                        h += "<td>\(esc(p["description"]?.stringValue ?? ""))</td></tr>\n"
                    }
                    h += "</table>\n"
                }
                h += "<table><tr><th>status</th><th>response</th></tr>\n"
                for (status, r) in op["responses"]?.objectValue?.members ?? [] {
                    var text = ""
                    if let o = r.objectValue {
                        if let ref = o["$ref"]?.stringValue {
                            let name = String(ref.split(separator: "/").last ?? "")
                            text = components["responses"]?.objectValue?[name]?.objectValue?["description"]?.stringValue ?? name
                            text += " (application/json, exception)"
                        } else {
                            text = o["description"]?.stringValue ?? ""
                            for (media, m) in o["content"]?.objectValue?.members ?? [] {
                                let ref = m.objectValue?["schema"]?.objectValue?["$ref"]?.stringValue
                                text += " — \(media)" + (ref.map { ", schema \(String($0.split(separator: "/").last ?? ""))" } ?? "")
                            }
                        }
                    }
                    h += "<tr><td>\(esc(status))</td><td>\(esc(text))</td></tr>\n"
                }
                h += "</table></div>\n"
            }
        }
        h += "<h2>Schemas</h2>\n"
        for (name, schema) in components["schemas"]?.objectValue?.members ?? [] {
            h += "<details id=\"schema-\(esc(name))\"><summary><code>\(esc(name))</code></summary><pre>\(esc(JSONText.encode(schema)))</pre></details>\n"
        }
        h += "</body></html>\n"
        return h
    }

    static func typeText(_ schema: JSONObject) -> String {
        var t = schema["type"]?.stringValue ?? ""
        if t == "array", let item = schema["items"]?.objectValue?["type"]?.stringValue { t = "array of \(item) (comma-separated)" }
        if let e = schema["enum"]?.arrayValue { t += ": " + e.compactMap(\.stringValue).joined(separator: " | ") }
        if let min = schema["minimum"], let max = schema["maximum"] { t += " \(JSONText.encode(min))…\(JSONText.encode(max))" }
        if let d = schema["default"] { t += ", default \(JSONText.encode(d))" }
        return t
    }

    static func esc(_ s: String) -> String {
        var out = ""
        out.reserveCapacity(s.count)
        for ch in s {
            switch ch {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            default: out.append(ch)
            }
        }
        return out
    }
}
