import ArgumentParser
import Foundation
import GridStore

/// `--db`, shared by every subcommand that touches the store.
struct StoreOptions: ParsableArguments {
    @Option(help: "Path of the SpatiaLite store (created when missing).")
    var db: String = "data/wangge.sqlite"

    func open() throws -> GridDatabase {
        do { return try GridDatabase(path: db) } catch {
            throw ValidationError("cannot open store \(db): \(error)")
        }
    }
}

/// Messages for people go to stderr so stdout stays clean for data.
func note(_ s: String) {
    FileHandle.standardError.write(Data((s + "\n").utf8))
}
