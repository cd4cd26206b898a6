import GridGeo

/// A district, street or community: the administrative areas above the grids. Parent ids are
/// nil where the layer has no such column (a district has no street) or the row leaves it empty.
public struct AreaRecord: Sendable, Equatable {
    public let id: String
    public let name: String?
    public let streetId: String?
    public let districtId: String?
    /// The functional zone of a street (streets only).
    public let zone: String?
    /// EPSG:4326 longitude-latitude, exactly as stored.
    public let geometry: MultiPolygon
}

/// A grid (网格): the smallest unit of governance, with its chain and its worker.
public struct GridRecord: Sendable, Equatable {
    public let id: String
    public let name: String?
    public let communityId: String?
    public let streetId: String?
    public let districtId: String?
    public let workerName: String?
    public let workerPhone: String?
    public let geometry: MultiPolygon
}

/// A residential compound (小区).
public struct CompoundRecord: Sendable, Equatable {
    public let id: String
    public let name: String?
    public let gridId: String?
    public let communityId: String?
    public let streetId: String?
    public let districtId: String?
    public let households: Int?
    public let population: Int?
    /// The main entrance in EPSG:4326 degrees, when known.
    public let entranceLon: Double?
    public let entranceLat: Double?
    public let geometry: MultiPolygon
}

/// A service station (服务站点): a point with a category code from station_categories.
public struct StationRecord: Sendable, Equatable {
    public let id: String
    public let name: String?
    public let category: String
    /// county, town, community or compound.
    public let level: String?
    public let gridId: String?
    public let communityId: String?
    public let streetId: String?
    public let districtId: String?
    public let compoundId: String?
    public let point: Coordinate
}

/// Every layer as it stood at one boundary generation, read in one read transaction.
public struct StoreSnapshot: Sendable {
    /// The generation the rows are valid at (the newest one when none was asked for; 0 for an
    /// empty store).
    public let generation: Int64
    public let districts: [AreaRecord]
    public let streets: [AreaRecord]
    public let communities: [AreaRecord]
    public let grids: [GridRecord]
    public let compounds: [CompoundRecord]
    public let stations: [StationRecord]
    /// The walking network's edges (current only: the network has no boundary history; empty
    /// when no network was imported).
    public let network: [NetworkEdgeRecord]
}

/// One edge of the walking network, from one junction (or dead end) to the next.
public struct NetworkEdgeRecord: Sendable, Equatable {
    /// The row's `fid`.
    public let id: Int64
    public let sourceNode: Int64
    public let targetNode: Int64
    /// Sum of the WGS84 geodesic lengths of the segments, metres.
    public let lengthM: Double
    /// OpenStreetMap's `highway` value, or what a GeoJSON import's property said.
    public let highway: String?
    public let name: String?
    public let osmWayId: Int64?
    /// WGS84 longitude/latitude, degrees; first is `sourceNode`, last is `targetNode`.
    public let coordinates: [Coordinate]
    public init(id: Int64, sourceNode: Int64, targetNode: Int64, lengthM: Double, highway: String?, name: String?,
                osmWayId: Int64?, coordinates: [Coordinate]) {
        self.id = id; self.sourceNode = sourceNode; self.targetNode = targetNode; self.lengthM = lengthM
        self.highway = highway; self.name = name; self.osmWayId = osmWayId; self.coordinates = coordinates
    }
}

/// One import: the generation it opened, with what it brought.
public struct BoundaryGeneration: Sendable, Equatable {
    public let id: Int64
    public let layer: String
    /// ISO 8601 UTC, to the millisecond.
    public let importedAt: String
    /// The file it came from, as the importer named it.
    public let source: String?
    /// The input CRS (e.g. `EPSG:4547`, `gcj02`).
    public let sourceCRS: String?
    public let featureCount: Int
    /// Invalid polygons repaired with MakeValid.
    public let repairedCount: Int
}

/// A generation that the store does not have: 0, negative, or newer than the newest import.
public struct UnknownGeneration: Error, Sendable, CustomStringConvertible {
    public let requested: Int64
    /// The newest generation (0 when the store has none).
    public let latest: Int64

    public var description: String {
        latest == 0
            ? "generation \(requested) does not exist: the store has no boundary generation yet (import a layer first)"
            : "generation \(requested) does not exist: this store has generations 1 to \(latest) (see `wangge generations`)"
    }
}
