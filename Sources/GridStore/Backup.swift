import Foundation
import GRDB

/// What a backup or a restore copied and checked: the schema's migrations and the row count of
/// every ordinary table (virtual tables such as SpatiaLite's spatial-index views are left out:
/// they need the extension to be read and hold no rows of their own).
public struct StoreCopyReport: Sendable, Equatable, Codable {
    /// The file written.
    public var path: String
    /// Migration identifiers recorded in the copy, in registration order.
    public var migrations: [String]
    /// Rows per table, in the copy, equal to the source's at the instant of the copy.
    public var rowCounts: [String: Int]
    /// Bytes of the copy.
    public var bytes: Int64
}

/// A file that `restore` (or a check of a backup) refuses, saying why in words.
public struct StoreFileError: Error, CustomStringConvertible, Sendable {
    public let description: String
    init(_ d: String) { description = d }
}

extension GridDatabase {
    /// The migrations this release knows, in order. A store recording any other identifier was
    /// written by a newer (or a foreign) release.
    public static var knownMigrations: [String] { migrator.migrations }

    /// An online copy of the store into `destination`, through SQLite's backup API (GRDB's
    /// `Database.backup(to:)`), while other connections and processes keep writing: the copy is
    /// taken inside one read transaction, so in WAL mode it is exactly the store as of that
    /// transaction's snapshot, and writers are never blocked. The rows of every table are counted
    /// in the same transaction; the copy is written to a temporary file beside `destination`,
    /// checked (`PRAGMA integrity_check`, the known schema, the same row counts) and only then
    /// renamed to `destination`, so a failed backup never leaves a half file under that name.
    ///
    /// Throws `StoreFileError` when the copy does not check out, and SQLite's errors (disk full,
    /// an unwritable directory) as they come.
    public func backup(to destination: String) throws -> StoreCopyReport {
        let temp = Self.tempPath(beside: destination)
        defer { Self.removeWithSidecars(temp) }
        let copy = try DatabaseQueue(path: temp)
        let counts: [String: Int] = try read { src in
            let counts = try Self.rowCounts(src)
            try copy.writeWithoutTransaction { dest in try src.backup(to: dest) }
            return counts
        }
        try copy.close()
        let report = try Self.verify(storeAt: temp, reportedAs: destination)
        guard report.rowCounts == counts else {
            throw StoreFileError("the copy's row counts differ from the store's: \(Self.differences(counts, report.rowCounts))")
        }
        try Self.replace(destination, with: temp)
        return report
    }

    /// Replaces the store file at `target` with a copy of the backup at `source`, never half:
    /// `source` is first checked (`verify`), copied through the backup API to a temporary file
    /// beside `target`, the copy checked again, the target's write-ahead log checkpointed and
    /// emptied, and then the copy renamed over `target` (an atomic rename on one file system).
    /// Stop `serve` on `target` first: a running server keeps the replaced file open.
    ///
    /// Throws `StoreFileError` naming what is wrong with `source` (not SQLite, damaged, not a
    /// wangge store, a newer schema) before `target` is touched.
    public static func restore(from source: String, to target: String) throws -> StoreCopyReport {
        _ = try verify(storeAt: source, reportedAs: source)
        let temp = tempPath(beside: target)
        defer { removeWithSidecars(temp) }
        var config = Configuration()
        config.readonly = true
        let src = try DatabaseQueue(path: source, configuration: config)
        let copy = try DatabaseQueue(path: temp)
        try src.backup(to: copy)
        try src.close()
        try copy.close()
        let report = try verify(storeAt: temp, reportedAs: target)
        if FileManager.default.fileExists(atPath: target) {
            // Fold the old store's log into it and empty it, so no stale WAL frames lie beside the
            // renamed file (SQLite would otherwise try to apply them to the new one).
            let old = try DatabaseQueue(path: target)
            _ = try old.writeWithoutTransaction { db in try Row.fetchOne(db, sql: "PRAGMA wal_checkpoint(TRUNCATE)") }
            try old.close()
        }
        try replace(target, with: temp)
        for suffix in ["-wal", "-shm"] { try? FileManager.default.removeItem(atPath: target + suffix) }
        return report
    }

    /// Checks that the file at `path` is a sound wangge store of a schema this release knows:
    /// an SQLite file, `PRAGMA integrity_check` answering `ok`, GRDB's migration table present,
    /// every recorded migration a known one (else a newer release wrote it), and the first one
    /// recorded. Opens the file read-only. Returns its migrations and row counts.
    public static func verify(storeAt path: String, reportedAs name: String) throws -> StoreCopyReport {
        guard let handle = FileHandle(forReadingAtPath: path) else { throw StoreFileError("\(name): cannot read the file") }
        let header = (try? handle.read(upToCount: 16)) ?? Data()
        try? handle.close()
        guard header == Data("SQLite format 3\0".utf8) else {
            throw StoreFileError("\(name) is not an SQLite database (its first bytes are not the SQLite header)")
        }
        var config = Configuration()
        config.readonly = true
        let queue = try DatabaseQueue(path: path, configuration: config)
        defer { try? queue.close() }
        return try queue.read { db in
            let check = try String.fetchAll(db, sql: "PRAGMA integrity_check")
            guard check == ["ok"] else {
                throw StoreFileError("\(name) is damaged: PRAGMA integrity_check says \(check.prefix(5).joined(separator: "; "))")
            }
            guard try db.tableExists("grdb_migrations") else {
                throw StoreFileError("\(name) is not a wangge store (it has no grdb_migrations table)")
            }
            let recorded = try String.fetchAll(db, sql: "SELECT identifier FROM grdb_migrations")
            let known = knownMigrations
            let unknown = recorded.filter { !known.contains($0) }
            guard unknown.isEmpty else {
                throw StoreFileError(
                    "\(name) has a newer or unknown schema (migrations \(unknown.sorted().joined(separator: ", ")) are not among this release's \(known.joined(separator: ", "))); restore it with the wangge release that wrote it")
            }
            guard let first = known.first, recorded.contains(first) else {
                throw StoreFileError("\(name) is not a wangge store (no \(known.first ?? "v1") migration recorded)")
            }
            let attrs = try? FileManager.default.attributesOfItem(atPath: path)
            return StoreCopyReport(path: name, migrations: known.filter(recorded.contains), rowCounts: try rowCounts(db),
                                   bytes: (attrs?[.size] as? NSNumber)?.int64Value ?? 0)
        }
    }

    /// Rows of every ordinary table (`sqlite_master` type `table`, not virtual, not SQLite's own).
    static func rowCounts(_ db: Database) throws -> [String: Int] {
        let tables = try String.fetchAll(db, sql: """
            SELECT name FROM sqlite_master
            WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND sql NOT LIKE 'CREATE VIRTUAL TABLE%'
            """)
        var counts: [String: Int] = [:]
        for t in tables {
            counts[t] = try Int.fetchOne(db, sql: "SELECT count(*) FROM \(t.quotedDatabaseIdentifier)") ?? 0
        }
        return counts
    }

    static func differences(_ a: [String: Int], _ b: [String: Int]) -> String {
        Set(a.keys).union(b.keys).sorted().filter { a[$0] != b[$0] }
            .map { "\($0) \(a[$0].map(String.init) ?? "missing") vs \(b[$0].map(String.init) ?? "missing")" }
            .joined(separator: ", ")
    }

    /// A fresh name in `path`'s directory, so the final rename stays on one file system.
    static func tempPath(beside path: String) -> String {
        let url = URL(fileURLWithPath: path)
        return url.deletingLastPathComponent()
            .appendingPathComponent(".\(url.lastPathComponent).\(UUID().uuidString.prefix(8)).tmp").path
    }

    static func replace(_ target: String, with temp: String) throws {
        guard rename(temp, target) == 0 else {
            throw StoreFileError("cannot rename the checked copy to \(target): \(String(cString: strerror(errno)))")
        }
    }

    static func removeWithSidecars(_ path: String) {
        for suffix in ["", "-wal", "-shm", "-journal"] { try? FileManager.default.removeItem(atPath: path + suffix) }
    }
}
