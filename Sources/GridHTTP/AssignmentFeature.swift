import GridGeo
import GridIndex

/// The answer of `/assign` for one point as a typed body: the GeoJSON Feature that GridIO's byte
/// writer (`Assignment.geoJSONFeature`, the hot path of `GET /assign`) must produce, member for
/// member. AssignTests compares the two on every kind of answer (inside, on a boundary, outside
/// every grid, with distances).
struct AssignmentFeature: Encodable {
    var type = "Feature"
    var id: String?
    var geometry: Point
    var properties: Properties

    struct Point: Encodable {
        var type = "Point"
        var coordinates: [Double]
    }

    /// A grid, community, street, district or compound: `{"id", "name"}`.
    struct Ref: Encodable {
        var id: String
        var name: String?
        func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(id, forKey: .id)
            try c.encode(name, forKey: .name)  // null, not missing
        }
        enum CodingKeys: CodingKey { case id, name }
    }

    struct Worker: Encodable {
        var name: String?
        var phone: String?
        func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(name, forKey: .name)
            try c.encode(phone, forKey: .phone)
        }
        enum CodingKeys: CodingKey { case name, phone }
    }

    struct Nearest: Encodable {
        var grid: Ref
        var distanceM: Double
        enum CodingKeys: String, CodingKey { case grid, distanceM = "distance_m" }
    }

    struct Properties: Encodable {
        var grid, community, street, district, compound: Ref?
        var worker: Worker?
        var boundary: Bool
        var candidates: [String]
        /// Grid id → metres, in candidate order; only when the caller gave an accuracy.
        var candidateDistances: [(String, Double)]?
        var nearest: Nearest?
        var generation: Int

        enum CodingKeys: String, CodingKey {
            case grid, community, street, district, compound, worker, boundary, candidates
            case candidateDistances = "candidate_distances_m", nearest, generation
        }

        func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            // The chain and the worker are always present (null when there is none).
            try c.encode(grid, forKey: .grid)
            try c.encode(community, forKey: .community)
            try c.encode(street, forKey: .street)
            try c.encode(district, forKey: .district)
            try c.encode(compound, forKey: .compound)
            try c.encode(worker, forKey: .worker)
            try c.encode(boundary, forKey: .boundary)
            try c.encode(candidates, forKey: .candidates)
            if let candidateDistances {
                var d = c.nestedContainer(keyedBy: AnyKey.self, forKey: .candidateDistances)
                for (id, m) in candidateDistances { try d.encode(m, forKey: AnyKey(id)) }
            }
            try c.encodeIfPresent(nearest, forKey: .nearest)
            try c.encode(generation, forKey: .generation)
        }
    }

    init(_ a: Assignment, id: String?, withDistances: Bool) {
        func ref(_ id: String?, _ name: String?) -> Ref? { id.map { Ref(id: $0, name: name) } }
        let g = a.grid
        self.id = id
        geometry = Point(coordinates: [a.point.lon, a.point.lat])
        properties = Properties(
            grid: ref(g?.id, g?.name), community: ref(g?.communityId, g?.communityName),
            street: ref(g?.streetId, g?.streetName), district: ref(g?.districtId, g?.districtName),
            compound: ref(a.compound?.id, a.compound?.name),
            worker: g.flatMap { $0.workerName != nil || $0.workerPhone != nil ? Worker(name: $0.workerName, phone: $0.workerPhone) : nil },
            boundary: a.boundary, candidates: a.candidates.map(\.grid.id),
            candidateDistances: withDistances ? a.candidates.map { ($0.grid.id, Self.millimetres($0.metres)) } : nil,
            nearest: a.nearest.map { Nearest(grid: Ref(id: $0.grid.id, name: $0.grid.name), distanceM: Self.millimetres($0.metres)) },
            generation: Int(a.generation))
    }

    /// Millimetres are plenty for a distance people read (the rule of the byte writer).
    static func millimetres(_ m: Double) -> Double { (m * 1000).rounded() / 1000 }
}
