import GridAnalysis

/// The nearest-station and circle-tier endpoints (issue 9's NearestController) in the API definition.
extension OpenAPI {
    static func nearestPaths() -> [(String, J)] {
        let nullableString: J = ["type": "string", "nullable": true]
        let feature: J = [
            "type": "object", "required": ["type", "id", "geometry", "properties"],
            "properties": [
                "type": ["type": "string", "enum": ["Feature"]],
                "id": ["type": "string", "description": "the station id"],
                "geometry": .schemaRef("pointGeometry"),
                "properties": [
                    "type": "object", "required": ["rank", "distance_m", "walk_min", "category"],
                    "properties": [
                        "query_id": ["type": "string", "description": "POST only: the id of the input point"],
                        "rank": ["type": "integer", "minimum": 1, "description": "1 for the nearest"],
                        "distance_m": ["type": "number", "description": "metres (to the millimetre): along the walking network with both access legs (method network), or geodesic on the WGS84 ellipsoid (straight-line)"],
                        "walk_min": ["type": "number", "description": "distance_m × detour_factor ÷ walking speed, in minutes (detour_factor is 1 for network)"],
                        "category": ["type": "string"],
                        "name": nullableString, "level": nullableString, "grid_id": nullableString, "community_id": nullableString,
                        "street_id": nullableString, "district_id": nullableString, "compound_id": nullableString,
                    ],
                ],
            ],
        ]
        let methodMembers: [(String, J)] = [
            ("type", ["type": "string", "enum": ["FeatureCollection"]]),
            ("method", ["type": "string", "enum": ["network", "straight-line"], "description": "how distance was measured"]),
            ("detour_factor", ["type": "number", "description": "walking distance = measured distance × this (1 for network)"]),
            ("walking_speed_kmh", ["type": "number"]),
            ("generation", ["type": "integer"]),
            ("numberReturned", ["type": "integer"]),
            ("features", ["type": "array", "items": feature]),
        ]
        let one: J = .object([("type", "object"), ("required", ["type", "method", "detour_factor", "features"]),
                              ("properties", .object(methodMembers + [("query", ["type": "object", "properties": ["lon": ["type": "number"], "lat": ["type": "number"]]])]))])
        let many: J = .object([("type", "object"), ("required", ["type", "method", "detour_factor", "features"]),
                               ("properties", .object(methodMembers + [("queries", ["type": "integer", "description": "input points"])]))])
        let params: [J] = [
            ["name": "k", "in": "query", "required": false, "description": .string("how many stations (default \(NearestQuery.defaultK))"),
             "schema": ["type": "integer", "minimum": .int(NearestQuery.kRange.lowerBound), "maximum": .int(NearestQuery.kRange.upperBound)]],
            ["name": "category", "in": "query", "required": false, "explode": true, "style": "form",
             "description": "station category code (see /categories); repeat it, or separate codes with commas; default every category",
             "schema": ["type": "array", "items": ["type": "string"]]],
            ["name": "max_distance", "in": "query", "required": false, "description": "metres: only stations at most this far",
             "schema": ["type": "number", "minimum": 0, "maximum": .double(NearestQuery.maxDistanceLimit)]],
            ["name": "crs", "in": "query", "required": false,
             "description": "CRS of the input: wgs84 (default), cgcs2000, gcj02, bd09 or an EPSG code such as EPSG:4547",
             "schema": ["type": "string"]],
            ["name": "method", "in": "query", "required": false,
             "description": "network (along the walking network; the default when the store holds one) or straight-line (geodesic); network without a walking network is a 400 naming `method`",
             "schema": ["type": "string", "enum": ["network", "straight-line"]]],
        ]
        var getOp = get("nearest stations", """
            The k nearest service stations of a point, nearest first, ties to the smaller station id: by distance along the \
            walking network when the store holds one (`method` network: the point and each station enter the network at their \
            foot points on the nearest edges of components of at least 50 nodes, and both access legs count; a point that \
            reaches no station gets no features), else by geodesic distance on the WGS84 ellipsoid (GeographicLib's algorithm, \
            as PROJ ships it); `method=` chooses. Each station carries its attributes, `distance_m`, `walk_min` and `rank`; the \
            answer names its `method` and `detour_factor`.
            """, tag: "Nearest", id: "nearest",
            parameters: [
                ["name": "lon", "in": "query", "required": true, "description": "longitude (or easting)", "schema": ["type": "number"]],
                ["name": "lat", "in": "query", "required": true, "description": "latitude (or northing)", "schema": ["type": "number"]],
            ] + params,
            ok: ok(OGC.Media.geoJSON, one))
        guard case .object(var members) = getOp, case .object(let op)? = members.first?.1 else { return [] }
        let post: [(String, J)] = [
            ("tags", ["Nearest"]),
            ("summary", "nearest stations (batch)"),
            ("description", .string("""
                A GeoJSON FeatureCollection of points, or CSV (`id,lon,lat`, Content-Type text/csv), read as by POST /assign; \
                at most \(AssignController.maxPoints) points. The answer lists every station found for every point, \
                each with the `query_id` of its point, in input order and nearest first.
                """)),
            ("operationId", "nearest_batch"),
            ("parameters", .array(Array(params))),
            ("requestBody", ["required": true, "content": ["application/geo+json": ["schema": ["type": "object"]], "text/csv": ["schema": ["type": "string"]]]]),
            ("responses", [
                "200": ok(OGC.Media.geoJSON, many),
                "400": .responseRef("BadRequest"),
                "413": ["description": "too many points or too large a body", "content": ["application/json": ["schema": .schemaRef("exception")]]],
                "415": ["description": "a Content-Type other than JSON, GeoJSON or CSV", "content": ["application/json": ["schema": .schemaRef("exception")]]],
                "500": .responseRef("ServerError"),
            ]),
        ]
        members = [("get", .object(op)), ("post", .object(post))]
        getOp = .object(members)
        let tier: J = [
            "type": "object", "required": ["minutes", "radius_m", "name_zh", "name_en"],
            "properties": ["minutes": ["type": "integer"], "radius_m": ["type": "number"], "name_zh": ["type": "string"], "name_en": ["type": "string"]],
        ]
        let tiers = get("circle tiers", """
            The life service circles (生活服务圈) and the walking model: 5, 10 and 15 minutes → 300, 500 and 1,000 m by default \
            (after GB 50180-2018), walking speed 5 km/h, straight-line detour factor 1.0.
            """, tag: "Nearest", id: "tiers",
            ok: ok(OGC.Media.json, [
                "type": "object", "required": ["tiers", "walking_speed_kmh", "detour_factor", "method"],
                "properties": [
                    "tiers": ["type": "array", "items": tier],
                    "walking_speed_kmh": ["type": "number"], "detour_factor": ["type": "number"], "method": ["type": "string"],
                    "parameters": ["type": "array", "items": ["type": "object"]],
                ],
            ]))
        return [("/nearest", getOp), ("/tiers", tiers)]
    }
}
