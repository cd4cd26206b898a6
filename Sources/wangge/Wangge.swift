import ArgumentParser

@main
struct Wangge: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "wangge",
        abstract: "网格 — grids, compounds and service stations for city governance.",
        subcommands: [Serve.self, Import.self, Export.self, Seed.self, Assign.self, Generations.self, Categories.self, Coverage.self, Nearest.self, Suggest.self, Token.self, Cases.self, Backup.self, Restore.self, Isochrone.self])
}
