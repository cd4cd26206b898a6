import Foundation
@testable import GridHTTP
import GridStore
import Hummingbird
import HummingbirdTesting
import XCTest

/// Tokens through the real router on a real store: anonymous reads stay open, a valid token is
/// known by `GET /me`, a refused token is a 401 with the error body on every route.
final class TokenAuthTests: XCTestCase {
    func testTokensAreReadFromTheBearerHeaderOrApiKeyAndRefusedWhenInvalid() async throws {
        let services = try thirtyDistrictServices(self)
        let (identity, token) = try services.db.createToken(role: .district, districtId: "D3", name: "区3督办")
        let app = Application(router: buildRouter(services))
        try await app.test(.router) { client in
            try await client.execute(uri: "/health", method: .get) { XCTAssertEqual($0.status, .ok, "anonymous reads need no token") }
            try await client.execute(uri: "/me", method: .get) { r in
                XCTAssertEqual(r.status, .unauthorized)
                XCTAssertEqual(r.headers[.wwwAuthenticate], "Bearer realm=\"wangge\"")
                let body = try JSONDecoder().decode(ErrorBody.self, from: Data(buffer: r.body))
                XCTAssertEqual(body.code, "Unauthorized")
                XCTAssertEqual(body.field, "Authorization")
            }
            try await client.execute(uri: "/me", method: .get, headers: [.authorization: "Bearer \(token)"]) { r in
                XCTAssertEqual(r.status, .ok)
                let me = try JSONDecoder().decode(IdentityBody.self, from: Data(buffer: r.body))
                XCTAssertEqual(me, IdentityBody(identity))
                XCTAssertEqual(me.role, "district")
                XCTAssertEqual(me.districtId, "D3")
            }
            try await client.execute(uri: "/me?api_key=\(token)", method: .get) { XCTAssertEqual($0.status, .ok, "Open311's api_key") }
            for bad in ["Bearer wg_nope", "Basic dXNlcjpwYXNz", "Bearer ", token] {
                try await client.execute(uri: "/health", method: .get, headers: [.authorization: bad]) { r in
                    XCTAssertEqual(r.status, .unauthorized, bad)
                    XCTAssertTrue(r.headers[.wwwAuthenticate]?.contains("invalid_token") == true)
                    XCTAssertEqual(try JSONDecoder().decode(ErrorBody.self, from: Data(buffer: r.body)).status, 401)
                }
            }
            try services.db.revokeToken(id: identity.tokenId)
            try await client.execute(uri: "/me", method: .get, headers: [.authorization: "Bearer \(token)"]) {
                XCTAssertEqual($0.status, .unauthorized, "revoked at once, no restart")
            }
        }
    }
}
