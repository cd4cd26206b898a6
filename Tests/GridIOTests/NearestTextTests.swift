import Foundation
@testable import GridAnalysis
import GridGeo
import GridIndex
@testable import GridIO
import GridTestSupport
import XCTest

/// The byte writer of nearest-station answers (`GET /nearest`'s hot path) against independent
/// encodings: numbers against `JSONText.number`, whole answers against the JSONValue encoder.
final class NearestTextTests: XCTestCase {
    /// Millimetres and thousandths of a minute written digit by digit say exactly what
    /// `JSONText.number` (Swift's shortest round-trip text) says of the rounded value.
    func testThousandthsMatchJSONTextNumber() {
        var rng = SplitMix64(seed: 21)
        var values: [Double] = [0, -0.0, 0.0004, 0.0005, 0.0015, 0.001, 0.01, 0.1, 0.25, 1, 9.9995, 999.9995, 1234.5675, 20_003_931.4585,
                                1e11, 999_999_999_999.999, 1e12, 1.0000000000005e12, 1e13, 5e14, 1e15, 1e20, -0.5, -1234.567, -0.0004,
                                .infinity, -.infinity, .nan, .greatestFiniteMagnitude, .leastNonzeroMagnitude]
        for _ in 0..<1_000_000 {
            let magnitude = pow(10, rng.unit() * 14 - 4)  // 0.0001 m to 10^10 m
            values.append(magnitude * rng.unit() * (rng.unit() < 0.05 ? -1 : 1))
        }
        for k in 0..<20_000 { values.append(Double(k) / 1000 + 0.0005) }  // exact halves of a millimetre
        var wrong: [(Double, String, String)] = []
        for d in values {
            var out: [UInt8] = []
            ByteText.thousandths(d, into: &out)
            let got = String(decoding: out, as: UTF8.self), want = JSONText.number((d * 1000).rounded() / 1000)
            if got != want { wrong.append((d, got, want)) }
        }
        XCTAssertTrue(wrong.isEmpty, "\(wrong.count) differ, e.g. \(wrong.prefix(5))")
        for (d, want) in [(1234.5, "1234.5"), (0.0015, "0.002"), (-0.5, "-0.5"), (12.0, "12"), (0.1, "0.1")] {
            var out: [UInt8] = []
            ByteText.thousandths(d, into: &out)
            XCTAssertEqual(String(decoding: out, as: UTF8.self), want)
        }
        for v in [0, 7, 10, 99, 100, 12345, Int.max, Int.min + 1, -42] {
            var out: [UInt8] = []
            ByteText.decimal(v, into: &out)
            XCTAssertEqual(String(decoding: out, as: UTF8.self), String(v))
        }
    }

    /// Stations with every character JSON must escape, missing attributes and awkward
    /// coordinates: the byte answer equals the answer built as a JSONValue and encoded.
    func testCollectionBytesMatchTheEncodedObject() throws {
        let stations = [
            StationInfo(id: "S\"1\\", category: "canteen", name: "食堂\n\t\u{1}\u{7f}", level: "community", gridId: "G1", communityId: nil,
                        streetId: "s,1", districtId: nil, compoundId: "C/1", point: Coordinate(114.123456789012, 23.0987654321)),
            StationInfo(id: "S2", category: "other", point: Coordinate(114.2, 23.2)),
            StationInfo(id: "S3", category: "can\"teen", name: "x", point: Coordinate(114.15, 23.1)),
            StationInfo(id: "S4", category: "canteen", point: Coordinate(114.2, 23.2)),
        ]
        let index = StationIndex(stations: stations)
        let text = StationText.of(index)
        XCTAssertTrue(StationText.of(index) === text, "built once per index")
        for (q, k, queryId) in [(Coordinate(114.15, 23.05), 4, nil), (Coordinate(114.2, 23.2), 2, "q\"1"), (Coordinate(114.1234, 23.5), 1, "7"),
                                (Coordinate(0, 0), 3, nil)] as [(Coordinate, Int, String?)] {
            let list = index.nearest(q, k: k).enumerated().map {
                NearestStation(index: index, position: $0.element.station, metres: $0.element.metres,
                               walkMinutes: $0.element.metres * 1.25 / (4.5 * 1000 / 60), rank: $0.offset + 1)
            }
            let a = NearestAnswer(point: q, stations: list, method: "straight-line", detourFactor: 1.25, walkingSpeedKmh: 4.5, generation: 7)
            let features: [JSONValue] = list.map { n in
                let s = n.station
                var props: [(String, JSONValue)] = queryId.map { [("query_id", .string($0))] } ?? []
                props += [("rank", .int(n.rank)), ("distance_m", .number((n.metres * 1000).rounded() / 1000)),
                          ("walk_min", .number((n.walkMinutes * 1000).rounded() / 1000)), ("category", .string(s.category))]
                for (key, v) in [("name", s.name), ("level", s.level), ("grid_id", s.gridId), ("community_id", s.communityId),
                                 ("street_id", s.streetId), ("district_id", s.districtId), ("compound_id", s.compoundId)] {
                    props.append((key, v.map(JSONValue.string) ?? .null))
                }
                return .object(JSONObject([("type", .string("Feature")), ("id", .string(s.id)),
                                           ("geometry", .object(JSONObject([("type", .string("Point")),
                                                                            ("coordinates", .array([.number(s.point.lon), .number(s.point.lat)]))]))),
                                           ("properties", .object(JSONObject(props)))]))
            }
            XCTAssertEqual(a.geoJSONFeatures(queryId: queryId), features.map { JSONText.encode($0) }.joined(separator: ","))
            guard queryId == nil else { continue }
            let doc = JSONObject([
                ("type", .string("FeatureCollection")),
                ("query", .object(JSONObject([("lon", .number(q.lon)), ("lat", .number(q.lat))]))),
                ("method", .string("straight-line")), ("detour_factor", .number(1.25)), ("walking_speed_kmh", .number(4.5)),
                ("generation", .int(7)), ("numberReturned", .int(list.count)), ("features", .array(features)),
            ])
            XCTAssertEqual(a.geoJSONCollection(), JSONText.encode(.object(doc)))
            XCTAssertEqual(a.geoJSONCollectionBytes(), Array(JSONText.encode(.object(doc)).utf8))
        }
        let none = NearestAnswer(point: Coordinate(1, 2), stations: [], method: "straight-line", detourFactor: 1, walkingSpeedKmh: 5, generation: 0)
        XCTAssertEqual(none.geoJSONCollection(),
                       #"{"type":"FeatureCollection","query":{"lon":1,"lat":2},"method":"straight-line","detour_factor":1,"walking_speed_kmh":5,"generation":0,"numberReturned":0,"features":[]}"#)
    }

    /// The decimal grammar: what people write is a number; strtod's hex, inf and nan are not.
    func testDecimalGrammar() {
        for t in ["0", "-1", "+1", "1.", ".5", "114.42", "1e3", "1E-3", "2.305e+1", "00012", "1e400"] {
            XCTAssertNotNil(DecimalText.double(t), t)
            XCTAssertNotNil(DecimalParsing.parse(t[...]), t)
        }
        for t in ["", ".", "-", "e3", "1e", "1e+", "0x10", "0X1p4", "inf", "-Infinity", "nan", "NaN", "1,5", "1.2.3", "١٢", "1 2", "--1"] {
            XCTAssertNil(DecimalText.double(t), t)
            XCTAssertNil(DecimalParsing.parse(t[...]), t)
        }
        // Long mantissas go to strtod, still decimal only, and round as strtod does.
        XCTAssertEqual(DecimalParsing.parse("114.420402500000000000000001"[...]), 114.4204025)
        XCTAssertNil(DecimalParsing.parse("0x114420402500000000000000001"[...]))
        XCTAssertEqual(DecimalText.isNonFiniteWord("-INF"), true)
        XCTAssertEqual(DecimalText.isNonFiniteWord("0x10"), false)
    }
}
