import ArgumentParser
import Foundation
import GridStore

struct TokenList: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "List every token (id, first characters, role, area, name, created, revoked); never the tokens themselves.")

    @OptionGroup var store: StoreOptions

    func run() throws {
        let tokens = try store.open(existing: true).tokens()
        var out = "id\tprefix\trole\tarea\tname\tcreated_at\trevoked_at\n"
        for t in tokens {
            let i = t.identity
            let area = [i.districtId.map { "district:\($0)" }, i.communityId.map { "community:\($0)" }, i.gridId.map { "grid:\($0)" }]
                .compactMap { $0 }.first ?? "-"
            out += "\(i.tokenId)\t\(t.prefix)…\t\(i.role.rawValue)\t\(area)\t\(i.name ?? "-")\t\(t.createdAt)\t\(t.revokedAt ?? "-")\n"
        }
        FileHandle.standardOutput.write(Data(out.utf8))
    }
}
