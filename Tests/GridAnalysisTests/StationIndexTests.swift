import Foundation
import GridAnalysis
@testable import GridIndex
import GridTestSupport
import GridGeo
import GridStore
import XCTest

final class StationIndexTests: XCTestCase {
    static let categories = ["canteen", "elder_day_care", "health_station", "other"]

    /// Stations with the hard cases: a cluster of duplicates at one spot (ties), a ring of
    /// stations at nearly the same distance from a centre, stations far away (other continents,
    /// the antimeridian, near the poles) and a random scatter over ~25 km.
    static func hardStations(seed: UInt64 = 11) -> (stations: [StationInfo], ringCentre: Coordinate, duplicate: Coordinate) {
        var rng = SplitMix64(seed: seed)
        var out: [StationInfo] = []
        func add(_ p: Coordinate, _ cat: String? = nil) {
            let c = cat ?? categories[Int(rng.next() % UInt64(categories.count))]
            // Ids in no spatial order, so the tie rule is really tested against positions.
            out.append(StationInfo(id: String(format: "S%06d", (out.count * 7919) % 100_003), category: c, point: p))
        }
        for _ in 0..<3000 {
            add(Coordinate(114.3 + rng.unit() * 0.25, 23.0 + rng.unit() * 0.22))
        }
        let duplicate = Coordinate(114.41, 23.1)
        for _ in 0..<12 { add(duplicate) }
        for _ in 0..<4 { add(duplicate, "canteen") }
        let ring = Coordinate(114.45, 23.15)
        for i in 0..<60 {
            // Destination points 400 m away along 60 bearings: geodesically equal within nanometres.
            var g = destination(ring, azimuth: Double(i) * 6, metres: 400)
            if i % 7 == 0 { g = Coordinate(g.lon + 1e-9, g.lat) }  // some a hair further out
            add(g, i % 2 == 0 ? "canteen" : "health_station")
        }
        for p in [Coordinate(179.9999, 0.5), Coordinate(-179.9999, 0.5), Coordinate(0, 89.99), Coordinate(-70, -33), Coordinate(114.2, 22.9)] {
            add(p)
        }
        return (out, ring, duplicate)
    }

    /// A point at a given geodesic distance and azimuth (PROJ's direct problem is not exposed,
    /// so bisect on the inverse along the azimuth's local direction: good to well below 1 µm).
    static func destination(_ c: Coordinate, azimuth: Double, metres: Double) -> Coordinate {
        let a = azimuth * .pi / 180
        func at(_ t: Double) -> Coordinate {
            Coordinate(c.lon + sin(a) * t / (111_320 * cos(c.lat * .pi / 180)), c.lat + cos(a) * t / 110_574)
        }
        var lo = 0.0, hi = metres * 2
        for _ in 0..<80 {
            let mid = (lo + hi) / 2
            if Geodesic.distance(c, at(mid)) < metres { lo = mid } else { hi = mid }
        }
        return at((lo + hi) / 2)
    }

    /// The reference: a geodesic to every station, sorted by (distance, id).
    static func bruteForce(_ index: StationIndex, _ p: Coordinate, k: Int, categories: Set<String>?, maxDistance: Double?) -> [(String, Double)] {
        var all: [(String, Double)] = []
        for s in index.stations where categories?.contains(s.category) ?? true {
            let d: Double = Geodesic.distance(p, s.point)
            if let m = maxDistance, d > m { continue }
            all.append((s.id, d))
        }
        all.sort { (a: (String, Double), b: (String, Double)) -> Bool in a.1 != b.1 ? a.1 < b.1 : a.0 < b.0 }
        return Array(all.prefix(k))
    }

    func testMatchesBruteForce() {
        let (stations, ring, duplicate) = Self.hardStations()
        let index = StationIndex(stations: stations)
        XCTAssertEqual(index.stations.map(\.id), stations.map(\.id).sorted())
        var rng = SplitMix64(seed: 3)
        var queries = [ring, duplicate, Coordinate(180, 0.5), Coordinate(-180, 0.5), Coordinate(0, 90), Coordinate(-114, -23)]
        for _ in 0..<1500 { queries.append(Coordinate(114.25 + rng.unit() * 0.35, 22.95 + rng.unit() * 0.32)) }
        let ks = [1, 2, 5, 17, 100]
        let catChoices: [Set<String>?] = [nil, ["canteen"], ["canteen", "health_station"], ["other", "elder_day_care"], ["nope"], []]
        var compared = 0, nonEmpty = 0
        for (n, q) in queries.enumerated() {
            let k = ks[n % ks.count]
            let cats = catChoices[(n / ks.count) % catChoices.count]
            let maxD: Double? = n % 3 == 0 ? [50.0, 400.0, 2000.0][n % 9 / 3] : nil
            let got = index.nearest(q, k: k, categories: cats, maxDistance: maxD)
            let want = Self.bruteForce(index, q, k: k, categories: cats, maxDistance: maxD)
            XCTAssertEqual(got.map { index.stations[$0.station].id }, want.map(\.0), "ids at \(q) k=\(k) \(String(describing: cats)) max \(String(describing: maxD))")
            XCTAssertEqual(got.map(\.metres), want.map(\.1), "distances at \(q)")
            compared += 1
            if !got.isEmpty { nonEmpty += 1 }
        }
        XCTAssertEqual(compared, queries.count)
        XCTAssertGreaterThan(nonEmpty, queries.count / 2)
    }

    func testTiesGoToTheSmallerId() {
        let (stations, ring, duplicate) = Self.hardStations()
        let index = StationIndex(stations: stations)
        let dup = index.nearest(duplicate, k: 16)
        XCTAssertEqual(dup.count, 16)
        XCTAssertTrue(dup.allSatisfy { $0.metres == 0 })
        let dupIds = dup.map { index.stations[$0.station].id }
        XCTAssertEqual(dupIds, dupIds.sorted())
        XCTAssertEqual(Set(dupIds), Set(stations.filter { $0.point == duplicate }.map(\.id)))
        // k smaller than the tie: the smallest ids win.
        XCTAssertEqual(index.nearest(duplicate, k: 3).map { index.stations[$0.station].id }, Array(dupIds.prefix(3)))
        // Only the canteens among the duplicates.
        let canteens = index.nearest(duplicate, k: 4, categories: ["canteen"]).map { index.stations[$0.station] }
        XCTAssertTrue(canteens.allSatisfy { $0.category == "canteen" && $0.point == duplicate })
        // The ring: 60 stations at 400 m ± 0.1 mm, all found (random stations may lie closer).
        let r = index.nearest(ring, k: 100, maxDistance: 400.001)
        XCTAssertEqual(r.filter { abs($0.metres - 400) < 1e-3 }.count, 60)
        XCTAssertTrue(r.allSatisfy { $0.metres <= 400.001 })
        XCTAssertEqual(r.map(\.metres), r.map(\.metres).sorted())
    }

    /// The pruning rests on chord ≤ geodesic ≤ chordUpperBound(chord): checked on random pairs
    /// from 1 mm to 1,000 km apart, at every latitude (the poles have the flattest curvature).
    func testChordBoundsTheGeodesicBothWays() {
        var rng = SplitMix64(seed: 17)
        var worstGap = 0.0
        for n in 0..<20_000 {
            let a = Coordinate(rng.unit() * 360 - 180, rng.unit() * 180 - 90)
            let reach = pow(10, -3 + 9 * rng.unit()) / 111_000  // degrees, 1 mm … 1,000 km
            let b = Coordinate(a.lon + (rng.unit() * 2 - 1) * reach * (n % 2 == 0 ? 1 : 3), max(-90, min(90, a.lat + (rng.unit() * 2 - 1) * reach)))
            let c = BoundaryDistance.ECEF(a).chord(BoundaryDistance.ECEF(b))
            let g = Geodesic.distance(a, b)
            XCTAssertLessThanOrEqual(c - StationIndex.margin, g, "\(a) \(b)")
            XCTAssertLessThanOrEqual(g, StationIndex.chordUpperBound(c), "\(a) \(b)")
            if c < 10_000 { worstGap = max(worstGap, StationIndex.chordUpperBound(c) - c) }
        }
        XCTAssertLessThan(worstGap, 0.002)  // the bound is tight: ~1 mm at 10 km
    }

    func testEdgeCases() {
        let (stations, _, _) = Self.hardStations()
        let index = StationIndex(stations: stations)
        XCTAssertTrue(index.nearest(Coordinate(114.4, 23.1), k: 0).isEmpty)
        XCTAssertTrue(index.nearest(Coordinate(114.4, 23.1), k: 5, categories: []).isEmpty)
        XCTAssertTrue(index.nearest(Coordinate(114.4, 23.1), k: 5, maxDistance: 0).allSatisfy { $0.metres == 0 })
        XCTAssertEqual(index.nearest(Coordinate(114.4, 23.1), k: 10_000).count, stations.count)
        XCTAssertTrue(StationIndex(stations: []).nearest(Coordinate(0, 0), k: 5).isEmpty)
        XCTAssertEqual(index.categories, Self.categories)
        XCTAssertEqual(index.count(category: "canteen"), stations.filter { $0.category == "canteen" }.count)
    }

    /// Built from a real store: the stations layer read back, and the set rebuilt after a re-import.
    func testBuildsFromTheStoreAndFollowsReimport() throws {
        let db = try makeStore(self, city: SyntheticCity(columns: 4, rows: 3))
        try db.replaceCategories([StationCategory(code: "canteen", nameZh: "社区食堂", nameEn: "Community canteen", countsTowardAll: true)])
        func stationsGeoJSON(_ pts: [(String, Coordinate)]) -> Data {
            let fs = pts.map { id, p in
                #"{"type":"Feature","id":"\#(id)","properties":{"category":"canteen","name":"n\#(id)"},"geometry":{"type":"Point","coordinates":[\#(p.lon),\#(p.lat)]}}"#
            }
            return Data(#"{"type":"FeatureCollection","features":[\#(fs.joined(separator: ","))]}"#.utf8)
        }
        let base = SyntheticCity.base
        _ = try db.importGeoJSON(.stations, data: stationsGeoJSON([("b", Coordinate(base.lon + 0.01, base.lat + 0.01)), ("a", Coordinate(base.lon + 0.02, base.lat))]))
        let service = IndexService(db: db)
        let first = try service.current()
        XCTAssertEqual(first.stations.stations.map(\.id), ["a", "b"])
        XCTAssertEqual(first.stations.stations[1].name, "nb")
        XCTAssertEqual(first.stations.generation, first.generation)
        let near = first.stations.nearest(base, k: 1)
        XCTAssertEqual(first.stations.stations[near[0].station].id, "b")
        XCTAssertEqual(near[0].metres, Geodesic.distance(base, Coordinate(base.lon + 0.01, base.lat + 0.01)))
        _ = try db.importGeoJSON(.stations, data: stationsGeoJSON([("c", base)]))
        let second = try XCTUnwrap(service.reloadIfChanged())
        XCTAssertEqual(second.stations.stations.map(\.id), ["c"])
        XCTAssertEqual(second.stations.nearest(base, k: 5).map(\.metres), [0])
    }
}
