import ArgumentParser
import Foundation
import GridGeo
import GridStore

struct Import: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Import a layer from GeoJSON or a shapefile, or the walking network from GeoJSON or OpenStreetMap, all-or-nothing.",
        discussion: """
            Layers: \(Layer.all.map(\.name).joined(separator: ", ")), and network (GeoJSON lines or OpenStreetMap .osm.pbf/.osm, \
            read with osmium-tool; kept and dropped by the foot profile, see the README).
            Example: wangge import grids grids_gcj.geojson --crs gcj02 --map id=grid_code --invalid repair
            Example: wangge import network city.osm.pbf --report network-report.json
            """)

    @OptionGroup var store: StoreOptions

    @Argument(help: "Layer to import into.")
    var layer: String

    @Argument(help: "GeoJSON file (FeatureCollection), - for standard input, or a shapefile (.shp).")
    var file: String

    @Option(help: "CRS of the input: wgs84, cgcs2000, gcj02, bd09 or EPSG:nnnn (default: the file's crs member, else wgs84).")
    var crs: String?

    @Option(name: .customLong("map"), help: "Take a column from a differently named property: COLUMN=PROPERTY (repeatable).")
    var mappings: [String] = []

    @Option(help: "What to do with invalid polygons: reject (default) or repair with MakeValid.")
    var invalid: ImportOptions.InvalidPolicy = .reject

    @Flag(help: "Add to the layer instead of replacing it.")
    var append = false

    @Option(help: "Character set of a shapefile's .dbf, e.g. CP936 (default: its .cpg file, else UTF-8).")
    var encoding: String?

    @Option(name: .customLong("report"), help: "network only: also write the import's report (ways kept and dropped by reason) as JSON to this file.")
    var reportFile: String?

    func run() throws {
        if layer == "network" {
            guard mappings.isEmpty, !append, encoding == nil else {
                throw ValidationError("--map, --append and --encoding do not apply to the network (it is replaced whole)")
            }
            let parsedCRS: CRS?
            do { parsedCRS = try crs.map { try CRS(parsing: $0) } } catch { throw ValidationError("\(error)") }
            try importNetwork(file: file, crs: parsedCRS, into: try store.open(), reportPath: reportFile)
            return
        }
        if reportFile != nil { throw ValidationError("--report applies to the network layer only") }
        guard let target = Layer.named(layer) else {
            throw ValidationError("unknown layer '\(layer)'; layers: \(Layer.all.map(\.name).joined(separator: ", ")), network")
        }
        var mapping: [String: String] = [:]
        for m in mappings {
            let parts = m.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else { throw ValidationError("--map takes COLUMN=PROPERTY, found '\(m)'") }
            mapping[parts[0]] = parts[1]
        }
        let parsedCRS: CRS?
        do { parsedCRS = try crs.map { try CRS(parsing: $0) } } catch { throw ValidationError("\(error)") }
        let db = try store.open()
        let options = ImportOptions(crs: parsedCRS, mapping: mapping, invalid: invalid, mode: append ? .append : .replace, source: file)
        let progress: ImportProgress = { stage, done, total in
            if total >= 2000 { note("\(stage) \(done)/\(total)") }
        }
        let report: ImportReport
        if file.lowercased().hasSuffix(".shp") {
            report = try db.importShapefile(target, path: file, encoding: encoding, options: options, progress: progress)
        } else {
            let data: Data
            if file == "-" {
                data = FileHandle.standardInput.readDataToEndOfFile()
            } else {
                guard let d = FileManager.default.contents(atPath: file) else { throw CLIError("cannot read \(file)") }
                data = d
            }
            report = try db.importGeoJSON(target, data: data, options: options, progress: progress)
        }
        note("imported \(report.imported) \(report.layer) from \(report.crs)" +
             (report.repaired > 0 ? ", repaired \(report.repaired)" : "") + "; boundary generation \(report.generation)")
        for w in report.warnings { note("warning: \(w)") }
    }
}

extension ImportOptions.InvalidPolicy: ExpressibleByArgument {}
