/// The OGC API vocabulary, defined once: link relations, media types, conformance classes and
/// query parameter names.
enum OGC {
    enum Rel {
        static let `self` = "self"
        static let alternate = "alternate"
        static let serviceDesc = "service-desc"
        static let serviceDoc = "service-doc"
        static let conformance = "conformance"
        static let data = "data"
        static let items = "items"
        static let collection = "collection"
        static let next = "next"
        static let prev = "prev"
    }

    enum Media {
        static let json = "application/json"
        static let geoJSON = "application/geo+json"
        static let html = "text/html"
        static let openAPI = "application/vnd.oai.openapi+json;version=3.0"
    }

    enum Param {
        static let bbox = "bbox"
        static let bboxCRS = "bbox-crs"
        static let limit = "limit"
        static let offset = "offset"
        static let crs = "crs"
        static let f = "f"
    }

    static let conformance = [
        "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
        "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
    ]

    static let crs84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
    static let defaultLimit = 10
    static let maxLimit = 10_000
}
