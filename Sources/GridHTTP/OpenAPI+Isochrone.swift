import GridAnalysis

/// The isochrone endpoints (IsochroneController) in the API definition.
extension OpenAPI {
    static func isochronePaths() -> [(String, J)] {
        let feature: J = [
            "type": "object", "required": ["type", "geometry", "properties"],
            "properties": [
                "type": ["type": "string", "enum": ["Feature"]],
                "geometry": ["type": "object", "nullable": true,
                             "description": "Polygon or MultiPolygon (WGS84, RFC 7946 winding, holes where the reached network encloses unreached ground); null when the contour reaches nothing"],
                "properties": [
                    "type": "object", "required": ["value", "center", "area_m2", "method"],
                    "properties": [
                        "value": ["type": "number", "description": "the contour, walking minutes"],
                        "metres": ["type": "number", "description": "walking metres: minutes × the walking speed"],
                        "center": ["type": "array", "items": ["type": "number"], "description": "[lon, lat] of the point asked about"],
                        "area_m2": ["type": "number", "description": "geodesic area on WGS84, square metres"],
                        "method": ["type": "string", "enum": ["network"]],
                        "buffer_m": ["type": "number", "description": "metres each side of the reached lines"],
                    ],
                ],
            ],
        ]
        let answer: J = [
            "type": "object", "required": ["type", "method", "center", "features"],
            "properties": [
                "type": ["type": "string", "enum": ["FeatureCollection"]],
                "method": ["type": "string", "enum": ["network"]],
                "center": ["type": "array", "items": ["type": "number"]],
                "station_id": ["type": "string", "description": "the station asked about (by-station route)"],
                "foot": ["type": "array", "items": ["type": "number"], "description": "where the point enters the network, [lon, lat]"],
                "access_m": ["type": "number", "description": "geodesic metres from the point to its foot point"],
                "buffer_m": ["type": "number"], "walking_speed_kmh": ["type": "number"], "generation": ["type": "integer"],
                "numberReturned": ["type": "integer"],
                "features": ["type": "array", "items": feature],
            ],
        ]
        let minutes: J = [
            "name": "minutes", "in": "query", "required": false,
            "description": .string("contours in walking minutes, comma-separated: 1 to \(Int(IsochroneQuery.defaultMaxMinutes)) (the server's `--isochrone-max-minutes`), at most \(IsochroneQuery.maxContours), distinct; default 5,10,15"),
            "schema": ["type": "string", "example": "5,10,15"],
        ]
        let how = """
            Built from the walking network: the point enters it at its foot point on the nearest edge of a connected part of \
            at least 50 nodes (as coverage and nearest do); one Dijkstra bounded by the longest contour finds every node within \
            reach; each edge is taken as far as it is reached (partly reached edges cut at the exact reached length); the \
            reached pieces and the access leg are buffered by \(Int(IsochroneQuery.bufferMetres)) m in a local azimuthal \
            equidistant projection (PROJ) and unioned by GEOS (SpatiaLite's ST_Buffer), with the geodesic area. Contours are \
            nested (each is the whole area reached in its time). 409 when the store has no walking network; 422 naming \
            `lon,lat` when the point is farther from the network than the longest contour's walk; 400 naming the parameter.
            """
        let point = get("walking isochrones of a point", how, tag: "Nearest", id: "isochrone", parameters: [
            ["name": "lon", "in": "query", "required": true, "description": "longitude (or easting)", "schema": ["type": "number"]],
            ["name": "lat", "in": "query", "required": true, "description": "latitude (or northing)", "schema": ["type": "number"]],
            minutes,
            ["name": "crs", "in": "query", "required": false,
             "description": "CRS of lon and lat: wgs84 (default), cgcs2000, gcj02, bd09 or an EPSG code", "schema": ["type": "string"]],
        ], ok: ok(OGC.Media.geoJSON, answer), errors: ["400", "409", "422"])
        let station = get("walking isochrones of a station", "As /isochrone, from the station's point. 404 for an unknown station.\n\n" + how,
                          tag: "Nearest", id: "station_isochrone", parameters: [
            ["name": "id", "in": "path", "required": true, "description": "the station id (percent-encoded)", "schema": ["type": "string"]],
            minutes,
        ], ok: ok(OGC.Media.geoJSON, answer), errors: ["400", "404", "409", "422"])
        return [("/isochrone", point), ("/stations/{id}/isochrone", station)]
    }
}
