/// The one rule for feature and point ids written in JSON (RFC 7946 §3.2 allows a string or a
/// number), used by every import and every point reader:
///
/// - a string is the id exactly as written (`"007"`, `"10.0"` stay as they are);
/// - a number must be a whole number and becomes its canonical decimal text, computed from the
///   digits as written (never through a double, so 18-digit codes stay exact): `10`, `1e1`,
///   `10.0` and `1.0E+1` are all the id `"10"`, the same id as the string `"10"`; pandas'
///   `441302001001001.0` is `"441302001001001"`; `-0` is `"0"`;
/// - a number with a fraction (`10.5`) or more than `maxDigits` digits is refused, naming it.
public enum FeatureId {
    public struct Invalid: Error, CustomStringConvertible, Sendable {
        public let message: String
        public var description: String { message }
    }

    /// More digits than any code in use (a Chinese grid code has 15, an ID card number 18).
    public static let maxDigits = 40

    /// The id a JSON value denotes; nil for JSON null. Throws `Invalid` for fractions, huge
    /// numbers and values that are neither strings nor numbers.
    public static func from(_ value: JSONValue) throws -> String? {
        switch value {
        case .null: return nil
        case .string(let s): return s
        case .number(_, let text):
            guard let id = canonical(text) else {
                throw Invalid(message: "a numeric id must be a whole number of at most \(maxDigits) digits (ids are decimal text: 10, 1e1 and 10.0 are the id \"10\"), found \(text.prefix(60)); write ids with a fraction as strings")
            }
            return id
        default:
            throw Invalid(message: "id must be a string or number, found \(value.typeName)")
        }
    }

    /// The canonical decimal text of a JSON number that is a whole number; nil otherwise.
    public static func canonical(_ text: String) -> String? {
        var bytes = Substring(text).utf8[...]
        var negative = false
        if bytes.first == UInt8(ascii: "-") { negative = true; bytes = bytes.dropFirst() }
        var digits: [UInt8] = []
        var fractionDigits = 0
        var exponent = 0
        var sawPoint = false
        var i = bytes.startIndex
        while i < bytes.endIndex {
            let b = bytes[i]
            if b >= 0x30 && b <= 0x39 {
                digits.append(b)
                if sawPoint { fractionDigits += 1 }
            } else if b == UInt8(ascii: ".") && !sawPoint {
                sawPoint = true
            } else if b == UInt8(ascii: "e") || b == UInt8(ascii: "E") {
                let rest = String(decoding: bytes[bytes.index(after: i)...], as: UTF8.self)
                // Bounded so that `1e999999999` cannot ask for a billion zeros.
                guard let e = Int(rest.hasPrefix("+") ? String(rest.dropFirst()) : rest), abs(e) <= 10_000 else { return nil }
                exponent = e
                break
            } else {
                return nil
            }
            i = bytes.index(after: i)
        }
        guard !digits.isEmpty else { return nil }
        // value = digits × 10^(exponent − fractionDigits)
        var shift = exponent - fractionDigits
        while shift < 0, digits.last == UInt8(ascii: "0") { digits.removeLast(); shift += 1 }
        if let firstNonZero = digits.firstIndex(where: { $0 != UInt8(ascii: "0") }) {
            digits.removeSubrange(..<firstNonZero)
        } else {
            return "0"
        }
        guard shift >= 0, digits.count + shift <= maxDigits else { return nil }
        digits.append(contentsOf: repeatElement(UInt8(ascii: "0"), count: shift))
        return (negative ? "-" : "") + String(decoding: digits, as: UTF8.self)
    }
}
