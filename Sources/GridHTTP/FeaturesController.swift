import Foundation
import GridGeo
import GridStore
import Hummingbird

/// OGC API – Features collections: one per store layer.
struct FeaturesController {
    let services: AppServices

    func addRoutes(to group: RouterGroup<BasicRequestContext>) {
        group.get(use: collections)
        group.get(":collectionId", use: collection)
        group.get(":collectionId/items", use: items)
        group.get(":collectionId/items/:featureId", use: item)
    }

    @Sendable func collections(_ request: Request, context: BasicRequestContext) async throws -> Response {
        try OGC.checkFormat(request.uri.queryParameters)
        let l = Links(request, publicURL: services.publicURL)
        var list: [JSONValue] = []
        for layer in Layer.all { list.append(try describe(layer, l)) }
        return jsonResponse(.object(JSONObject([
            ("links", .array([Links.link(l.url(OGC.Path.collections), rel: OGC.Rel.`self`, type: OGC.Media.json)])),
            ("collections", .array(list)),
        ])))
    }

    @Sendable func collection(_ request: Request, context: BasicRequestContext) async throws -> Response {
        try OGC.checkFormat(request.uri.queryParameters)
        let layer = try Self.layer(context)
        return jsonResponse(try describe(layer, Links(request, publicURL: services.publicURL)))
    }

    @Sendable func items(_ request: Request, context: BasicRequestContext) async throws -> Response {
        let layer = try Self.layer(context)
        let params = try ItemsParameters(request.uri.queryParameters, layer: services.db.schema[layer], db: services.db)
        let page = try services.db.features(layer, params.query)
        let l = Links(request, publicURL: services.publicURL)
        let path = OGC.Path.items(layer.name)
        var links: [JSONValue] = [
            Links.link(l.url(path, query: params.echo(offset: params.query.offset)), rel: OGC.Rel.`self`, type: OGC.Media.geoJSON),
            Links.link(l.url(OGC.Path.collection(layer.name)), rel: OGC.Rel.collection, type: OGC.Media.json),
        ]
        if params.query.offset + page.count < page.numberMatched {
            links.append(Links.link(l.url(path, query: params.echo(offset: params.query.offset + params.query.limit)), rel: OGC.Rel.next, type: OGC.Media.geoJSON))
        }
        if params.query.offset > 0 {
            links.append(Links.link(l.url(path, query: params.echo(offset: max(0, params.query.offset - params.query.limit))), rel: OGC.Rel.prev, type: OGC.Media.geoJSON))
        }
        var s = "{\"type\":\"FeatureCollection\",\"numberMatched\":\(page.numberMatched),\"numberReturned\":\(page.count)"
        s += ",\"timeStamp\":\(JSONText.quoted(Self.timeStamp()))"
        s += ",\"generation\":\(page.generation)"
        s += ",\"links\":" + JSONText.encode(.array(links))
        s += ",\"features\":["
        var buffer = ByteBuffer()
        buffer.reserveCapacity(s.utf8.count + page.joined.count + 2)
        buffer.writeString(s)
        buffer.writeBytes(page.joined)
        buffer.writeString("]}")
        return Response(
            status: .ok,
            headers: [.contentType: OGC.Media.geoJSON, OGC.Header.contentCRS: params.crs.contentCRSHeader],
            body: .init(byteBuffer: buffer))
    }

    static func timeStamp() -> String {
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime]
        return f.string(from: Date())
    }

    @Sendable func item(_ request: Request, context: BasicRequestContext) async throws -> Response {
        let layer = try Self.layer(context)
        let id = try context.parameters.require("featureId")
        var crs = OutputCRS.crs84
        var generation: Int64?
        for (k, v) in request.uri.queryParameters {
            switch String(k) {
            case GenerationParameter.name:
                generation = try GenerationParameter.parse(v, db: services.db)
            case OGC.Param.f:
                try OGC.checkFormat(request.uri.queryParameters, allowed: ["json", "geojson"])
            case OGC.Param.crs:
                crs = try OutputCRS.parse(String(v), parameter: OGC.Param.crs)
            default:
                throw APIError.badParameter(String(k), "unknown parameter; a feature takes crs, f and generation")
            }
        }
        guard let (text, used) = try services.db.feature(layer, id: id, output: crs.geometryOutput, generation: generation) else {
            throw APIError.notFound("no feature '\(id)' in collection '\(layer.name)'" + (generation.map { " at generation \($0)" } ?? ""))
        }
        let l = Links(request, publicURL: services.publicURL)
        let links = JSONText.encode(.array([
            Links.link(l.url(OGC.Path.item(layer.name, Links.escapePath(id)),
                             query: (crs == .crs84 ? [] : [(OGC.Param.crs, crs.uri)]) + (generation.map { [(GenerationParameter.name, String($0))] } ?? [])),
                       rel: OGC.Rel.`self`, type: OGC.Media.geoJSON),
            Links.link(l.url(OGC.Path.collection(layer.name)), rel: OGC.Rel.collection, type: OGC.Media.json),
        ]))
        // The feature text ends with "}": add the links member inside it.
        let body = String(text.dropLast()) + ",\"generation\":\(used),\"links\":" + links + "}"
        return Response(
            status: .ok,
            headers: [.contentType: OGC.Media.geoJSON, OGC.Header.contentCRS: crs.contentCRSHeader],
            body: .init(byteBuffer: ByteBuffer(string: body)))
    }

    static func layer(_ context: BasicRequestContext) throws -> Layer {
        let id = try context.parameters.require("collectionId")
        guard let layer = Layer.named(id) else {
            throw APIError.notFound("no collection '\(id)'; collections: \(Layer.all.map(\.name).joined(separator: ", "))")
        }
        return layer
    }

    func describe(_ layer: Layer, _ l: Links) throws -> JSONValue {
        var o = JSONObject()
        o["id"] = .string(layer.name)
        o["title"] = .string("\(layer.title) \(layer.titleZh)")
        o["description"] = .string("\(layer.title) (\(layer.titleZh)): \(layer.geometry == .point ? "points" : "polygons"); " +
            "properties " + (["id"] + services.db.schema[layer].names).joined(separator: ", "))
        o["itemType"] = .string("feature")
        if let e = try services.db.extent(layer) {
            o["extent"] = .object(JSONObject([
                ("spatial", .object(JSONObject([
                    ("bbox", .array([.array([.number(e.minLon), .number(e.minLat), .number(e.maxLon), .number(e.maxLat)])])),
                    ("crs", .string(OGC.crs84)),
                ]))),
            ]))
        }
        o["crs"] = .array(OutputCRS.supportedURIs.map { .string($0) })
        o["storageCrs"] = .string(OGC.crs84)
        o["links"] = .array([
            Links.link(l.url(OGC.Path.collection(layer.name)), rel: OGC.Rel.`self`, type: OGC.Media.json),
            Links.link(l.url(OGC.Path.items(layer.name)), rel: OGC.Rel.items, type: OGC.Media.geoJSON),
        ])
        return .object(o)
    }
}

/// The query parameters of an items request, checked.
struct ItemsParameters {
    var query = FeatureQuery()
    /// The CRS of the output coordinates (`crs`, Part 2).
    var crs = OutputCRS.crs84
    /// Parameters to repeat in paging links (everything but offset).
    var kept: [(String, String)] = []

    init(_ params: Parameters, layer: LayerSchema, db: GridDatabase) throws {
        var bboxValue: String?
        var bboxCRS = OutputCRS.crs84
        for (rawKey, rawValue) in params {
            let key = String(rawKey), value = String(rawValue)
            switch key {
            case OGC.Param.limit:
                guard let n = Int(value), (1...OGC.maxLimit).contains(n) else {
                    throw APIError.badParameter(key, "must be a whole number from 1 to \(OGC.maxLimit), found '\(value)'")
                }
                query.limit = n
                kept.append((key, value))
            case OGC.Param.offset:
                guard let n = Int(value), (0...OpenAPI.maxOffset).contains(n) else {
                    throw APIError.badParameter(key, "must be a whole number from 0 to \(OpenAPI.maxOffset), found '\(value)'")
                }
                query.offset = n
            case OGC.Param.bbox:
                bboxValue = value
                kept.append((key, value))
            case OGC.Param.bboxCRS:
                bboxCRS = try OutputCRS.parse(value, parameter: key)
                kept.append((key, value))
            case OGC.Param.crs:
                crs = try OutputCRS.parse(value, parameter: key)
                kept.append((key, value))
            case OGC.Param.f:
                try OGC.checkFormat(params, allowed: ["json", "geojson"])
                kept.append((key, value))
            case GenerationParameter.name:
                query.generation = try GenerationParameter.parse(rawValue, db: db)
                kept.append((key, value))
            default:
                guard key == "id" || layer.column(key) != nil else {
                    throw APIError.badParameter(key, "unknown parameter; \(layer.layer.name) takes bbox, bbox-crs, crs, limit, offset, generation and the property filters " +
                        (["id"] + layer.names).joined(separator: ", "))
                }
                query.filters.append((key, value))
                kept.append((key, value))
            }
        }
        if let bboxValue {
            let (box, ring) = try Self.bbox(bboxValue, crs: bboxCRS)
            query.bbox = box
            query.area = ring
        }
        query.output = crs.geometryOutput
    }

    func echo(offset: Int) -> [(String, String)] { kept + (offset > 0 ? [(OGC.Param.offset, String(offset))] : []) }

    static func bbox(_ value: String, crs: OutputCRS = .crs84) throws -> (BoundingBox, [Coordinate]?) {
        let parts = value.split(separator: ",", omittingEmptySubsequences: false).map { Double($0.trimmingCharacters(in: .whitespaces)) }
        guard parts.count == 4 || parts.count == 6 else {
            throw APIError.badParameter(OGC.Param.bbox, "needs 4 numbers (lower corner, upper corner in the axis order of bbox-crs; " +
                "minLon,minLat,maxLon,maxLat by default) or 6 with heights, found \(parts.count)")
        }
        guard parts.allSatisfy({ $0 != nil && $0!.isFinite }) else { throw APIError.badParameter(OGC.Param.bbox, "every value must be a finite number") }
        let v = parts.map { $0! }
        return try crs.toCRS84(v.count == 4 ? v : [v[0], v[1], v[3], v[4]])
    }
}
