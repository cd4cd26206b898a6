import ArgumentParser
import Foundation
import GridAnalysis
import GridGeo
import GridIndex
import GridIO

struct Isochrone: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Walking isochrones of a point or a station along the walking network, as GeoJSON.",
        discussion: """
            One (Multi)Polygon per contour: the area within \(Int(IsochroneQuery.bufferMetres)) m of the streets and paths
            reached in that many minutes at the store's walking speed, from the point's foot point on the network
            (the same snapping as coverage). Properties value (minutes), center, area_m2 (geodesic), method (network).
            Needs a walking network (wangge import network). Same as GET /isochrone.
            Example: wangge isochrone --lon 114.416 --lat 23.11 --minutes 5,10,15 --out iso.geojson
            """)

    @OptionGroup var store: StoreOptions

    @Option(help: "Longitude (or easting) of the point.")
    var lon: String?
    @Option(help: "Latitude (or northing) of the point.")
    var lat: String?
    @Option(help: "Instead of --lon/--lat: the id of a service station.")
    var station: String?
    @Option(help: "CRS of --lon/--lat: wgs84 (default), cgcs2000, gcj02, bd09 or EPSG:nnnn.")
    var crs: String = "wgs84"
    @Option(help: "Contours in walking minutes, 1-60, up to 6, comma-separated.")
    var minutes: String = "5,10,15"
    @Option(name: .shortAndLong, help: "Output file (default: standard output); written only when the run succeeds.")
    var out: String?

    func run() throws {
        let query: IsochroneQuery
        do { query = try IsochroneQuery(minutes: try IsochroneQuery.parseMinutes(minutes)) } catch let e as IsochroneInputError {
            throw ValidationError("--minutes: \(e.message)")
        }
        let db = try store.open(existing: true)
        let indexes = try Indexes.build(from: db)
        let point: Coordinate
        if let station {
            guard lon == nil, lat == nil else { throw ValidationError("give either --station or --lon and --lat, not both") }
            guard let s = indexes.stations.stations.first(where: { $0.id == station }) else {
                // A data error, not a usage error: exit 1 with the message, no usage text.
                throw CLIError("--station: no station with id '\(station)' in the store")
            }
            point = s.point
        } else {
            guard let lon, let lat else { throw ValidationError("give --lon and --lat (or --station)") }
            let reader: PointReader
            do { reader = try PointReader(crs: try CRS(parsing: crs)) } catch { throw ValidationError("--crs: \(error)") }
            do { point = try reader.point(lon: Substring(lon), lat: Substring(lat)) } catch let e as PointInputError {
                throw ValidationError("--\(e.field ?? "lon") \(e.message)")
            }
        }
        let answer: IsochroneAnswer
        do { answer = try indexes.isochrone(at: point, query, db: db, stationId: station) } catch let e as IsochroneRefusal {
            throw CLIError(e.description)
        }
        for c in answer.contours {
            note("\(JSONText.number(c.minutes)) min (\(Int(c.metres.rounded())) m): \(c.pieces) pieces of line, \(Int(c.area.areaM2.rounded())) m²")
        }
        let text = try answer.geoJSON() + "\n"
        if let out {
            do { try Data(text.utf8).write(to: URL(fileURLWithPath: out), options: .atomic) } catch { throw CLIError("cannot write \(out): \(error)") }
        } else {
            FileHandle.standardOutput.write(Data(text.utf8))
        }
    }
}
