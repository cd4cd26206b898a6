import Foundation
import GridAnalysis
import GridIO
import GridGeo
import GridIndex
import GridStore
import Hummingbird
import NIOCore

/// Point in grid: `GET /assign?lon=&lat=[&crs=][&accuracy=]` for one point, `POST /assign` with
/// a GeoJSON FeatureCollection of points or a CSV body (`id,lon,lat`, Content-Type text/csv) for
/// many. Answers come from the in-memory index (never the database), in GeoJSON.
struct AssignController {
    let services: AppServices

    /// Bodies above this are refused with 413 before they are read in full.
    static let maxBodyBytes = 16 << 20
    static let maxPoints = 100_000
    /// More than a city's width makes no sense as a GPS accuracy.
    static let maxAccuracy = 50_000.0

    func addRoutes(to router: Router<WanggeRequestContext>) {
        router.get("/assign", use: assignOne)
        router.post("/assign", use: assignMany)
    }

    @Sendable func assignOne(_ request: Request, context: WanggeRequestContext) async throws -> GeoJSONResponse {
        let q = request.uri.queryParameters
        let options = try Options(q, allowed: ["lon", "lat"], db: services.db)
        guard let lonText = q["lon"] else { throw APIError.badParameter("lon", "missing (give lon and lat, e.g. ?lon=114.41&lat=23.09)") }
        guard let latText = q["lat"] else { throw APIError.badParameter("lat", "missing (give lon and lat, e.g. ?lon=114.41&lat=23.09)") }
        let p: Coordinate
        do { p = try options.reader.point(lon: lonText, lat: latText) } catch let e as PointInputError {
            throw APIError.badParameter(e.field ?? "lon,lat", e.message)
        }
        let index = try options.indexes(services).assignment
        let a = index.assign(p, accuracy: options.accuracy)
        // The grid chain and compound text comes pre-encoded from the index's table (built once per index).
        return GeoJSONResponse(text: a.geoJSONFeature(id: nil, withDistances: options.accuracy != nil, text: AssignmentText.of(index)))
    }

    @Sendable func assignMany(_ request: Request, context: WanggeRequestContext) async throws -> GeoJSONResponse {
        let options = try Options(request.uri.queryParameters, allowed: [], db: services.db)
        var req = request
        let body: ByteBuffer
        do { body = try await req.collectBody(upTo: Self.maxBodyBytes) } catch is NIOTooManyBytesError {
            throw APIError(.contentTooLarge, code: "PayloadTooLarge", "the body is larger than \(Self.maxBodyBytes >> 20) MiB; split the batch or use `wangge assign`")
        }
        let points = try Self.readPoints(body, type: request.headers[.contentType], reader: options.reader,
                                         crsGiven: request.uri.queryParameters["crs"] != nil)
        let index = try options.indexes(services).assignment  // one index for the whole batch
        var s = "{\"type\":\"FeatureCollection\",\"numberReturned\":\(points.count),\"features\":["
        let text = AssignmentText.of(index)
        for (k, p) in points.enumerated() {
            if k > 0 { s += "," }
            s += index.assign(p.point, accuracy: options.accuracy).geoJSONFeature(id: p.id, withDistances: options.accuracy != nil, text: text)
        }
        s += "]}"
        return GeoJSONResponse(text: s)
    }

    /// `crs`, `accuracy` and `generation`, shared by both routes; any other parameter is a
    /// mistake worth naming.
    struct Options {
        static let shared = ["crs", "accuracy", GenerationParameter.name]
        var reader: PointReader
        var accuracy: Double?
        /// The boundary generation to answer at; nil for the newest.
        var generation: Int64?

        init(_ q: Parameters, allowed: Set<String>, db: GridDatabase) throws {
            try q.rejectRepeats()
            for (k, _) in q where !(allowed.contains(String(k)) || Self.shared.contains(String(k))) {
                throw APIError.badParameter(String(k), "unknown parameter; /assign takes " + (allowed.sorted() + Self.shared).joined(separator: ", "))
            }
            generation = try GenerationParameter.parse(q[Substring(GenerationParameter.name)], db: db)
            let crs = try q["crs"].map { try CRS(parsing: String($0)) } ?? .wgs84
            reader = try PointReader(crs: crs)
            if let a = q["accuracy"] {
                let v: Double
                do { v = try PointReader.number(a, field: "accuracy") } catch let e as PointInputError {
                    throw APIError.badParameter("accuracy", e.message)
                }
                guard v >= 0, v <= AssignController.maxAccuracy else {
                    throw APIError.badParameter("accuracy", "metres from 0 to \(Int(AssignController.maxAccuracy)), found \(a)")
                }
                accuracy = v
            }
        }

        /// The index set to answer from: the current one, or the one of `generation`.
        func indexes(_ services: AppServices) throws -> Indexes {
            try generation.map { try services.indexes.indexes(atGeneration: $0) } ?? services.indexes.current()
        }
    }

    typealias Point = PointBatch.Point

    /// The points of a body through GridIO's one points reader (CSV or GeoJSON), its problems as
    /// one 400 (or 413 for too many points).
    /// Also `POST /nearest`'s reader: the same rules, limits and error shapes.
    static func readPoints(_ body: ByteBuffer, type: String?, reader: PointReader, crsGiven: Bool) throws -> [Point] {
        try checkMediaType(type)
        do {
            return try PointBatch.read(Array(body.readableBytesView), contentType: type, reader: reader, crsGiven: crsGiven,
                                       maxPoints: Self.maxPoints)
        } catch {
            switch error {
            case .tooMany: throw tooMany()
            case .badPoints(let list, let total): throw problems(list, total: total)
            case .unreadable(let field, let message, let line, let column):
                var err = APIError.badParameter(field, message)
                if let line, let column {
                    err.problems = [Problem(message: message, line: line, column: column)]
                }
                throw err
            }
        }
    }

    /// The bodies a batch takes (RFC 9110 §15.5.16: anything else is 415, not a guess).
    static let pointMediaTypes = ["application/geo+json", "application/json", "text/csv", "application/csv"]

    /// No Content-Type reads as GeoJSON (as before); a declared one must be JSON, GeoJSON or CSV
    /// (parameters such as `charset` aside; `+json` types such as `application/vnd.geo+json` are JSON).
    static func checkMediaType(_ type: String?) throws {
        guard let type else { return }
        let media = type.split(separator: ";", maxSplits: 1, omittingEmptySubsequences: false).first
            .map { $0.trimmingCharacters(in: .whitespaces).lowercased() } ?? ""
        if media.isEmpty || pointMediaTypes.contains(media) || media.hasSuffix("+json") { return }
        throw APIError(.unsupportedMediaType, code: "UnsupportedMediaType",
                       "Content-Type '\(media.prefix(80))' is not accepted; send the points as " + pointMediaTypes.joined(separator: ", ")
                       + " (CSV: a header naming id, lon and lat)", field: "Content-Type")
    }

    static func tooMany() -> APIError {
        APIError(.contentTooLarge, code: "PayloadTooLarge", "at most \(Self.maxPoints) points per request; use `wangge assign` for larger batches")
    }

    /// One 400 naming the first problem, with up to 100 of them listed.
    static func problems(_ list: [PointInputError], total: Int) -> APIError {
        let first = list[0]
        // total 0: the CSV header was unusable and no point was read (a body without a header).
        let what = total == 0 ? "line 1 must be a header naming the columns, such as id,lon,lat; \(first.description)"
                              : "\(list.count) bad point(s) of \(total); first: \(first.description)"
        var err = APIError(.badRequest, code: "InvalidInput", what, field: first.field)
        err.problems = list.prefix(100).map(Problem.init)
        return err
    }
}
