import CSpatiaLite
import GRDB

/// SpatiaLite on GRDB's own connections: each connection gets a SpatiaLite cache when GRDB opens
/// it, and the cache is freed when SQLite closes the connection.
enum SpatiaLite {
    static func install(on db: Database) throws {
        guard let handle = db.sqliteConnection else { return }
        guard let cache = spatialite_alloc_connection() else {
            throw DatabaseError(message: "spatialite_alloc_connection failed")
        }
        spatialite_init_ex(handle, cache, 0)
        // GRDB has no close hook, but SQLite destroys a function's user data when the connection
        // closes: a no-op function that owns the cache frees it at exactly that moment.
        let rc = sqlite3_create_function_v2(
            handle, "wangge_spatialite_cache", 0, SQLITE_UTF8, cache,
            { ctx, _, _ in sqlite3_result_null(ctx) }, nil, nil,
            { p in if let p { spatialite_cleanup_ex(p) } })
        if rc != SQLITE_OK {
            spatialite_cleanup_ex(cache)
            throw DatabaseError(message: "cannot register SpatiaLite cache owner (\(rc))")
        }
    }
}
