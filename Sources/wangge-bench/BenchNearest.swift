import ArgumentParser
import Foundation
import GridGeo
import GridIndex
import GridStore
import GridTestSupport

struct BenchNearest: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "nearest",
        abstract: "Station index build time, then in-process k-nearest-station queries over generated points (one thread).")

    @OptionGroup var store: StoreOptions

    @Option(help: "Number of query points.")
    var points: Int = 200_000

    @Option(help: "Stations per query.")
    var k: Int = 5

    @Option(help: "Also write the query points as CSV (id,lon,lat) here, for the peers.")
    var pointsCSV: String?

    @Option(help: "Also write the stations as CSV (id,category,lon,lat) here, for the peers.")
    var stationsCSV: String?

    @Option(help: "Also write the answers (id,rank,station_id,distance_m) here, to compare with the peers.")
    var answersCSV: String?

    @Option(help: "Seed of the point generator.")
    var seed: UInt64 = 20261201

    func run() throws {
        let db = try store.open()
        let t0 = Date()
        let index = try StationIndex.build(from: db)
        let build = Date().timeIntervalSince(t0)
        print("stations: \(index.stations.count) in \(index.categories.count) categories; index build \(String(format: "%.3f", build)) s (reading the store included)")
        guard !index.stations.isEmpty else { throw ValidationError("the store has no stations") }
        // Query points: uniform over the stations' bounding box (the city and its surroundings).
        let box = BoundingBox(index.stations.map(\.point))
        var rng = SplitMix64(seed: seed)
        let pts = (0..<points).map { _ in
            Coordinate(box.minLon + (box.maxLon - box.minLon) * rng.unit(), box.minLat + (box.maxLat - box.minLat) * rng.unit())
        }
        if let pointsCSV { try write(pointsCSV, "id,lon,lat", pts.enumerated().map { "\($0),\($1.lon),\($1.lat)" }) }
        if let stationsCSV { try write(stationsCSV, "id,category,lon,lat", index.stations.map { "\($0.id),\($0.category),\($0.point.lon),\($0.point.lat)" }) }
        var answers: [[(station: Int, metres: Double)]] = []
        answers.reserveCapacity(points)
        let t1 = Date()
        for p in pts { answers.append(index.nearest(p, k: k)) }
        let q = Date().timeIntervalSince(t1)
        print("wangge StationIndex.nearest k=\(k): \(points) queries in \(String(format: "%.3f", q)) s = \(String(format: "%.2f", q / Double(points) * 1e6)) µs/query = \(Int(Double(points) / q)) queries/s (one thread)")
        let cat = index.categories[index.categories.count / 2]
        let t2 = Date()
        for p in pts.prefix(points / 4) { _ = index.nearest(p, k: k, categories: [cat]) }
        let qc = Date().timeIntervalSince(t2)
        print("wangge StationIndex.nearest k=\(k) category=\(cat): \(String(format: "%.2f", qc / Double(points / 4) * 1e6)) µs/query")
        if let answersCSV {
            var rows: [String] = []
            for (i, a) in answers.enumerated() {
                for (r, s) in a.enumerated() { rows.append("\(i),\(r + 1),\(index.stations[s.station].id),\(s.metres)") }
            }
            try write(answersCSV, "id,rank,station_id,distance_m", rows)
        }
    }

    func write(_ path: String, _ header: String, _ rows: [String]) throws {
        guard FileManager.default.createFile(atPath: path, contents: nil), let h = FileHandle(forWritingAtPath: path) else {
            throw ValidationError("cannot write \(path)")
        }
        var s = header + "\n"
        for r in rows {
            s += r; s += "\n"
            if s.utf8.count > 1 << 20 { h.write(Data(s.utf8)); s = "" }
        }
        h.write(Data(s.utf8))
        try h.close()
    }
}
