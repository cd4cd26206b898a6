/// The layers the store keeps and the attribute schema of each. Queries, import validation and
/// feature encoding all read these descriptions; the tables themselves are created by migrations,
/// which never change once shipped.
public struct Layer: Hashable, Sendable {
    public enum GeometryKind: String, Sendable { case multiPolygon = "MULTIPOLYGON", point = "POINT" }
    public enum ValueKind: Sendable { case text, integer, real }

    public struct Column: Hashable, Sendable {
        public let name: String
        public let kind: ValueKind
        /// The layer whose `id` this column names, for parent references.
        public let parent: String?
        public let description: String
        init(_ name: String, _ kind: ValueKind, parent: String? = nil, _ description: String) {
            self.name = name; self.kind = kind; self.parent = parent; self.description = description
        }
        init(_ name: String, parent: String? = nil, _ description: String) {
            self.init(name, .text, parent: parent, description)
        }
    }

    /// Collection id and table name (no dots: QGIS breaks on dotted collection ids).
    public let name: String
    public let title: String
    public let titleZh: String
    public let geometry: GeometryKind
    /// Attribute columns besides `id` and the geometry, in output order.
    public let columns: [Column]
    public var table: String { name }

    public var geometryTypes: Set<String> {
        geometry == .point ? ["Point"] : ["Polygon", "MultiPolygon"]
    }

    public static let districts = Layer(
        name: "districts", title: "Districts", titleZh: "区县", geometry: .multiPolygon,
        columns: [Column("name", "name")])
    public static let streets = Layer(
        name: "streets", title: "Streets and towns", titleZh: "街道/镇", geometry: .multiPolygon,
        columns: [
            Column("name", "name"),
            Column("district_id", parent: "districts", "district (6-digit code)"),
            Column("zone", "functional zone the street belongs to, if any"),
        ])
    public static let communities = Layer(
        name: "communities", title: "Communities", titleZh: "社区", geometry: .multiPolygon,
        columns: [
            Column("name", "name"),
            Column("street_id", parent: "streets", "street or town (9-digit code)"),
            Column("district_id", parent: "districts", "district"),
        ])
    public static let grids = Layer(
        name: "grids", title: "Grids", titleZh: "网格", geometry: .multiPolygon,
        columns: [
            Column("name", "name"),
            Column("community_id", parent: "communities", "community (12-digit code)"),
            Column("street_id", parent: "streets", "street or town"),
            Column("district_id", parent: "districts", "district"),
            Column("worker_name", "grid worker"),
            Column("worker_phone", "grid worker's phone"),
        ])
    public static let compounds = Layer(
        name: "compounds", title: "Residential compounds", titleZh: "小区", geometry: .multiPolygon,
        columns: [
            Column("name", "name"),
            Column("grid_id", parent: "grids", "grid holding the compound's centroid"),
            Column("community_id", parent: "communities", "community"),
            Column("street_id", parent: "streets", "street or town"),
            Column("district_id", parent: "districts", "district"),
            Column("households", .integer, "number of households"),
            Column("population", .integer, "number of residents"),
            Column("entrance_lon", .real, "longitude of the main entrance, when known"),
            Column("entrance_lat", .real, "latitude of the main entrance, when known"),
        ])
    public static let stations = Layer(
        name: "stations", title: "Service stations", titleZh: "服务站点", geometry: .point,
        columns: [
            Column("name", "name"),
            Column("category", parent: "station_categories", "station category code (see /categories)"),
            Column("level", "county, town, community or compound"),
            Column("grid_id", parent: "grids", "grid"),
            Column("community_id", parent: "communities", "community"),
            Column("street_id", parent: "streets", "street or town"),
            Column("district_id", parent: "districts", "district"),
            Column("compound_id", parent: "compounds", "compound, when the station serves one"),
        ])

    /// In dependency order: parents before children.
    public static let all: [Layer] = [districts, streets, communities, grids, compounds, stations]

    public static func named(_ name: String) -> Layer? { all.first { $0.name == name } }

    public func column(_ name: String) -> Column? { columns.first { $0.name == name } }

    /// Ancestor columns that can be filled from a parent row when the input leaves them out,
    /// e.g. a grid's street_id from its community.
    var derivableAncestors: [(column: String, via: String, parentTable: String)] {
        // Most specific parent first, so a station in a compound takes its grid from the compound.
        let chain = [("compound_id", "compounds"), ("grid_id", "grids"), ("community_id", "communities"), ("street_id", "streets")]
        var out: [(String, String, String)] = []
        let names = Set(columns.map(\.name))
        for (via, parentTable) in chain where names.contains(via) {
            guard let parentLayer = Layer.named(parentTable) else { continue }
            for c in parentLayer.columns where c.parent != nil && names.contains(c.name) && c.name != via && c.name != "category" {
                out.append((c.name, via, parentTable))
            }
        }
        return out
    }
}

public struct StationCategory: Hashable, Sendable, Codable {
    public let code: String
    public let nameZh: String
    public let nameEn: String
    public let countsTowardAll: Bool
    public init(code: String, nameZh: String, nameEn: String, countsTowardAll: Bool) {
        self.code = code; self.nameZh = nameZh; self.nameEn = nameEn; self.countsTowardAll = countsTowardAll
    }
}
