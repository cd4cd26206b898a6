import Foundation
import GridGeo
import GridStore
import XCTest

final class ServiceTiersTests: XCTestCase {
    /// Reads a seeds/ CSV as rows of fields, header dropped.
    func seedRows(_ name: String) throws -> [[String]] {
        let text = try String(contentsOf: repoRoot.appendingPathComponent("seeds/\(name)"), encoding: .utf8)
        return try text.split(separator: "\n").dropFirst().map { try CSV.fields($0) }
    }

    /// A new store holds exactly the defaults of seeds/service_tiers.csv and seeds/walking.csv
    /// (the migration carries them, so the product needs no repository at run time).
    func testNewStoreHoldsTheSeedDefaults() throws {
        let t = try makeStore(self).serviceTiers()
        let tiers = try seedRows("service_tiers.csv").map {
            ServiceTier(minutes: Int($0[0])!, radiusMetres: Double($0[1])!, nameZh: $0[2], nameEn: $0[3])
        }
        XCTAssertEqual(t.tiers, tiers)
        XCTAssertEqual(t.tiers.map(\.minutes), [5, 10, 15])
        XCTAssertEqual(t.tiers.map(\.radiusMetres), [300, 500, 1000])
        let walking = try seedRows("walking.csv")
        XCTAssertEqual(t.parameters.map(\.parameter), walking.map { $0[0] })
        XCTAssertEqual(t.parameters.map(\.value), walking.map { Double($0[1])! })
        XCTAssertEqual(t.parameters.map(\.nameZh), walking.map { $0[3] })
        XCTAssertEqual(t.walkingSpeedKmh, 5)
        XCTAssertEqual(t.detourFactor, 1)
        // 1,250 m in 15 minutes at 5 km/h (DESIGN §1).
        XCTAssertEqual(t.walkMinutes(metres: 1250), 15, accuracy: 1e-12)
        XCTAssertEqual(t.tier(minutes: 10)?.radiusMetres, 500)
        XCTAssertNil(t.tier(minutes: 20))
    }

    /// A store made before the tiers existed gains them when opened.
    func testAV1StoreGainsTheTiers() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("wangge-tiers-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("v1.sqlite").path
        try FileManager.default.copyItem(atPath: repoRoot.appendingPathComponent("Tests/Fixtures/stores/v1.sqlite").path, toPath: path)
        let db = try GridDatabase(path: path)
        XCTAssertEqual(try db.serviceTiers().tiers.map(\.minutes), [5, 10, 15])
        XCTAssertGreaterThan(try db.count(.grids), 0)
    }
}
