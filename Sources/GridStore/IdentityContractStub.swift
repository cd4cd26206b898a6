// TEMPORARY: the lead's token contract (issue 11 §5), stubbed so GridCases compiles before the
// merge of main; deleted when main's Identity lands.
public enum Role: String, Sendable, CaseIterable { case admin, district, community, worker, planner, reporter }

public struct Identity: Sendable, Equatable {
    public var tokenId: Int64
    public var name: String?
    public var role: Role
    public var districtId: String?
    public var communityId: String?
    public var gridId: String?
    public init(tokenId: Int64, name: String?, role: Role, districtId: String?, communityId: String?, gridId: String?) {
        self.tokenId = tokenId; self.name = name; self.role = role
        self.districtId = districtId; self.communityId = communityId; self.gridId = gridId
    }
    public func covers(districtId: String?, communityId: String?, gridId: String?) -> Bool {
        switch role {
        case .admin, .planner: return true
        case .district: return self.districtId != nil && self.districtId == districtId
        case .community: return self.communityId != nil && self.communityId == communityId
        case .worker: return self.gridId != nil && self.gridId == gridId
        case .reporter: return false
        }
    }
}
