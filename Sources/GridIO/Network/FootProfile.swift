/// Which ways a pedestrian may use: the foot profile of `wangge import network`, stated as
/// routing engines state theirs (after OSRM's `profiles/foot.lua` and GraphHopper's
/// `FootAccessParser`, reduced to the tags listed here; README "Walking network").
///
/// A way is judged on its tags, in this order:
/// 1. `highway` in `neverHighways` (motorways, trunks, their links, construction, ...) → dropped,
///    whatever the other tags say (`excluded_highway`);
/// 2. `highway` present but not in `keptHighways` → dropped (`not_a_foot_highway`);
///    a line without `highway` (GeoJSON only: OSM ways without it are never read) is a footpath;
/// 3. `foot` in `footForbidden` (`no`, `private`, `use_sidepath`) → dropped (`foot_forbidden`);
/// 4. `access` in `accessForbidden` (`no`, `private`) and `foot` not in `footPermission`
///    (`yes`, `designated`, `permissive`) → dropped (`access_forbidden`);
/// 5. otherwise kept.
public enum FootProfile {
    /// highway values a pedestrian may walk along.
    public static let keptHighways: Set<String> = [
        "footway", "path", "pedestrian", "steps", "living_street", "residential", "service", "unclassified",
        "tertiary", "tertiary_link", "secondary", "secondary_link", "primary", "primary_link", "track",
        "cycleway", "crossing", "platform", "corridor", "bridleway", "road", "elevator",
    ]
    /// highway values never walked, even with `foot=yes`.
    public static let neverHighways: Set<String> = [
        "motorway", "motorway_link", "trunk", "trunk_link", "construction", "proposed", "abandoned",
        "bus_guideway", "raceway",
    ]
    public static let footForbidden: Set<String> = ["no", "private", "use_sidepath"]
    public static let accessForbidden: Set<String> = ["no", "private"]
    public static let footPermission: Set<String> = ["yes", "designated", "permissive"]

    /// Why a way was dropped: the report's keys (stable; checks/ and scripts read them).
    public enum DropReason: String, Sendable, CaseIterable, Comparable {
        case excludedHighway = "excluded_highway"
        case notAFootHighway = "not_a_foot_highway"
        case footForbidden = "foot_forbidden"
        case accessForbidden = "access_forbidden"
        /// Not a tag rule: fewer than two usable positions (OSM: nodes missing from the extract).
        case tooFewNodes = "too_few_nodes"
        public static func < (a: Self, b: Self) -> Bool { a.rawValue < b.rawValue }
    }

    public enum Decision: Equatable, Sendable {
        case keep
        /// The reason and the tag that decided it, as `key=value` (e.g. `highway=motorway`).
        case drop(DropReason, tag: String)
    }

    /// Judges one way by its tags (`tags[key]` is the value; missing keys are absent).
    public static func decide(_ tags: [String: String]) -> Decision {
        if let h = tags["highway"] {
            if neverHighways.contains(h) { return .drop(.excludedHighway, tag: "highway=\(h)") }
            if !keptHighways.contains(h) { return .drop(.notAFootHighway, tag: "highway=\(h)") }
        }
        let foot = tags["foot"]
        if let foot, footForbidden.contains(foot) { return .drop(.footForbidden, tag: "foot=\(foot)") }
        if let access = tags["access"], accessForbidden.contains(access), !(foot.map { footPermission.contains($0) } ?? false) {
            return .drop(.accessForbidden, tag: "access=\(access)")
        }
        return .keep
    }
}
