import Foundation
import GRDB
import GridGeo

/// Which rows a read sees: the newest generation reads the layer tables alone (the hot path,
/// unchanged by history); an older one also reads the history tables.
struct GenerationScope {
    let generation: Int64
    let historical: Bool

    /// Resolves a requested generation inside the read transaction that will use it, so the
    /// answer and the generation it names agree. nil means the newest.
    static func resolve(_ requested: Int64?, _ db: Database) throws -> GenerationScope {
        let latest = try Int64.fetchOne(db.cachedStatement(sql: "SELECT max(id) FROM boundary_generations")) ?? 0
        guard let requested else { return GenerationScope(generation: latest, historical: false) }
        guard requested >= 1, requested <= latest else { throw UnknownGeneration(requested: requested, latest: latest) }
        return GenerationScope(generation: requested, historical: requested < latest)
    }

    /// The tables holding a layer's rows at this generation, each with the condition that picks
    /// them (MapIt's rule, inclusive at both ends): current rows imported at or before it, and
    /// history rows whose range contains it.
    func sources(_ layer: Layer) -> [(table: String, condition: String?, rank: Int)] {
        guard historical else { return [(layer.table, nil, 0)] }
        let n = generation
        return [
            (layer.table, "generation_low <= \(n)", 0),
            (layer.historyTable, "generation_low <= \(n) AND generation_high >= \(n)", 1),
        ]
    }

    /// `SELECT columns` over the rows valid at this generation, as one statement.
    func select(_ columns: String, from layer: Layer) -> String {
        sources(layer).map { s in
            "SELECT \(columns) FROM \(s.table)" + (s.condition.map { " WHERE \($0)" } ?? "")
        }.joined(separator: " UNION ALL ")
    }
}

extension GridDatabase {
    /// Every import the store remembers, oldest first.
    public func generations() throws -> [BoundaryGeneration] {
        try read { db in
            try Row.fetchAll(db, sql: """
                SELECT id, layer, imported_at, source, source_crs, feature_count, repaired_count FROM boundary_generations ORDER BY id
                """).map {
                BoundaryGeneration(id: $0[0], layer: $0[1], importedAt: $0[2], source: $0[3], sourceCRS: $0[4], featureCount: $0[5], repairedCount: $0[6])
            }
        }
    }

    /// The newest boundary generation of any layer (0 for an empty store).
    public func currentGeneration() throws -> Int64 {
        try read { db in try Int64.fetchOne(db, sql: "SELECT max(id) FROM boundary_generations") ?? 0 }
    }

    /// Every layer as it stood at `generation` (nil: the newest), in one read transaction.
    /// Throws `UnknownGeneration` for a generation the store does not have.
    public func snapshot(generation: Int64? = nil) throws -> StoreSnapshot {
        try read { db in
            let scope = try GenerationScope.resolve(generation, db)
            return StoreSnapshot(
                generation: scope.generation,
                districts: try Self.areas(.districts, scope, db, schema), streets: try Self.areas(.streets, scope, db, schema),
                communities: try Self.areas(.communities, scope, db, schema), grids: try Self.grids(scope, db),
                compounds: try Self.compounds(scope, db), stations: try Self.stations(scope, db),
                network: try Self.networkEdges(db))
        }
    }

    /// The districts, streets or communities at `generation` (nil: the newest).
    public func areas(_ layer: Layer, generation: Int64? = nil) throws -> [AreaRecord] {
        try read { db in try Self.areas(layer, try GenerationScope.resolve(generation, db), db, schema) }
    }

    public func grids(generation: Int64? = nil) throws -> [GridRecord] {
        try read { db in try Self.grids(try GenerationScope.resolve(generation, db), db) }
    }

    public func compounds(generation: Int64? = nil) throws -> [CompoundRecord] {
        try read { db in try Self.compounds(try GenerationScope.resolve(generation, db), db) }
    }

    public func stations(generation: Int64? = nil) throws -> [StationRecord] {
        try read { db in try Self.stations(try GenerationScope.resolve(generation, db), db) }
    }

    /// The stations of the newest generation and that generation's number, in one read
    /// transaction (what the station index needs, without the polygons and the network that
    /// `snapshot()` also reads).
    public func stationSnapshot() throws -> (generation: Int64, stations: [StationRecord]) {
        try read { db in
            let scope = try GenerationScope.resolve(nil, db)
            return (scope.generation, try Self.stations(scope, db))
        }
    }

    /// The walking network's edges, in `fid` order (empty when none was imported).
    public func networkEdges() throws -> [NetworkEdgeRecord] {
        try read { db in try Self.networkEdges(db) }
    }

    // Row readers: columns by position, in the order of each SELECT.

    private static func multiPolygon(_ row: Row, _ k: Int) throws -> MultiPolygon {
        let wkb: Data = row[k]
        guard let m = try WKB.decode([UInt8](wkb)).asMultiPolygon else { throw StoreError("a polygon layer holds a geometry that is not a polygon") }
        return m
    }

    private static func areas(_ layer: Layer, _ scope: GenerationScope, _ db: Database, _ schema: StoreSchema) throws -> [AreaRecord] {
        precondition(layer.geometry == .multiPolygon, "areas are polygon layers")
        let names = Set(schema[layer].names)
        func col(_ c: String) -> String { names.contains(c) ? c : "NULL" }
        let cols = "id, name, \(col("street_id")), \(col("district_id")), \(col("zone")), AsBinary(geom)"
        return try Row.fetchAll(db, sql: scope.select(cols, from: layer)).map {
            AreaRecord(id: $0[0], name: $0[1], streetId: $0[2], districtId: $0[3], zone: $0[4], geometry: try multiPolygon($0, 5))
        }
    }

    private static func grids(_ scope: GenerationScope, _ db: Database) throws -> [GridRecord] {
        let cols = "id, name, community_id, street_id, district_id, worker_name, worker_phone, AsBinary(geom)"
        return try Row.fetchAll(db, sql: scope.select(cols, from: .grids)).map {
            GridRecord(id: $0[0], name: $0[1], communityId: $0[2], streetId: $0[3], districtId: $0[4],
                       workerName: $0[5], workerPhone: $0[6], geometry: try multiPolygon($0, 7))
        }
    }

    private static func compounds(_ scope: GenerationScope, _ db: Database) throws -> [CompoundRecord] {
        let cols = "id, name, grid_id, community_id, street_id, district_id, households, population, entrance_lon, entrance_lat, AsBinary(geom)"
        return try Row.fetchAll(db, sql: scope.select(cols, from: .compounds)).map {
            CompoundRecord(id: $0[0], name: $0[1], gridId: $0[2], communityId: $0[3], streetId: $0[4], districtId: $0[5],
                           households: $0[6], population: $0[7], entranceLon: $0[8], entranceLat: $0[9], geometry: try multiPolygon($0, 10))
        }
    }

    private static func stations(_ scope: GenerationScope, _ db: Database) throws -> [StationRecord] {
        let cols = "id, name, category, level, grid_id, community_id, street_id, district_id, compound_id, X(geom), Y(geom)"
        return try Row.fetchAll(db, sql: scope.select(cols, from: .stations)).map {
            StationRecord(id: $0[0], name: $0[1], category: $0[2], level: $0[3], gridId: $0[4], communityId: $0[5],
                          streetId: $0[6], districtId: $0[7], compoundId: $0[8], point: Coordinate(lon: $0[9], lat: $0[10]))
        }
    }

    private static func networkEdges(_ db: Database) throws -> [NetworkEdgeRecord] {
        try Row.fetchAll(db, sql: """
            SELECT fid, source_node, target_node, length_m, highway, name, osm_way_id, AsBinary(geom) FROM network_edges ORDER BY fid
            """).map {
            let wkb: Data = $0[7]
            guard case .lineString(let cs) = try WKB.decode([UInt8](wkb)) else {
                throw StoreError("the network layer holds a geometry that is not a LineString")
            }
            return NetworkEdgeRecord(id: $0[0], sourceNode: $0[1], targetNode: $0[2], lengthM: $0[3], highway: $0[4],
                                     name: $0[5], osmWayId: $0[6], coordinates: cs)
        }
    }

    /// Ids of the rows whose geometry covers the point, by SpatiaLite's own ST_Covers through the
    /// R*Tree: the reference the in-memory index is checked against.
    public func coveringIds(_ layer: Layer, _ p: Coordinate) throws -> [String] {
        try read { db in
            try String.fetchAll(db, sql: """
                SELECT id FROM \(layer.table)
                WHERE fid IN (SELECT pkid FROM idx_\(layer.table)_geom WHERE xmin <= ? AND xmax >= ? AND ymin <= ? AND ymax >= ?)
                  AND ST_Covers(geom, MakePoint(?, ?, 4326)) = 1
                ORDER BY id
                """, arguments: [p.lon, p.lon, p.lat, p.lat, p.lon, p.lat])
        }
    }
}
