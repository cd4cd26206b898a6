import Foundation
import GridGeo
import GridIO
import GridStore

/// `wangge import network FILE`: reads and checks everything first (GridIO's `NetworkImport`),
/// then replaces the stored network in one transaction; prints the kept/dropped report.
func importNetwork(file: String, crs: CRS?, into db: GridDatabase, reportPath: String?) throws {
    let result: NetworkImport.Result
    do {
        result = try NetworkImport.read(path: file, crs: crs) { note($0) }
    } catch let e as NetworkImportError {
        throw CLIError("\(e)")
    }
    for line in result.report.lines { note(line) }
    if let warning = try farFromTheGrids(result.edges, db) { note(warning) }
    let generation = try db.replaceNetwork(result.edges, source: file, sourceCRS: result.crs)
    note("imported \(result.edges.count) network edges from \(result.crs); boundary generation \(generation)")
    if let reportPath {
        var text = JSONText.encode(result.report.json)
        text += "\n"
        do { try Data(text.utf8).write(to: URL(fileURLWithPath: reportPath), options: .atomic) } catch {
            throw CLIError("cannot write the report to \(reportPath): \(error.localizedDescription)")
        }
    }
}

/// A warning when no edge comes near the stored grids (a network of another city, or in another
/// CRS than `--crs` says): imported all the same (the grids may come later), but every coverage
/// along it would find nothing within walking distance.
func farFromTheGrids(_ edges: [NetworkEdgeInput], _ db: GridDatabase) throws -> String? {
    guard let grids = try db.extent(.grids), let first = edges.first?.coordinates.first else { return nil }
    var box = BoundingBox(minLon: first.lon, minLat: first.lat, maxLon: first.lon, maxLat: first.lat)
    for e in edges {
        for c in e.coordinates {
            box.minLon = min(box.minLon, c.lon); box.maxLon = max(box.maxLon, c.lon)
            box.minLat = min(box.minLat, c.lat); box.maxLat = max(box.maxLat, c.lat)
        }
    }
    guard !box.intersects(grids) else { return nil }
    func text(_ b: BoundingBox) -> String { String(format: "%.4f,%.4f,%.4f,%.4f", b.minLon, b.minLat, b.maxLon, b.maxLat) }
    return "warning: the network (lon/lat box \(text(box))) does not reach the grids (\(text(grids))): check --crs and the file; "
        + "walking-network coverage will find no station within reach until they meet"
}
