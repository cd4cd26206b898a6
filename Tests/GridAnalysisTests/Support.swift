import Foundation
import GridAnalysis
import GridIndex
import GridTestSupport
import GridGeo
import GridStore
import XCTest

/// A store in a fresh temporary folder holding the generated city, removed when the test ends.
func makeStore(_ test: XCTestCase, city: SyntheticCity = SyntheticCity()) throws -> GridDatabase {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("wangge-assign-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    test.addTeardownBlock { try? FileManager.default.removeItem(at: dir) }
    let db = try GridDatabase(path: dir.appendingPathComponent("store.sqlite").path)
    try load(city, into: db)
    return db
}

func load(_ city: SyntheticCity, into db: GridDatabase) throws {
    for (name, text) in city.layers() {
        try db.importGeoJSON(Layer.named(name)!, data: Data(text.utf8))
    }
}

/// Points with the hard cases: shared vertices, exact points on shared edges, points at a
/// vertex's latitude, random points over and around the city.
func hardPoints(_ city: SyntheticCity, random n: Int, seed: UInt64 = 7) -> [Coordinate] {
    var rng = SplitMix64(seed: seed)
    var pts = city.sharedVertices + city.sharedEdgePoints
    let e = city.extent
    let mx = (e.maxLon - e.minLon) * 0.05, my = (e.maxLat - e.minLat) * 0.05
    for v in city.sharedVertices.prefix(200) {
        pts.append(Coordinate(Double.random(in: e.minLon...e.maxLon, using: &rng), v.lat))
    }
    for _ in 0..<n {
        pts.append(Coordinate(Double.random(in: (e.minLon - mx)...(e.maxLon + mx), using: &rng),
                              Double.random(in: (e.minLat - my)...(e.maxLat + my), using: &rng)))
    }
    return pts
}
