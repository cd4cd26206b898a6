import Foundation
import GRDB

/// The wangge store: one SpatiaLite file in WAL mode behind a GRDB pool. The only type in the
/// project that holds SQL.
public struct GridDatabase: Sendable {
    public let writer: DatabasePool
    public let path: String

    public struct StoreError: Error, CustomStringConvertible, Sendable {
        public let description: String
        public init(_ d: String) { description = d }
    }

    /// Opens (creating when missing) the store at `path` and brings its schema up to date.
    public init(path: String) throws {
        let dir = (path as NSString).deletingLastPathComponent
        if !dir.isEmpty { try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true) }
        var config = Configuration()
        config.prepareDatabase { db in
            try SpatiaLite.install(on: db)
        }
        config.busyMode = .timeout(10)
        writer = try DatabasePool(path: path, configuration: config)
        self.path = path
        try Self.initSpatialMetadata(writer)
        try Self.migrator.migrate(writer)
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
        // Keep "v3-tiers" last (after "v2-history").
        m.registerMigration("v3-tiers", migrate: Migrations.v3Tiers)
        return m
    }

    /// Whether any boundary layer holds rows (an empty store is filled with the sample city).
    public func isEmpty() throws -> Bool {
        try writer.read { db in
            for layer in Layer.all where try Int.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM \(layer.table))") == 1 {
                return false
            }
            return true
        }
    }

    public func count(_ layer: Layer) throws -> Int {
        try writer.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM \(layer.table)") ?? 0 }
    }

    public func categories() throws -> [StationCategory] {
        try writer.read { db in
            try Row.fetchAll(db, sql: "SELECT code, name_zh, name_en, counts_toward_all FROM station_categories ORDER BY rowid").map {
                StationCategory(code: $0[0], nameZh: $0[1], nameEn: $0[2], countsTowardAll: $0[3])
            }
        }
    }

    /// Replaces the station categories (from seeds/station_categories.csv).
    public func replaceCategories(_ list: [StationCategory]) throws {
        try writer.write { db in
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
