import ArgumentParser
import Foundation
import GridStore

struct Restore: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Replace the store (--db) with a backup FILE, after checking that FILE is a sound wangge store.",
        discussion: """
            FILE must be an SQLite file that passes PRAGMA integrity_check and records only
            migrations this release knows (a newer release's store is refused: restore it with
            that release). The copy is made beside the store, checked again and renamed over it,
            so the store is never half replaced. Stop `wangge serve` on the store first.
            """)

    @OptionGroup var store: StoreOptions

    @Argument(help: "The backup to restore (written by `wangge backup`).")
    var file: String

    @Flag(help: "Print what was restored (migrations, rows per table, bytes) as JSON on stdout.")
    var json = false

    func run() throws {
        guard FileManager.default.fileExists(atPath: file) else { throw CLIError("no backup file at \(file)") }
        let report: StoreCopyReport
        do { report = try GridDatabase.restore(from: file, to: store.db) } catch let e as StoreFileError {
            throw CLIError("refusing to restore: \(e.description); \(store.db) is unchanged")
        } catch {
            throw CLIError("restore of \(file) to \(store.db) failed: \(error); \(store.db) is unchanged")
        }
        try printCopyReport(report, json: json, verb: "restored \(file) to")
    }
}
