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

    /// Boundary history, after MapIt's generations and the SQL:2011 system-versioned-table
    /// pattern: current rows stay in each layer table (ids stay unique there, and QGIS shows
    /// today's boundaries), tagged with the generation that imported them (`generation_low`);
    /// rows that a later import replaces move to `<layer>_history` with the inclusive range
    /// `generation_low…generation_high` in which they were current. The history table takes the
    /// layer's columns from the table itself, so the columns stay defined once (a later
    /// migration that adds a layer column must add it to the history table too).
    /// Rows already in a v1 store get the latest generation recorded for their layer; a layer
    /// with rows but no generation record gets one.
    static func v2BoundaryHistory(_ db: Database) throws {
        let layers: [(String, String)] = [
            ("districts", "MULTIPOLYGON"), ("streets", "MULTIPOLYGON"), ("communities", "MULTIPOLYGON"),
            ("grids", "MULTIPOLYGON"), ("compounds", "MULTIPOLYGON"), ("stations", "POINT"),
        ]
        for (table, geometry) in layers {
            var definitions: [String] = []
            for row in try Row.fetchAll(db, sql: "PRAGMA table_info(\(table))") {
                let name: String = row["name"], type: String = row["type"], notNull: Bool = row["notnull"]
                if name == "fid" || name == "geom" { continue }
                definitions.append("\(name) \(type)" + (notNull ? " NOT NULL" : ""))
            }
            let count = try Int.fetchOne(db, sql: "SELECT count(*) FROM \(table)") ?? 0
            var latest = try Int64.fetchOne(db, sql: "SELECT max(id) FROM boundary_generations WHERE layer = ?", arguments: [table])
            if count > 0, latest == nil {
                try db.execute(sql: """
                    INSERT INTO boundary_generations (layer, imported_at, source, source_crs, feature_count, repaired_count)
                    VALUES (?, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), 'rows found by the v2-boundary-history migration', NULL, ?, 0)
                    """, arguments: [table, count])
                latest = db.lastInsertedRowID
            }
            try db.execute(sql: "ALTER TABLE \(table) ADD COLUMN generation_low INTEGER REFERENCES boundary_generations(id)")
            try db.execute(sql: "UPDATE \(table) SET generation_low = ?", arguments: [latest])
            try db.execute(sql: """
                CREATE TABLE \(table)_history (
                    fid INTEGER PRIMARY KEY,
                    \(definitions.joined(separator: ",\n    "))
                    , generation_low INTEGER NOT NULL REFERENCES boundary_generations(id)
                    , generation_high INTEGER NOT NULL REFERENCES boundary_generations(id)
                    , CHECK (generation_low <= generation_high)
                );
                CREATE INDEX \(table)_history_id ON \(table)_history(id);
                CREATE INDEX \(table)_history_generations ON \(table)_history(generation_high, generation_low);
                """)
            try addGeometry(db, "\(table)_history", geometry)
        }
    }

    /// A fresh store holds the station categories of seeds/station_categories.csv (as of this
    /// release), so stations import without `wangge seed`; existing rows are left as they are.
    static func v3StationCategories(_ db: Database) throws {
        let categories: [(String, String, String, Int)] = [
            ("party_service_center", "党群服务中心", "Party-mass service centre", 1),
            ("party_service_station", "党群服务站", "Party-mass service station", 1),
            ("canteen", "社区食堂", "Community canteen", 1),
            ("elder_day_care", "日间照料中心", "Elder day-care centre", 1),
            ("health_station", "健康驿站", "Health station", 1),
            ("fitness_station", "健身驿站", "Fitness station", 1),
            ("after_school", "四点半课堂", "After-school room", 1),
            ("discussion_pavilion", "邻里议事亭", "Neighbourhood discussion pavilion", 1),
            ("other", "其他", "Other", 0),
        ]
        for c in categories {
            try db.execute(sql: "INSERT OR IGNORE INTO station_categories (code, name_zh, name_en, counts_toward_all) VALUES (?, ?, ?, ?)",
                           arguments: [c.0, c.1, c.2, c.3])
        }
    }

    /// AddGeometryColumn and CreateSpatialIndex report failure by returning 0, not by an error.
    static func addGeometry(_ db: Database, _ table: String, _ type: String) throws {
        let added = try Int.fetchOne(db, sql: "SELECT AddGeometryColumn(?, 'geom', 4326, ?, 'XY', 1)", arguments: [table, type])
        guard added == 1 else { throw GridDatabase.StoreError("AddGeometryColumn failed for \(table)") }
        let indexed = try Int.fetchOne(db, sql: "SELECT CreateSpatialIndex(?, 'geom')", arguments: [table])
        guard indexed == 1 else { throw GridDatabase.StoreError("CreateSpatialIndex failed for \(table)") }
    }
}
