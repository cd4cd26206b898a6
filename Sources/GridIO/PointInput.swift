import Foundation
import GridGeo

/// A problem with one input point, located by line (CSV) or feature index (GeoJSON) and field.
public struct PointInputError: Error, CustomStringConvertible, Sendable {
    public var line: Int?
    public var featureIndex: Int?
    public var field: String?
    public let message: String

    public init(line: Int? = nil, featureIndex: Int? = nil, field: String? = nil, _ message: String) {
        self.line = line; self.featureIndex = featureIndex; self.field = field; self.message = message
    }

    public var description: String {
        var s = ""
        if let line { s += "line \(line): " }
        if let featureIndex { s += "feature \(featureIndex): " }
        if let field { s += "\(field): " }
        return s + message
    }
}

/// Turns user-supplied coordinates into WGS84 points with errors that name the field: the same
/// checks for the HTTP API and the batch CLI (GridGeo's `CoordinateTransform` holds them all).
public struct PointReader: Sendable {
    public let crs: CRS
    private let transform: CoordinateTransform

    public init(crs: CRS) throws {
        self.crs = crs
        transform = try CoordinateTransform(crs)
    }

    /// Parses one number; `field` names it in the error.
    public static func number(_ text: Substring, field: String) throws -> Double {
        // Decimal only (DecimalText): strtod's hex (`0x10`), `inf` and `nan` are refused.
        if let v = DecimalParsing.parse(text), v.isFinite { return v }
        let t = text.trimmingCharacters(in: .whitespaces)
        if t.isEmpty { throw PointInputError(field: field, "missing value") }
        guard let v = DecimalParsing.parse(t[...]), v.isFinite else {
            if DecimalText.isNonFiniteWord(t) || DecimalParsing.parse(t[...]) != nil {
                throw PointInputError(field: field, "must be a finite number, found '\(t.prefix(40))'")
            }
            throw PointInputError(field: field, "not a number: '\(t.prefix(40))' (write decimal digits, e.g. 114.42)")
        }
        return v
    }

    public func point(lon: Double, lat: Double, lonField: String = "lon", latField: String = "lat") throws -> Coordinate {
        do {
            return try transform.toWGS84(Coordinate(lon, lat))
        } catch let e as CoordinateRangeError {
            switch e.axis {
            case .x?: throw PointInputError(field: lonField, e.message)
            case .y?: throw PointInputError(field: latField, e.message)
            case nil: throw PointInputError(field: "\(lonField),\(latField)", e.message)
            }
        }
    }

    public func point(lon: Substring, lat: Substring, lonField: String = "lon", latField: String = "lat") throws -> Coordinate {
        try point(lon: Self.number(lon, field: lonField), lat: Self.number(lat, field: latField), lonField: lonField, latField: latField)
    }

    /// A GeoJSON Point feature's id (feature id, else properties.id, else nil) and WGS84 point.
    public func feature(_ value: JSONValue) throws -> (id: String?, point: Coordinate) {
        let f: Feature
        do { f = try GeoJSON.feature(value) } catch let e as GeoJSONError {
            throw PointInputError(field: e.path.isEmpty ? nil : e.path, e.message)
        }
        guard case .point(let c)? = f.geometry else {
            throw PointInputError(field: "geometry", "expected a Point, found \(f.geometry?.typeName ?? "no geometry")")
        }
        // The feature's id, else properties.id, by FeatureId's rule (whole numbers as decimal text).
        var id = f.id
        if id == nil, let v = f.properties["id"] {
            do { id = try FeatureId.from(v) } catch let e as FeatureId.Invalid { throw PointInputError(field: "properties.id", e.message) }
        }
        return (id, try point(lon: c.lon, lat: c.lat, lonField: "geometry.coordinates[0]", latField: "geometry.coordinates[1]"))
    }
}

/// Which columns of a CSV header hold the id and the coordinates, and how many fields every
/// record must have (as many as the header).
public struct PointColumns: Sendable {
    /// Where the id comes from: a column, or (only when the user asks) the record's line number.
    public enum IDSource: Sendable, Equatable {
        case column(String)
        case lineNumber
    }

    /// The id column; nil when ids are line numbers.
    public let id: Int?
    public let lon: Int
    public let lat: Int
    public let lonName: String, latName: String
    public let idName: String?
    /// Fields in the header: every record must have exactly this many.
    public let count: Int

    /// Names are matched case-insensitively, surrounding spaces ignored. A missing coordinate or
    /// id column is an error on line 1; ids are never made up unless `ids` is `.lineNumber`.
    public init(header: [String], ids: IDSource = .column("id"), lon lonName: String = "lon", lat latName: String = "lat") throws {
        let names = header.map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
        func find(_ n: String) -> Int? { names.firstIndex(of: n.trimmingCharacters(in: .whitespaces).lowercased()) }
        let found = header.joined(separator: ",")
        guard let lon = find(lonName) else {
            throw PointInputError(line: 1, field: lonName, "the header has no '\(lonName)' column (found: \(found))")
        }
        guard let lat = find(latName) else {
            throw PointInputError(line: 1, field: latName, "the header has no '\(latName)' column (found: \(found))")
        }
        switch ids {
        case .lineNumber:
            id = nil; idName = nil
        case .column(let name):
            guard let k = find(name) else {
                throw PointInputError(line: 1, field: name, "the header has no '\(name)' column (found: \(found)); name the id column, "
                                      + "or ask for line numbers as ids explicitly (wangge assign --line-ids)")
            }
            id = k; idName = name
        }
        self.lon = lon; self.lat = lat
        self.lonName = lonName; self.latName = latName
        count = header.count
    }
}

/// Reads the point of one CSV record: the same rules for `wangge assign` and `POST /assign`.
struct CSVPointParser: Sendable {
    let columns: PointColumns
    let reader: PointReader
    /// For the error message on undecodable bytes.
    let encodingHint: String

    /// The WGS84 point of a record; the error (without its line, which the caller knows) names
    /// the field. Also checks the field count and, for non-ASCII records, strict UTF-8.
    func point(_ p: UnsafeBufferPointer<UInt8>, _ recs: CSVRecords, _ r: CSVRecord) throws(PointInputError) -> Coordinate {
        if r.problem >= 0 { throw PointInputError("malformed CSV: \(recs.problems[Int(r.problem)])") }
        if Int(r.fieldCount) != columns.count {
            throw PointInputError("expected \(columns.count) fields as in the header, found \(r.fieldCount)"
                                  + (Int(r.fieldCount) > columns.count ? " (a decimal comma, or a comma in an unquoted value?)" : ""))
        }
        if r.flags & CSVRecord.nonASCII != 0, let bad = UTF8Check.firstInvalid(p, from: r.start, to: r.end) {
            var cr = false
            let extra = LineCount.breaks(p, from: r.start, to: bad, lastWasCR: &cr)
            throw PointInputError(line: r.line + extra, "bytes that are not valid UTF-8 (0x\(String(p[bad], radix: 16, uppercase: true))); \(encodingHint)")
        }
        if let k = columns.id {
            let f = recs.field(r, k)
            if f.end - f.start == 0 || (f.end - f.start == 2 && p[f.start] == 34) {
                throw PointInputError(field: columns.idName, "missing id (every row needs one)")
            }
        }
        let lon = try number(p, recs, r, columns.lon, columns.lonName)
        let lat = try number(p, recs, r, columns.lat, columns.latName)
        do { return try reader.point(lon: lon, lat: lat, lonField: columns.lonName, latField: columns.latName) } catch let e as PointInputError {
            throw e
        } catch {
            throw PointInputError("\(error)")
        }
    }

    @inline(__always)
    private func number(_ p: UnsafeBufferPointer<UInt8>, _ recs: CSVRecords, _ r: CSVRecord, _ k: Int, _ name: String) throws(PointInputError) -> Double {
        let f = recs.field(r, k)
        if f.end > f.start && p[f.start] == 34 {
            var b: [UInt8] = []
            CSVText.value(p, f.start, f.end, into: &b)
            return try b.withUnsafeBufferPointer { q throws(PointInputError) in try Self.number(q, 0, q.count, name) }
        }
        return try Self.number(p, f.start, f.end, name)
    }

    @inline(__always)
    static func number(_ p: UnsafeBufferPointer<UInt8>, _ s: Int, _ e: Int, _ name: String) throws(PointInputError) -> Double {
        if let v = DecimalParsing.parse(p, s, e), v.isFinite { return v }
        let text = String(decoding: UnsafeBufferPointer(rebasing: p[s..<e]), as: UTF8.self)
        do { return try PointReader.number(Substring(text), field: name) } catch let e as PointInputError { throw e } catch {
            throw PointInputError(field: name, "not a number")
        }
    }

    /// The record's id as text (line number when ids are line numbers).
    func id(_ p: UnsafeBufferPointer<UInt8>, _ recs: CSVRecords, _ r: CSVRecord) -> String {
        guard let k = columns.id else { return String(r.line) }
        let f = recs.field(r, k)
        return CSVText.string(p, f.start, f.end)
    }
}
