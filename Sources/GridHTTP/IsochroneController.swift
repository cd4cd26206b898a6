import Foundation
import GridAnalysis
import GridGeo
import GridIndex
import GridIO
import Hummingbird

/// Walking isochrones (issue 10 §3): `GET /isochrone?lon=&lat=[&minutes=5,10,15][&crs=]` and
/// `GET /stations/{id}/isochrone[?minutes=]`, a GeoJSON FeatureCollection with one polygon per
/// contour (`Indexes.isochrone`). 409 without a walking network, 422 for a point beyond its
/// reach, 404 for an unknown station, 400 naming the parameter otherwise.
struct IsochroneController {
    let services: AppServices

    func addRoutes(to router: Router<WanggeRequestContext>) {
        router.get("/isochrone", use: ofPoint)
        router.get("/stations/{id}/isochrone", use: ofStation)
    }

    @Sendable func ofPoint(_ request: Request, context: WanggeRequestContext) async throws -> GeoJSONResponse {
        let q = request.uri.queryParameters
        try Self.checkNames(q, allowed: ["lon", "lat", "crs", "minutes"], route: "/isochrone")
        let query = try query(q)
        guard let lonText = q["lon"] else { throw APIError.badParameter("lon", "missing (give lon and lat, e.g. ?lon=114.41&lat=23.09)") }
        guard let latText = q["lat"] else { throw APIError.badParameter("lat", "missing (give lon and lat, e.g. ?lon=114.41&lat=23.09)") }
        let crs = try q["crs"].map { try CRS(parsing: String($0)) } ?? .wgs84
        let p: Coordinate
        do { p = try PointReader(crs: crs).point(lon: lonText, lat: latText) } catch let e as PointInputError {
            throw APIError.badParameter(e.field ?? "lon,lat", e.message)
        }
        let indexes = try services.indexes.current()
        return GeoJSONResponse(text: try indexes.isochrone(at: p, query, db: services.db).geoJSON())
    }

    @Sendable func ofStation(_ request: Request, context: WanggeRequestContext) async throws -> GeoJSONResponse {
        let q = request.uri.queryParameters
        try Self.checkNames(q, allowed: ["minutes"], route: "/stations/{id}/isochrone")
        let query = try query(q)
        let id = try Links.pathSegment(try context.parameters.require("id"), parameter: "id")
        let indexes = try services.indexes.current()
        guard let s = indexes.stations.stations.first(where: { $0.id == id }) else {
            var e = APIError.notFound("no station with id '\(id.prefix(80))'")
            e.field = "id"
            throw e
        }
        return GeoJSONResponse(text: try indexes.isochrone(at: s.point, query, db: services.db, stationId: s.id).geoJSON())
    }

    func query(_ q: Parameters) throws -> IsochroneQuery {
        do {
            let minutes = try q["minutes"].map { try IsochroneQuery.parseMinutes(String($0)) } ?? IsochroneQuery.defaultMinutes
            return try IsochroneQuery(minutes: minutes, maxMinutes: services.isochroneMaxMinutes)
        } catch let e as IsochroneInputError {
            throw APIError.badParameter(e.field, e.message)
        }
    }

    static func checkNames(_ q: Parameters, allowed: [String], route: String) throws {
        for (k, _) in q where !allowed.contains(String(k)) {
            throw APIError.badParameter(String(k), "unknown parameter; \(route) takes " + allowed.joined(separator: ", "))
        }
    }
}
