// swift-tools-version:6.0
import PackageDescription

let swift5: [SwiftSetting] = [.swiftLanguageMode(.v5)]

let package = Package(
    name: "wangge",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "wangge", targets: ["wangge"]),
        .library(name: "GridGeo", targets: ["GridGeo"]),
        .library(name: "GridStore", targets: ["GridStore"]),
        .library(name: "GridAnalysis", targets: ["GridAnalysis"]),
        .library(name: "GridHTTP", targets: ["GridHTTP"]),
    ],
    dependencies: [
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
    ],
    targets: [
        .systemLibrary(name: "CSpatiaLite", pkgConfig: "spatialite", providers: [.apt(["libspatialite-dev"])]),
        .systemLibrary(name: "CProj", pkgConfig: "proj", providers: [.apt(["libproj-dev"])]),
        .target(name: "GridGeo", dependencies: ["CProj"], swiftSettings: swift5),
        .target(
            name: "GridStore",
            dependencies: ["GridGeo", "CSpatiaLite", .product(name: "GRDB", package: "GRDB.swift")],
            swiftSettings: swift5),
        .target(name: "GridAnalysis", dependencies: ["GridGeo", "GridStore"], swiftSettings: swift5),
        .target(
            name: "GridHTTP",
            dependencies: [
                "GridGeo", "GridStore", "GridAnalysis",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swift5),
        .executableTarget(
            name: "wangge",
            dependencies: [
                "GridGeo", "GridStore", "GridAnalysis", "GridHTTP",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swift5),
        .testTarget(name: "GridGeoTests", dependencies: ["GridGeo"], swiftSettings: swift5),
        .testTarget(name: "GridStoreTests", dependencies: ["GridStore", "GridGeo"], resources: [], swiftSettings: swift5),
        .testTarget(name: "GridAnalysisTests", dependencies: ["GridAnalysis", "GridStore", "GridGeo"], swiftSettings: swift5),
        .testTarget(
            name: "GridHTTPTests",
            dependencies: [
                "GridHTTP", "GridStore", "GridAnalysis",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
            ],
            swiftSettings: swift5),
    ]
)
