import GridAnalysis
import GridGeo
import GridIndex

/// The GeoJSON of an isochrone answer, shared by `GET /isochrone` and `wangge isochrone`.
extension IsochroneAnswer {
    /// A FeatureCollection with one feature per contour, shortest first: a Polygon (one part)
    /// or MultiPolygon (several), RFC 7946 winding, holes where the network encloses unreached
    /// ground; `geometry: null` for a contour that reaches nothing (its access leg is longer).
    /// Properties: `value` (minutes), `metres` (walking metres), `center` [lon, lat], `area_m2`
    /// (geodesic), `method` (`network`), `buffer_m`. Foreign members: `method`, `center`,
    /// `station_id` (when asked by station), `foot` and `access_m` (where the point enters the
    /// network and how far away), `buffer_m`, `walking_speed_kmh`, `generation`.
    public func geoJSON() throws -> String {
        let centreText = "[" + JSONText.number(centre.lon) + "," + JSONText.number(centre.lat) + "]"
        var s = "{\"type\":\"FeatureCollection\",\"method\":\"network\",\"center\":" + centreText
        if let stationId { s += ",\"station_id\":" + JSONText.quoted(stationId) }
        s += ",\"foot\":[" + JSONText.number(snap.foot.lon) + "," + JSONText.number(snap.foot.lat) + "]"
        s += ",\"access_m\":" + JSONText.number((snap.access * 1000).rounded() / 1000)
        s += ",\"buffer_m\":" + JSONText.number(bufferMetres)
        s += ",\"walking_speed_kmh\":" + JSONText.number(walkingSpeedKmh)
        s += ",\"generation\":" + String(generation)
        s += ",\"numberReturned\":" + String(contours.count) + ",\"features\":["
        for (k, c) in contours.enumerated() {
            if k > 0 { s += "," }
            s += "{\"type\":\"Feature\",\"geometry\":"
            if let g = try c.area.geometry() {
                let m = g.asMultiPolygon?.polygons ?? []
                GeoJSON.write(RingOrientation.rfc7946(m.count == 1 ? .polygon(m[0]) : g), into: &s)
            } else {
                s += "null"
            }
            s += ",\"properties\":{\"value\":" + JSONText.number(c.minutes)
            s += ",\"metres\":" + JSONText.number((c.metres * 1000).rounded() / 1000)
            s += ",\"center\":" + centreText
            s += ",\"area_m2\":" + JSONText.number(c.area.areaM2.rounded())
            s += ",\"method\":\"network\",\"buffer_m\":" + JSONText.number(bufferMetres) + "}}"
        }
        return s + "]}"
    }
}
