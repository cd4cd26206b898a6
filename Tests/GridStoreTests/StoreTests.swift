import Foundation
import GRDB
import GridGeo
@testable import GridStore
import XCTest

final class StoreTests: XCTestCase {
    func testMigrationsRegisterEveryLayerWithASpatialIndexInWALMode() throws {
        let db = try makeStore(self)
        try db.read { conn in
            let rows = try Row.fetchAll(conn, sql: "SELECT f_table_name, geometry_type, srid, spatial_index_enabled FROM geometry_columns ORDER BY f_table_name")
            XCTAssertEqual(rows.map { $0[0] as String }, (Layer.all.flatMap { [$0.name, $0.historyTable] } + ["network_edges", "cases"]).sorted(),
                           "every layer and its history, the walking network and the cases")
            for r in rows {
                XCTAssertEqual(r[2] as Int, 4326)
                XCTAssertEqual(r[3] as Int, 1)
                let name = r[0] as String
                XCTAssertEqual(r[1] as Int, name.hasPrefix("stations") || name == "cases" ? 1 : name == "network_edges" ? 2 : 6, "POINT=1, LINESTRING=2, MULTIPOLYGON=6")
            }
            XCTAssertEqual(try String.fetchOne(conn, sql: "PRAGMA journal_mode"), "wal")
            XCTAssertEqual(try Double.fetchOne(conn, sql: "SELECT ST_Distance(MakePoint(114, 23, 4326), MakePoint(114.01, 23, 4326), 1)") ?? 0, 1025.2, accuracy: 0.1)
        }
        XCTAssertEqual(try db.networkEdges(), [], "no network until one is imported")
        XCTAssertEqual(try db.snapshot().network, [])
        // Reopening runs no migration twice.
        _ = try GridDatabase(path: db.path)
    }

    func testTheWriterFsyncsEveryCommitUnlessAskedForNormal() throws {
        let db = try makeStore(self)
        XCTAssertEqual(try db.synchronousLevel(), 2, "synchronous=FULL by default (GRDB alone would leave NORMAL, 1, in WAL mode)")
        XCTAssertEqual(try GridDatabase(path: db.path, durability: .normal).synchronousLevel(), 1)
    }

    func testImportExportRoundTripKeepsCoordinatesAndProperties() throws {
        let db = try makeStore(self)
        // Clockwise exterior on input: export must give RFC 7946 winding.
        let cw: [(Double, Double)] = [(114.1, 23.1), (114.1, 23.123456789123), (114.187654321987, 23.123456789123), (114.187654321987, 23.1), (114.1, 23.1)]
        let districts = featureCollection([
            polygonFeature("441302", "\"name\":\"惠城区\",\"source_note\":\"kept\",\"rank\":3", ring: cw,
                           holes: [[(114.12, 23.11), (114.13, 23.11), (114.13, 23.115), (114.12, 23.11)]]),
            """
            {"type":"Feature","id":"441303","properties":{"name":"惠阳区"},"geometry":{"type":"MultiPolygon","coordinates":[[[[114.3,22.7],[114.4,22.7],[114.4,22.8],[114.3,22.7]]],[[[114.5,22.7],[114.6,22.7],[114.6,22.8],[114.5,22.7]]]]}}
            """,
        ])
        let report = try db.importGeoJSON(.districts, data: districts)
        XCTAssertEqual(report.imported, 2)
        XCTAssertEqual(try db.count(.districts), 2)

        var text = ""
        try db.exportGeoJSON(.districts) { text += $0 }
        let (features, crs) = try GeoJSON.features(from: try JSONParser.parse(text))
        XCTAssertNil(crs, "RFC 7946 has no crs member")
        XCTAssertEqual(features.map(\.id), ["441302", "441303"])
        XCTAssertEqual(features[0].properties["name"]?.stringValue, "惠城区")
        XCTAssertEqual(features[0].properties["source_note"]?.stringValue, "kept", "unknown properties survive")
        XCTAssertEqual(features[0].properties["rank"]?.intValue, 3)
        guard case .multiPolygon(let m) = features[0].geometry! else { return XCTFail("polygons are stored as multipolygons") }
        let exterior = m.polygons[0].rings[0]
        XCTAssertGreaterThan(RingOrientation.signedArea2(exterior), 0, "exterior counter-clockwise")
        XCTAssertLessThan(RingOrientation.signedArea2(m.polygons[0].rings[1]), 0, "hole clockwise")
        let original = Set(cw.map { Coordinate($0.0, $0.1) })
        for c in exterior {
            XCTAssertTrue(original.contains { abs($0.lon - c.lon) <= 1e-9 && abs($0.lat - c.lat) <= 1e-9 }, "\(c) not in the input")
        }
        guard case .multiPolygon(let m2) = features[1].geometry! else { return XCTFail() }
        XCTAssertEqual(m2.polygons.count, 2)
    }

    func testGCJ02DistrictsLandOnTheirWGS84Version() throws {
        let db = try makeStore(self)
        let r = try db.importGeoJSON(.districts, data: try fixture("huizhou_districts_gcj02_datav.geojson"),
                                     options: ImportOptions(crs: .gcj02, mapping: ["id": "adcode"]))
        XCTAssertEqual(r.imported, 5)
        let stored = Dictionary(uniqueKeysWithValues: try db.areas(.districts).map { ($0.id, Geometry.multiPolygon($0.geometry)) })
        let (reference, _) = try GeoJSON.features(from: try JSONParser.parse(try fixture("huizhou_districts_wgs84_from_amap.geojson")))
        var compared = 0, worst = 0.0
        for f in reference {
            let id = try XCTUnwrap(f.properties["adcode"].flatMap { $0.intValue }).description
            let mine = try XCTUnwrap(stored[id]).coordinates
            let theirs = f.geometry!.coordinates
            XCTAssertEqual(mine.count, theirs.count, "district \(id) vertex count")
            // Rings may have been reversed for RFC 7946 winding: compare as sets of vertices.
            let sortedMine = mine.sorted { ($0.lon, $0.lat) < ($1.lon, $1.lat) }
            let sortedTheirs = theirs.sorted { ($0.lon, $0.lat) < ($1.lon, $1.lat) }
            for (a, b) in zip(sortedMine, sortedTheirs) {
                worst = max(worst, Geodesic.distance(a, b))
                compared += 1
            }
        }
        XCTAssertGreaterThan(compared, 3000)
        XCTAssertLessThan(worst, 0.01, "every vertex within 1 cm of the WGS84 file")
    }

    func testCRSMemberOfTheFileIsHonoured() throws {
        let db = try makeStore(self)
        let r = try db.importGeoJSON(.districts, data: try fixture("huizhou_districts_cgcs2000_fastgeocn.geojson"), options: ImportOptions(mapping: ["id": "gb"]))
        XCTAssertEqual(r.crs, "EPSG:4490", "from urn:ogc:def:crs:EPSG::4490")
        XCTAssertEqual(Set(try db.areas(.districts).map(\.id)), ["156441302", "156441303", "156441322", "156441323", "156441324"])
        // Huizhou's city hall (114.416, 23.111) lies in 惠城区 in this independent outline too.
        XCTAssertEqual(try db.coveringIds(.districts, Coordinate(114.416, 23.111)), ["156441302"])
    }

    func testParentChainIsFilledFromParents() throws {
        let db = try makeStore(self)
        try db.importGeoJSON(.districts, data: featureCollection([polygonFeature("441302", ring: box(114, 23, 1, 1))]))
        try db.importGeoJSON(.streets, data: featureCollection([polygonFeature("441302001", "\"district_id\":\"441302\"", ring: box(114, 23, 1, 1))]))
        try db.importGeoJSON(.communities, data: featureCollection([polygonFeature("441302001001", "\"street_id\":\"441302001\"", ring: box(114, 23, 1, 1))]))
        try db.importGeoJSON(.grids, data: featureCollection([polygonFeature("441302001001001", "\"community_id\":\"441302001001\"", ring: box(114, 23, 1, 1))]))
        let g = try XCTUnwrap(try db.grids().first)
        XCTAssertEqual(g.streetId, "441302001")
        XCTAssertEqual(g.districtId, "441302")
        XCTAssertEqual(try db.coveringIds(.grids, Coordinate(114.5, 23.5)), ["441302001001001"])
        XCTAssertEqual(try db.coveringIds(.grids, Coordinate(115, 23.5)), ["441302001001001"], "covers its boundary")
        XCTAssertEqual(try db.coveringIds(.grids, Coordinate(115.1, 23.5)), [])
    }

    func testFeaturePagesBBoxAndFilters() throws {
        let db = try makeStore(self)
        var fs: [String] = []
        for i in 0..<25 { fs.append(polygonFeature(String(format: "D%02d", i), "\"name\":\"n\(i % 2)\"", ring: box(100 + Double(i), 20, 0.5, 0.5))) }
        try db.importGeoJSON(.districts, data: featureCollection(fs))
        let all = try db.features(.districts, FeatureQuery(limit: 10))
        XCTAssertEqual(all.numberMatched, 25)
        XCTAssertEqual(all.features.count, 10)
        let page3 = try db.features(.districts, FeatureQuery(limit: 10, offset: 20))
        XCTAssertEqual(page3.features.count, 5)
        let boxed = try db.features(.districts, FeatureQuery(bbox: BoundingBox(minLon: 102.2, minLat: 19, maxLon: 104.1, maxLat: 21), limit: 100))
        XCTAssertEqual(boxed.numberMatched, 3, "D02 (102–102.5), D03 and D04 (starts at 104 < 104.1)")
        let filtered = try db.features(.districts, FeatureQuery(filters: [("name", "n1")], limit: 100))
        XCTAssertEqual(filtered.numberMatched, 12)
        let one = try XCTUnwrap(try db.feature(.districts, id: "D07"))
        let parsed = try GeoJSON.feature(try JSONParser.parse(one))
        XCTAssertEqual(parsed.id, "D07")
        XCTAssertNil(try db.feature(.districts, id: "nope"))
    }
}

final class NetworkStoreTests: XCTestCase {
    func testReplaceNetworkWritesEveryEdgeAndOpensAGeneration() throws {
        let db = try makeStore(self)
        let line = [Coordinate(lon: 114.40, lat: 23.10), Coordinate(lon: 114.401, lat: 23.10)]
        let g1 = try db.replaceNetwork([NetworkEdgeInput(sourceNode: 1, targetNode: 2, lengthM: 102.4, highway: "footway", coordinates: line)],
                                       source: "a.geojson", sourceCRS: "EPSG:4326")
        let edges = try db.networkEdges()
        XCTAssertEqual(edges.map(\.coordinates), [line])
        XCTAssertEqual(edges.first?.highway, "footway")
        XCTAssertEqual(try db.generations().last?.layer, "network")
        XCTAssertEqual(try db.currentGeneration(), g1)

        // A bad edge leaves the store as it was.
        XCTAssertThrowsError(try db.replaceNetwork([NetworkEdgeInput(sourceNode: 1, targetNode: 1, lengthM: 0, coordinates: [line[0]])],
                                                   source: nil, sourceCRS: nil))
        XCTAssertEqual(try db.networkEdges().count, 1)
        XCTAssertEqual(try db.currentGeneration(), g1)

        // A replacement replaces.
        try db.replaceNetwork([], source: nil, sourceCRS: nil)
        XCTAssertEqual(try db.networkEdges(), [])
    }
}
