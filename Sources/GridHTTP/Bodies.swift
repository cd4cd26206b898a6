import GridGeo
import Hummingbird

// The typed JSON bodies of the OGC API resources (OGC API – Features Part 1 §7 and Part 2), in
// the member order the standard lists them. Encoded by WanggeRequestContext's encoder.

/// A link (OGC API – Features Part 1 §7.2; RFC 8288 relation types).
public struct Link: Codable, Equatable, Sendable {
    public var href: String
    public var rel: String
    public var type: String
    public var title: String?
}

/// `GET /`.
struct LandingPage: ResponseEncodable {
    var title: String
    var description: String
    var links: [Link]
}

/// `GET /conformance`.
struct ConformanceDeclaration: ResponseEncodable {
    var conformsTo: [String]
}

/// `GET /collections`.
struct CollectionList: ResponseEncodable {
    var links: [Link]
    var collections: [CollectionInfo]
}

/// `GET /collections/{layer}`, and each entry of the list.
struct CollectionInfo: ResponseEncodable {
    var id: String
    var title: String
    var description: String
    var itemType: String
    var extent: Extent?
    /// The CRSs the items can be served in (Part 2).
    var crs: [String]
    var storageCrs: String
    var links: [Link]

    struct Extent: Codable {
        var spatial: Spatial
    }
    struct Spatial: Codable {
        /// One box: minLon, minLat, maxLon, maxLat in `crs`.
        var bbox: [[Double]]
        var crs: String
    }
}

/// `GET /categories`: the station categories.
struct CategoryList: ResponseEncodable {
    var categories: [Category]

    struct Category: Codable {
        var code: String
        var nameZh: String
        var nameEn: String
        var countsTowardAll: Bool

        enum CodingKeys: String, CodingKey {
            case code, nameZh = "name_zh", nameEn = "name_en", countsTowardAll = "counts_toward_all"
        }
    }
}

/// Any JSON value as an Encodable, for the parts of a typed body that are open (feature
/// properties, geometries read back from the store).
struct AnyJSON: Encodable, Sendable {
    var value: JSONValue
    init(_ value: JSONValue) { self.value = value }

    func encode(to encoder: any Encoder) throws {
        switch value {
        case .null:
            var c = encoder.singleValueContainer(); try c.encodeNil()
        case .bool(let b):
            var c = encoder.singleValueContainer(); try c.encode(b)
        case .string(let s):
            var c = encoder.singleValueContainer(); try c.encode(s)
        case .number(let d, _):
            var c = encoder.singleValueContainer()
            if d.rounded() == d, abs(d) < 9e15 { try c.encode(Int64(d)) } else { try c.encode(d) }
        case .array(let a):
            var c = encoder.unkeyedContainer()
            for v in a { try c.encode(AnyJSON(v)) }
        case .object(let o):
            var c = encoder.container(keyedBy: AnyKey.self)
            for m in o.members { try c.encode(AnyJSON(m.value), forKey: AnyKey(m.key)) }
        }
    }
}

struct AnyKey: CodingKey {
    var stringValue: String
    var intValue: Int? { nil }
    init(_ s: String) { stringValue = s }
    init?(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }
}

/// `GET /tiers`: the life service circles and the walking model (DESIGN §3; GB 50180-2018).
struct TierList: ResponseEncodable {
    var tiers: [Tier]
    var walking_speed_kmh: Double
    var detour_factor: Double
    var method: String
    var parameters: [Parameter]

    struct Tier: Codable {
        var minutes: Int
        var radius_m: Double
        var name_zh: String
        var name_en: String
    }
    struct Parameter: Codable {
        var parameter: String
        var value: Double
        var unit: String
        var name_zh: String
        var name_en: String
    }
}
