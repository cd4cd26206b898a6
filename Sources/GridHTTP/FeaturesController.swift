import Foundation
import GridGeo
import GridStore
import Hummingbird

/// OGC API – Features collections: one per store layer.
struct FeaturesController {
    let services: AppServices

    func addRoutes(to group: RouterGroup<WanggeRequestContext>) {
        group.get(use: collections)
        group.get(":collectionId", use: collection)
        group.get(":collectionId/items", use: items)
        group.get(":collectionId/items/:featureId", use: item)
    }

    @Sendable func collections(_ request: Request, context: WanggeRequestContext) async throws -> CollectionList {
        try OGC.checkFormat(request.uri.queryParameters)
        let l = Links(request, publicURL: services.publicURL)
        return CollectionList(
            links: [Links.link(l.url(OGC.Path.collections), rel: OGC.Rel.`self`, type: OGC.Media.json)],
            collections: try Layer.all.map { try describe($0, l) })
    }

    @Sendable func collection(_ request: Request, context: WanggeRequestContext) async throws -> CollectionInfo {
        try OGC.checkFormat(request.uri.queryParameters)
        let layer = try Self.layer(context)
        return try describe(layer, Links(request, publicURL: services.publicURL))
    }

    @Sendable func items(_ request: Request, context: WanggeRequestContext) async throws -> GeoJSONResponse {
        let page = try itemsPage(request, context: context)
        return GeoJSONResponse(bytes: try page.bytes(), contentCRS: page.crs)
    }

    /// One page of a layer's items, before it is written.
    func itemsPage(_ request: Request, context: WanggeRequestContext) throws -> ItemsPage {
        let layer = try Self.layer(context)
        let params = try ItemsParameters(request.uri.queryParameters, layer: services.db.schema[layer], db: services.db)
        let page = try services.db.features(layer, params.query)
        let l = Links(request, publicURL: services.publicURL)
        let path = OGC.Path.items(layer.name)
        var links = [
            Links.link(l.url(path, query: params.echo(offset: params.query.offset)), rel: OGC.Rel.`self`, type: OGC.Media.geoJSON),
            Links.link(l.url(OGC.Path.collection(layer.name)), rel: OGC.Rel.collection, type: OGC.Media.json),
        ]
        if params.query.offset + page.count < page.numberMatched {
            links.append(Links.link(l.url(path, query: params.echo(offset: params.query.offset + params.query.limit)), rel: OGC.Rel.next, type: OGC.Media.geoJSON))
        }
        if params.query.offset > 0 {
            links.append(Links.link(l.url(path, query: params.echo(offset: max(0, params.query.offset - params.query.limit))), rel: OGC.Rel.prev, type: OGC.Media.geoJSON))
        }
        return ItemsPage(page: page, timeStamp: Self.timeStamp(), links: links, crs: params.crs)
    }

    /// Now as an RFC 3339 UTC date-time (`2026-12-01T00:38:00Z`). Foundation's format style,
    /// not `ISO8601DateFormatter`: that one built an ICU formatter per call, ~10 % of the server's
    /// CPU under the mixed load of issue 12 §1 (docs/PERFORMANCE.md).
    static func timeStamp() -> String { Date.ISO8601FormatStyle().format(Date()) }

    @Sendable func item(_ request: Request, context: WanggeRequestContext) async throws -> GeoJSONResponse {
        let one = try itemPage(request, context: context)
        return GeoJSONResponse(text: try one.text(), contentCRS: one.crs)
    }

    /// One feature with its links, before it is written.
    func itemPage(_ request: Request, context: WanggeRequestContext) throws -> ItemPage {
        let layer = try Self.layer(context)
        let id = try Links.pathSegment(try context.parameters.require("featureId"), parameter: "featureId")
        var crs = OutputCRS.crs84
        var generation: Int64?
        try request.uri.queryParameters.rejectRepeats()
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
        return ItemPage(feature: text, generation: used, links: [
            Links.link(l.url(OGC.Path.item(layer.name, Links.escapePath(id)),
                             query: (crs == .crs84 ? [] : [(OGC.Param.crs, crs.uri)]) + (generation.map { [(GenerationParameter.name, String($0))] } ?? [])),
                       rel: OGC.Rel.`self`, type: OGC.Media.geoJSON),
            Links.link(l.url(OGC.Path.collection(layer.name)), rel: OGC.Rel.collection, type: OGC.Media.json),
        ], crs: crs)
    }

    static func layer(_ context: WanggeRequestContext) throws -> Layer {
        let id = try Links.pathSegment(try context.parameters.require("collectionId"), parameter: "collectionId")
        guard let layer = Layer.named(id) else {
            throw APIError.notFound("no collection '\(id)'; collections: \(Layer.all.map(\.name).joined(separator: ", "))")
        }
        return layer
    }

    func describe(_ layer: Layer, _ l: Links) throws -> CollectionInfo {
        CollectionInfo(
            id: layer.name,
            title: "\(layer.title) \(layer.titleZh)",
            description: "\(layer.title) (\(layer.titleZh)): \(layer.geometry == .point ? "points" : "polygons"); " +
                "properties " + (["id"] + services.db.schema[layer].names).joined(separator: ", "),
            itemType: "feature",
            extent: try services.db.extent(layer).map { e in
                CollectionInfo.Extent(spatial: CollectionInfo.Spatial(bbox: [[e.minLon, e.minLat, e.maxLon, e.maxLat]], crs: OGC.crs84))
            },
            crs: OutputCRS.supportedURIs,
            storageCrs: OGC.crs84,
            links: [
                Links.link(l.url(OGC.Path.collection(layer.name)), rel: OGC.Rel.`self`, type: OGC.Media.json),
                Links.link(l.url(OGC.Path.items(layer.name)), rel: OGC.Rel.items, type: OGC.Media.geoJSON),
            ])
    }
}

/// An items page: the features as the store wrote them (UTF-8 bytes) and the members around them.
/// `bytes()` is the hot path (no feature is parsed or re-encoded); `typed()` is the same page as
/// a typed body, which FeatureRoutesTests holds it to.
struct ItemsPage {
    let page: FeaturePage
    let timeStamp: String
    let links: [Link]
    let crs: OutputCRS

    func bytes() throws -> ByteBuffer {
        let links = String(decoding: try WanggeRequestContext.makeEncoder().encode(links), as: UTF8.self)
        var s = "{\"type\":\"FeatureCollection\",\"numberMatched\":\(page.numberMatched),\"numberReturned\":\(page.count)"
        s += ",\"timeStamp\":\(JSONText.quoted(timeStamp))"
        s += ",\"generation\":\(page.generation)"
        s += ",\"links\":" + links
        s += ",\"features\":["
        var buffer = ByteBuffer()
        buffer.reserveCapacity(s.utf8.count + page.joined.count + 2)
        buffer.writeString(s)
        buffer.writeBytes(page.joined)
        buffer.writeString("]}")
        return buffer
    }

    func typed() throws -> GeoJSONFeatureCollection<GeoJSONFeature> {
        GeoJSONFeatureCollection(numberMatched: page.numberMatched, numberReturned: page.count, timeStamp: timeStamp,
                                 generation: page.generation, links: links,
                                 features: try page.features.map { try GeoJSONFeature(parsing: $0) })
    }
}

/// One feature as the store wrote it, plus its links: `text()` splices them in, `typed()` is the
/// typed body it must equal.
struct ItemPage {
    let feature: String
    let generation: Int64
    let links: [Link]
    let crs: OutputCRS

    func text() throws -> String {
        // The feature text ends with "}": add the links member inside it.
        String(feature.dropLast()) + ",\"generation\":\(generation),\"links\":" + String(decoding: try WanggeRequestContext.makeEncoder().encode(links), as: UTF8.self) + "}"
    }

    func typed() throws -> GeoJSONFeature { try GeoJSONFeature(parsing: feature, generation: generation, links: links) }
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
        // Property filters may repeat (each must hold); the OGC parameters are single-valued.
        try params.rejectRepeats(except: Set(["id"] + layer.names))
        for (rawKey, rawValue) in params {
            let key = String(rawKey), value = String(rawValue)
            switch key {
            case OGC.Param.limit:
                // Above the maximum is served as the maximum, with a next link (OGC API – Features
                // Part 1 §7.15.3: a limit is the client's upper bound, the server may return fewer).
                guard !value.isEmpty, value.utf8.allSatisfy({ (48...57).contains($0) }), let n = Int(value) ?? (value.count > 18 ? Int.max : nil), n >= 1 else {
                    throw APIError.badParameter(key, "must be a whole number from 1 (at most \(OGC.maxLimit) are served), found '\(value)'")
                }
                query.limit = min(n, OGC.maxLimit)
                kept.append((key, String(query.limit)))
            case OGC.Param.datetime:
                // A Core parameter. The layers have no time, so it is checked and kept in paging
                // links but filters nothing (cases, which have time, will filter by it).
                try OGC.checkDatetime(value)
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
                    throw APIError.badParameter(key, "unknown parameter; \(layer.layer.name) takes bbox, bbox-crs, crs, datetime, limit, offset, generation and the property filters " +
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
        let parts = value.split(separator: ",", omittingEmptySubsequences: false).map { DecimalText.double($0.trimmingCharacters(in: .whitespaces)) }
        guard parts.count == 4 || parts.count == 6 else {
            throw APIError.badParameter(OGC.Param.bbox, "needs 4 numbers (lower corner, upper corner in the axis order of bbox-crs; " +
                "minLon,minLat,maxLon,maxLat by default) or 6 with heights, found \(parts.count)")
        }
        guard parts.allSatisfy({ $0 != nil && $0!.isFinite }) else { throw APIError.badParameter(OGC.Param.bbox, "every value must be a finite number") }
        let v = parts.map { $0! }
        return try crs.toCRS84(v.count == 4 ? v : [v[0], v[1], v[3], v[4]])
    }
}
