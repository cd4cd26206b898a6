import ArgumentParser

/// `wangge token create|list|revoke`: the API tokens of the roles (issue 11 §5).
struct Token: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Create, list and revoke API tokens (roles: admin, district, community, worker, planner, reporter).",
        discussion: """
            A token is printed once, when created; the store keeps only its SHA-256 digest.
            Clients send it as `Authorization: Bearer TOKEN` (Open311 clients: `api_key=TOKEN`).
            """,
        subcommands: [TokenCreate.self, TokenList.self, TokenRevoke.self])
}
