import Foundation
import GridGeo
import Hummingbird

/// The planner's map page at /map and its script, and Leaflet served from the system's libjs-leaflet
/// (/usr/share/javascript/leaflet, or $WANGGE_LEAFLET_DIR) so the page needs no internet.
struct MapController {
    let services: AppServices

    static let leafletFiles = ["leaflet.js", "leaflet.css"]
    static let leafletImages = ["layers.png", "layers-2x.png", "marker-icon.png", "marker-icon-2x.png", "marker-shadow.png"]

    static var leafletDirectory: String {
        ProcessInfo.processInfo.environment["WANGGE_LEAFLET_DIR"] ?? "/usr/share/javascript/leaflet"
    }

    static var leafletAvailable: Bool {
        FileManager.default.isReadableFile(atPath: leafletDirectory + "/leaflet.js")
    }

    func addRoutes(to router: Router<WanggeRequestContext>) {
        // Read the page's resources now: a broken installation fails at start, not at the first visit.
        _ = (MapPage.page, MapPage.script, MapPage.withoutLeaflet)
        router.get(RouterPath(OGC.Path.map), use: map)
        router.get(RouterPath(MapPage.scriptPath), use: script)
        router.get("/static/leaflet/:file", use: leaflet)
        router.get("/static/leaflet/images/:file", use: leafletImage)
    }

    @Sendable func map(_ request: Request, context: WanggeRequestContext) async throws -> Response {
        // A base map only when asked for: ?tiles=URL-template, or WANGGE_MAP_TILES on the server.
        let tiles = request.uri.queryParameters.get("tiles") ?? ProcessInfo.processInfo.environment["WANGGE_MAP_TILES"]
        let html = MapPage.html(tileURL: tiles, leafletAvailable: Self.leafletAvailable)
        return Response(status: .ok, headers: [.contentType: OGC.Media.htmlUTF8], body: .init(byteBuffer: ByteBuffer(string: html)))
    }

    @Sendable func script(_ request: Request, context: WanggeRequestContext) async throws -> Response {
        Response(status: .ok, headers: [.contentType: "application/javascript; charset=utf-8"],
                 body: .init(byteBuffer: ByteBuffer(string: MapPage.script)))
    }

    @Sendable func leaflet(_ request: Request, context: WanggeRequestContext) async throws -> Response {
        let name = try context.parameters.require("file")
        guard Self.leafletFiles.contains(name) else { throw APIError.notFound("no file '\(name)'; Leaflet files: \(Self.leafletFiles.joined(separator: ", "))") }
        return try Self.file(Self.leafletDirectory + "/" + name, type: name.hasSuffix(".css") ? "text/css" : "application/javascript")
    }

    @Sendable func leafletImage(_ request: Request, context: WanggeRequestContext) async throws -> Response {
        let name = try context.parameters.require("file")
        guard Self.leafletImages.contains(name) else { throw APIError.notFound("no image '\(name)'") }
        return try Self.file(Self.leafletDirectory + "/images/" + name, type: "image/png")
    }

    static func file(_ path: String, type: String) throws -> Response {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw APIError.notFound("\(path) is missing: install Debian's libjs-leaflet (scripts/setup) or set WANGGE_LEAFLET_DIR")
        }
        return Response(
            status: .ok,
            headers: [.contentType: type, .cacheControl: "public, max-age=86400"],
            body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}
