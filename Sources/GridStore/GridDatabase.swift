import Foundation
import GRDB

/// The wangge store: one SpatiaLite file in WAL mode behind a GRDB pool. The only type in the
/// project that holds SQL: the pool is private, and other modules see typed records, feature
/// text and reports.
public struct GridDatabase: Sendable {
    private let pool: DatabasePool
    public let path: String
    /// The layers' attribute columns, read from the migrated tables when the store opened.
    public let schema: StoreSchema

    public struct StoreError: Error, CustomStringConvertible, Sendable {
        public let description: String
        public init(_ d: String) { description = d }
    }

    /// How hard a commit waits for the disk (SQLite's `PRAGMA synchronous` on the one writer
    /// connection; the store is always in WAL mode).
    /// - `full` (the default): the WAL is fsynced at every commit, so a transaction that returned
    ///   — a case that was acknowledged — survives a process crash (SIGKILL), an OS crash and a
    ///   power loss.
    /// - `normal` (GRDB's own default for WAL): the WAL is fsynced only at checkpoints; a
    ///   committed transaction survives a process crash (it is in the OS's page cache), but the
    ///   last ones may roll back after a power loss or OS crash. The database never corrupts.
    /// Source: https://www.sqlite.org/pragma.html#pragma_synchronous and https://www.sqlite.org/wal.html.
    public enum Durability: String, Sendable, CaseIterable {
        case full, normal
    }

    /// Opens (creating when missing) the store at `path` and brings its schema up to date
    /// (migrations run in place; a store written by an earlier release is migrated on open).
    /// `durability` sets the writer's `synchronous` (see `Durability`).
    public init(path: String, durability: Durability = .full) throws {
        let dir = (path as NSString).deletingLastPathComponent
        if !dir.isEmpty { try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true) }
        var config = Configuration()
        config.prepareDatabase { db in
            try SpatiaLite.install(on: db)
        }
        config.busyMode = .timeout(10)
        pool = try DatabasePool(path: path, configuration: config)
        // GRDB sets synchronous=NORMAL on the writer when it turns WAL on (after prepareDatabase),
        // so the store's own setting goes here, on the pool's one writer connection.
        try pool.writeWithoutTransaction { db in
            try db.execute(sql: "PRAGMA synchronous = \(durability == .full ? "FULL" : "NORMAL")")
        }
        self.path = path
        try Self.initSpatialMetadata(pool)
        try Self.migrator.migrate(pool)
        schema = try pool.read(StoreSchema.read)
    }

    /// SpatiaLite's metadata must be created outside a transaction, so before the migrator.
    private static func initSpatialMetadata(_ writer: DatabasePool) throws {
        try writer.writeWithoutTransaction { db in
            if try db.tableExists("spatial_ref_sys") { return }
            let ok = try Int.fetchOne(db, sql: "SELECT InitSpatialMetadata(1, 'WGS84')") ?? 0
            guard ok == 1 else { throw StoreError("InitSpatialMetadata failed") }
        }
    }

    static var migrator: DatabaseMigrator {
        var m = DatabaseMigrator()
        m.registerMigration("v1-layers", migrate: Migrations.v1)
        m.registerMigration("v2-boundary-history", migrate: Migrations.v2BoundaryHistory)
        m.registerMigration("v3-station-categories", migrate: Migrations.v3StationCategories)
        m.registerMigration("v4-service-tiers", migrate: Migrations.v4ServiceTiers)
        m.registerMigration("v5-walking-network", migrate: Migrations.v5WalkingNetwork)
        m.registerMigration("v6-tokens", migrate: Migrations.v6Tokens)
        m.registerMigration("v7-cases", migrate: Migrations.v7Cases)
        return m
    }

    /// The names of the migrations applied to this store, oldest first.
    public func appliedMigrations() throws -> [String] {
        try pool.read { db in try Self.migrator.appliedIdentifiers(db).sorted() }
    }

    // The only ways into SQL, for the other files of this module.

    func read<T>(_ body: (Database) throws -> T) throws -> T { try pool.read(body) }

    /// The writer connection's `PRAGMA synchronous` as SQLite reports it (0 off, 1 normal, 2 full, 3 extra).
    public func synchronousLevel() throws -> Int {
        try pool.writeWithoutTransaction { db in try Int.fetchOne(db, sql: "PRAGMA synchronous") ?? -1 }
    }
    func write<T>(_ body: (Database) throws -> T) throws -> T { try pool.write(body) }

    /// Whether any boundary layer holds rows (an empty store is filled with the sample city).
    public func isEmpty() throws -> Bool {
        try read { db in
            for layer in Layer.all where try Int.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM \(layer.table))") == 1 {
                return false
            }
            return true
        }
    }

    /// Rows of a layer now current (its history not counted).
    public func count(_ layer: Layer) throws -> Int {
        try read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM \(layer.table)") ?? 0 }
    }

    /// Rows of a layer's history: rows that later replacing imports closed.
    public func historyCount(_ layer: Layer) throws -> Int {
        try read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM \(layer.historyTable)") ?? 0 }
    }

    public func categories() throws -> [StationCategory] {
        try read { db in try Self.categories(db) }
    }

    static func categories(_ db: Database) throws -> [StationCategory] {
        try Row.fetchAll(db, sql: "SELECT code, name_zh, name_en, counts_toward_all FROM station_categories ORDER BY rowid").map {
            StationCategory(code: $0[0], nameZh: $0[1], nameEn: $0[2], countsTowardAll: $0[3])
        }
    }

    /// Adds station categories, or updates the names and the all-categories flag of those whose
    /// code exists (from seeds/station_categories.csv or `wangge categories --add`).
    public func replaceCategories(_ list: [StationCategory]) throws {
        try write { db in
            for c in list {
                try db.execute(literal: """
                    INSERT INTO station_categories (code, name_zh, name_en, counts_toward_all)
                    VALUES (\(c.code), \(c.nameZh), \(c.nameEn), \(c.countsTowardAll))
                    ON CONFLICT(code) DO UPDATE SET name_zh = excluded.name_zh, name_en = excluded.name_en,
                        counts_toward_all = excluded.counts_toward_all
                    """)
            }
        }
    }
}
