import Foundation
import GridGeo
@testable import GridIO
import GridStore
import XCTest

/// The foot profile's rule table, splitting at junctions, and bad input, on small hand-made files.
final class NetworkImportTests: XCTestCase {
    func testFootProfileRuleTable() {
        let cases: [([String: String], FootProfile.Decision)] = [
            (["highway": "footway"], .keep),
            (["highway": "residential"], .keep),
            (["highway": "primary_link"], .keep),
            (["highway": "steps"], .keep),
            ([:], .keep),  // a GeoJSON line without highway is a footpath
            (["highway": "motorway"], .drop(.excludedHighway, tag: "highway=motorway")),
            (["highway": "trunk_link", "foot": "yes"], .drop(.excludedHighway, tag: "highway=trunk_link")),
            (["highway": "construction"], .drop(.excludedHighway, tag: "highway=construction")),
            (["highway": "proposed"], .drop(.excludedHighway, tag: "highway=proposed")),
            (["highway": "bus_stop"], .drop(.notAFootHighway, tag: "highway=bus_stop")),
            (["highway": "footway", "foot": "no"], .drop(.footForbidden, tag: "foot=no")),
            (["highway": "primary", "foot": "use_sidepath"], .drop(.footForbidden, tag: "foot=use_sidepath")),
            (["highway": "service", "access": "private"], .drop(.accessForbidden, tag: "access=private")),
            (["highway": "service", "access": "no", "foot": "yes"], .keep),
            (["highway": "service", "access": "no", "foot": "designated"], .keep),
            (["highway": "service", "access": "no", "foot": "permissive"], .keep),
            (["highway": "service", "access": "no", "foot": "customers"], .drop(.accessForbidden, tag: "access=no")),
            (["highway": "service", "access": "destination"], .keep),
            (["highway": "path", "foot": "private", "access": "yes"], .drop(.footForbidden, tag: "foot=private")),
        ]
        for (tags, expected) in cases { XCTAssertEqual(FootProfile.decide(tags), expected, "\(tags)") }
    }

    func line(_ coords: [(Double, Double)], _ props: String = "{}") -> String {
        let c = coords.map { "[\($0.0),\($0.1)]" }.joined(separator: ",")
        return #"{"type":"Feature","properties":\#(props),"geometry":{"type":"LineString","coordinates":[\#(c)]}}"#
    }

    func collection(_ features: [String]) -> Data {
        Data(#"{"type":"FeatureCollection","features":[\#(features.joined(separator: ","))]}"#.utf8)
    }

    /// A cross (two lines sharing a middle vertex), a line touching the cross's end, a loop and a
    /// line crossing another without a shared vertex.
    func testSplitsAtSharedVerticesOnly() throws {
        let data = collection([
            line([(114.0, 23.0), (114.001, 23.0), (114.002, 23.0)], #"{"highway":"residential","name":"A"}"#),
            line([(114.001, 22.999), (114.001, 23.0), (114.001, 23.001)], #"{"highway":"footway"}"#),
            line([(114.002, 23.0), (114.003, 23.0)]),
            // a closed footpath touching nothing: one loop edge
            line([(114.01, 23.01), (114.011, 23.01), (114.011, 23.011), (114.01, 23.01)], #"{"highway":"path"}"#),
            // crosses line A's first segment at 114.0005 without a shared vertex: no junction there
            line([(114.0005, 22.999), (114.0005, 23.001)], #"{"highway":"path"}"#),
            line([(114.0, 23.0), (114.0, 23.1)], #"{"highway":"motorway"}"#),
            line([(114.0, 23.0), (114.0, 23.1)], #"{"highway":"footway","foot":"no"}"#),
        ])
        let r = try NetworkImport.read(geoJSON: data, source: "t.geojson")
        XCTAssertEqual(r.report.waysRead, 7)
        XCTAssertEqual(r.report.waysKept, 5)
        XCTAssertEqual(r.report.dropped[.excludedHighway], ["highway=motorway": 1])
        XCTAssertEqual(r.report.dropped[.footForbidden], ["foot=no": 1])
        // A splits at 114.001 into 2, the cross line splits into 2, the touching line 1, loop 1, crossing 1.
        XCTAssertEqual(r.edges.count, 7)
        let byName = r.edges.filter { $0.name == "A" }
        XCTAssertEqual(byName.count, 2)
        XCTAssertEqual(byName[0].targetNode, byName[1].sourceNode)
        let loop = r.edges.filter { $0.sourceNode == $0.targetNode }
        XCTAssertEqual(loop.count, 1)
        XCTAssertEqual(loop[0].coordinates.count, 4)
        // Ids compact 1...N, in order of first use.
        let ids = Set(r.edges.flatMap { [$0.sourceNode, $0.targetNode] })
        XCTAssertEqual(ids, Set(1...Int64(ids.count)))
        XCTAssertEqual(r.edges[0].sourceNode, 1)
        XCTAssertEqual(r.report.nodes, ids.count)
        // Lengths are geodesic sums.
        for e in r.edges {
            let expected = zip(e.coordinates, e.coordinates.dropFirst()).reduce(0.0) { $0 + Geodesic.distance($1.0, $1.1) }
            XCTAssertEqual(e.lengthM, expected, accuracy: 1e-9)
            XCTAssertGreaterThan(e.lengthM, 0)
        }
        // No edge has a junction (an end of any edge) inside it.
        let ends = Set(r.edges.flatMap { [$0.coordinates.first!, $0.coordinates.last!] })
        for e in r.edges { for c in e.coordinates.dropFirst().dropLast() { XCTAssertFalse(ends.contains(c), "\(c) inside an edge") } }
    }

    /// A line visiting one vertex twice splits there; zero-length pieces and repeated points vanish;
    /// two OSM nodes at one position joined by a zero-length piece become one node.
    func testSelfTouchingAndDegenerate() {
        let a = Coordinate(114.0, 23.0), b = Coordinate(114.001, 23.0), c = Coordinate(114.001, 23.001)
        let built = NetworkBuilder.build([
            NetworkWay(nodes: [1, 2, 3, 1, 4], coordinates: [a, b, c, a, Coordinate(113.999, 23.0)]),
            NetworkWay(nodes: [9, 9], coordinates: [c, c]),                      // one repeated point
            NetworkWay(nodes: [5, 6, 7], coordinates: [Coordinate(115, 23), Coordinate(115, 23), Coordinate(115.001, 23)]),
            NetworkWay(nodes: [6, 8], coordinates: [Coordinate(115, 23), Coordinate(115, 23.001)]),
        ])
        // way 1: 1-2-3-1 (a loop through node 1, which is used twice) and 1-4.
        XCTAssertEqual(built.edges.count, 4)
        XCTAssertEqual(built.edges[0].sourceNode, built.edges[0].targetNode)
        XCTAssertEqual(built.edges[0].coordinates, [a, b, c, a])
        XCTAssertEqual(built.mergedNodes, 1)          // nodes 5 and 6 (one position) merged
        XCTAssertEqual(built.edges[2].sourceNode, built.edges[3].sourceNode)
        XCTAssertEqual(built.nodeCount, 5)  // 1, 4, 5=6, 7, 8
    }

    func testBadInputNamesWhatAndWhere() {
        func message(_ text: String) -> String {
            do { _ = try NetworkImport.read(geoJSON: Data(text.utf8), source: "bad.geojson"); return "" } catch { return "\(error)" }
        }
        XCTAssertTrue(message(#"{"type":"FeatureCollection","features":[]}"#).contains("no usable ways"))
        let onePoint = String(decoding: collection([line([(114, 23), (114.1, 23)]), line([(114, 23)])]), as: UTF8.self)
        XCTAssertTrue(message(onePoint).contains("feature 1, geometry.coordinates: a line needs at least two positions, found 1"), message(onePoint))
        let polygon = #"{"type":"FeatureCollection","features":[{"type":"Feature","properties":{},"geometry":{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,0]]]}}]}"#
        XCTAssertTrue(message(polygon).contains("feature 0, geometry.type: 'Polygon' is not a line"), message(polygon))
        let huge = String(decoding: collection([line([(114, 23), (115, 23)])]), as: UTF8.self).replacingOccurrences(of: "[115.0,23.0]", with: "[1e400,23]")
        XCTAssertTrue(message(huge).contains("feature 0, geometry.coordinates[1]"), message(huge))
        XCTAssertTrue(message(#"{"type":"FeatureCollection","features":[NaN]}"#).contains("line 1, column"))
        let allDropped = String(decoding: collection([line([(114, 23), (114.1, 23)], #"{"highway":"motorway"}"#)]), as: UTF8.self)
        XCTAssertTrue(message(allDropped).contains("all 1 lines were dropped (excluded_highway 1)"), message(allDropped))
    }

    /// Replacing through the store is all-or-nothing: a failed read leaves the previous network.
    func testStoreKeepsNetworkAfterBadFile() throws {
        let db = try GridDatabase(path: try temporaryFolder(self).appendingPathComponent("n.sqlite").path)
        let good = try NetworkImport.read(geoJSON: collection([line([(114, 23), (114.001, 23)])]), source: "good")
        try db.replaceNetwork(good.edges, source: "good", sourceCRS: good.crs)
        XCTAssertThrowsError(try NetworkImport.read(geoJSON: collection([line([(114, 23)])]), source: "bad"))
        XCTAssertEqual(try db.networkEdges().count, 1)
    }

    func testOPLParsing() throws {
        let w = try XCTUnwrap(OSMReader.parseWay(ArraySlice(Array("w42 v1 dV c0 t2019-01-01T00:00:00Z i0 u Thighway=footway,name=Caf%e9%%20%X Nn1,n2,n3".utf8))))
        XCTAssertEqual(w.id, 42)
        XCTAssertEqual(w.refs, [1, 2, 3])
        XCTAssertEqual(w.tags, ["highway": "footway", "name": "Café X"])
        let n = try XCTUnwrap(OSMReader.parseNode(ArraySlice(Array("n7 v1 dV c0 t i0 u T x24.9370245 y60.1643249".utf8))))
        XCTAssertEqual(n.0, 7)
        XCTAssertEqual(n.1, Coordinate(24.9370245, 60.1643249))
        XCTAssertNil(try OSMReader.parseNode(ArraySlice(Array("n8 v1 dV c0 t i0 u T x y".utf8))))
        XCTAssertEqual(try OSMReader.unescape(ArraySlice(Array("%4e2d%%5c71%路".utf8))), "中山路")
    }
}
