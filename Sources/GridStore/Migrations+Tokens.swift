import GRDB

extension Migrations {
    /// API tokens for the roles of issue 11 (cases, Open311). Only a SHA-256 digest of each token
    /// is kept: the token itself is shown once, when created. A token's area is the district,
    /// community or grid its role works in (required for those roles, absent for the others).
    static func v6Tokens(_ db: Database) throws {
        try db.execute(sql: """
            CREATE TABLE api_tokens (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                token_sha256 TEXT NOT NULL UNIQUE,
                token_prefix TEXT NOT NULL,
                name TEXT,
                role TEXT NOT NULL CHECK (role IN ('admin', 'district', 'community', 'worker', 'planner', 'reporter')),
                district_id TEXT,
                community_id TEXT,
                grid_id TEXT,
                created_at TEXT NOT NULL,
                revoked_at TEXT,
                CHECK (role <> 'district' OR district_id IS NOT NULL),
                CHECK (role <> 'community' OR community_id IS NOT NULL),
                CHECK (role <> 'worker' OR grid_id IS NOT NULL)
            );
            """)
    }
}
