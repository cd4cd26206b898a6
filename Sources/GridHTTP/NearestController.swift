import Foundation
import GridAnalysis
import GridGeo
import GridIndex
import GridIO
import GridStore
import Hummingbird
import NIOCore

/// Nearest stations and the circle tiers: `GET /nearest?lon=&lat=[&k=][&category=…][&crs=][&max_distance=][&method=]`
/// for one point, `POST /nearest` with the same batch bodies as `POST /assign`, and `GET /tiers`.
/// Answers come from the in-memory station index, or the walking graph when method is network.
struct NearestController {
    let services: AppServices

    func addRoutes(to router: Router<WanggeRequestContext>) {
        router.get("/nearest", use: nearestOne)
        router.post("/nearest", use: nearestMany)
        router.get("/tiers", use: tiers)
    }

    @Sendable func nearestOne(_ request: Request, context: WanggeRequestContext) async throws -> GeoJSONResponse {
        let indexes = try services.indexes.current()
        let options: Options, lonText: Substring, latText: Substring
        if let plain = PlainNearestQuery(request.uri.string) {
            // The common question (lon, lat and maybe k, each once, nothing to percent-decode)
            // without building the query dictionary: a hot path. Anything else takes the general
            // path below, which gives every error; both apply the same rules.
            options = try Options(k: plain.k, method: plain.method, index: indexes.stations, networkLoaded: indexes.walking != nil)
            (lonText, latText) = (plain.lon, plain.lat)
        } else {
            let q = request.uri.queryParameters
            options = try Options(q, allowed: ["lon", "lat"], index: indexes.stations, networkLoaded: indexes.walking != nil)
            guard let lon = q["lon"] else { throw APIError.badParameter("lon", "missing (give lon and lat, e.g. ?lon=114.41&lat=23.09)") }
            guard let lat = q["lat"] else { throw APIError.badParameter("lat", "missing (give lon and lat, e.g. ?lon=114.41&lat=23.09)") }
            (lonText, latText) = (lon, lat)
        }
        let p: Coordinate
        do { p = try options.reader.point(lon: lonText, lat: latText) } catch let e as PointInputError {
            throw APIError.badParameter(e.field ?? "lon,lat", e.message)
        }
        // Bytes straight from the answer writer (StationText, no String on the way): a hot path.
        return GeoJSONResponse(bytes: ByteBuffer(bytes: indexes.nearest(p, options.query).geoJSONCollectionBytes()))
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
        var features: [UInt8] = [], returned = 0
        for p in points {
            let a = indexes.nearest(p.point, options.query)
            if a.stations.isEmpty { continue }
            if returned > 0 { features.append(UInt8(ascii: ",")) }
            a.appendFeatures(to: &features, queryId: p.id)
            returned += a.stations.count
        }
        let t = indexes.tiers, m = indexes.nearestMethod(options.query)
        var head: [UInt8] = Array("{\"type\":\"FeatureCollection\",\"queries\":\(points.count),".utf8)
        NearestAnswer.appendMethodMembers(method: m.method, detourFactor: m.detourFactor, walkingSpeedKmh: t.walkingSpeedKmh,
                                          generation: indexes.generation, to: &head)
        head += Array(",\"numberReturned\":\(returned),\"features\":[".utf8)
        var buffer = ByteBufferAllocator().buffer(capacity: head.count + features.count + 2)
        buffer.writeBytes(head); buffer.writeBytes(features); buffer.writeString("]}")
        return GeoJSONResponse(bytes: buffer)
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
        /// `category` may repeat (DESIGN §3); the rest are single-valued.
        static let repeatable: Set<String> = ["category"]
        var reader: PointReader
        var query: NearestQuery

        /// WGS84, every category, no distance limit: the options of a `PlainNearestQuery`.
        init(k: Substring?, method: Substring?, index: StationIndex, networkLoaded: Bool) throws {
            reader = try PointReader(crs: .wgs84)
            do {
                query = try NearestQuery(k: try k.map(NearestQuery.parseK) ?? NearestQuery.defaultK, index: index,
                                         method: method.map(String.init), networkLoaded: networkLoaded)
            } catch let e as NearestInputError {
                throw APIError.badParameter(e.field, e.message)
            }
        }

        init(_ q: Parameters, allowed: Set<String>, index: StationIndex, networkLoaded: Bool) throws {
            try q.rejectRepeats(except: Self.repeatable)
            for (k, _) in q where !(allowed.contains(String(k)) || Self.parameters.contains(String(k))) {
                throw APIError.badParameter(String(k), "unknown parameter; /nearest takes " + (allowed.sorted() + Self.parameters).joined(separator: ", "))
            }
            let crs = try q["crs"].map { try CRS(parsing: String($0)) } ?? .wgs84
            reader = try PointReader(crs: crs)
            do {
                let k = try q["k"].map(NearestQuery.parseK) ?? NearestQuery.defaultK
                // `category` may repeat, and each may list several codes separated by commas.
                var categories: [String] = []
                for given in q.getAll("category") {
                    let parts = given.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
                    if parts.contains("") {
                        throw NearestInputError(field: "category", given.isEmpty
                            ? "empty; give a category code such as canteen, or leave category out for all"
                            : "empty code in '\(given.prefix(60))'; give comma-separated codes such as canteen,health_station")
                    }
                    categories += parts
                }
                let maxDistance = try q["max_distance"].map(NearestQuery.parseMetres)
                query = try NearestQuery(k: k, categories: categories, maxDistance: maxDistance, index: index,
                                         method: q["method"].map(String.init), networkLoaded: networkLoaded)
            } catch let e as NearestInputError {
                throw APIError.badParameter(e.field, e.message)
            }
        }
    }

}

/// `lon`, `lat` and optionally `k` and `method` of a `GET /nearest` query that has exactly those, each once,
/// with nothing to percent-decode (no `%` or `+`): read in place, without Hummingbird's query
/// dictionary (an array of pairs, their hashes and decoded copies per request). nil for any
/// other query, which then goes through `Options(_:allowed:index:)` and its errors.
struct PlainNearestQuery {
    var lon: Substring, lat: Substring, k: Substring?, method: Substring?

    init?(_ uri: String) {
        guard let q = uri.utf8.firstIndex(of: UInt8(ascii: "?")) else { return nil }
        var lon: Substring?, lat: Substring?, k: Substring?, method: Substring?
        var start = uri.utf8.index(after: q)
        let end = uri.utf8.endIndex
        while start < end {
            var stop = start, equals: String.Index?
            while stop < end {
                let b = uri.utf8[stop]
                if b == UInt8(ascii: "&") { break }
                if b == UInt8(ascii: "%") || b == UInt8(ascii: "+") || b == UInt8(ascii: "#") { return nil }
                if b == UInt8(ascii: "="), equals == nil { equals = stop }
                stop = uri.utf8.index(after: stop)
            }
            guard let eq = equals else { return nil }
            let key = uri[start..<eq], value = uri[uri.utf8.index(after: eq)..<stop]
            switch key {
            case "lon": guard lon == nil else { return nil }; lon = value
            case "lat": guard lat == nil else { return nil }; lat = value
            case "k": guard k == nil else { return nil }; k = value
            case "method": guard method == nil else { return nil }; method = value
            default: return nil
            }
            start = stop < end ? uri.utf8.index(after: stop) : end
        }
        guard let lon, let lat else { return nil }
        self.lon = lon; self.lat = lat; self.k = k; self.method = method
    }
}
