// swift-tools-version:6.0
import PackageDescription

// Dependencies point one way: wangge (CLI) and GridHTTP → GridCases → GridIO → GridAnalysis → GridIndex →
// GridStore → GridGeo, and GridAnalysis → GridGEOS (GEOS's C API) → GridGeo. Test support and benchmarks stay out of the product's modules.
let package = Package(
    name: "wangge",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "wangge", targets: ["wangge"]),
        .executable(name: "wangge-bench", targets: ["wangge-bench"]),
        .library(name: "GridGeo", targets: ["GridGeo"]),
        .library(name: "GridStore", targets: ["GridStore"]),
        .library(name: "GridIndex", targets: ["GridIndex"]),
        .library(name: "GridAnalysis", targets: ["GridAnalysis"]),
        .library(name: "GridIO", targets: ["GridIO"]),
        .library(name: "GridHTTP", targets: ["GridHTTP"]),
    ],
    dependencies: [
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-auth", from: "2.5.0"),
        .package(url: "https://github.com/apple/swift-crypto", "3.12.3"..<"5.0.0"),
        // GET /metrics: Hummingbird's MetricsMiddleware records through swift-metrics; the
        // Prometheus registry is its backend and writes the text exposition format.
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
    ],
    targets: [
        .systemLibrary(name: "CSpatiaLite", pkgConfig: "spatialite", providers: [.apt(["libspatialite-dev"])]),
        .systemLibrary(name: "CProj", pkgConfig: "proj", providers: [.apt(["libproj-dev"])]),
        .systemLibrary(name: "CGEOS", pkgConfig: "geos", providers: [.apt(["libgeos-dev"])]),
        // Pure: geometry, codecs (JSON, GeoJSON, WKB, CSV), CRS and China datums, geodesy.
        .target(name: "GridGeo", dependencies: ["CProj"]),
        // GEOS's own C API (the library SpatiaLite links) for the uncovered-area overlays, where a
        // SQL round trip per small overlay cost more than the geometry (GEOSContext's doc).
        .target(name: "GridGEOS", dependencies: ["CGEOS", "GridGeo"]),
        // The only SQL: the SpatiaLite store, migrations, imports and exports, feature queries.
        .target(
            name: "GridStore",
            dependencies: [
                "GridGeo", "CSpatiaLite", .product(name: "GRDB", package: "GRDB.swift"),
                // SHA-256 of API tokens (the store keeps digests, never tokens).
                .product(name: "Crypto", package: "swift-crypto"),
            ]),
        // Immutable in-memory indexes built from one store snapshot: polygons (point in grid),
        // later points (k nearest stations) and the walking graph.
        .target(name: "GridIndex", dependencies: ["GridGeo", "GridStore"]),
        // Answers as plain values and the index set's lifecycle: assign, later nearest, coverage,
        // isochrones and siting.
        .target(
            name: "GridAnalysis",
            dependencies: [
                "GridGeo", "GridGEOS", "GridStore", "GridIndex",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]),
        // Wire formats shared by HTTP and the CLI: point readers (CSV, GeoJSON), answer writers,
        // the streaming batch engine.
        .target(name: "GridIO", dependencies: ["GridGeo", "GridIndex", "GridAnalysis"]),
        // Cases (issue 11): the loop's state machine, roles and areas, deadlines, escalation and
        // re-routing, over the store (cases, events) and the assignment index (routing). Its own
        // module so HTTP (cases, Open311, the managers' views) and the CLI (sweep, reroute) share
        // one set of rules and stay thin; it sits above GridIO for the points' coordinate rules.
        .target(
            name: "GridCases",
            dependencies: [
                "GridGeo", "GridStore", "GridIndex", "GridAnalysis", "GridIO",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]),
        .target(
            name: "GridHTTP",
            dependencies: [
                "GridGeo", "GridStore", "GridIndex", "GridAnalysis", "GridIO", "GridCases",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdAuth", package: "hummingbird-auth"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ],
            // The map page (HTML and script), read from Bundle.module.
            resources: [.copy("Resources/map.html"), .copy("Resources/map.js"), .copy("Resources/map-without-leaflet.html")]),
        .executableTarget(
            name: "wangge",
            dependencies: [
                "GridGeo", "GridStore", "GridIndex", "GridAnalysis", "GridIO", "GridHTTP", "GridCases",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            // jemalloc (Debian's libjemalloc-dev) as the process's allocator: GEOS's many small
            // overlays and the server's per-request allocations spent 12-15 % in glibc's malloc;
            // measured ~10 % off the uncovered-area stage (docs/PERFORMANCE.md, "Coverage").
            linkerSettings: [.linkedLibrary("jemalloc", .when(platforms: [.linux]))]),
        // Not the product: generated cities and random points for tests and benchmarks.
        .target(name: "GridTestSupport", dependencies: ["GridGeo"]),
        .executableTarget(
            name: "wangge-bench",
            dependencies: [
                "GridGeo", "GridStore", "GridIndex", "GridTestSupport",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]),
        .testTarget(name: "GridGeoTests", dependencies: ["GridGeo"]),
        .testTarget(name: "GridStoreTests", dependencies: ["GridStore", "GridGeo"]),
        .testTarget(
            name: "GridAnalysisTests",
            dependencies: ["GridAnalysis", "GridGEOS", "GridIndex", "GridStore", "GridGeo", "GridIO", "GridTestSupport"]),
        .testTarget(
            name: "GridIOTests",
            dependencies: ["GridIO", "GridIndex", "GridStore", "GridGeo", "GridTestSupport"]),
        .testTarget(
            name: "GridHTTPTests",
            dependencies: [
                "GridHTTP", "GridStore", "GridIndex", "GridAnalysis", "GridTestSupport", "GridCases",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
            ]),
    ]
)
