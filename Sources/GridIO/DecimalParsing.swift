import GridGeo
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Decimal text to the nearest double, exactly as strtod rounds it, without building a String:
/// the number parser of the bulk path. Plain decimals (`114.4204025`, `-23.1e-2`, up to 19
/// significant digits) are done in integer arithmetic; other decimals (more digits, large
/// exponents) go to strtod, so the result is always the correctly rounded one. Only decimal text
/// is a number (`DecimalText.isDecimal`): strtod's hex, `inf` and `nan` are not.
enum DecimalParsing {
    // Powers of ten as switches rather than static arrays: a static is checked for lazy
    // initialisation on every use, which showed in profiles of the bulk path.
    @inline(__always)
    private static func pow10(_ k: Int) -> Double {
        switch k {
        case 0: return 1e0
        case 1: return 1e1
        case 2: return 1e2
        case 3: return 1e3
        case 4: return 1e4
        case 5: return 1e5
        case 6: return 1e6
        case 7: return 1e7
        case 8: return 1e8
        case 9: return 1e9
        case 10: return 1e10
        case 11: return 1e11
        case 12: return 1e12
        case 13: return 1e13
        case 14: return 1e14
        case 15: return 1e15
        case 16: return 1e16
        case 17: return 1e17
        case 18: return 1e18
        case 19: return 1e19
        case 20: return 1e20
        case 21: return 1e21
        case 22: return 1e22
        default: return .nan
        }
    }

    @inline(__always)
    private static func pow10u(_ k: Int) -> UInt64 {
        switch k {
        case 0: return 1
        case 1: return 10
        case 2: return 100
        case 3: return 1000
        case 4: return 10000
        case 5: return 100000
        case 6: return 1000000
        case 7: return 10000000
        case 8: return 100000000
        case 9: return 1000000000
        case 10: return 10000000000
        case 11: return 100000000000
        case 12: return 1000000000000
        case 13: return 10000000000000
        case 14: return 100000000000000
        case 15: return 1000000000000000
        case 16: return 10000000000000000
        case 17: return 100000000000000000
        case 18: return 1000000000000000000
        case 19: return 10000000000000000000
        default: return 0
        }
    }

    /// The value of p[start..<end] with surrounding spaces and tabs ignored; nil when the text is
    /// not a decimal number in full.
    static func parse(_ p: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) -> Double? {
        var s = start, e = end
        while s < e && (p[s] == 32 || p[s] == 9) { s += 1 }
        while e > s && (p[e - 1] == 32 || p[e - 1] == 9) { e -= 1 }
        if s == e { return nil }
        if let v = fast(p, s, e) { return v }
        return slow(p, s, e)
    }

    @inline(__always)
    private static func fast(_ p: UnsafeBufferPointer<UInt8>, _ s: Int, _ e: Int) -> Double? {
        var i = s
        var negative = false
        if p[i] == 45 { negative = true; i += 1 } else if p[i] == 43 { i += 1 }
        var m: UInt64 = 0
        var digits = 0, fractionDigits = 0
        var sawDigit = false
        // Leading zeros do not count toward the 19 digits a UInt64 holds.
        while i < e {
            let d = p[i] &- 48
            if d > 9 { break }
            sawDigit = true
            if m != 0 || d != 0 { digits += 1; if digits > 19 { return nil }; m = m &* 10 &+ UInt64(d) }
            i += 1
        }
        if i < e && p[i] == 46 {
            i += 1
            while i < e {
                let d = p[i] &- 48
                if d > 9 { break }
                sawDigit = true
                if m != 0 || d != 0 { digits += 1; if digits > 19 { return nil }; m = m &* 10 &+ UInt64(d) }
                fractionDigits += 1
                i += 1
            }
        }
        guard sawDigit else { return nil }
        var exp = 0
        if i < e && (p[i] == 101 || p[i] == 69) {
            i += 1
            var eneg = false
            if i < e && (p[i] == 45 || p[i] == 43) { eneg = p[i] == 45; i += 1 }
            var ed = 0
            while i < e {
                let d = p[i] &- 48
                if d > 9 { break }
                if exp < 10_000 { exp = exp * 10 + Int(d) }
                ed += 1
                i += 1
            }
            guard ed > 0 else { return nil }
            if eneg { exp = -exp }
        }
        guard i == e else { return nil }
        let scale = exp - fractionDigits
        if m == 0 { return negative ? -0.0 : 0.0 }
        var v: Double
        if scale >= 0 {
            // Integer times a power of ten: exact operands, one rounding (Clinger's fast path).
            guard m <= 1 << 53, scale <= 22 else { return nil }
            v = Double(m) * pow10(scale)
        } else if m <= 1 << 53 && scale >= -22 {
            v = Double(m) / pow10(-scale)
        } else if scale >= -19 {
            v = divide(m, pow10u(-scale))
        } else {
            return nil
        }
        return negative ? -v : v
    }

    /// m / d rounded to nearest, ties to even, for m < 2^64 and 10 ≤ d = 10^k ≤ 10^19: the quotient
    /// of m·2^s / d in 128-bit integers holds 62–64 bits; the bits below the 53 kept and the
    /// remainder decide the rounding.
    @inline(__always)
    private static func divide(_ m: UInt64, _ d: UInt64) -> Double {
        let bm = 64 - m.leadingZeroBitCount, bd = 64 - d.leadingZeroBitCount
        let s = 63 + bd - bm  // 1...126: m·2^s < d·2^64 and the quotient ≥ 2^62
        let high: UInt64 = s >= 64 ? m << UInt64(s - 64) : m >> UInt64(64 - s)
        let low: UInt64 = s >= 64 ? 0 : m << UInt64(s)
        let (q, r) = d.dividingFullWidth((high, low))
        let bits = 64 - q.leadingZeroBitCount
        let drop = bits - 53
        var keep = q >> UInt64(drop)
        let rest = q & ((1 << UInt64(drop)) - 1)
        let half: UInt64 = 1 << UInt64(drop - 1)
        if rest > half || (rest == half && (r != 0 || keep & 1 == 1)) { keep += 1 }
        return Double(sign: .plus, exponent: drop - s, significand: Double(keep))
    }

    /// The value of a text (nothing around it) by `parse`; nil when it is not decimal.
    static func parse(_ text: Substring) -> Double? {
        var t = text
        if let v = t.utf8.withContiguousStorageIfAvailable({ parse($0, 0, $0.count) }) { return v }
        return Array(t.utf8).withUnsafeBufferPointer { parse($0, 0, $0.count) }
    }

    private static func slow(_ p: UnsafeBufferPointer<UInt8>, _ s: Int, _ e: Int) -> Double? {
        guard DecimalText.isDecimal(p, s, e) else { return nil }
        let n = e - s
        return withUnsafeTemporaryAllocation(of: CChar.self, capacity: n + 1) { buf -> Double? in
            for k in 0..<n { buf[k] = CChar(bitPattern: p[s + k]) }
            buf[n] = 0
            var end: UnsafeMutablePointer<CChar>?
            let v = strtod(buf.baseAddress!, &end)
            guard let end, end == buf.baseAddress! + n else { return nil }
            return v
        }
    }
}
