import GridStore
import Hummingbird

/// `GET /me`: who the request's token stands for, so a client (or its operator) can check a
/// token before using it.
struct IdentityController {
    func addRoutes(to router: Router<WanggeRequestContext>) {
        router.get("/me", use: me)
    }

    @Sendable func me(_ request: Request, context: WanggeRequestContext) async throws -> IdentityBody {
        IdentityBody(try context.requireIdentity())
    }
}

/// `GET /me`.
struct IdentityBody: ResponseEncodable, Equatable, Decodable {
    var tokenId: Int64
    var role: String
    var name: String?
    var districtId: String?
    var communityId: String?
    var gridId: String?

    init(_ i: Identity) {
        tokenId = i.tokenId; role = i.role.rawValue; name = i.name
        districtId = i.districtId; communityId = i.communityId; gridId = i.gridId
    }

    enum CodingKeys: String, CodingKey {
        case tokenId = "token_id", role, name, districtId = "district_id", communityId = "community_id", gridId = "grid_id"
    }
}
