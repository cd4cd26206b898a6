import Foundation
import GridAnalysis
import GridGeo
import GridIndex
import GridIO
import GridStore
import Hummingbird
import NIOCore

/// Nearest stations and the circle tiers: `GET /nearest?lon=&lat=[&k=][&category=…][&crs=][&max_distance=]`
/// for one point, `POST /nearest` with the same batch bodies as `POST /assign`, and `GET /tiers`.
/// Answers come from the in-memory station index.
struct NearestController {
    let services: AppServices

    func addRoutes(to router: Router<WanggeRequestContext>) {
        router.get("/nearest", use: nearestOne)
        router.post("/nearest", use: nearestMany)
        router.get("/tiers", use: tiers)
    }

    @Sendable func nearestOne(_ request: Request, context: WanggeRequestContext) async throws -> GeoJSONResponse {
        let q = request.uri.queryParameters
        let indexes = try services.indexes.current()
        let options = try Options(q, allowed: ["lon", "lat"], index: indexes.stations, networkLoaded: indexes.walking != nil)
        guard let lonText = q["lon"] else { throw APIError.badParameter("lon", "missing (give lon and lat, e.g. ?lon=114.41&lat=23.09)") }
        guard let latText = q["lat"] else { throw APIError.badParameter("lat", "missing (give lon and lat, e.g. ?lon=114.41&lat=23.09)") }
        let p: Coordinate
        do { p = try options.reader.point(lon: lonText, lat: latText) } catch let e as PointInputError {
            throw APIError.badParameter(e.field ?? "lon,lat", e.message)
        }
        return geoJSON(indexes.nearest(p, options.query).geoJSONCollection())
    }

    @Sendable func nearestMany(_ request: Request, context: WanggeRequestContext) async throws -> GeoJSONResponse {
        let indexes = try services.indexes.current()  // one index for the whole batch
        let options = try Options(request.uri.queryParameters, allowed: [], index: indexes.stations, networkLoaded: indexes.walking != nil)
        var req = request
        let body: ByteBuffer
        do { body = try await req.collectBody(upTo: AssignController.maxBodyBytes) } catch is NIOTooManyBytesError {
            throw APIError(.contentTooLarge, code: "PayloadTooLarge",
                           "the body is larger than \(AssignController.maxBodyBytes >> 20) MiB; split the batch or use `wangge nearest`")
        }
        // The same point reader as POST /assign: the same rules, limits and error shapes.
        let points = try AssignController.readPoints(body, type: request.headers[.contentType], reader: options.reader,
                                                     crsGiven: request.uri.queryParameters["crs"] != nil)
        var features = "", returned = 0
        for p in points {
            let a = indexes.nearest(p.point, options.query)
            if a.stations.isEmpty { continue }
            if returned > 0 { features += "," }
            features += a.geoJSONFeatures(queryId: p.id)
            returned += a.stations.count
        }
        let t = indexes.tiers, m = indexes.nearestMethod(options.query)
        return geoJSON("{\"type\":\"FeatureCollection\",\"queries\":\(points.count),"
            + NearestAnswer.methodMembers(method: m.method, detourFactor: m.detourFactor, walkingSpeedKmh: t.walkingSpeedKmh, generation: indexes.generation)
            + ",\"numberReturned\":\(returned),\"features\":[" + features + "]}")
    }

    @Sendable func tiers(_ request: Request, context: WanggeRequestContext) async throws -> TierList {
        for (k, _) in request.uri.queryParameters { throw APIError.badParameter(String(k), "unknown parameter; /tiers takes none") }
        let t = try services.db.serviceTiers()
        return TierList(
            tiers: t.tiers.map { .init(minutes: $0.minutes, radius_m: $0.radiusMetres, name_zh: $0.nameZh, name_en: $0.nameEn) },
            walking_speed_kmh: t.walkingSpeedKmh, detour_factor: t.detourFactor, method: t.method,
            parameters: t.parameters.map { .init(parameter: $0.parameter, value: $0.value, unit: $0.unit, name_zh: $0.nameZh, name_en: $0.nameEn) })
    }

    /// `k`, `category`, `max_distance`, `crs` and `method`, shared by both routes; any other
    /// parameter is a mistake worth naming.
    struct Options {
        static let parameters = ["k", "category", "max_distance", "crs", "method"]
        var reader: PointReader
        var query: NearestQuery

        init(_ q: Parameters, allowed: Set<String>, index: StationIndex, networkLoaded: Bool) throws {
            for (k, _) in q where !(allowed.contains(String(k)) || Self.parameters.contains(String(k))) {
                throw APIError.badParameter(String(k), "unknown parameter; /nearest takes " + (allowed.sorted() + Self.parameters).joined(separator: ", "))
            }
            let crs = try q["crs"].map { try CRS(parsing: String($0)) } ?? .wgs84
            reader = try PointReader(crs: crs)
            do {
                let k = try q["k"].map(NearestQuery.parseK) ?? NearestQuery.defaultK
                // `category` may repeat, and each may list several codes separated by commas.
                let categories = q.getAll("category").flatMap { $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } }
                if q.getAll("category").contains(where: { $0.isEmpty }) {
                    throw NearestInputError(field: "category", "empty; give a category code such as canteen, or leave category out for all")
                }
                let maxDistance = try q["max_distance"].map(NearestQuery.parseMetres)
                query = try NearestQuery(k: k, categories: categories, maxDistance: maxDistance, index: index,
                                         method: q["method"].map(String.init), networkLoaded: networkLoaded)
            } catch let e as NearestInputError {
                throw APIError.badParameter(e.field, e.message)
            }
        }
    }

    func geoJSON(_ s: String) -> GeoJSONResponse { GeoJSONResponse(text: s) }
}
