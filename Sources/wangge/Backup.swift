import ArgumentParser
import Foundation
import GridStore

struct Backup: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Copy the store to FILE while it is in use (SQLite's online backup), checked before it is kept.",
        discussion: """
            Safe while `wangge serve` and imports write: the copy is one consistent snapshot, taken
            without blocking writers. It is written beside FILE, checked (PRAGMA integrity_check,
            the schema, the same row counts as the store at that instant) and renamed to FILE.
            Copying the .sqlite file by hand while the server runs is not safe (the newest writes
            live in the -wal file). Put it back with `wangge restore FILE`.
              wangge backup backups/wangge-$(date +%F).sqlite
            """)

    @OptionGroup var store: StoreOptions

    @Argument(help: "The backup file to write (replaced when it exists).")
    var file: String

    @Flag(help: "Print what was copied (migrations, rows per table, bytes) as JSON on stdout.")
    var json = false

    func run() throws {
        guard FileManager.default.fileExists(atPath: store.db) else { throw CLIError("no store at \(store.db)") }
        let db = try store.open()
        let report: StoreCopyReport
        do { report = try db.backup(to: file) } catch { throw CLIError("backup of \(store.db) to \(file) failed: \(error)") }
        try printCopyReport(report, json: json, verb: "backed up \(store.db) to")
    }
}

/// One line for people on stderr, or the report as JSON on stdout.
func printCopyReport(_ report: StoreCopyReport, json: Bool, verb: String) throws {
    if json {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        FileHandle.standardOutput.write(try e.encode(report) + Data("\n".utf8))
    }
    let rows = report.rowCounts.values.reduce(0, +)
    note("\(verb) \(report.path): \(report.rowCounts.count) tables, \(rows) rows, \(report.bytes) bytes, schema \(report.migrations.last ?? "-")")
}
