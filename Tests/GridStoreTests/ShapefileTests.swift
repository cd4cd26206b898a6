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

    /// A null number in the .dbf (GDAL and shapelib write it as `*`s) stays null. ImportSHP alone
    /// reads it as 0: a compound without a known entrance got an entrance at 0°, 0°, and coverage
    /// then measured its walk from the Gulf of Guinea. The fixture is two compounds written by
    /// `ogr2ogr -f "ESRI Shapefile"` from GeoJSON, the second with null households and entrance.
    func testNullNumbersInTheDBFStayNullAndZeroStaysZero() throws {
        let path = repoRoot.appendingPathComponent("Tests/Fixtures/shapefile/compounds_nulls.shp").path
        let (features, _) = try Shapefile.read(path: path)
        XCTAssertEqual(features.count, 2)
        let known = features[0].properties, unknown = features[1].properties
        XCTAssertEqual(known["ent_lon"]?.doubleValue ?? .nan, 114.40005, accuracy: 1e-12)
        XCTAssertEqual(known["ent_lat"]?.doubleValue ?? .nan, 23.10005, accuracy: 1e-12)
        XCTAssertEqual(known["households"]?.intValue, 120)
        XCTAssertEqual(unknown["ent_lon"]?.isNull, true, "\(String(describing: unknown["ent_lon"]))")
        XCTAssertEqual(unknown["ent_lat"]?.isNull, true)
        XCTAssertEqual(unknown["households"]?.isNull, true)
        XCTAssertEqual(unknown["population"]?.intValue, 0, "a real 0 is kept")
        XCTAssertEqual(unknown["name"]?.stringValue, "无门")
    }

    func testMissingShapefileIsAClearError() throws {
        let db = try makeStore(self)
        XCTAssertThrowsError(try db.importShapefile(.districts, path: "/nonexistent/x.shp")) { e in
            XCTAssertTrue("\(e)".contains("no such shapefile"), "\(e)")
        }
    }
}
