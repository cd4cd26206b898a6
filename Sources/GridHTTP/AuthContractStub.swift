// TEMPORARY until main's TokenAuthenticator lands (issue 11 §5): the contract's accessor, always 401.
import GridStore
import Hummingbird

extension WanggeRequestContext {
    func requireIdentity() throws -> Identity {
        throw APIError(.unauthorized, code: "Unauthorized", "a token is needed (stub)")
    }
}
