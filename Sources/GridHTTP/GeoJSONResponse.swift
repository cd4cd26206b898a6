import Foundation
import GridGeo
import Hummingbird

/// Every GeoJSON answer (RFC 7946, `application/geo+json`): an items page, one item, `/assign`.
/// The body is either written as bytes by a hot path (items pages, the `/assign` Feature: measured
/// in docs/PERFORMANCE.md, each with a test that its bytes equal the typed encoding below) or
/// encoded from a typed body.
struct GeoJSONResponse: ResponseGenerator {
    var body: ByteBuffer
    /// `Content-Crs` (OGC API – Features Part 2) for the items routes; /assign answers in WGS84
    /// and sends none.
    var contentCRS: OutputCRS?

    init(bytes: ByteBuffer, contentCRS: OutputCRS? = nil) {
        body = bytes; self.contentCRS = contentCRS
    }

    init(text: String, contentCRS: OutputCRS? = nil) {
        self.init(bytes: ByteBuffer(string: text), contentCRS: contentCRS)
    }

    init(encoding value: some Encodable, contentCRS: OutputCRS? = nil) throws {
        self.init(bytes: ByteBuffer(bytes: try WanggeRequestContext.makeEncoder().encode(value)), contentCRS: contentCRS)
    }

    func response(from request: Request, context: some RequestContext) -> Response {
        var headers: HTTPFields = [.contentType: OGC.Media.geoJSON]
        if let contentCRS { headers[OGC.Header.contentCRS] = contentCRS.contentCRSHeader }
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: body))
    }
}

/// A GeoJSON Feature as a typed body: what the byte writers must produce, member for member.
struct GeoJSONFeature: Encodable {
    var type = "Feature"
    var id: String?
    var geometry: AnyJSON
    var properties: AnyJSON
    /// The boundary generation a single item was read at.
    var generation: Int64?
    var links: [Link]?

    /// A feature from its JSON text (a store row as the store writes it), with links added.
    init(parsing text: String, generation: Int64? = nil, links: [Link]? = nil) throws {
        let o = try JSONParser.parse(text).objectValue ?? JSONObject()
        id = o["id"]?.stringValue
        geometry = AnyJSON(o["geometry"] ?? .null)
        properties = AnyJSON(o["properties"] ?? .null)
        self.generation = generation
        self.links = links
    }

    init(id: String?, geometry: JSONValue, properties: JSONValue, links: [Link]? = nil) {
        self.id = id; self.geometry = AnyJSON(geometry); self.properties = AnyJSON(properties); self.links = links
    }
}

/// A GeoJSON FeatureCollection as a typed body, with the OGC API – Features members (§7.15).
struct GeoJSONFeatureCollection<Feature: Encodable>: Encodable {
    var type = "FeatureCollection"
    var numberMatched: Int?
    var numberReturned: Int
    var timeStamp: String?
    /// The boundary generation the features were read at (items pages).
    var generation: Int64?
    var links: [Link]?
    var features: [Feature]
}
