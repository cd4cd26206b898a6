import ArgumentParser
import GridStore

struct TokenRevoke: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "revoke",
        abstract: "Revoke a token by its id (from `wangge token list`); it is refused from then on.")

    @OptionGroup var store: StoreOptions
    @Argument(help: "The token's id.") var id: Int64

    func run() throws {
        guard try store.open(existing: true).revokeToken(id: id) else {
            throw CLIError("no token \(id) to revoke (unknown, or already revoked)")
        }
        note("token \(id) revoked")
    }
}
