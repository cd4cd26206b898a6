import GRDB

extension Migrations {
    /// The walking network: one row per edge, split at junctions so every edge runs from one
    /// node to another with no junction inside. Node ids are the store's own (stable within one
    /// import; an import replaces the whole network). `length_m` is the sum of the WGS84
    /// geodesic lengths of the edge's segments, computed at import. The geometry is a registered
    /// LINESTRING layer in EPSG:4326, so QGIS and ogrinfo open it like the boundary layers.
    static func v5WalkingNetwork(_ db: Database) throws {
        try db.execute(sql: """
            CREATE TABLE network_edges (
                fid INTEGER PRIMARY KEY,
                source_node INTEGER NOT NULL,
                target_node INTEGER NOT NULL,
                length_m REAL NOT NULL CHECK (length_m >= 0),
                highway TEXT,
                name TEXT,
                osm_way_id INTEGER,
                extra TEXT
            );
            CREATE INDEX network_edges_source ON network_edges(source_node);
            CREATE INDEX network_edges_target ON network_edges(target_node);
            """)
        try addGeometry(db, "network_edges", "LINESTRING")
    }
}
