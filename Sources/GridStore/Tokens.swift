import Crypto
import Foundation
import GRDB

/// What a token lets its holder do (issue 11 §5): `admin` everything; `district` and `community`
/// staff dispatch, verify, escalate and close cases in their area; a `worker` reports and handles
/// the cases of their grid; a `planner` reads; a `reporter` (an app or a kiosk) creates cases and
/// reads its own.
public enum Role: String, Sendable, CaseIterable, Codable {
    case admin, district, community, worker, planner, reporter

    /// Whether the role needs an area, and which: district → a district id, community → a
    /// community id, worker → a grid id.
    public var areaKind: String? {
        switch self {
        case .district: "district"
        case .community: "community"
        case .worker: "grid"
        case .admin, .planner, .reporter: nil
        }
    }
}

/// Who is calling: the holder of one valid token.
public struct Identity: Sendable, Equatable {
    public let tokenId: Int64
    public let name: String?
    public let role: Role
    public let districtId: String?
    public let communityId: String?
    public let gridId: String?

    public init(tokenId: Int64, name: String?, role: Role, districtId: String? = nil, communityId: String? = nil, gridId: String? = nil) {
        self.tokenId = tokenId; self.name = name; self.role = role
        self.districtId = districtId; self.communityId = communityId; self.gridId = gridId
    }

    /// Whether something located in this district, community and grid lies in the identity's
    /// area: admin and planner see the whole city; district, community and worker their own
    /// district, community or grid (an unknown location is in nobody's area but the city's);
    /// a reporter has no area (it reads its own cases only, by token, not by area).
    public func covers(districtId: String?, communityId: String?, gridId: String?) -> Bool {
        switch role {
        case .admin, .planner: true
        case .district: districtId != nil && districtId == self.districtId
        case .community: communityId != nil && communityId == self.communityId
        case .worker: gridId != nil && gridId == self.gridId
        case .reporter: false
        }
    }
}

/// A token as `wangge token list` shows it: never the token itself, only its first characters.
public struct TokenRecord: Sendable, Equatable {
    public let identity: Identity
    /// The first characters of the token, to tell tokens apart.
    public let prefix: String
    /// ISO 8601 UTC.
    public let createdAt: String
    public let revokedAt: String?
}

/// A token that cannot be created as asked (a role without its area, an area that is not in the
/// store, an area given to a role that has none).
public struct TokenError: Error, CustomStringConvertible, Sendable {
    public let description: String
    public init(_ d: String) { description = d }
}

extension GridDatabase {
    /// Creates a token for `role` in its area and returns it with the identity it stands for.
    /// The token (`wg_` and 43 base64url characters: 256 random bits) is returned only here; the
    /// store keeps its SHA-256 digest. Throws `TokenError` when the role's area is missing, not in
    /// the store's current layers, or given to a role without one.
    public func createToken(role: Role, districtId: String? = nil, communityId: String? = nil, gridId: String? = nil,
                            name: String? = nil) throws -> (identity: Identity, token: String) {
        let given: [(String, String?)] = [("district", districtId), ("community", communityId), ("grid", gridId)]
        for (kind, id) in given where id != nil && kind != role.areaKind {
            throw TokenError("a \(role.rawValue) token has no \(kind) (\(role.areaKind.map { "give only its \($0)" } ?? "it works city-wide"))")
        }
        let token = Self.newToken()
        return try write { db in
            if let kind = role.areaKind {
                guard let id = given.first(where: { $0.0 == kind })?.1 else {
                    throw TokenError("a \(role.rawValue) token needs its \(kind): --\(kind) ID")
                }
                let table = kind == "grid" ? "grids" : kind == "district" ? "districts" : "communities"
                guard try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM \(table) WHERE id = ?)", arguments: [id]) == true else {
                    throw TokenError("no \(kind) with id \(id) in the store")
                }
            }
            try db.execute(literal: """
                INSERT INTO api_tokens (token_sha256, token_prefix, name, role, district_id, community_id, grid_id, created_at)
                VALUES (\(Self.digest(token)), \(String(token.prefix(10))), \(name), \(role.rawValue), \(districtId), \(communityId), \(gridId),
                        strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
                """)
            let identity = Identity(tokenId: db.lastInsertedRowID, name: name, role: role,
                                    districtId: districtId, communityId: communityId, gridId: gridId)
            return (identity, token)
        }
    }

    /// The identity a token stands for; nil for a token the store does not know or that was revoked.
    public func identity(forToken token: String) throws -> Identity? {
        try read { db in
            try Row.fetchOne(db.cachedStatement(sql: """
                SELECT id, name, role, district_id, community_id, grid_id FROM api_tokens WHERE token_sha256 = ? AND revoked_at IS NULL
                """), arguments: [Self.digest(token)]).flatMap(Self.identity)
        }
    }

    /// Every token ever created, revoked ones included, oldest first.
    public func tokens() throws -> [TokenRecord] {
        try read { db in
            try Row.fetchAll(db, sql: """
                SELECT id, name, role, district_id, community_id, grid_id, token_prefix, created_at, revoked_at FROM api_tokens ORDER BY id
                """).compactMap { row in
                Self.identity(row).map { TokenRecord(identity: $0, prefix: row[6], createdAt: row[7], revokedAt: row[8]) }
            }
        }
    }

    /// Revokes a token by its id: from then on it is refused. Returns false when there is no
    /// such token or it was already revoked (the first revocation time is kept).
    @discardableResult
    public func revokeToken(id: Int64) throws -> Bool {
        try write { db in
            try db.execute(sql: "UPDATE api_tokens SET revoked_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') WHERE id = ? AND revoked_at IS NULL",
                           arguments: [id])
            return db.changesCount == 1
        }
    }

    private static func identity(_ row: Row) -> Identity? {
        guard let role = Role(rawValue: row[2]) else { return nil }
        return Identity(tokenId: row[0], name: row[1], role: role, districtId: row[3], communityId: row[4], gridId: row[5])
    }

    private static func newToken() -> String {
        var rng = SystemRandomNumberGenerator()
        let bytes = (0..<32).map { _ in UInt8.random(in: .min ... .max, using: &rng) }
        let b64 = Data(bytes).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
        return "wg_" + b64
    }

    static func digest(_ token: String) -> String {
        // Hex by table: `String(format:)` per byte cost more than the hash and the lookup together.
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(64)
        for b in SHA256.hash(data: Data(token.utf8)) { out.append(digits[Int(b >> 4)]); out.append(digits[Int(b & 15)]) }
        return String(decoding: out, as: UTF8.self)
    }
}
