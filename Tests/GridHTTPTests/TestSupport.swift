import Foundation
import GridGeo
import GridHTTP
import GridStore
import XCTest

/// A store in a temporary folder with 30 small districts D0…D29 in a row along 23°N (0.01° each,
/// named 区0, 区1, 区2 in turn), removed when the test ends.
func thirtyDistrictServices(_ test: XCTestCase) throws -> AppServices {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("wangge-http-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    test.addTeardownBlock { try? FileManager.default.removeItem(at: dir) }
    let db = try GridDatabase(path: dir.appendingPathComponent("s.sqlite").path)
    var features: [String] = []
    for i in 0..<30 {
        let x = 114 + Double(i) * 0.01
        features.append("""
            {"type":"Feature","properties":{"id":"D\(i)","name":"区\(i % 3)"},"geometry":{"type":"Polygon","coordinates":[[[\(x),23],[\(x + 0.01),23],[\(x + 0.01),23.01],[\(x),23.01],[\(x),23]]]}}
            """)
    }
    try db.importGeoJSON(.districts, data: Data("{\"type\":\"FeatureCollection\",\"features\":[\(features.joined(separator: ","))]}".utf8))
    return AppServices(db: db)
}
