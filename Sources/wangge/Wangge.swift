import ArgumentParser

@main
struct Wangge: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "wangge",
        abstract: "网格 — grids, compounds and service stations for city governance.",
        subcommands: [Serve.self, Import.self, Export.self, Seed.self, Assign.self, Generations.self, Categories.self, Coverage.self, Nearest.self, Suggest.self, Token.self, Cases.self, Backup.self, Restore.self, Isochrone.self])

    /// ArgumentParser's own `main`, except for a `ValidationError` thrown while a command runs (a
    /// value the command found wrong, e.g. an unknown layer): ArgumentParser would print the
    /// *root* command's usage after it, which names no option of the command at fault; here it is
    /// a plain message and a pointer to that command's help. (Errors of `validate()` and of parsing
    /// keep the command's own usage, as before.)
    static func main() async {
        let command: any ParsableCommand
        do { command = try parseAsRoot() } catch { exit(withError: error) }
        do {
            if var c = command as? any AsyncParsableCommand { try await c.run() } else {
                var c = command
                try c.run()
            }
        } catch let e as ValidationError {
            exit(withError: CLIError("\(e.message)\nSee 'wangge \(type(of: command)._commandName) --help'."))
        } catch {
            exit(withError: error)
        }
    }
}
