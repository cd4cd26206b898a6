import GRDB

extension Migrations {
    /// Cases (事件/案卷) and their audit trail (issue 11).
    ///
    /// - `case_categories`: the categories of seeds/case_categories.csv (a test keeps them equal),
    ///   present in every new store. `deadline_class` ordinary = the end of the reporting day,
    ///   complex = the end of the 15th day after it, both in Asia/Shanghai ("ordinary cases the
    ///   same day, complex ones within 15 days"); `first_level` is the level that handles the
    ///   category first (compound 小区自办, community 社区协办, district 区级督办).
    /// - `cases`: one row per case, a registered POINT layer in EPSG:4326 (QGIS opens it). The
    ///   row is the current projection of the case's events (state, level, routing), written in the
    ///   same transaction as each event. `generation` is the boundary generation the case was
    ///   first assigned under and never changes; `routed_generation` is the one its routing was
    ///   last checked against (the re-route after a re-import). Times are UTC RFC 3339 text with
    ///   milliseconds, so text order is time order. A case is never deleted (a trigger refuses).
    /// - `case_events`: append-only, one row per transition; triggers refuse UPDATE and DELETE.
    /// - Idempotency: one case per (reporter token, Idempotency-Key).
    static func v7Cases(_ db: Database) throws {
        try db.execute(sql: """
            CREATE TABLE case_categories (
                code TEXT PRIMARY KEY NOT NULL,
                name_zh TEXT NOT NULL,
                name_en TEXT NOT NULL,
                group_name TEXT NOT NULL,
                deadline_class TEXT NOT NULL CHECK (deadline_class IN ('ordinary', 'complex')),
                first_level TEXT NOT NULL CHECK (first_level IN ('compound', 'community', 'district'))
            );
            INSERT INTO case_categories (code, name_zh, name_en, group_name, deadline_class, first_level) VALUES
                ('policy_inquiry', '政策咨询', 'Policy inquiry', '党群服务', 'ordinary', 'compound'),
                ('elder_care', '养老助老', 'Help for an elderly resident', '党群服务', 'complex', 'community'),
                ('hardship_aid', '困难帮扶', 'Hardship assistance', '党群服务', 'complex', 'community'),
                ('neighbour_dispute', '邻里纠纷', 'Neighbour dispute', '综治维稳', 'ordinary', 'compound'),
                ('public_order', '治安隐患', 'Public order problem', '综治维稳', 'ordinary', 'community'),
                ('fire_hazard', '消防隐患', 'Fire hazard', '综治维稳', 'ordinary', 'community'),
                ('safety_hazard', '安全隐患', 'Safety hazard', '综治维稳', 'ordinary', 'community'),
                ('illegal_parking', '违规停车', 'Illegal parking', '城乡管理', 'ordinary', 'compound'),
                ('broken_lift', '电梯故障', 'Broken lift', '城乡管理', 'ordinary', 'compound'),
                ('garbage', '垃圾堆放', 'Garbage pile-up', '城乡管理', 'ordinary', 'compound'),
                ('street_light', '路灯损坏', 'Broken street light', '城乡管理', 'complex', 'community'),
                ('road_damage', '道路破损', 'Damaged road or pavement', '城乡管理', 'complex', 'district'),
                ('illegal_construction', '违法建设', 'Illegal construction', '城乡管理', 'complex', 'district'),
                ('other', '其他', 'Other', '其他', 'ordinary', 'community');
            CREATE TABLE cases (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                category TEXT NOT NULL REFERENCES case_categories(code),
                description TEXT NOT NULL,
                state TEXT NOT NULL CHECK (state IN ('reported', 'filed', 'rejected', 'dispatched', 'escalated',
                                                     'handled', 'verified', 'closed', 'evaluated')),
                level TEXT NOT NULL CHECK (level IN ('compound', 'community', 'district')),
                lon REAL NOT NULL,
                lat REAL NOT NULL,
                input_crs TEXT NOT NULL,
                input_lon REAL NOT NULL,
                input_lat REAL NOT NULL,
                accuracy_m REAL CHECK (accuracy_m IS NULL OR accuracy_m >= 0),
                grid_id TEXT,
                community_id TEXT,
                street_id TEXT,
                district_id TEXT,
                compound_id TEXT,
                worker_name TEXT,
                worker_phone TEXT,
                outside_grids INTEGER NOT NULL DEFAULT 0 CHECK (outside_grids IN (0, 1)),
                nearest_grid_id TEXT,
                nearest_m REAL,
                generation INTEGER NOT NULL,
                routed_generation INTEGER NOT NULL,
                reported_at TEXT NOT NULL,
                deadline_at TEXT NOT NULL,
                updated_at TEXT NOT NULL,
                closed_at TEXT,
                contact TEXT,
                photo_urls TEXT NOT NULL DEFAULT '[]',
                reporter_token_id INTEGER,
                reporter_name TEXT,
                idempotency_key TEXT
            );
            CREATE UNIQUE INDEX cases_idempotency ON cases(ifnull(reporter_token_id, 0), idempotency_key)
                WHERE idempotency_key IS NOT NULL;
            CREATE INDEX cases_state_deadline ON cases(state, deadline_at);
            CREATE INDEX cases_grid ON cases(grid_id);
            CREATE INDEX cases_community ON cases(community_id);
            CREATE INDEX cases_reported_at ON cases(reported_at);
            CREATE INDEX cases_routed_generation ON cases(routed_generation);
            CREATE TRIGGER cases_never_deleted BEFORE DELETE ON cases
                BEGIN SELECT RAISE(ABORT, 'cases are never deleted (issue 11: an acknowledged case is never lost)'); END;
            CREATE TABLE case_events (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                case_id INTEGER NOT NULL REFERENCES cases(id),
                at TEXT NOT NULL,
                action TEXT NOT NULL,
                from_state TEXT,
                to_state TEXT NOT NULL,
                level TEXT NOT NULL,
                grid_id TEXT,
                actor_name TEXT NOT NULL,
                actor_role TEXT NOT NULL,
                token_id INTEGER,
                reason TEXT,
                note TEXT,
                photo_url TEXT
            );
            CREATE INDEX case_events_case ON case_events(case_id, id);
            CREATE TRIGGER case_events_no_update BEFORE UPDATE ON case_events
                BEGIN SELECT RAISE(ABORT, 'case_events is append-only: events cannot be edited'); END;
            CREATE TRIGGER case_events_no_delete BEFORE DELETE ON case_events
                BEGIN SELECT RAISE(ABORT, 'case_events is append-only: events cannot be deleted'); END;
            """)
        try addGeometry(db, "cases", "POINT")
    }
}
