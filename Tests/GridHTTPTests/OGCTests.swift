import Foundation
import GridGeo
@testable import GridHTTP
import GridStore
import Hummingbird
import HummingbirdTesting
import XCTest

/// OGC API – Features Part 1 and Part 2 (CRS), and the OpenAPI definition, against the real
/// router over a real SpatiaLite file.
final class OGCTests: XCTestCase {
    func makeServices() throws -> AppServices { try thirtyDistrictServices(self) }

    func makeApp() throws -> some ApplicationProtocol { Application(router: buildRouter(try makeServices())) }

    static func json(_ buffer: ByteBuffer) throws -> JSONObject {
        try XCTUnwrap(try JSONParser.parse(String(buffer: buffer)).objectValue)
    }

    static func links(_ o: JSONObject) -> [JSONObject] { o["links"]?.arrayValue?.compactMap(\.objectValue) ?? [] }

    func testLandingPageLinksEveryResourceAbsolutely() async throws {
        try await makeApp().test(.router) { client in
            try await client.execute(uri: "/", method: .get) { r in
                XCTAssertEqual(r.status, .ok)
                let links = Self.links(try Self.json(r.body))
                var byRel: [String: JSONObject] = [:]
                for l in links {
                    XCTAssertNotNil(l["type"]?.stringValue, "every link has a type")
                    XCTAssertTrue(l["href"]?.stringValue?.hasPrefix("http://") ?? false, "absolute: \(l)")
                    byRel[l["rel"]?.stringValue ?? ""] = l
                }
                XCTAssertEqual(byRel["service-desc"]?["href"]?.stringValue?.hasSuffix("/api"), true)
                XCTAssertEqual(byRel["service-desc"]?["type"]?.stringValue, "application/vnd.oai.openapi+json;version=3.0")
                XCTAssertEqual(byRel["service-doc"]?["href"]?.stringValue?.hasSuffix("/api.html"), true)
                XCTAssertEqual(byRel["service-doc"]?["type"]?.stringValue, "text/html")
                XCTAssertEqual(byRel["conformance"]?["href"]?.stringValue?.hasSuffix("/conformance"), true)
                XCTAssertEqual(byRel["data"]?["href"]?.stringValue?.hasSuffix("/collections"), true)
                XCTAssertEqual(byRel["related"]?["href"]?.stringValue?.hasSuffix("/map"), true)
            }
            try await client.execute(uri: "/conformance", method: .get) { r in
                let list = try Self.json(r.body)["conformsTo"]?.arrayValue?.compactMap(\.stringValue)
                XCTAssertEqual(Set(list ?? []), [
                    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
                    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
                    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/oas30",
                    "http://www.opengis.net/spec/ogcapi-features-2/1.0/conf/crs",
                ])
            }
            try await client.execute(uri: "/?f=xml", method: .get) { r in XCTAssertEqual(r.status, .badRequest) }
        }
    }

    func testCollectionsDeclareExtentStorageCRSAndCRSList() async throws {
        try await makeApp().test(.router) { client in
            try await client.execute(uri: "/collections/districts", method: .get) { r in
                let o = try Self.json(r.body)
                XCTAssertEqual(o["storageCrs"]?.stringValue, "http://www.opengis.net/def/crs/OGC/1.3/CRS84")
                let crs = o["crs"]?.arrayValue?.compactMap(\.stringValue) ?? []
                for code in ["4326", "4490", "4547", "3857"] {
                    XCTAssertTrue(crs.contains("http://www.opengis.net/def/crs/EPSG/0/\(code)"), code)
                }
                XCTAssertTrue(crs.contains("http://www.opengis.net/def/crs/OGC/1.3/CRS84"))
                let bbox = o["extent"]?.objectValue?["spatial"]?.objectValue?["bbox"]?.arrayValue?.first?.arrayValue?.compactMap(\.doubleValue) ?? []
                XCTAssertEqual(bbox.count, 4)
                XCTAssertEqual(bbox[0], 114, accuracy: 1e-4)
                XCTAssertEqual(bbox[2], 114.3, accuracy: 1e-4)
                XCTAssertEqual(bbox[3], 23.01, accuracy: 1e-4)
                XCTAssertEqual(Self.links(o).first { $0["rel"]?.stringValue == "items" }?["type"]?.stringValue, "application/geo+json")
            }
            try await client.execute(uri: "/collections", method: .get) { r in
                let list = try Self.json(r.body)["collections"]?.arrayValue?.compactMap(\.objectValue) ?? []
                XCTAssertEqual(list.map { $0["id"]?.stringValue ?? "" }, Layer.all.map(\.name))
                for c in list { XCTAssertFalse(c["id"]?.stringValue?.contains(".") ?? true, "no dots in collection ids") }
            }
        }
    }

    func testDefaultLimitAndPagingKeepsCRSParameters() async throws {
        try await makeApp().test(.router) { client in
            try await client.execute(uri: "/collections/districts/items", method: .get) { r in
                let o = try Self.json(r.body)
                XCTAssertEqual(o["numberReturned"]?.intValue, 10, "default limit 10")
                XCTAssertEqual(r.headers[OGC.Header.contentCRS], "<http://www.opengis.net/def/crs/OGC/1.3/CRS84>")
            }
            let crs = "http://www.opengis.net/def/crs/EPSG/0/4547"
            try await client.execute(uri: "/collections/districts/items?limit=5&crs=\(Links.escape(crs))", method: .get) { r in
                let next = Self.links(try Self.json(r.body)).first { $0["rel"]?.stringValue == "next" }?["href"]?.stringValue ?? ""
                XCTAssertTrue(next.contains("crs=http://www.opengis.net/def/crs/EPSG/0/4547"), next)
                XCTAssertTrue(next.hasSuffix("offset=5"), next)
            }
        }
    }

    func testFeaturesKeepExtraMembersAndNullColumns() async throws {
        let services = try makeServices()
        let extra = """
            {"type":"FeatureCollection","features":[{"type":"Feature","properties":{"id":"X1","name":"外","note":"以前的名字","rank":3},
            "geometry":{"type":"Polygon","coordinates":[[[115,23],[115.01,23],[115.01,23.01],[115,23.01],[115,23]]]}},
            {"type":"Feature","properties":{"id":"X2","name":null},
            "geometry":{"type":"Polygon","coordinates":[[[115.01,23],[115.02,23],[115.02,23.01],[115.01,23.01],[115.01,23]]]}}]}
            """
        try services.db.importGeoJSON(.districts, data: Data(extra.utf8))
        try await Application(router: buildRouter(services)).test(.router) { client in
            try await client.execute(uri: "/collections/districts/items?bbox=115,23,115.02,23.01", method: .get) { r in
                let (features, _) = try GeoJSON.features(from: .object(try Self.json(r.body)))
                XCTAssertEqual(features.map(\.id), ["X1", "X2"])
                XCTAssertEqual(features[0].properties["note"], .string("以前的名字"))
                XCTAssertEqual(features[0].properties["rank"]?.intValue, 3)
                XCTAssertEqual(features[0].properties["name"], .string("外"))
                XCTAssertEqual(features[1].properties["name"], .null, "a null column is a null property, not a missing one")
                XCTAssertEqual(features[1].properties["id"], .string("X2"))
            }
        }
    }

    /// First coordinate of the first feature of a response.
    static func firstCoordinate(_ o: JSONObject) throws -> [Double] {
        let f = try XCTUnwrap(o["features"]?.arrayValue?.first?.objectValue ?? o)
        var c = try XCTUnwrap(f["geometry"]?.objectValue?["coordinates"])
        while case .array(let a) = c, case .array = a.first { c = a.first! }
        return c.arrayValue?.compactMap(\.doubleValue) ?? []
    }

    func testCRSParameterTransformsWithTheAxisOrderOfEachCRS() async throws {
        // D0's first vertex is 114 E, 23 N.
        let expected: [(String, [Double], Double, String)] = [
            ("", [114, 23], 1e-9, "http://www.opengis.net/def/crs/OGC/1.3/CRS84"),
            ("http://www.opengis.net/def/crs/OGC/1.3/CRS84", [114, 23], 1e-9, "http://www.opengis.net/def/crs/OGC/1.3/CRS84"),
            ("http://www.opengis.net/def/crs/EPSG/0/4326", [23, 114], 1e-9, "http://www.opengis.net/def/crs/EPSG/0/4326"),
            ("EPSG:4326", [23, 114], 1e-9, "http://www.opengis.net/def/crs/EPSG/0/4326"),
            ("[EPSG:4490]", [23, 114], 1e-9, "http://www.opengis.net/def/crs/EPSG/0/4490"),
            // cs2cs EPSG:4326 EPSG:4547 <<< "23 114": northing 2544537.579, easting 500000.000
            ("http://www.opengis.net/def/crs/EPSG/0/4547", [2_544_537.579, 500_000], 0.01, "http://www.opengis.net/def/crs/EPSG/0/4547"),
            // Web Mercator: x = R·λ, y = R·ln tan(π/4 + φ/2)
            ("http://www.opengis.net/def/crs/EPSG/0/3857", [12_690_421.950, 2_632_018.638], 0.01, "http://www.opengis.net/def/crs/EPSG/0/3857"),
        ]
        try await makeApp().test(.router) { client in
            for (crs, want, tol, header) in expected {
                let q = crs.isEmpty ? "" : "&crs=\(Links.escape(crs))"
                try await client.execute(uri: "/collections/districts/items?id=D0\(q)", method: .get) { r in
                    XCTAssertEqual(r.status, .ok, crs)
                    XCTAssertEqual(r.headers[OGC.Header.contentCRS], "<\(header)>", crs)
                    let c = try Self.firstCoordinate(try Self.json(r.body))
                    XCTAssertEqual(c.count, 2, crs)
                    XCTAssertEqual(c[0], want[0], accuracy: tol, crs)
                    XCTAssertEqual(c[1], want[1], accuracy: tol, crs)
                }
                try await client.execute(uri: "/collections/districts/items/D0?x=1".replacingOccurrences(of: "x=1", with: q.dropFirst()), method: .get) { r in
                    XCTAssertEqual(r.status, .ok, crs)
                    XCTAssertEqual(r.headers[OGC.Header.contentCRS], "<\(header)>", crs)
                    let c = try Self.firstCoordinate(try Self.json(r.body))
                    XCTAssertEqual(c[0], want[0], accuracy: tol, crs)
                }
            }
        }
    }

    func testBBoxCRSSelectsTheSameFeaturesInEveryCRS() async throws {
        // 114.055..114.075 E, 22.9..23.1 N touches D5, D6, D7.
        let boxes: [(String, String)] = [
            ("", "114.055,22.9,114.075,23.1"),
            ("http://www.opengis.net/def/crs/EPSG/0/4326", "22.9,114.055,23.1,114.075"),
            ("http://www.opengis.net/def/crs/EPSG/0/4490", "22.9,114.055,23.1,114.075"),
            // the same box projected (PROJ), northing first; slightly inside so the curved edges do not reach D4/D8
            ("http://www.opengis.net/def/crs/EPSG/0/4547", "2533500,505700,2555500,507600"),
            ("http://www.opengis.net/def/crs/EPSG/0/3857", "12696550,2620100,12698700,2644200"),
        ]
        try await makeApp().test(.router) { client in
            for (crs, bbox) in boxes {
                let q = crs.isEmpty ? "" : "&bbox-crs=\(Links.escape(crs))"
                try await client.execute(uri: "/collections/districts/items?bbox=\(bbox)\(q)", method: .get) { r in
                    XCTAssertEqual(r.status, .ok, crs)
                    let ids = try GeoJSON.features(from: .object(try Self.json(r.body))).features.compactMap(\.id)
                    XCTAssertEqual(ids, ["D5", "D6", "D7"], crs)
                }
            }
        }
    }

    func testBadCRSAndBBoxCRSAreJSON400s() async throws {
        let cases: [(String, String)] = [
            ("/collections/districts/items?crs=EPSG:2000", "unsupported CRS"),
            ("/collections/districts/items?crs=nonsense", "unsupported CRS"),
            ("/collections/districts/items/D1?crs=EPSG:27700", "unsupported CRS"),
            ("/collections/districts/items?bbox=1,2,3,4&bbox-crs=EPSG:9999", "unsupported CRS"),
            // latitude first: 114 is no latitude
            ("/collections/districts/items?bbox=114,22,115,23&bbox-crs=http://www.opengis.net/def/crs/EPSG/0/4326", "latitude"),
            ("/collections/districts/items?bbox=3,2,1,4&bbox-crs=http://www.opengis.net/def/crs/EPSG/0/3857", "minimum is greater"),
            ("/collections/districts/items?bbox=1e12,1e12,2e12,2e12&bbox-crs=http://www.opengis.net/def/crs/EPSG/0/3857", "outside"),
            ("/collections/districts/items?f=xml", "only"),
            ("/collections/districts/items/D1?limit=3", "unknown parameter"),
            ("/collections/districts/items?offset=9223372036854775800", "offset"),
            ("/collections/districts/items?offset=-1", "offset"),
        ]
        try await makeApp().test(.router) { client in
            for (uri, text) in cases {
                try await client.execute(uri: uri, method: .get) { r in
                    XCTAssertEqual(r.status, .badRequest, uri)
                    let o = try Self.json(r.body)
                    XCTAssertEqual(o["code"]?.stringValue, "InvalidParameterValue", uri)
                    XCTAssertTrue(o["description"]?.stringValue?.contains(text) ?? false, "\(uri): \(o["description"] ?? .null)")
                }
            }
        }
    }

    /// The API definition is true to the router: every route has a path and operation in the
    /// document, and every documented operation is routed.
    func testOpenAPIMatchesTheRouterExactly() throws {
        let router = buildRouter(try makeServices())
        var routed = Set<String>()
        for route in router.routes {
            let path = route.path.description
            let method = route.method.rawValue.lowercased()
            if path.contains("{collectionId}") {
                for layer in Layer.all { routed.insert("\(method) \(path.replacingOccurrences(of: "{collectionId}", with: layer.name))") }
            } else {
                routed.insert("\(method) \(path)")
            }
        }
        let schema = try makeServices().db.schema
        let doc = OpenAPI.document(serverURL: "http://localhost", schema: schema).json.objectValue
        var documented = Set<String>()
        for (path, item) in doc?["paths"]?.objectValue?.members ?? [] {
            for (method, _) in item.objectValue?.members ?? [] { documented.insert("\(method) \(path)") }
        }
        XCTAssertEqual(routed.subtracting(documented).sorted(), [], "routes missing from the OpenAPI document (add them in OpenAPI.swift)")
        XCTAssertEqual(documented.subtracting(routed).sorted(), [], "documented operations that no route serves")
        XCTAssertEqual(doc?["openapi"]?.stringValue, "3.0.3")
    }

    /// Every `$ref` in the document resolves, and each layer's property filters are declared.
    func testOpenAPIReferencesResolveAndFiltersAreDeclared() throws {
        let schema = try makeServices().db.schema
        let doc = try XCTUnwrap(OpenAPI.document(serverURL: "http://localhost", schema: schema).json.objectValue)
        func walk(_ v: JSONValue, _ visit: (String) -> Void) {
            switch v {
            case .object(let o):
                for (k, x) in o.members { if k == "$ref", let s = x.stringValue { visit(s) } else { walk(x, visit) } }
            case .array(let a): for x in a { walk(x, visit) }
            default: break
            }
        }
        walk(.object(doc)) { ref in
            let parts = ref.split(separator: "/").dropFirst().map(String.init)
            var node: JSONValue? = .object(doc)
            for p in parts { node = node?.objectValue?[p] }
            XCTAssertNotNil(node, "unresolved \(ref)")
        }
        let gridItems = doc["paths"]?.objectValue?["/collections/grids/items"]?.objectValue?["get"]?.objectValue
        let names = gridItems?["parameters"]?.arrayValue?.compactMap { $0.objectValue?["name"]?.stringValue } ?? []
        for c in schema[.grids].columns { XCTAssertTrue(names.contains(c.name), c.name) }
    }

    func testServiceDocAndDefinitionAreServed() async throws {
        try await makeApp().test(.router) { client in
            try await client.execute(uri: "/api", method: .get) { r in
                XCTAssertEqual(r.status, .ok)
                XCTAssertEqual(r.headers[.contentType], "application/vnd.oai.openapi+json;version=3.0")
                let o = try Self.json(r.body)
                XCTAssertNotNil(o["paths"]?.objectValue?["/collections/stations/items/{featureId}"])
            }
            try await client.execute(uri: "/api.html", method: .get) { r in
                XCTAssertEqual(r.status, .ok)
                XCTAssertEqual(r.headers[.contentType], "text/html; charset=utf-8")
                let html = String(buffer: r.body)
                XCTAssertTrue(html.contains("/collections/grids/items"))
                XCTAssertTrue(html.contains("bbox-crs"))
                XCTAssertFalse(html.contains("<script"), "a plain page, no scripts or CDN")
            }
        }
    }
}
