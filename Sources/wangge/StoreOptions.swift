import ArgumentParser
import Foundation
import GridStore

/// `--db`, shared by every subcommand that touches the store.
struct StoreOptions: ParsableArguments {
    @Option(help: "Path of the SpatiaLite store (seed, import, categories, token create and serve create it when missing).")
    var db: String = "data/wangge.sqlite"

    /// Opens the store. `existing`: the command only reads or maintains a store, so a path with no
    /// file is refused (a mistyped --db would otherwise create an empty store and answer nothing, exit 0).
    func open(durability: GridDatabase.Durability = .full, existing: Bool = false) throws -> GridDatabase {
        if existing && !FileManager.default.fileExists(atPath: db) {
            throw CLIError("no store at \(db): give the store's path with --db, or fill a new one with `wangge seed` or `wangge import`")
        }
        do { return try GridDatabase(path: db, durability: durability) } catch {
            throw CLIError("cannot open store \(db): \(error)")
        }
    }
}

/// Messages for people go to stderr so stdout stays clean for data.
func note(_ s: String) {
    FileHandle.standardError.write(Data((s + "\n").utf8))
}

/// A failure while running (a file that cannot be read, a store that cannot be opened): printed
/// as `Error: message` with exit code 1, without the usage text that ArgumentParser prints for
/// a `ValidationError` (which stays for mistakes in the arguments themselves).
struct CLIError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// The file a batch subcommand writes (`--out`), created or truncated; standard output when nil.
func openOutput(_ path: String?) throws -> FileHandle {
    guard let path else { return FileHandle.standardOutput }
    guard FileManager.default.createFile(atPath: path, contents: nil), let h = FileHandle(forWritingAtPath: path) else {
        throw CLIError("cannot write \(path)")
    }
    return h
}
