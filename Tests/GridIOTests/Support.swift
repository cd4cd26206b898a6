import Foundation
import GridGeo
import GridIndex
import GridStore
import GridTestSupport
import XCTest

/// A temporary folder removed when the test ends.
func temporaryFolder(_ test: XCTestCase) throws -> URL {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("wangge-io-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    test.addTeardownBlock { try? FileManager.default.removeItem(at: dir) }
    return dir
}

/// A real SpatiaLite store holding the generated city, and the assignment index built from it.
func makeIndex(_ test: XCTestCase, city: SyntheticCity) throws -> AssignmentIndex {
    let db = try GridDatabase(path: try temporaryFolder(test).appendingPathComponent("store.sqlite").path)
    for (name, text) in city.layers() {
        try db.importGeoJSON(Layer.named(name)!, data: Data(text.utf8))
    }
    return try AssignmentIndex.build(from: db)
}

/// Points with the hard cases: shared vertices, points on shared edges, random points over and
/// around the city.
func cityPoints(_ city: SyntheticCity, random n: Int, seed: UInt64 = 11) -> [Coordinate] {
    var rng = SplitMix64(seed: seed)
    var pts = Array(city.sharedVertices.prefix(300)) + Array(city.sharedEdgePoints.prefix(300))
    let e = city.extent
    let mx = (e.maxLon - e.minLon) * 0.05, my = (e.maxLat - e.minLat) * 0.05
    for _ in 0..<n {
        pts.append(Coordinate(Double.random(in: (e.minLon - mx)...(e.maxLon + mx), using: &rng),
                              Double.random(in: (e.minLat - my)...(e.maxLat + my), using: &rng)))
    }
    return pts
}
