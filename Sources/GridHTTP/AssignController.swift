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
        let a = try options.indexes(services).assignment.assign(p, accuracy: options.accuracy)
        return GeoJSONResponse(text: a.geoJSONFeature(id: nil, withDistances: options.accuracy != nil))
    }

    @Sendable func assignMany(_ request: Request, context: WanggeRequestContext) async throws -> GeoJSONResponse {
        let options = try Options(request.uri.queryParameters, allowed: [], db: services.db)
        var req = request
        let body: ByteBuffer
        do { body = try await req.collectBody(upTo: Self.maxBodyBytes) } catch is NIOTooManyBytesError {
            throw APIError(.contentTooLarge, code: "PayloadTooLarge", "the body is larger than \(Self.maxBodyBytes >> 20) MiB; split the batch or use `wangge assign`")
        }
        let type = request.headers[.contentType]?.lowercased() ?? ""
        let points = type.contains("csv") ? try csvPoints(String(buffer: body), options.reader) : try geoJSONPoints(body, options.reader)
        let index = try options.indexes(services).assignment  // one index for the whole batch
        var s = "{\"type\":\"FeatureCollection\",\"numberReturned\":\(points.count),\"features\":["
        for (k, p) in points.enumerated() {
            if k > 0 { s += "," }
            s += index.assign(p.point, accuracy: options.accuracy).geoJSONFeature(id: p.id, withDistances: options.accuracy != nil)
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

    typealias Point = (id: String, point: Coordinate)

    /// CSV with a header naming `lon` and `lat` (and optionally `id`); every bad row is reported
    /// with its line number, and nothing is answered unless all rows are good.
    func csvPoints(_ text: String, _ reader: PointReader) throws -> [Point] {
        // "\r\n" is one Character in Swift, so split on both forms.
        var lines = text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" })
        if lines.last?.isEmpty == true { lines.removeLast() }
        guard let headerLine = lines.first else { throw APIError.badParameter("body", "empty CSV body: expected a header line such as id,lon,lat") }
        let columns: PointColumns
        do { columns = try PointColumns(header: try CSV.fields(headerLine)) } catch let e as PointInputError {
            throw problems([e], total: 1)
        }
        var out: [Point] = [], bad: [PointInputError] = []
        for (n, line) in lines.enumerated().dropFirst() {
            let lineNo = n + 1
            if line.allSatisfy({ $0 == "\r" || $0 == " " }) { continue }
            do {
                let f = try CSV.fields(line)
                guard f.count >= columns.needed else {
                    throw PointInputError("expected at least \(columns.needed) fields, found \(f.count)")
                }
                let p = try reader.point(lon: f[columns.lon][...], lat: f[columns.lat][...])
                out.append((columns.id.map { f[$0] } ?? String(lineNo), p))
            } catch var e as PointInputError {
                e.line = lineNo
                bad.append(e)
            } catch let e as CSV.SyntaxError {
                bad.append(PointInputError(line: lineNo, "malformed CSV: \(e.description)"))
            }
            if out.count > Self.maxPoints { throw tooMany() }
        }
        if !bad.isEmpty { throw problems(bad, total: lines.count - 1) }
        return out
    }

    /// A GeoJSON FeatureCollection of Point features; errors name the feature index.
    func geoJSONPoints(_ body: ByteBuffer, _ reader: PointReader) throws -> [Point] {
        let value: JSONValue
        do { value = try JSONParser.parse(Array(body.readableBytesView)) } catch let e as JSONSyntaxError {
            var err = APIError.badParameter("body", e.description)
            err.problems = [Problem(message: e.message, line: e.line, column: e.column)]
            throw err
        }
        guard let obj = value.objectValue, obj["type"]?.stringValue == "FeatureCollection", let list = obj["features"]?.arrayValue else {
            throw APIError.badParameter("body", "expected a GeoJSON FeatureCollection of Point features (or a CSV body with Content-Type: text/csv)")
        }
        if list.count > Self.maxPoints { throw tooMany() }
        var out: [Point] = [], bad: [PointInputError] = []
        for (k, v) in list.enumerated() {
            do {
                let f = try reader.feature(v)
                out.append((f.id ?? String(k), f.point))
            } catch var e as PointInputError {
                e.featureIndex = k
                bad.append(e)
            }
        }
        if !bad.isEmpty { throw problems(bad, total: list.count) }
        return out
    }

    func tooMany() -> APIError {
        APIError(.contentTooLarge, code: "PayloadTooLarge", "at most \(Self.maxPoints) points per request; use `wangge assign` for larger batches")
    }

    /// One 400 naming the first problem, with up to 100 of them listed.
    func problems(_ list: [PointInputError], total: Int) -> APIError {
        let first = list[0]
        var err = APIError(.badRequest, code: "InvalidInput",
                           "\(list.count) bad point(s) of \(total); first: \(first.description)", field: first.field)
        err.problems = list.prefix(100).map(Problem.init)
        return err
    }
}
