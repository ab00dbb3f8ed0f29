// swift-tools-version:6.1
import PackageDescription

let strict: [SwiftSetting] = [.swiftLanguageMode(.v6)]
/// The engine's hot paths (parsing, segments, queries, collectors) keep their state in class
/// properties; release builds skip the runtime exclusivity checks there (the compile-time ones
/// stay), which otherwise cost a TLS lookup per property access in every per-document loop.
let hot: [SwiftSetting] = strict + [.unsafeFlags(["-enforce-exclusivity=unchecked"], .when(configuration: .release))]

let package = Package(
    name: "searchlight",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "searchlight", targets: ["searchlight"]),
        // The parsers as libraries for the libFuzzer targets in Fuzz/, a package of its own.
        .library(name: "SearchlightJSON", targets: ["JSON"]),
        .library(name: "SearchlightQuery", targets: ["Query"]),
        .library(name: "SearchlightAggregations", targets: ["Aggregations"]),
        .library(name: "SearchlightPainless", targets: ["Painless"]),
        .library(name: "SearchlightSQL", targets: ["SQL"]),
        .library(name: "SearchlightRESTAPI", targets: ["RESTAPI"]),
    ],
    dependencies: [
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.2"),
        .package(url: "https://github.com/apple/swift-crypto.git", "3.12.3"..<"5.0.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-auth.git", from: "2.5.0"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
    ],
    targets: [
        .systemLibrary(name: "CSQLite", path: "Sources/CSQLite", providers: [.apt(["libsqlite3-dev"])]),
        .systemLibrary(name: "CZlib", path: "Sources/CZlib", providers: [.apt(["zlib1g-dev"])]),
        .target(name: "JSON", swiftSettings: hot),
        .target(name: "Storage", dependencies: ["JSON", "CSQLite", "CZlib",
                                                .product(name: "Metrics", package: "swift-metrics")], swiftSettings: strict),
        .target(name: "Index", dependencies: ["JSON", "Storage", "CZlib"], swiftSettings: hot),
        .target(name: "Query", dependencies: ["JSON", "Index"], swiftSettings: hot),
        .target(name: "Aggregations", dependencies: ["JSON", "Index", "Query"], swiftSettings: hot),
        .target(name: "Painless", dependencies: ["JSON", "Index"], swiftSettings: hot),
        .target(name: "SQL", dependencies: ["JSON"], swiftSettings: strict),
        .target(name: "Processor", dependencies: ["JSON", "Storage"], swiftSettings: strict),
        .target(name: "Migration", dependencies: ["JSON", "Processor"], swiftSettings: strict),
        .target(name: "Security", dependencies: [.product(name: "HummingbirdBcrypt", package: "hummingbird-auth"),
                                                 .product(name: "Crypto", package: "swift-crypto")], swiftSettings: strict),
        .target(name: "Node", dependencies: ["JSON", "Storage", "Index", "Query", "Aggregations", "Painless",
                                             .product(name: "Crypto", package: "swift-crypto"),
                                             .product(name: "Metrics", package: "swift-metrics"),
                                             .product(name: "Logging", package: "swift-log")], swiftSettings: strict),
        .target(name: "RESTAPI", dependencies: ["JSON", "Storage", "Node", "Processor", "SQL", "Security",
                                                .product(name: "Hummingbird", package: "hummingbird"),
                                                .product(name: "HummingbirdTLS", package: "hummingbird"),
                                                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                                                .product(name: "Metrics", package: "swift-metrics"),
                                                .product(name: "Prometheus", package: "swift-prometheus"),
                                                .product(name: "Logging", package: "swift-log")], swiftSettings: strict),
        .executableTarget(name: "searchlight", dependencies: ["RESTAPI", "Node", "Processor", "Security", "Migration",
                                                              .product(name: "HummingbirdTLS", package: "hummingbird"),
                                                              .product(name: "NIOSSL", package: "swift-nio-ssl"),
                                                              .product(name: "ArgumentParser", package: "swift-argument-parser"),
                                                              .product(name: "Logging", package: "swift-log")], swiftSettings: strict),
        .testTarget(name: "JSONTests", dependencies: ["JSON"], swiftSettings: strict),
        .testTarget(name: "StorageTests", dependencies: ["Storage"], swiftSettings: strict),
        .testTarget(name: "IndexTests", dependencies: ["Index"], swiftSettings: strict),
        .testTarget(name: "NodeTests", dependencies: ["Node", "Query", "Index", "JSON", "Painless", "Storage"], swiftSettings: strict),
        .testTarget(name: "PainlessTests", dependencies: ["Painless", "Index", "JSON"], swiftSettings: strict),
        .testTarget(name: "ProcessorTests", dependencies: ["Processor", "Node", "RESTAPI", "JSON", "Storage"], swiftSettings: strict),
        .testTarget(name: "QueryTests", dependencies: ["Query", "Index", "JSON"], swiftSettings: strict),
        .testTarget(name: "AggregationsTests", dependencies: ["Aggregations", "Index", "Query", "JSON", "Node"], swiftSettings: strict),
        .testTarget(name: "SQLTests", dependencies: ["SQL", "JSON"], swiftSettings: strict),
        .testTarget(name: "MigrationTests", dependencies: ["Migration", "JSON"], swiftSettings: strict),
        .testTarget(name: "SecurityTests", dependencies: ["Security"], swiftSettings: strict),
        .testTarget(name: "RESTAPITests", dependencies: ["RESTAPI", "Node", "Security", "JSON", "Index", "Query", "Aggregations", "Painless", "SQL",
                                                         .product(name: "HummingbirdTesting", package: "hummingbird")], swiftSettings: strict),
    ]
)
