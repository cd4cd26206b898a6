import ArgumentParser
import Foundation
import GridStore

struct TokenCreate: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "create",
        abstract: "Create a token and print it (once) on standard output.",
        discussion: """
            district, community and worker tokens work in one area, given by --district, --community
            or --grid (an id of the store's current layer); admin, planner and reporter tokens have none.
              wangge token create --role worker --grid 441302001001001 --name "张三"
              wangge token create --role reporter --name "12345 hotline app"
            """)

    @OptionGroup var store: StoreOptions
    @Option(help: "admin | district | community | worker | planner | reporter")
    var role: String
    @Option(help: "The district a district token works in.") var district: String?
    @Option(help: "The community a community token works in.") var community: String?
    @Option(help: "The grid a worker token works in.") var grid: String?
    @Option(help: "Who or what holds the token (shown in case events and token list).") var name: String?

    func run() throws {
        guard let role = Role(rawValue: role) else {
            throw ValidationError("--role: unknown role \(role); one of \(Role.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        let db = try store.open()
        do {
            let (identity, token) = try db.createToken(role: role, districtId: district, communityId: community, gridId: grid, name: name)
            note("token \(identity.tokenId) created for role \(role.rawValue); it is shown only now:")
            print(token)
        } catch let e as TokenError {
            throw CLIError(e.description)
        }
    }
}
