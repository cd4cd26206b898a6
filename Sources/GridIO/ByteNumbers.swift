import GridGeo

/// Numbers written as bytes without building a String: the answer writers of hot paths
/// (`GET /nearest`) use these where `JSONText.number` would allocate.
extension ByteText {
    /// A whole number in decimal, as `String(v)` writes it.
    @inline(__always)
    static func decimal(_ v: Int, into out: inout [UInt8]) {
        if v < 0 { out.append(45) }
        decimal(v.magnitude, into: &out)
    }

    static func decimal(_ v: UInt, into out: inout [UInt8]) {
        if v < 10 { out.append(48 &+ UInt8(truncatingIfNeeded: v)); return }
        var digits = 0, rest = v
        while rest > 0 { digits += 1; rest /= 10 }
        let start = out.count
        for _ in 0..<digits { out.append(48) }
        var x = v, i = start + digits - 1
        while x > 0 { out[i] = 48 &+ UInt8(truncatingIfNeeded: x % 10); x /= 10; i -= 1 }
    }

    /// Exactly `JSONText.number((d * 1000).rounded() / 1000)`: a distance to the millimetre or
    /// minutes to the thousandth. For |d| < 10^12 the rounded value r/1000 (r an integer) is
    /// written as its integer part and up to three fraction digits without trailing zeros: that
    /// decimal is the exact value the double nearest to r/1000 stands for, and no shorter or
    /// other decimal of that length is within half an ulp of it, so it is the shortest
    /// round-trip text Swift's `description` gives (a test compares them on a million values).
    /// Anything else goes through `JSONText.number`.
    static func thousandths(_ d: Double, into out: inout [UInt8]) {
        let r = (d * 1000).rounded()
        guard r.isFinite, abs(r) < 1e15 else { jsonNumber(r / 1000, into: &out); return }
        let n = Int64(r)
        if n < 0 { out.append(45) }
        let m = UInt(n.magnitude)
        decimal(m / 1000, into: &out)
        let f = m % 1000
        guard f != 0 else { return }
        out.append(46)
        out.append(48 &+ UInt8(truncatingIfNeeded: f / 100))
        if f % 100 != 0 {
            out.append(48 &+ UInt8(truncatingIfNeeded: f / 10 % 10))
            if f % 10 != 0 { out.append(48 &+ UInt8(truncatingIfNeeded: f % 10)) }
        }
    }

    /// `JSONText.number(d)`, without a String for whole numbers (detour factors, speeds).
    @inline(__always)
    static func number(_ d: Double, into out: inout [UInt8]) {
        if d.isFinite, d == d.rounded(), abs(d) < 1e15 { decimal(Int(d), into: &out) } else { jsonNumber(d, into: &out) }
    }
}
