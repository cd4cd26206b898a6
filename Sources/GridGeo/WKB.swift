/// Well-known binary (little-endian, 2D), the form geometries cross the SQLite boundary in:
/// exact doubles both ways, no text formatting or parsing.
public enum WKB {
    public static func encode(_ g: Geometry) -> [UInt8] {
        var w = Writer()
        w.geometry(g)
        return w.bytes
    }

    public static func decode(_ bytes: [UInt8]) throws -> Geometry {
        var r = Reader(bytes: bytes)
        return try r.geometry()
    }

    public struct DecodeError: Error, CustomStringConvertible {
        public let description: String
    }

    private struct Writer {
        var bytes: [UInt8] = []
        mutating func u32(_ v: UInt32) { withUnsafeBytes(of: v.littleEndian) { bytes.append(contentsOf: $0) } }
        mutating func f64(_ v: Double) { withUnsafeBytes(of: v.bitPattern.littleEndian) { bytes.append(contentsOf: $0) } }
        mutating func coord(_ c: Coordinate) { f64(c.lon); f64(c.lat) }
        mutating func header(_ type: UInt32) { bytes.append(1); u32(type) }
        mutating func ring(_ r: Ring) { u32(UInt32(r.count)); r.forEach { coord($0) } }
        mutating func polygonBody(_ p: Polygon) { u32(UInt32(p.rings.count)); p.rings.forEach { ring($0) } }
        mutating func geometry(_ g: Geometry) {
            switch g {
            case .point(let c): header(1); coord(c)
            case .lineString(let cs): header(2); ring(cs)
            case .polygon(let p): header(3); polygonBody(p)
            case .multiPolygon(let m):
                header(6); u32(UInt32(m.polygons.count))
                for p in m.polygons { header(3); polygonBody(p) }
            }
        }
    }

    private struct Reader {
        let bytes: [UInt8]
        var i = 0
        var little = true

        mutating func byte() throws -> UInt8 {
            guard i < bytes.count else { throw DecodeError(description: "WKB ends early") }
            defer { i += 1 }
            return bytes[i]
        }
        mutating func u32() throws -> UInt32 {
            guard i + 4 <= bytes.count else { throw DecodeError(description: "WKB ends early") }
            var v: UInt32 = 0
            for k in 0..<4 { v |= UInt32(bytes[i + k]) << (8 * k) }
            i += 4
            return little ? v : v.byteSwapped
        }
        mutating func f64() throws -> Double {
            guard i + 8 <= bytes.count else { throw DecodeError(description: "WKB ends early") }
            var v: UInt64 = 0
            for k in 0..<8 { v |= UInt64(bytes[i + k]) << (8 * k) }
            i += 8
            return Double(bitPattern: little ? v : v.byteSwapped)
        }
        mutating func coord() throws -> Coordinate { Coordinate(lon: try f64(), lat: try f64()) }
        mutating func coords() throws -> [Coordinate] {
            let n = Int(try u32())
            guard n <= (bytes.count - i) / 16 else { throw DecodeError(description: "WKB count too large") }
            var out: [Coordinate] = []
            out.reserveCapacity(n)
            for _ in 0..<n { out.append(try coord()) }
            return out
        }
        mutating func polygonBody() throws -> Polygon {
            let n = Int(try u32())
            var rings: [Ring] = []
            for _ in 0..<n { rings.append(try coords()) }
            return Polygon(rings: rings)
        }
        mutating func header() throws -> UInt32 {
            little = try byte() == 1
            return try u32()
        }
        mutating func geometry() throws -> Geometry {
            let type = try header()
            switch type {
            case 1: return .point(try coord())
            case 2: return .lineString(try coords())
            case 3: return .polygon(try polygonBody())
            case 6:
                let n = Int(try u32())
                var polys: [Polygon] = []
                for _ in 0..<n {
                    guard try header() == 3 else { throw DecodeError(description: "MultiPolygon member is not a Polygon") }
                    polys.append(try polygonBody())
                }
                return .multiPolygon(MultiPolygon(polygons: polys))
            default: throw DecodeError(description: "unsupported WKB geometry type \(type)")
            }
        }
    }
}
