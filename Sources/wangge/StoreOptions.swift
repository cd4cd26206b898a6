import ArgumentParser
import Foundation
import GridStore

/// `--db`, shared by every subcommand that touches the store.
struct StoreOptions: ParsableArguments {
    @Option(help: "Path of the SpatiaLite store (created when missing).")
    var db: String = "data/wangge.sqlite"

    func open(durability: GridDatabase.Durability = .full) throws -> GridDatabase {
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
