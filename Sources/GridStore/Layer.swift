/// The layers the store keeps, with what SQL cannot say about them: titles, what each column
/// means and which layer a reference column names. The columns themselves (names, order, value
/// kinds) are defined once, by the migrations, and read from the store when it opens: see
/// `StoreSchema`. `SchemaTests` fails when a schema column has no description here or a
/// description names no column.
public struct Layer: Hashable, Sendable {
    public enum GeometryKind: String, Sendable { case multiPolygon = "MULTIPOLYGON", point = "POINT" }

    /// Collection id and table name (no dots: QGIS breaks on dotted collection ids).
    public let name: String
    public let title: String
    public let titleZh: String
    public let geometry: GeometryKind
    /// Column name → what it holds, for the API description. Every attribute column of the
    /// migrated table must have one.
    public let descriptions: [String: String]
    /// Reference column → the table whose key it names (`id` of a layer, `code` of station_categories).
    public let references: [String: String]
    public var table: String { name }
    /// The table holding the rows that later imports replaced (the layer's boundary history).
    public var historyTable: String { name + "_history" }

    public var geometryTypes: Set<String> {
        geometry == .point ? ["Point"] : ["Polygon", "MultiPolygon"]
    }

    public static let districts = Layer(
        name: "districts", title: "Districts", titleZh: "区县", geometry: .multiPolygon,
        descriptions: ["name": "name"], references: [:])
    public static let streets = Layer(
        name: "streets", title: "Streets and towns", titleZh: "街道/镇", geometry: .multiPolygon,
        descriptions: [
            "name": "name",
            "district_id": "district (6-digit code)",
            "zone": "functional zone the street belongs to, if any",
        ],
        references: ["district_id": "districts"])
    public static let communities = Layer(
        name: "communities", title: "Communities", titleZh: "社区", geometry: .multiPolygon,
        descriptions: [
            "name": "name",
            "street_id": "street or town (9-digit code)",
            "district_id": "district",
        ],
        references: ["street_id": "streets", "district_id": "districts"])
    public static let grids = Layer(
        name: "grids", title: "Grids", titleZh: "网格", geometry: .multiPolygon,
        descriptions: [
            "name": "name",
            "community_id": "community (12-digit code)",
            "street_id": "street or town",
            "district_id": "district",
            "worker_name": "grid worker",
            "worker_phone": "grid worker's phone",
        ],
        references: ["community_id": "communities", "street_id": "streets", "district_id": "districts"])
    public static let compounds = Layer(
        name: "compounds", title: "Residential compounds", titleZh: "小区", geometry: .multiPolygon,
        descriptions: [
            "name": "name",
            "grid_id": "grid holding the compound's centroid",
            "community_id": "community",
            "street_id": "street or town",
            "district_id": "district",
            "households": "number of households",
            "population": "number of residents",
            "entrance_lon": "longitude of the main entrance, when known",
            "entrance_lat": "latitude of the main entrance, when known",
        ],
        references: ["grid_id": "grids", "community_id": "communities", "street_id": "streets", "district_id": "districts"])
    public static let stations = Layer(
        name: "stations", title: "Service stations", titleZh: "服务站点", geometry: .point,
        descriptions: [
            "name": "name",
            "category": "station category code (see /categories)",
            "level": "county, town, community or compound",
            "grid_id": "grid",
            "community_id": "community",
            "street_id": "street or town",
            "district_id": "district",
            "compound_id": "compound, when the station serves one",
        ],
        references: [
            "category": "station_categories", "grid_id": "grids", "community_id": "communities",
            "street_id": "streets", "district_id": "districts", "compound_id": "compounds",
        ])

    /// In dependency order: parents before children.
    public static let all: [Layer] = [districts, streets, communities, grids, compounds, stations]

    public static func named(_ name: String) -> Layer? { all.first { $0.name == name } }
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
