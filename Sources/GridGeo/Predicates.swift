/// Exact geometric predicates. Shared edges are stored with identical vertices on both sides, so
/// a point on such an edge must be classified exactly the same way from either side: a float
/// cross product with rounding error would put it in neither or both by accident.
public enum Predicates {
    /// Sign of the orientation of c relative to the directed line a→b: +1 left (counter-clockwise),
    /// -1 right, 0 exactly collinear. Exact for all finite doubles (a float filter, then an exact
    /// expansion when the filter cannot decide, after Shewchuk's orient2d).
    @inline(__always)
    public static func orientation(_ a: Coordinate, _ b: Coordinate, _ c: Coordinate) -> Int {
        let detLeft = (a.lon - c.lon) * (b.lat - c.lat)
        let detRight = (a.lat - c.lat) * (b.lon - c.lon)
        let det = detLeft - detRight
        let bound = 3.3306690738754716e-16 * (abs(detLeft) + abs(detRight))
        if det > bound { return 1 }
        if -det > bound { return -1 }
        return exactOrientation(a, b, c)
    }

    static func exactOrientation(_ a: Coordinate, _ b: Coordinate, _ c: Coordinate) -> Int {
        // (ax-cx)(by-cy) - (ay-cy)(bx-cx) with every difference and product kept exactly.
        let acx = twoDiff(a.lon, c.lon), bcy = twoDiff(b.lat, c.lat)
        let acy = twoDiff(a.lat, c.lat), bcx = twoDiff(b.lon, c.lon)
        var e: [Double] = []
        e.reserveCapacity(16)
        for x in [acx.hi, acx.lo] {
            for y in [bcy.hi, bcy.lo] {
                let p = twoProduct(x, y)
                grow(&e, p.lo); grow(&e, p.hi)
            }
        }
        for x in [acy.hi, acy.lo] {
            for y in [bcx.hi, bcx.lo] {
                let p = twoProduct(x, y)
                grow(&e, -p.lo); grow(&e, -p.hi)
            }
        }
        // The components do not overlap and grow in magnitude: the last non-zero one sets the sign.
        for v in e.reversed() where v != 0 { return v > 0 ? 1 : -1 }
        return 0
    }

    @inline(__always)
    static func twoSum(_ a: Double, _ b: Double) -> (hi: Double, lo: Double) {
        let s = a + b
        let bb = s - a
        let err = (a - (s - bb)) + (b - bb)
        return (s, err)
    }

    @inline(__always)
    static func twoDiff(_ a: Double, _ b: Double) -> (hi: Double, lo: Double) { twoSum(a, -b) }

    @inline(__always)
    static func twoProduct(_ a: Double, _ b: Double) -> (hi: Double, lo: Double) {
        let p = a * b
        return (p, (-p).addingProduct(a, b))  // fused multiply-add gives the exact remainder
    }

    /// Shewchuk's Grow-Expansion: adds b to the expansion e exactly.
    static func grow(_ e: inout [Double], _ b: Double) {
        var q = b
        var out: [Double] = []
        out.reserveCapacity(e.count + 1)
        for x in e {
            let s = twoSum(q, x)
            if s.lo != 0 { out.append(s.lo) }
            q = s.hi
        }
        out.append(q)
        e = out
    }
}

public enum Location: Sendable, Equatable {
    case outside, boundary, inside
}

public enum PointInPolygon {
    /// Where p lies relative to one ring (crossing number with exact predicates; half-open in
    /// latitude so a ray through a vertex is counted once).
    public static func locate(_ p: Coordinate, in ring: Ring) -> Location {
        var inside = false
        var a = ring[ring.count - 1]
        for b in ring {
            defer { a = b }
            if (a.lat > p.lat) != (b.lat > p.lat) {
                let o = Predicates.orientation(a, b, p)
                if o == 0 { return .boundary }
                // Upward edges count when p is to their left, downward edges when to their right.
                if (o > 0) == (b.lat > a.lat) { inside.toggle() }
            } else if a.lat == p.lat && b.lat == p.lat {
                if (a.lon <= p.lon && p.lon <= b.lon) || (b.lon <= p.lon && p.lon <= a.lon) { return .boundary }
            } else if (a.lat == p.lat && a.lon == p.lon) || (b.lat == p.lat && b.lon == p.lon) {
                return .boundary
            }
        }
        return inside ? .inside : .outside
    }

    public static func locate(_ p: Coordinate, in polygon: Polygon) -> Location {
        switch locate(p, in: polygon.rings[0]) {
        case .outside: return .outside
        case .boundary: return .boundary
        case .inside:
            for hole in polygon.rings.dropFirst() {
                switch locate(p, in: hole) {
                case .inside: return .outside
                case .boundary: return .boundary
                case .outside: continue
                }
            }
            return .inside
        }
    }

    public static func locate(_ p: Coordinate, in m: MultiPolygon) -> Location {
        var result = Location.outside
        for poly in m.polygons {
            switch locate(p, in: poly) {
            case .inside: return .inside
            case .boundary: result = .boundary
            case .outside: break
            }
        }
        return result
    }
}
