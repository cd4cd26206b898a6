/// The assignment endpoint (issue 3's AssignController) in the API definition.
extension OpenAPI {
    static func assignPaths() -> [(String, J)] {
        let ref: J = ["type": "object", "nullable": true, "properties": ["id": ["type": "string"], "name": ["type": "string", "nullable": true]]]
        let feature: J = [
            "type": "object", "required": ["type", "geometry", "properties"],
            "properties": [
                "type": ["type": "string", "enum": ["Feature"]],
                "id": ["type": "string"],
                "geometry": .schemaRef("pointGeometry"),
                "properties": [
                    "type": "object",
                    "properties": [
                        "grid": ref, "community": ref, "street": ref, "district": ref, "compound": ref,
                        "worker": ["type": "object", "nullable": true],
                        "boundary": ["type": "boolean"],
                        "candidates": ["type": "array", "items": ["type": "string"]],
                        "nearest": ["type": "object", "nullable": true],
                        "generation": ["type": "integer", "description": "the boundary generation the answer was computed at"],
                    ],
                ],
            ],
        ]
        let crs: J = ["name": "crs", "in": "query", "required": false,
                      "description": """
                        CRS of the input: wgs84 (default), cgcs2000, gcj02, bd09 or an EPSG code such as EPSG:4547 (easting first). \
                        A point outside the CRS's area of use (PROJ's, widened by 1°) is a 400 naming the CRS and the likely mistake, \
                        e.g. degrees sent with a projected CRS; gcj02 and bd09 are refused outside mainland China, Hong Kong and Macau, \
                        where those services give WGS84.
                        """,
                      "schema": ["type": "string"]]
        let accuracy: J = ["name": "accuracy", "in": "query", "required": false,
                           "description": "metres: every grid within this distance is a candidate",
                           "schema": ["type": "number", "minimum": 0, "maximum": .double(AssignController.maxAccuracy)]]
        var getOp = get("point in grid", """
            The grid, community, street, district and compound of a point, with the grid worker; on a shared edge or vertex \
            `boundary` is true and `candidates` lists every covering grid. Outside every grid, `grid` is null and `nearest` names the nearest grid.
            """, tag: "Assignment", id: "assign",
            parameters: [
                ["name": "lon", "in": "query", "required": true, "description": "longitude (or easting)", "schema": ["type": "number"]],
                ["name": "lat", "in": "query", "required": true, "description": "latitude (or northing)", "schema": ["type": "number"]],
                crs, accuracy, .parameterRef("generation"),
            ],
            ok: ok(OGC.Media.geoJSON, feature))
        guard case .object(var getMembers) = getOp, case .object(let op)? = getMembers.first?.1 else { return [] }
        // The same path serves POST for batches.
        var post: [(String, J)] = [
            ("tags", ["Assignment"]),
            ("summary", "points in grids (batch)"),
            ("description", .string("A GeoJSON FeatureCollection of points (its legacy `crs` member is the input CRS unless `crs` is given; features without an id are named by their index; an id written as a number must be a whole number and is answered as its decimal text: `10`, `1e1` and `10.0` are `\"10\"`), or CSV (Content-Type text/csv): RFC 4180 (quoted fields with commas, quotes and line breaks; CRLF, LF or CR line ends; an optional UTF-8 byte-order mark), a header naming the `id`, `lon` and `lat` columns in any case and order (an `id` column is required; ids are text, answered as written), every record with as many fields as the header, UTF-8 unless the Content-Type declares `charset=` (e.g. GB18030). All-or-nothing: every bad record is listed by the line it starts on. At most \(AssignController.maxPoints) points.")),
            ("operationId", "assign_batch"),
            ("parameters", [crs, accuracy, .parameterRef("generation")]),
            ("requestBody", [
                "required": true,
                "content": [
                    "application/geo+json": ["schema": ["type": "object"]],
                    "text/csv": ["schema": ["type": "string"]],
                ],
            ]),
        ]
        post.append(("responses", [
            "200": ok(OGC.Media.geoJSON, [
                "type": "object", "required": ["type", "features"],
                "properties": ["type": ["type": "string", "enum": ["FeatureCollection"]],
                               "numberReturned": ["type": "integer"], "features": ["type": "array", "items": feature]],
            ]),
            "400": .responseRef("BadRequest"),
            "413": ["description": "too many points or too large a body",
                    "content": ["application/json": ["schema": .schemaRef("exception")]]],
            "415": .responseRef("BadRequest"),
            "422": .responseRef("BadRequest"),
            "500": .responseRef("ServerError"),
        ]))
        getMembers = [("get", .object(op)), ("post", .object(post))]
        getOp = .object(getMembers)
        return [("/assign", getOp)]
    }
}
