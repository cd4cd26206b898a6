import GridGeo

/// Why a batch of points sent in one body (`POST /assign`) cannot be answered.
public enum PointBatchError: Error, Sendable {
    /// The body as a whole is unusable (not JSON, not a FeatureCollection, an empty CSV, an unknown
    /// charset); `field` names the part (`body`, `crs`, `charset`), line and column when known.
    case unreadable(field: String, message: String, line: Int? = nil, column: Int? = nil)
    /// Some points are bad: every problem, located by line or feature index, out of `total`;
    /// total 0 when the CSV header (line 1) is unusable, and the one problem is the header's.
    case badPoints([PointInputError], total: Int)
    /// More points than the caller allows.
    case tooMany(limit: Int)
}

/// The one reader of point lists for HTTP and the CLI's rules: CSV (RFC 4180, a header naming
/// the id, lon and lat columns, UTF-8 or the declared charset) or a GeoJSON FeatureCollection of
/// Points (its legacy `crs` member honoured unless the caller named a CRS), all-or-nothing.
public enum PointBatch {
    public typealias Point = (id: String, point: Coordinate)

    /// Reads every point of `body`. CSV when the content type says `csv` (its `charset`
    /// parameter, if any, is the text encoding), GeoJSON otherwise. `reader` converts from the
    /// caller's CRS; `crsGiven` says the caller named it, so that a GeoJSON `crs` member does not
    /// override it. GeoJSON features without an id are named by their index in the collection.
    public static func read(_ body: [UInt8], contentType: String?, reader: PointReader, crsGiven: Bool,
                            maxPoints: Int = .max) throws(PointBatchError) -> [Point] {
        if contentType?.lowercased().contains("csv") == true {
            return try csv(body, contentType: contentType, reader: reader, maxPoints: maxPoints)
        }
        return try geoJSON(body, reader: reader, crsGiven: crsGiven, maxPoints: maxPoints)
    }

    static func csv(_ raw: [UInt8], contentType: String?, reader: PointReader, maxPoints: Int) throws(PointBatchError) -> [Point] {
        let encoding: TextEncoding
        do { encoding = try TextEncoding.fromContentType(contentType) } catch {
            throw .unreadable(field: "charset", message: "\(error)")
        }
        var body = raw
        if encoding.iconvName != nil {
            do {
                let t = try Transcoder(encoding)
                var out: [UInt8] = []
                try raw.withUnsafeBufferPointer { try t.convert($0, final: true, into: &out) }
                body = out
            } catch let e as TextDecodingError {
                throw .badPoints([PointInputError(line: e.line, e.message)], total: 1)
            } catch {
                throw .unreadable(field: "charset", message: "\(error)")
            }
        }
        let hint = "declare the text's encoding with charset= on the Content-Type (e.g. text/csv; charset=GB18030)"
        return try body.withUnsafeBufferPointer { all throws(PointBatchError) -> [Point] in
            let p = CSVInput.afterBOM(all)
            var scanner = CSVScanner()
            var recs = CSVRecords()
            _ = scanner.scan(p, from: 0, atEOF: true, into: &recs)
            guard let first = recs.records.first else {
                throw .unreadable(field: "body", message: "empty CSV body: expected a header line such as id,lon,lat")
            }
            let columns: PointColumns
            do {
                columns = try PointColumns(header: try CSVInput.header(p, recs, first, encodingHint: hint))
            } catch let e as PointInputError {
                // The header is no point: total 0 (no point was read), so that it is not reported
                // as "1 bad point of 1", which counted the header line as a point.
                throw .badPoints([e], total: 0)
            } catch {
                throw .badPoints([PointInputError(line: 1, "\(error)")], total: 0)
            }
            let parser = CSVPointParser(columns: columns, reader: reader, encodingHint: hint)
            var out: [Point] = [], bad: [PointInputError] = []
            for r in recs.records.dropFirst() {
                do throws(PointInputError) {
                    let pt = try parser.point(p, recs, r)
                    out.append((parser.id(p, recs, r), pt))
                } catch {
                    var e = error
                    if e.line == nil { e.line = r.line }
                    bad.append(e)
                }
                if out.count > maxPoints { throw .tooMany(limit: maxPoints) }
            }
            if !bad.isEmpty { throw .badPoints(bad, total: recs.records.count - 1) }
            return out
        }
    }

    static func geoJSON(_ body: [UInt8], reader given: PointReader, crsGiven: Bool, maxPoints: Int) throws(PointBatchError) -> [Point] {
        let value: JSONValue
        do { value = try JSONParser.parse(body) } catch let e as JSONSyntaxError {
            throw .unreadable(field: "body", message: e.description, line: e.line, column: e.column)
        } catch {
            throw .unreadable(field: "body", message: "\(error)")
        }
        guard let obj = value.objectValue, obj["type"]?.stringValue == "FeatureCollection", let list = obj["features"]?.arrayValue else {
            throw .unreadable(field: "body", message: "expected a GeoJSON FeatureCollection of Point features (or a CSV body with Content-Type: text/csv)")
        }
        if list.count > maxPoints { throw .tooMany(limit: maxPoints) }
        var reader = given
        if !crsGiven, let name = GeoJSONCRS.name(obj) {
            do { reader = try PointReader(crs: try CRS(parsing: name)) } catch {
                throw .unreadable(field: "crs", message: "the FeatureCollection's crs member: \(error)")
            }
        }
        var out: [Point] = [], bad: [PointInputError] = []
        for (k, v) in list.enumerated() {
            do {
                let f = try reader.feature(v)
                out.append((f.id ?? String(k), f.point))
            } catch var e as PointInputError {
                e.featureIndex = k
                bad.append(e)
            } catch {
                bad.append(PointInputError(featureIndex: k, "\(error)"))
            }
        }
        if !bad.isEmpty { throw .badPoints(bad, total: list.count) }
        return out
    }
}

/// The legacy `crs` member of GeoJSON 2008 (`{"type":"name","properties":{"name":"EPSG:4490"}}`),
/// read as `wangge import` reads it.
enum GeoJSONCRS {
    /// The CRS name in a GeoJSON object's `crs` member.
    static func name(_ obj: JSONObject) -> String? { obj["crs"].flatMap(name(ofMember:)) }

    /// The CRS name in the `crs` member's value.
    static func name(ofMember crs: JSONValue) -> String? {
        crs.objectValue?["properties"]?.objectValue?["name"]?.stringValue
    }
}

/// Shared first steps of reading CSV points.
enum CSVInput {
    /// The bytes after a UTF-8 byte-order mark (Excel's "CSV UTF-8" writes one).
    static func afterBOM(_ p: UnsafeBufferPointer<UInt8>) -> UnsafeBufferPointer<UInt8> {
        if p.count >= 3 && p[0] == 0xEF && p[1] == 0xBB && p[2] == 0xBF { return UnsafeBufferPointer(rebasing: p[3...]) }
        return p
    }

    /// The header's names, strictly decoded.
    static func header(_ p: UnsafeBufferPointer<UInt8>, _ recs: CSVRecords, _ r: CSVRecord, encodingHint: String) throws -> [String] {
        if r.problem >= 0 { throw PointInputError(line: r.line, "malformed CSV header: \(recs.problems[Int(r.problem)])") }
        if r.flags & CSVRecord.nonASCII != 0, let bad = UTF8Check.firstInvalid(p, from: r.start, to: r.end) {
            throw PointInputError(line: r.line, "bytes that are not valid UTF-8 (0x\(String(p[bad], radix: 16, uppercase: true))); \(encodingHint)")
        }
        return (0..<Int(r.fieldCount)).map { k in
            let f = recs.field(r, k)
            return CSVText.string(p, f.start, f.end)
        }
    }
}
