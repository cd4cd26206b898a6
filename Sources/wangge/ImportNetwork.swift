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
