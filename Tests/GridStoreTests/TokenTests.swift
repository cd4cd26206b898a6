import Foundation
import GRDB
@testable import GridStore
import XCTest

final class TokenTests: XCTestCase {
    func testATokenStandsForItsIdentityUntilRevokedAndOnlyItsDigestIsStored() throws {
        let db = try makeStore(self)
        let (identity, token) = try db.createToken(role: .planner, name: "规划科")
        XCTAssertTrue(token.hasPrefix("wg_"))
        XCTAssertEqual(token.count, 3 + 43, "256 random bits in base64url")
        XCTAssertEqual(try db.identity(forToken: token), identity)
        XCTAssertNil(try db.identity(forToken: token + "x"))
        XCTAssertNil(try db.identity(forToken: ""))

        let stored = try db.read { try String.fetchAll($0, sql: "SELECT token_sha256 || token_prefix || coalesce(name, '') FROM api_tokens") }
        XCTAssertFalse(stored.joined().contains(token), "the token itself is never stored")
        XCTAssertEqual(try db.read { try String.fetchOne($0, sql: "SELECT token_sha256 FROM api_tokens") }, GridDatabase.digest(token))

        let (_, second) = try db.createToken(role: .admin)
        XCTAssertNotEqual(second, token)
        XCTAssertTrue(try db.revokeToken(id: identity.tokenId))
        XCTAssertFalse(try db.revokeToken(id: identity.tokenId), "already revoked")
        XCTAssertFalse(try db.revokeToken(id: 999), "unknown")
        XCTAssertNil(try db.identity(forToken: token), "revoked tokens are refused")
        XCTAssertNotNil(try db.identity(forToken: second))
        let list = try db.tokens()
        XCTAssertEqual(list.map(\.identity.role), [.planner, .admin])
        XCTAssertNotNil(list[0].revokedAt)
        XCTAssertNil(list[1].revokedAt)
        XCTAssertEqual(list[0].prefix, String(token.prefix(10)))
    }

    func testAreaRolesNeedTheirAreaFromTheStore() throws {
        let db = try makeStore(self)
        try db.importGeoJSON(.grids, data: featureCollection(["""
            {"type":"Feature","properties":{"id":"G1"},"geometry":{"type":"Polygon","coordinates":[[[114,23],[114.01,23],[114.01,23.01],[114,23.01],[114,23]]]}}
            """]))
        let worker = try db.createToken(role: .worker, gridId: "G1", name: "张三").identity
        XCTAssertEqual(worker.gridId, "G1")
        XCTAssertThrowsError(try db.createToken(role: .worker)) { XCTAssertTrue("\($0)".contains("--grid"), "\($0)") }
        XCTAssertThrowsError(try db.createToken(role: .worker, gridId: "G9")) { XCTAssertTrue("\($0)".contains("no grid with id G9"), "\($0)") }
        XCTAssertThrowsError(try db.createToken(role: .community, communityId: "C1")) {
            XCTAssertTrue("\($0)".contains("no community with id C1"), "the communities layer is empty: \($0)")
        }
        XCTAssertThrowsError(try db.createToken(role: .planner, gridId: "G1")) { XCTAssertTrue("\($0)".contains("has no grid"), "\($0)") }
        XCTAssertThrowsError(try db.createToken(role: .district, districtId: "D1", gridId: "G1"))
        XCTAssertEqual(try db.tokens().count, 1, "refused tokens are not written")
    }

    func testCoversMatchesEachRolesArea() {
        let here = (districtId: "D1", communityId: "C1", gridId: "G1")
        func covers(_ i: Identity, _ d: String?, _ c: String?, _ g: String?) -> Bool { i.covers(districtId: d, communityId: c, gridId: g) }
        XCTAssertTrue(covers(Identity(tokenId: 1, name: nil, role: .admin), nil, nil, nil))
        XCTAssertTrue(covers(Identity(tokenId: 1, name: nil, role: .planner), here.districtId, nil, nil))
        XCTAssertTrue(covers(Identity(tokenId: 1, name: nil, role: .district, districtId: "D1"), "D1", "C9", "G9"))
        XCTAssertFalse(covers(Identity(tokenId: 1, name: nil, role: .district, districtId: "D1"), "D2", "C1", "G1"))
        XCTAssertTrue(covers(Identity(tokenId: 1, name: nil, role: .community, communityId: "C1"), "D9", "C1", "G9"))
        XCTAssertFalse(covers(Identity(tokenId: 1, name: nil, role: .community, communityId: "C1"), "D1", nil, "G1"))
        XCTAssertTrue(covers(Identity(tokenId: 1, name: nil, role: .worker, gridId: "G1"), nil, nil, "G1"))
        XCTAssertFalse(covers(Identity(tokenId: 1, name: nil, role: .worker, gridId: "G1"), "D1", "C1", "G2"))
        XCTAssertFalse(covers(Identity(tokenId: 1, name: nil, role: .reporter), "D1", "C1", "G1"))
    }
}
