import ArgumentParser
import Foundation
import GridGeo
import GridIO

/// `--format` and `--out` of the table-writing subcommands (`coverage`, `suggest`), and the
/// all-or-nothing output file they share.
struct TableOutputOptions: ParsableArguments {
    @Option(help: "csv, geojson or json (default: from the --out extension, else csv).")
    var format: String?

    @Option(name: .shortAndLong, help: "Output file (default: standard output). Written only when the run succeeds.")
    var out: String?

    func validate() throws { _ = try resolvedFormat() }

    func resolvedFormat() throws -> CoverageFormat {
        guard let format else { return CoverageFormat.fromExtension(out) }
        guard let f = CoverageFormat(rawValue: format) else {
            throw ValidationError("--format: unknown format '\(format)'; formats: csv, geojson, json")
        }
        return f
    }

    /// Runs `body` with a writer into the output. A file is written under a temporary name and
    /// moved in place only when `body` succeeds, so a failed run leaves nothing behind.
    func write(_ body: (inout CoverageWriter) throws -> Void) throws {
        let handle: FileHandle, tmp: String?
        if let out {
            let t = out + ".partial-\(getpid())"
            guard FileManager.default.createFile(atPath: t, contents: nil), let h = FileHandle(forWritingAtPath: t) else {
                throw CLIError("cannot write \(out)")
            }
            handle = h; tmp = t
        } else {
            handle = FileHandle.standardOutput; tmp = nil
        }
        do {
            var w = CoverageWriter { handle.write(Data($0.utf8)) }
            try body(&w)
            if let tmp, let out {
                try handle.close()
                if FileManager.default.fileExists(atPath: out) { try FileManager.default.removeItem(atPath: out) }
                try FileManager.default.moveItem(atPath: tmp, toPath: out)
            }
        } catch {
            if let tmp { try? FileManager.default.removeItem(atPath: tmp) }
            throw error
        }
    }
}
