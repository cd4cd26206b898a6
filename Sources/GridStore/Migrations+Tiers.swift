import GRDB

extension Migrations {
    /// The life service circles (生活服务圈) and the walking model, present in every new store so
    /// the product never needs the repository's seeds/ at run time. The defaults are those of
    /// seeds/service_tiers.csv and seeds/walking.csv (a test keeps them equal): 5, 10 and 15
    /// minutes → 300, 500 and 1,000 m, after GB 50180-2018 (urban residential area planning: the
    /// 5-minute circle ~300 m, the 10-minute ~500 m, the 15-minute 800–1,000 m of walking);
    /// 5 km/h, the walking speed of routing engines; a straight-line detour factor of 1.0.
    static func v3Tiers(_ db: Database) throws {
        try db.execute(sql: """
            CREATE TABLE service_tiers (
                minutes INTEGER PRIMARY KEY NOT NULL CHECK (minutes > 0),
                radius_m REAL NOT NULL CHECK (radius_m > 0),
                name_zh TEXT NOT NULL,
                name_en TEXT NOT NULL
            );
            CREATE TABLE walking_parameters (
                parameter TEXT PRIMARY KEY NOT NULL CHECK (parameter IN ('walking_speed', 'detour_factor')),
                value REAL NOT NULL CHECK (value > 0),
                unit TEXT NOT NULL DEFAULT '',
                name_zh TEXT NOT NULL,
                name_en TEXT NOT NULL
            );
            INSERT INTO service_tiers (minutes, radius_m, name_zh, name_en) VALUES
                (5, 300, '5分钟生活圈', '5-minute life service circle'),
                (10, 500, '10分钟生活圈', '10-minute life service circle'),
                (15, 1000, '15分钟生活圈', '15-minute life service circle');
            INSERT INTO walking_parameters (parameter, value, unit, name_zh, name_en) VALUES
                ('walking_speed', 5, 'km/h', '步行速度', 'Walking speed'),
                ('detour_factor', 1.0, '', '直线绕行系数', 'Straight-line detour factor');
            """)
    }
}
