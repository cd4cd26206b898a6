import GRDB

/// Shipped migrations. Never edit one after it is released: add a new one.
enum Migrations {
    static func v1(_ db: Database) throws {
        try db.execute(sql: """
            CREATE TABLE station_categories (
                code TEXT PRIMARY KEY NOT NULL,
                name_zh TEXT NOT NULL,
                name_en TEXT NOT NULL,
                counts_toward_all INTEGER NOT NULL DEFAULT 1
            );
            CREATE TABLE boundary_generations (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                layer TEXT NOT NULL,
                imported_at TEXT NOT NULL,
                source TEXT,
                source_crs TEXT,
                feature_count INTEGER NOT NULL,
                repaired_count INTEGER NOT NULL DEFAULT 0
            );
            CREATE TABLE districts (
                fid INTEGER PRIMARY KEY,
                id TEXT NOT NULL UNIQUE,
                name TEXT,
                extra TEXT
            );
            CREATE TABLE streets (
                fid INTEGER PRIMARY KEY,
                id TEXT NOT NULL UNIQUE,
                name TEXT,
                district_id TEXT,
                zone TEXT,
                extra TEXT
            );
            CREATE TABLE communities (
                fid INTEGER PRIMARY KEY,
                id TEXT NOT NULL UNIQUE,
                name TEXT,
                street_id TEXT,
                district_id TEXT,
                extra TEXT
            );
            CREATE TABLE grids (
                fid INTEGER PRIMARY KEY,
                id TEXT NOT NULL UNIQUE,
                name TEXT,
                community_id TEXT,
                street_id TEXT,
                district_id TEXT,
                worker_name TEXT,
                worker_phone TEXT,
                extra TEXT
            );
            CREATE TABLE compounds (
                fid INTEGER PRIMARY KEY,
                id TEXT NOT NULL UNIQUE,
                name TEXT,
                grid_id TEXT,
                community_id TEXT,
                street_id TEXT,
                district_id TEXT,
                households INTEGER CHECK (households IS NULL OR households >= 0),
                population INTEGER CHECK (population IS NULL OR population >= 0),
                entrance_lon REAL,
                entrance_lat REAL,
                extra TEXT
            );
            CREATE TABLE stations (
                fid INTEGER PRIMARY KEY,
                id TEXT NOT NULL UNIQUE,
                name TEXT,
                category TEXT NOT NULL,
                level TEXT,
                grid_id TEXT,
                community_id TEXT,
                street_id TEXT,
                district_id TEXT,
                compound_id TEXT,
                extra TEXT
            );
            CREATE INDEX streets_district ON streets(district_id);
            CREATE INDEX communities_street ON communities(street_id);
            CREATE INDEX grids_community ON grids(community_id);
            CREATE INDEX compounds_grid ON compounds(grid_id);
            CREATE INDEX stations_category ON stations(category);
            """)
        for layer in ["districts", "streets", "communities", "grids", "compounds"] {
            try addGeometry(db, layer, "MULTIPOLYGON")
        }
        try addGeometry(db, "stations", "POINT")
    }

    /// AddGeometryColumn and CreateSpatialIndex report failure by returning 0, not by an error.
    private static func addGeometry(_ db: Database, _ table: String, _ type: String) throws {
        let added = try Int.fetchOne(db, sql: "SELECT AddGeometryColumn(?, 'geom', 4326, ?, 'XY', 1)", arguments: [table, type])
        guard added == 1 else { throw GridDatabase.StoreError("AddGeometryColumn failed for \(table)") }
        let indexed = try Int.fetchOne(db, sql: "SELECT CreateSpatialIndex(?, 'geom')", arguments: [table])
        guard indexed == 1 else { throw GridDatabase.StoreError("CreateSpatialIndex failed for \(table)") }
    }
}
