import Foundation
import GridStore
import XCTest

/// A fresh store ships with its seed tables: stations import without `wangge seed`.
final class SeedTests: XCTestCase {
    func testFreshStoreHoldsTheCategoriesOfTheSeedFile() throws {
        let db = try makeStore(self)
        let seed = try SampleCity.categories(from: repoRoot.appendingPathComponent("seeds/station_categories.csv"))
        XCTAssertEqual(try db.categories(), seed, "a migration must bring every store to seeds/station_categories.csv")
    }

    func testStationsImportIntoAFreshStoreAndAnUnknownCategoryListsTheKnownOnes() throws {
        let db = try makeStore(self)
        let canteen = #"{"type":"Feature","properties":{"id":"S1","category":"canteen"},"geometry":{"type":"Point","coordinates":[114.5,23.5]}}"#
        XCTAssertEqual(try db.importGeoJSON(.stations, data: featureCollection([canteen])).imported, 1)
        XCTAssertEqual(try db.stations().map(\.category), ["canteen"])
        let spaceport = #"{"type":"Feature","properties":{"id":"S2","category":"spaceport"},"geometry":{"type":"Point","coordinates":[114.5,23.5]}}"#
        XCTAssertThrowsError(try db.importGeoJSON(.stations, data: featureCollection([spaceport]))) { e in
            let text = "\(e)"
            XCTAssertTrue(text.contains("category 'spaceport' is not a station category"), text)
            XCTAssertTrue(text.contains("party_service_center, party_service_station, canteen"), text)
            XCTAssertTrue(text.contains("wangge categories --add"), text)
        }
        try db.replaceCategories([StationCategory(code: "spaceport", nameZh: "航天港", nameEn: "Spaceport", countsTowardAll: false)])
        XCTAssertEqual(try db.importGeoJSON(.stations, data: featureCollection([spaceport])).imported, 1)
    }
}
