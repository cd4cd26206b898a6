import Foundation
import GridGeo
import GridStore
import XCTest

final class ShapefileTests: XCTestCase {
    /// A shapefile in Gauss-Kruger (EPSG:4547, named only by its .prj) with a GBK (.cpg CP936) table.
    func testGaussKrugerShapefileWithGBKNamesLandsOnTheWGS84Outlines() throws {
        let db = try makeStore(self)
        let path = repoRoot.appendingPathComponent("Tests/Fixtures/shapefile/districts_4547.shp").path
        let r = try db.importShapefile(.districts, path: path, options: ImportOptions(mapping: ["id": "adcode"]))
        XCTAssertEqual(r.imported, 5)
        XCTAssertEqual(r.crs, "EPSG:4547", "identified from the .prj")
        let stored = Dictionary(uniqueKeysWithValues: try db.areas(.districts).map { ($0.id, $0) })
        XCTAssertEqual(stored["441302"]?.name, "惠城区", "decoded from CP936")
        let (reference, _) = try GeoJSON.features(from: try JSONParser.parse(try fixture("huizhou_districts_wgs84_from_amap.geojson")))
        var worst = 0.0
        for f in reference {
            let id = String(f.properties["adcode"]!.intValue!)
            let mine = Geometry.multiPolygon(try XCTUnwrap(stored[id]).geometry).coordinates
            // Every 10th vertex: its nearest stored vertex after projecting to 4547 and back.
            for c in f.geometry!.coordinates.enumerated().filter({ $0.offset % 10 == 0 }).map(\.element) {
                worst = max(worst, mine.map { Geodesic.distance($0, c) }.min() ?? .infinity)
            }
        }
        XCTAssertLessThan(worst, 0.01, "every vertex comes back to within 1 cm")
    }

    func testMissingShapefileIsAClearError() throws {
        let db = try makeStore(self)
        XCTAssertThrowsError(try db.importShapefile(.districts, path: "/nonexistent/x.shp")) { e in
            XCTAssertTrue("\(e)".contains("no such shapefile"), "\(e)")
        }
    }
}
