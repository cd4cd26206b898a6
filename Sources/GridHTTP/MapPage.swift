import Foundation

/// The planner's map page: Resources/map.html (the page, which loads Leaflet from /static/leaflet,
/// the system's libjs-leaflet) and Resources/map.js (the script, served at /static/map.js), read
/// once from the module's resource bundle. Layers are entries in map.js's `LAYERS` (any GeoJSON
/// URL, paged through `next` links, with a style function and a legend); the coverage control
/// restyles the compounds and grids from /coverage, draws /coverage/gaps and, on a click, lists
/// /nearest's nearest station of each category.
enum MapPage {
    static let scriptPath = "/static/map.js"

    /// The page; `tileURL` (a base-map URL template) goes into the page as a JavaScript string.
    static func html(tileURL: String?, leafletAvailable: Bool) -> String {
        guard leafletAvailable else { return withoutLeaflet }
        return page.replacingOccurrences(of: "{{TILE_URL}}", with: tileURL.map { JSONTextLiteral.quote($0) } ?? "null")
    }

    static let page = resource("map", "html")
    static let script = resource("map", "js")
    static let withoutLeaflet = resource("map-without-leaflet", "html")

    /// A text file of the bundle. They are part of the build (Package.swift declares them), so a
    /// missing one is a broken installation: the message says where the bundle was looked for.
    static func resource(_ name: String, _ ext: String) -> String {
        guard let url = Bundle.module.url(forResource: name, withExtension: ext),
              let text = try? String(contentsOf: url, encoding: .utf8) else {
            fatalError("\(name).\(ext) is missing from the GridHTTP resource bundle at \(Bundle.module.bundlePath); rebuild wangge")
        }
        return text
    }
}

/// A JavaScript string literal (JSON string syntax, with `<` escaped so it cannot end a script).
enum JSONTextLiteral {
    static func quote(_ s: String) -> String {
        var out = "\""
        for u in s.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "<": out += "\\u003c"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\u{2028}": out += "\\u2028"
            case "\u{2029}": out += "\\u2029"
            default:
                if u.value < 0x20 { out += String(format: "\\u%04x", u.value) } else { out.unicodeScalars.append(u) }
            }
        }
        return out + "\""
    }
}
