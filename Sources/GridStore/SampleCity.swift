import Foundation
import GridGeo

/// Loading the bundled sample city (geodata/) and the seed tables (seeds/) into a store.
public enum SampleCity {
    public struct MissingData: Error, CustomStringConvertible {
        public let description: String
    }

    /// Finds the repository's geodata/ and seeds/: $WANGGE_HOME, the working directory, or a parent
    /// of the executable (so `swift run` and an installed binary both work).
    public static func locateRoot() -> URL? {
        var candidates: [URL] = []
        if let home = ProcessInfo.processInfo.environment["WANGGE_HOME"] { candidates.append(URL(fileURLWithPath: home)) }
        candidates.append(URL(fileURLWithPath: FileManager.default.currentDirectoryPath))
        var exe = URL(fileURLWithPath: CommandLine.arguments.first ?? ".").resolvingSymlinksInPath().deletingLastPathComponent()
        for _ in 0..<6 { candidates.append(exe); exe = exe.deletingLastPathComponent() }
        return candidates.first { FileManager.default.fileExists(atPath: $0.appendingPathComponent("geodata/districts.geojson").path) }
    }

    public static func categories(from url: URL) throws -> [StationCategory] {
        let text = try String(contentsOf: url, encoding: .utf8)
        var out: [StationCategory] = []
        for (n, line) in text.split(separator: "\n", omittingEmptySubsequences: true).enumerated() where n > 0 {
            let f = try CSV.fields(line)
            guard f.count >= 4 else { throw MissingData(description: "\(url.path) line \(n + 1): expected code,name_zh,name_en,counts_toward_all") }
            out.append(StationCategory(code: f[0], nameZh: f[1], nameEn: f[2], countsTowardAll: f[3].trimmingCharacters(in: .whitespaces) == "1"))
        }
        return out
    }

    /// Loads seeds and every layer; each layer import is all-or-nothing on its own.
    @discardableResult
    public static func load(into db: GridDatabase, root: URL, progress: ((String) -> Void)? = nil) throws -> [ImportReport] {
        try db.replaceCategories(categories(from: root.appendingPathComponent("seeds/station_categories.csv")))
        var reports: [ImportReport] = []
        for layer in Layer.all {
            let url = root.appendingPathComponent("geodata/\(layer.name).geojson")
            guard FileManager.default.fileExists(atPath: url.path) else { throw MissingData(description: "missing \(url.path)") }
            let data = try Data(contentsOf: url)
            let r = try db.importGeoJSON(layer, data: data, options: ImportOptions(source: "geodata/\(layer.name).geojson"))
            progress?("\(layer.name): \(r.imported) features")
            reports.append(r)
        }
        return reports
    }
}
