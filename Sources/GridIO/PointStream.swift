import Foundation
import GridGeo

/// The input loops shared by the batch engines (`wangge assign`, `wangge nearest`): CSV read in
/// chunks from a file descriptor (transcoded when an encoding is declared, BOM skipped, split
/// into RFC 4180 records), and GeoJSON read feature by feature with its legacy `crs` member.
/// Memory stays flat: one chunk and its records at a time.
enum PointStream {
    static let chunkSize = 4 << 20

    /// Reads CSV from `input`: the header names the columns (`ids` says where ids come from);
    /// `onHeader` runs once the header is good (so nothing is written for a bad one), then
    /// `body` gets each chunk's bytes, records, the index of its first data record and the
    /// parser; `body` returns true to stop. Throws `BatchInputError` for an unreadable input.
    static func csv(_ input: Int32, ids: PointColumns.IDSource, lon: String, lat: String, encoding: TextEncoding, reader: PointReader,
                    onHeader: () throws -> Void,
                    body: ([UInt8], CSVRecords, Int, CSVPointParser) throws -> Bool) throws {
        let transcoder = encoding.iconvName == nil ? nil : try Transcoder(encoding)
        let hint = encoding.iconvName == nil ? "if the file is not UTF-8, name its encoding with --encoding (e.g. --encoding GB18030)"
                                             : "is --encoding \(encoding) right?"
        var buf: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: chunkSize)
        var pos = 0
        var atEOF = false
        var bomChecked = false
        var scanner = CSVScanner()
        var recs = CSVRecords()
        var parser: CSVPointParser?
        while !atEOF {
            let n = try read(input, into: &chunk)
            atEOF = n == 0
            if let transcoder {
                do {
                    try chunk.withUnsafeBufferPointer { try transcoder.convert(UnsafeBufferPointer(rebasing: $0[..<n]), final: atEOF, into: &buf) }
                } catch let e as TextDecodingError {
                    throw BatchInputError("line \(e.line): \(e.message)")
                }
            } else {
                buf.append(contentsOf: chunk[..<n])
            }
            if !bomChecked {
                guard buf.count >= 3 || atEOF else { continue }
                if buf.starts(with: [0xEF, 0xBB, 0xBF]) { pos = 3 }
                bomChecked = true
            }
            let first: Int = try buf.withUnsafeBufferPointer { p in
                pos = scanner.scan(p, from: pos, atEOF: atEOF, into: &recs)
                guard parser == nil, let h = recs.records.first else { return 0 }
                do {
                    let columns = try PointColumns(header: try CSVInput.header(p, recs, h, encodingHint: hint), ids: ids, lon: lon, lat: lat)
                    parser = CSVPointParser(columns: columns, reader: reader, encodingHint: hint)
                } catch let e as PointInputError {
                    throw BatchInputError(e.description)
                }
                return 1
            }
            if first == 1 { try onHeader() }
            if let parser, first < recs.records.count, try body(buf, recs, first, parser) { return }
            buf.removeFirst(pos)
            pos = 0
            recs.removeAll()
        }
        if parser == nil { throw BatchInputError("empty input: expected a header line such as id,lon,lat") }
    }

    /// Reads a GeoJSON FeatureCollection of Points from `input`, feature by feature. Its legacy
    /// `crs` member, when it comes before the features, becomes `reader`'s CRS unless `crsGiven`;
    /// after the features it must agree with the CRS they were read in. `each` gets every
    /// feature's id (else its index) and point, or its problem located by feature index and
    /// line; it returns false to stop.
    static func geoJSON(_ input: Int32, reader: inout PointReader, crsGiven: Bool, report: (String) -> Void,
                        each: (Result<(id: String, point: Coordinate), PointInputError>) throws -> Bool) throws {
        var sawFeature = false
        var current = reader
        try FeatureScanner(input).forEachMember(onCRS: { value in
            guard let name = GeoJSONCRS.name(ofMember: value), !crsGiven else { return }
            let crs: CRS
            do { crs = try CRS(parsing: name) } catch { throw BatchInputError("the input's crs member: \(error)") }
            if sawFeature {
                if crs != current.crs {
                    throw BatchInputError("the input's crs member (\(name)) comes after its features, which were read as \(current.crs); "
                                          + "pass --crs \(name)")
                }
                return
            }
            current = try PointReader(crs: crs)
            report("input CRS \(name) (the file's crs member)")
        }, onFeature: { bytes, featureIndex, line in
            sawFeature = true
            do {
                let value: JSONValue
                do { value = try JSONParser.parse(bytes) } catch let e as JSONSyntaxError {
                    throw PointInputError("invalid JSON: \(e.message)")
                }
                let f = try current.feature(value)
                return try each(.success((f.id ?? String(featureIndex), f.point)))
            } catch var e as PointInputError {
                e.featureIndex = featureIndex
                e.line = line
                return try each(.failure(e))
            }
        })
        reader = current
    }

    /// Fills `chunk` from `fd` (fewer bytes only at the end); the count read.
    static func read(_ fd: Int32, into chunk: inout [UInt8]) throws -> Int {
        try chunk.withUnsafeMutableBytes { raw in
            var got = 0
            while got < raw.count {
                let r = Foundation.read(fd, raw.baseAddress! + got, raw.count - got)
                if r < 0 {
                    if errno == EINTR { continue }
                    throw BatchInputError("cannot read the input: \(String(cString: strerror(errno)))")
                }
                if r == 0 { break }
                got += r
            }
            return got
        }
    }
}
