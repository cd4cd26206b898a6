/// A position: longitude then latitude in degrees (or easting/northing before a transformation).
public struct Coordinate: Hashable, Sendable {
    public var lon: Double
    public var lat: Double
    public init(lon: Double, lat: Double) { self.lon = lon; self.lat = lat }
    public init(_ lon: Double, _ lat: Double) { self.lon = lon; self.lat = lat }
}

/// A closed ring: the first position is repeated as the last.
public typealias Ring = [Coordinate]

public struct Polygon: Hashable, Sendable {
    /// rings[0] is the exterior; the rest are holes.
    public var rings: [Ring]
    public init(rings: [Ring]) { self.rings = rings }
    public var exterior: Ring { rings[0] }
    public var holes: ArraySlice<Ring> { rings.dropFirst() }
}

public struct MultiPolygon: Hashable, Sendable {
    public var polygons: [Polygon]
    public init(polygons: [Polygon]) { self.polygons = polygons }
}

public enum Geometry: Hashable, Sendable {
    case point(Coordinate)
    case lineString([Coordinate])
    case polygon(Polygon)
    case multiPolygon(MultiPolygon)

    public var typeName: String {
        switch self {
        case .point: return "Point"
        case .lineString: return "LineString"
        case .polygon: return "Polygon"
        case .multiPolygon: return "MultiPolygon"
        }
    }

    /// Polygon and MultiPolygon as a MultiPolygon; nil for other types.
    public var asMultiPolygon: MultiPolygon? {
        switch self {
        case .polygon(let p): return MultiPolygon(polygons: [p])
        case .multiPolygon(let m): return m
        default: return nil
        }
    }

    public func map(_ f: (Coordinate) throws -> Coordinate) rethrows -> Geometry {
        switch self {
        case .point(let c): return .point(try f(c))
        case .lineString(let cs): return .lineString(try cs.map(f))
        case .polygon(let p): return .polygon(Polygon(rings: try p.rings.map { try $0.map(f) }))
        case .multiPolygon(let m):
            return .multiPolygon(MultiPolygon(polygons: try m.polygons.map { Polygon(rings: try $0.rings.map { try $0.map(f) }) }))
        }
    }

    public var coordinates: [Coordinate] {
        switch self {
        case .point(let c): return [c]
        case .lineString(let cs): return cs
        case .polygon(let p): return p.rings.flatMap { $0 }
        case .multiPolygon(let m): return m.polygons.flatMap { $0.rings.flatMap { $0 } }
        }
    }

    public var boundingBox: BoundingBox { BoundingBox(coordinates) }
}

public struct BoundingBox: Hashable, Sendable {
    public var minLon: Double, minLat: Double, maxLon: Double, maxLat: Double
    public init(minLon: Double, minLat: Double, maxLon: Double, maxLat: Double) {
        self.minLon = minLon; self.minLat = minLat; self.maxLon = maxLon; self.maxLat = maxLat
    }
    public init<S: Sequence>(_ cs: S) where S.Element == Coordinate {
        var b = BoundingBox(minLon: .infinity, minLat: .infinity, maxLon: -.infinity, maxLat: -.infinity)
        for c in cs { b.extend(c) }
        self = b
    }
    public mutating func extend(_ c: Coordinate) {
        minLon = Swift.min(minLon, c.lon); maxLon = Swift.max(maxLon, c.lon)
        minLat = Swift.min(minLat, c.lat); maxLat = Swift.max(maxLat, c.lat)
    }
    public mutating func extend(_ b: BoundingBox) {
        minLon = Swift.min(minLon, b.minLon); maxLon = Swift.max(maxLon, b.maxLon)
        minLat = Swift.min(minLat, b.minLat); maxLat = Swift.max(maxLat, b.maxLat)
    }
    public var isEmpty: Bool { !(minLon <= maxLon && minLat <= maxLat) }
    public func contains(_ c: Coordinate) -> Bool {
        c.lon >= minLon && c.lon <= maxLon && c.lat >= minLat && c.lat <= maxLat
    }
    public func intersects(_ o: BoundingBox) -> Bool {
        minLon <= o.maxLon && o.minLon <= maxLon && minLat <= o.maxLat && o.minLat <= maxLat
    }
}

// MARK: - Ring orientation (RFC 7946 wants exteriors counter-clockwise, holes clockwise)

public enum RingOrientation {
    /// Twice the signed area in degree units: positive for counter-clockwise.
    public static func signedArea2(_ ring: Ring) -> Double {
        guard ring.count >= 3 else { return 0 }
        var s = 0.0
        let o = ring[0]
        for k in 1..<(ring.count - 1) {
            let a = ring[k], b = ring[k + 1]
            s += (a.lon - o.lon) * (b.lat - o.lat) - (b.lon - o.lon) * (a.lat - o.lat)
        }
        return s
    }

    public static func oriented(_ p: Polygon) -> Polygon {
        var rings = p.rings
        for k in rings.indices {
            let ccw = signedArea2(rings[k]) > 0
            if (k == 0) != ccw { rings[k].reverse() }
        }
        return Polygon(rings: rings)
    }

    /// The same geometry with RFC 7946 winding.
    public static func rfc7946(_ g: Geometry) -> Geometry {
        switch g {
        case .polygon(let p): return .polygon(oriented(p))
        case .multiPolygon(let m): return .multiPolygon(MultiPolygon(polygons: m.polygons.map(oriented)))
        default: return g
        }
    }
}
