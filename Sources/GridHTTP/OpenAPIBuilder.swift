import GridGeo

/// A JSON value written as Swift literals, to keep the API definition readable:
/// `["type": "object", "required": ["id"]]`. Object members keep their written order.
indirect enum J: ExpressibleByDictionaryLiteral, ExpressibleByArrayLiteral, ExpressibleByStringLiteral,
    ExpressibleByIntegerLiteral, ExpressibleByBooleanLiteral, ExpressibleByFloatLiteral, Sendable
{
    case object([(String, J)])
    case array([J])
    case string(String)
    case int(Int)
    case double(Double)
    case bool(Bool)
    case null

    init(dictionaryLiteral elements: (String, J)...) { self = .object(elements) }
    init(arrayLiteral elements: J...) { self = .array(elements) }
    init(stringLiteral value: String) { self = .string(value) }
    init(integerLiteral value: Int) { self = .int(value) }
    init(booleanLiteral value: Bool) { self = .bool(value) }
    init(floatLiteral value: Double) { self = .double(value) }

    static func strings(_ list: [String]) -> J { .array(list.map { .string($0) }) }
    static func schemaRef(_ name: String) -> J { ["$ref": .string("#/components/schemas/\(name)")] }
    static func parameterRef(_ name: String) -> J { ["$ref": .string("#/components/parameters/\(name)")] }
    static func responseRef(_ name: String) -> J { ["$ref": .string("#/components/responses/\(name)")] }

    /// Adds members to an object (no-op for other values).
    func adding(_ more: [(String, J)]) -> J {
        guard case .object(let m) = self else { return self }
        return .object(m + more)
    }

    var json: JSONValue {
        switch self {
        case .object(let m): return .object(JSONObject(m.map { ($0.0, $0.1.json) }))
        case .array(let a): return .array(a.map(\.json))
        case .string(let s): return .string(s)
        case .int(let i): return .int(i)
        case .double(let d): return .number(d)
        case .bool(let b): return .bool(b)
        case .null: return .null
        }
    }
}
