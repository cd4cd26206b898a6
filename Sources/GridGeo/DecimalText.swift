/// Numbers in text as people, CSV files and JSON write them: decimal only. C's `strtod`, and with
/// it Swift's `Double(String)`, also reads hexadecimal (`0x10` = 16), `inf`, `infinity` and
/// `nan`; a coordinate or a radius written that way is a mistake to report, not a value to use.
public enum DecimalText {
    /// Whether `p[s..<e]` is `[+-]? digits [. digits] [(e|E) [+-]? digits]`, with at least one
    /// digit before the exponent (`5.`, `.5` and `+1e3` are decimal; `0x10`, `inf`, `nan`, `1e`,
    /// `.` and ` 1` are not).
    public static func isDecimal(_ p: UnsafeBufferPointer<UInt8>, _ s: Int, _ e: Int) -> Bool {
        var i = s
        if i < e && (p[i] == 43 || p[i] == 45) { i += 1 }
        var digits = 0
        while i < e && p[i] &- 48 <= 9 { i += 1; digits += 1 }
        if i < e && p[i] == 46 {
            i += 1
            while i < e && p[i] &- 48 <= 9 { i += 1; digits += 1 }
        }
        guard digits > 0 else { return false }
        if i < e && (p[i] == 101 || p[i] == 69) {
            i += 1
            if i < e && (p[i] == 43 || p[i] == 45) { i += 1 }
            var exponentDigits = 0
            while i < e && p[i] &- 48 <= 9 { i += 1; exponentDigits += 1 }
            guard exponentDigits > 0 else { return false }
        }
        return i == e
    }

    /// The nearest double to a decimal text (nothing around it), nil for anything that is not
    /// decimal. Out of range gives ±infinity (`1e400`) and the caller says "must be finite".
    public static func double(_ text: some StringProtocol) -> Double? {
        var s = String(text)
        guard s.withUTF8({ isDecimal($0, 0, $0.count) }) else { return nil }
        return Double(s)
    }

    /// Whether a text that is not decimal is one of strtod's words for infinity or NaN, so an
    /// error can say "must be finite" rather than "not a number".
    public static func isNonFiniteWord(_ text: some StringProtocol) -> Bool {
        var t = text.lowercased()[...]
        if t.first == "+" || t.first == "-" { t = t.dropFirst() }
        return t == "inf" || t == "infinity" || t == "nan"
    }
}
