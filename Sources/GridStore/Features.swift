import Foundation
import GRDB
import GridGeo

/// Reading features out of the store, as GeoJSON text assembled around SpatiaLite's AsGeoJSON
/// (the geometry never becomes Swift values on the way out).
/// How geometries leave the store: in which CRS, axis order and precision.
public struct GeometryOutput: Hashable, Sendable {
    /// Target EPSG code for a PROJ transformation from the stored EPSG:4326 longitude-latitude,
    /// or nil to keep the stored coordinates.
    public var epsg: Int?
    /// Write the second axis first (latitude-first EPSG:4326, northing-first EPSG:4547).
    public var swapAxes: Bool
    /// Decimal places (9 is ~0.1 mm in degrees; 3 is 1 mm in metres).
    public var precision: Int
    public init(epsg: Int? = nil, swapAxes: Bool = false, precision: Int = 9) {
        self.epsg = epsg; self.swapAxes = swapAxes; self.precision = precision
    }
    public static let stored = GeometryOutput()

    /// Stored coordinates go out unchanged: Swift writes them from WKB (set
    /// WANGGE_ITEMS_GEOJSON=spatialite to use AsGeoJSON instead, for comparison).
    var writesWKB: Bool { !Self.forceSpatiaLite }

    /// How Swift maps the stored coordinates; nil when they go out unchanged.
    func projector() throws -> WKBText.Projector? {
        guard epsg != nil || swapAxes || precision < 9 else { return nil }
        let scale = precision < 9 ? pow(10, Double(precision)) : nil
        return WKBText.Projector(transform: try epsg.map { try CRSService.shared.transform(from: .wgs84, to: .epsg($0)) }, swap: swapAxes, scale: scale)
    }
    static let forceSpatiaLite = ProcessInfo.processInfo.environment["WANGGE_ITEMS_GEOJSON"] == "spatialite"

    /// The SQL expression that writes `geom` as GeoJSON geometry text.
    var sql: String {
        var g = "geom"
        // The five-argument ST_Transform takes PROJ definitions directly (no spatial_ref_sys row needed,
        // and ~7x faster than the SRID lookup); SpatiaLite normalises to easting-northing.
        if let epsg { g = "ST_Transform(\(g), \(epsg), NULL, 'EPSG:4326', 'EPSG:\(epsg)')" }
        if swapAxes { g = "SwapCoordinates(\(g))" }
        return "AsGeoJSON(\(g), \(precision))"
    }
}

public struct FeatureQuery: Sendable {
    public var bbox: BoundingBox?
    /// A closed longitude-latitude ring that replaces the bbox rectangle for the exact test, when
    /// the box was given in a projected CRS (its outline in CRS84 is not a rectangle). The bbox
    /// must still hold its envelope, for the R*Tree.
    public var area: [Coordinate]?
    public var output = GeometryOutput()
    /// Column → value equality filters; columns must belong to the layer.
    public var filters: [(column: String, value: String)]
    public var limit: Int
    public var offset: Int
    /// The boundary generation to answer at (nil: the newest). A generation the store does not
    /// have throws `UnknownGeneration`.
    public var generation: Int64?
    /// Decimal places in output coordinates (9 is ~0.1 mm).
    public var precision: Int {
        get { output.precision }
        set { output.precision = newValue }
    }

    public init(bbox: BoundingBox? = nil, filters: [(column: String, value: String)] = [], limit: Int = 10, offset: Int = 0, precision: Int = 9) {
        self.bbox = bbox; self.filters = filters; self.limit = limit; self.offset = offset
        self.output.precision = precision
    }
}

public struct FeaturePage: Sendable {
    public let numberMatched: Int
    /// The boundary generation the page was read at.
    public let generation: Int64
    /// The features as UTF-8 JSON text joined by commas, ready to go between `[` and `]`.
    public let joined: [UInt8]
    /// Where each Feature object lies in `joined`.
    public let ranges: [Range<Int>]
    /// Each element is one complete GeoJSON Feature object.
    public var features: [String] { ranges.map { String(decoding: joined[$0], as: UTF8.self) } }
    public var count: Int { ranges.count }
}

extension GridDatabase {
    /// A page of features in storage order (`fid`; at an older generation, the rows still
    /// current first, then the history rows), with `bbox` and equality filters.
    public func features(_ layer: Layer, _ q: FeatureQuery) throws -> FeaturePage {
        let schema = self.schema[layer]
        return try read { db in
            let scope = try GenerationScope.resolve(q.generation, db)
            var matched = 0
            var arms: [SQL] = []
            for source in scope.sources(layer) {
                var conditions: [SQL] = []
                if let condition = source.condition { conditions.append(SQL(sql: condition)) }
                if let b = q.bbox {
                    // A box whose minLon is greater than its maxLon crosses the antimeridian: it is the
                    // two boxes minLon…180 and -180…maxLon (OGC API – Features Part 1 §7.15.3).
                    let boxes = b.minLon <= b.maxLon ? [b] : [
                        BoundingBox(minLon: b.minLon, minLat: b.minLat, maxLon: 180, maxLat: b.maxLat),
                        BoundingBox(minLon: -180, minLat: b.minLat, maxLon: b.maxLon, maxLat: b.maxLat),
                    ]
                    // SpatiaLite never uses its R*Tree by itself: join it, then test the exact predicate.
                    let rtree: [SQL] = boxes.map { b in
                        "(xmin <= \(b.maxLon) AND xmax >= \(b.minLon) AND ymin <= \(b.maxLat) AND ymax >= \(b.minLat))"
                    }
                    conditions.append("""
                        fid IN (SELECT pkid FROM \(sql: "idx_\(source.table)_geom") WHERE \(rtree.joined(separator: " OR ")))
                        """)
                    if let ring = q.area, ring.count >= 4 {
                        let wkt = "POLYGON((" + ring.map { "\($0.lon) \($0.lat)" }.joined(separator: ",") + "))"
                        conditions.append("ST_Intersects(geom, GeomFromText(\(wkt), 4326)) = 1")
                    } else {
                        let exact: [SQL] = boxes.map { b in
                            "ST_Intersects(geom, BuildMbr(\(b.minLon), \(b.minLat), \(b.maxLon), \(b.maxLat), 4326)) = 1"
                        }
                        conditions.append("(" + exact.joined(separator: " OR ") + ")")
                    }
                }
                for f in q.filters {
                    guard f.column == "id" || schema.column(f.column) != nil else { continue }
                    conditions.append("\(sql: f.column) = \(f.value)")
                }
                let whereSQL: SQL = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
                let countSQL: SQL = "SELECT count(*) FROM \(sql: source.table) "
                matched += try Int.fetchOne(db, SQLRequest(literal: countSQL + whereSQL, cached: true)) ?? 0
                // At an older generation the arms of a UNION ALL carry their own order keys.
                let order: SQL = scope.historical ? ", \(sql: String(source.rank)) AS src_rank, fid AS src_fid" : ""
                arms.append(selectSQL(schema, output: q.output, table: source.table, more: order) + " " + whereSQL)
            }
            let tail: SQL = scope.historical
                ? " ORDER BY src_rank, src_fid LIMIT \(q.limit) OFFSET \(q.offset)"
                : " ORDER BY fid LIMIT \(q.limit) OFFSET \(q.offset)"
            let select = arms.joined(separator: " UNION ALL ") + tail
            // Cached: the values are bound, so a page request of the same shape reuses the prepared statement.
            let rows = try Row.fetchCursor(db, SQLRequest(literal: select, cached: true))
            let projector = try q.output.projector()
            var bytes: [UInt8] = []
            bytes.reserveCapacity(q.limit * 1024)
            var ranges: [Range<Int>] = []
            while let row = try rows.next() {
                if !ranges.isEmpty { bytes.append(UInt8(ascii: ",")) }
                let start = bytes.count
                Self.writeFeature(schema, row, projector: projector, into: &bytes)
                ranges.append(start..<bytes.count)
            }
            return FeaturePage(numberMatched: matched, generation: scope.generation, joined: bytes, ranges: ranges)
        }
    }

    public func feature(_ layer: Layer, id: String, precision: Int = 9) throws -> String? {
        try feature(layer, id: id, output: GeometryOutput(precision: precision))
    }

    public func feature(_ layer: Layer, id: String, output: GeometryOutput) throws -> String? {
        try feature(layer, id: id, output: output, generation: nil)?.text
    }

    /// One feature as it stood at `generation` (nil: the newest), as GeoJSON text, with the
    /// generation it was read at; nil when no row of that generation has the id.
    public func feature(_ layer: Layer, id: String, output: GeometryOutput, generation: Int64?) throws -> (text: String, generation: Int64)? {
        let schema = self.schema[layer]
        return try read { db in
            let scope = try GenerationScope.resolve(generation, db)
            let projector = try output.projector()
            for source in scope.sources(layer) {
                var byId: SQL = " WHERE id = \(id)"
                if let condition = source.condition { byId = byId + " AND " + SQL(sql: condition) }
                if let row = try Row.fetchOne(db, SQLRequest(literal: selectSQL(schema, output: output, table: source.table) + byId)) {
                    return (Self.featureText(schema, row, projector: projector), scope.generation)
                }
            }
            return nil
        }
    }

    /// The extent of a layer, from the R*Tree (float32 boxes rounded outward, so it may be a hair wide).
    public func extent(_ layer: Layer) throws -> BoundingBox? {
        try read { db in
            guard let r = try Row.fetchOne(db, sql: "SELECT min(xmin), min(ymin), max(xmax), max(ymax) FROM idx_\(layer.table)_geom"),
                  let a: Double = r[0], let b: Double = r[1], let c: Double = r[2], let d: Double = r[3] else { return nil }
            return BoundingBox(minLon: a, minLat: b, maxLon: c, maxLat: d)
        }
    }

    /// Writes a layer as one RFC 7946 FeatureCollection, streaming, with coordinates exactly as stored.
    /// - Parameter generation: the boundary generation to write the layer as it stood at (MapIt's
    ///   rule: current rows imported at or before it, then history rows whose range holds it);
    ///   nil, the newest. Throws `UnknownGeneration` for one the store does not have.
    public func exportGeoJSON(_ layer: Layer, generation: Int64? = nil, write: (String) throws -> Void) throws {
        let schema = self.schema[layer]
        try read { db in
            let scope = try GenerationScope.resolve(generation, db)
            let cols = (["id"] + schema.names + ["extra"]).joined(separator: ", ")
            let arms = scope.sources(layer).map { s in
                "SELECT \(cols), AsBinary(geom), \(s.rank) AS src_rank, fid AS src_fid FROM \(s.table)" + (s.condition.map { " WHERE \($0)" } ?? "")
            }
            let rows = try Row.fetchCursor(db, sql: arms.joined(separator: " UNION ALL ") + " ORDER BY src_rank, src_fid")
            try write("{\"type\":\"FeatureCollection\",\"name\":\(JSONText.quoted(layer.name)),\"features\":[\n")
            var first = true
            while let row = try rows.next() {
                let wkb: Data = row[schema.columns.count + 2]
                let g = RingOrientation.rfc7946(try WKB.decode([UInt8](wkb)))
                var s = first ? "" : ",\n"
                first = false
                s += "{\"type\":\"Feature\",\"id\":\(JSONText.quoted(row[0]))"
                s += ",\"geometry\":"
                GeoJSON.write(g, into: &s)
                s += ",\"properties\":"
                s += Self.propertiesText(schema, row)
                s += "}"
                try write(s)
            }
            try write("\n]}\n")
        }
    }

    /// Row layout: id, the layer's columns, extra, the properties as JSON text (SQLite's
    /// json_object), then the geometry: WKB that Swift writes as GeoJSON when the stored
    /// coordinates go out unchanged (measured ~2x faster than SpatiaLite's AsGeoJSON, which
    /// formats every number with printf), else AsGeoJSON text of the transformed geometry.
    /// Only rows with `extra` members have their properties re-encoded in Swift.
    /// `table` is the layer table or its history table (same columns); `more` appends columns
    /// after the geometry.
    func selectSQL(_ layer: LayerSchema, output: GeometryOutput, table: String, more: SQL = "") -> SQL {
        let cols = (["id"] + layer.names + ["extra"]).joined(separator: ", ")
        // SQLite writes an infinite REAL as Inf (or 9e999): JSON has neither, so it goes out as null.
        // Imports refuse non-finite numbers; this guards stores written by other tools.
        let props = (["'id', id"] + layer.columns.map {
            $0.kind == .real ? "'\($0.name)', CASE WHEN abs(\($0.name)) <= 1.7976931348623157e308 THEN \($0.name) END" : "'\($0.name)', \($0.name)"
        }).joined(separator: ", ")
        let geometry = output.writesWKB ? "AsBinary(geom)" : output.sql
        return "SELECT \(sql: cols), json_object(\(sql: props)), \(sql: geometry)" + more + " FROM \(sql: table)"
    }

    static func featureText(_ layer: LayerSchema, _ row: Row, projector: WKBText.Projector? = nil) -> String {
        var bytes: [UInt8] = []
        writeFeature(layer, row, projector: projector, into: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Appends one Feature as UTF-8 JSON (bytes, not String: appending to a String costs more
    /// than formatting the numbers).
    static func writeFeature(_ layer: LayerSchema, _ row: Row, projector: WKBText.Projector?, into b: inout [UInt8]) {
        let extraIndex = layer.columns.count + 1
        b.append(contentsOf: #"{"type":"Feature","id":"#.utf8)
        b.append(contentsOf: JSONText.quoted(row[0]).utf8)
        b.append(contentsOf: #","geometry":"#.utf8)
        let g = row[extraIndex + 2] as DatabaseValue
        switch g.storage {
        case .blob(let wkb):
            if !WKBText.write(wkb, into: &b, projector: projector) {
                // A coordinate PROJ cannot transform (outside the CRS's area) gives no geometry.
                guard projector == nil else { b.append(contentsOf: "null".utf8); break }
                var s = ""
                if let geometry = try? WKB.decode([UInt8](wkb)) { GeoJSON.write(geometry, into: &s) } else { s = "null" }
                b.append(contentsOf: s.utf8)
            }
        case .string(let text): b.append(contentsOf: text.utf8)
        default: b.append(contentsOf: "null".utf8)
        }
        b.append(contentsOf: #","properties":"#.utf8)
        let extra: String? = row[extraIndex]
        if extra == nil || extra == "{}" || extra == "" || extra == "null", let props: String = row[extraIndex + 1] {
            b.append(contentsOf: props.utf8)
        } else {
            // Members of `extra` join the properties (columns win): re-encode this row's properties.
            b.append(contentsOf: propertiesText(layer, row).utf8)
        }
        b.append(UInt8(ascii: "}"))
    }

    static func propertiesText(_ layer: LayerSchema, _ row: Row) -> String {
        var props = JSONObject()
        props["id"] = .string(row[0])
        for (k, c) in layer.columns.enumerated() {
            let v = row[k + 1] as DatabaseValue
            switch v.storage {
            case .null: props[c.name] = .null
            case .int64(let i): props[c.name] = .int(Int(i))
            case .double(let d): props[c.name] = .number(d)
            case .string(let s): props[c.name] = .string(s)
            case .blob: props[c.name] = .null
            }
        }
        if let extra: String = row[layer.columns.count + 1], case .object(let o)? = try? JSONParser.parse(extra) {
            for m in o.members where props[m.key] == nil { props[m.key] = m.value }
        }
        return JSONText.encode(.object(props))
    }
}

/// Writes WKB straight to GeoJSON geometry text, without building geometry values: the hot
/// loop of an items page. Handles the types the layers hold (points, lines, polygons and their
/// multi forms, 2D); returns false for anything else so the caller can fall back.
enum WKBText {
    /// Maps stored longitude-latitude to the output CRS: PROJ (axis order normalised to
    /// easting-northing), rounding to `1/scale`, then swapping for north-first CRSs.
    struct Projector {
        let transform: ProjTransform?
        let swap: Bool
        let scale: Double?

        func apply(_ x: Double, _ y: Double) -> (Double, Double)? {
            var a = x, b = y
            if let transform {
                guard let c = try? transform.forward(Coordinate(lon: x, lat: y)) else { return nil }
                a = c.lon; b = c.lat
            }
            if let scale { a = (a * scale).rounded() / scale; b = (b * scale).rounded() / scale }
            return swap ? (b, a) : (a, b)
        }
    }

    static func write(_ wkb: Data, into out: inout [UInt8], projector: Projector? = nil) -> Bool {
        wkb.withUnsafeBytes { (raw: UnsafeRawBufferPointer) -> Bool in
            var r = Reader(raw: raw)
            r.projector = projector
            let mark = out.count
            if r.geometry(into: &out) { return true }
            out.removeSubrange(mark...)  // undo a partial write
            return false
        }
    }

    struct Reader {
        let raw: UnsafeRawBufferPointer
        var at = 0
        var little = true
        var projector: Projector?

        mutating func u32() -> UInt32? {
            guard at + 4 <= raw.count else { return nil }
            let v = raw.loadUnaligned(fromByteOffset: at, as: UInt32.self)
            at += 4
            return little ? UInt32(littleEndian: v) : UInt32(bigEndian: v)
        }

        mutating func f64() -> Double? {
            guard at + 8 <= raw.count else { return nil }
            let v = raw.loadUnaligned(fromByteOffset: at, as: UInt64.self)
            at += 8
            return Double(bitPattern: little ? UInt64(littleEndian: v) : UInt64(bigEndian: v))
        }

        mutating func header() -> UInt32? {
            guard at < raw.count else { return nil }
            little = raw[at] == 1
            at += 1
            return u32()
        }

        mutating func position(into out: inout [UInt8]) -> Bool {
            guard var x = f64(), var y = f64(), x.isFinite, y.isFinite else { return false }
            if let projector {
                guard let p = projector.apply(x, y), p.0.isFinite, p.1.isFinite else { return false }
                (x, y) = p
            }
            out.append(UInt8(ascii: "["))
            out.append(contentsOf: x.description.utf8)
            out.append(UInt8(ascii: ","))
            out.append(contentsOf: y.description.utf8)
            out.append(UInt8(ascii: "]"))
            return true
        }

        mutating func points(into out: inout [UInt8]) -> Bool {
            guard let n = u32(), Int(n) * 16 <= raw.count - at else { return false }
            out.append(UInt8(ascii: "["))
            for k in 0..<Int(n) {
                if k > 0 { out.append(UInt8(ascii: ",")) }
                guard position(into: &out) else { return false }
            }
            out.append(UInt8(ascii: "]"))
            return true
        }

        mutating func rings(into out: inout [UInt8]) -> Bool {
            guard let n = u32(), Int(n) <= raw.count else { return false }
            out.append(UInt8(ascii: "["))
            for k in 0..<Int(n) {
                if k > 0 { out.append(UInt8(ascii: ",")) }
                guard points(into: &out) else { return false }
            }
            out.append(UInt8(ascii: "]"))
            return true
        }

        /// The members of a multi geometry, each a full WKB geometry of type `member`.
        mutating func members(_ member: UInt32, into out: inout [UInt8]) -> Bool {
            guard let n = u32(), Int(n) <= raw.count else { return false }
            out.append(UInt8(ascii: "["))
            for k in 0..<Int(n) {
                if k > 0 { out.append(UInt8(ascii: ",")) }
                guard header() == member else { return false }
                let ok: Bool
                switch member {
                case 1: ok = position(into: &out)
                case 2: ok = points(into: &out)
                default: ok = rings(into: &out)
                }
                guard ok else { return false }
            }
            out.append(UInt8(ascii: "]"))
            return true
        }

        mutating func geometry(into out: inout [UInt8]) -> Bool {
            guard let type = header() else { return false }
            let names: [UInt32: String] = [1: "Point", 2: "LineString", 3: "Polygon", 4: "MultiPoint", 5: "MultiLineString", 6: "MultiPolygon"]
            guard let name = names[type] else { return false }
            out.append(contentsOf: "{\"type\":\"\(name)\",\"coordinates\":".utf8)
            let ok: Bool
            switch type {
            case 1: ok = position(into: &out)
            case 2: ok = points(into: &out)
            case 3: ok = rings(into: &out)
            default: ok = members(type - 3, into: &out)
            }
            guard ok else { return false }
            out.append(UInt8(ascii: "}"))
            return true
        }
    }
}
