import Foundation
import GridGeo
import GridStore
import XCTest

/// A store in a fresh temporary folder, removed when the test ends.
func makeStore(_ test: XCTestCase) throws -> GridDatabase {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("wangge-test-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    test.addTeardownBlock { try? FileManager.default.removeItem(at: dir) }
    return try GridDatabase(path: dir.appendingPathComponent("store.sqlite").path)
}

let repoRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

func fixture(_ name: String) throws -> Data {
    try Data(contentsOf: repoRoot.appendingPathComponent("Tests/Fixtures/\(name)"))
}

func featureCollection(_ features: [String]) -> Data {
    Data("{\"type\":\"FeatureCollection\",\"features\":[\(features.joined(separator: ","))]}".utf8)
}

func polygonFeature(_ id: String, _ props: String = "", ring: [(Double, Double)], holes: [[(Double, Double)]] = []) -> String {
    func r(_ pts: [(Double, Double)]) -> String { "[" + pts.map { "[\($0.0),\($0.1)]" }.joined(separator: ",") + "]" }
    let rings = ([ring] + holes).map(r).joined(separator: ",")
    let extra = props.isEmpty ? "" : "," + props
    return "{\"type\":\"Feature\",\"properties\":{\"id\":\"\(id)\"\(extra)},\"geometry\":{\"type\":\"Polygon\",\"coordinates\":[\(rings)]}}"
}

func box(_ x: Double, _ y: Double, _ w: Double, _ h: Double) -> [(Double, Double)] {
    [(x, y), (x + w, y), (x + w, y + h), (x, y + h), (x, y)]
}

/// Everything a user could observe in the store: every layer exported, plus the generations.
func snapshot(_ db: GridDatabase) throws -> String {
    var s = ""
    for layer in Layer.all { try db.exportGeoJSON(layer) { s += $0 } }
    s += "generation \(try db.currentGeneration())"
    return s
}
