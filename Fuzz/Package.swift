// swift-tools-version:6.1
import Foundation
import PackageDescription

/// libFuzzer targets over the engine's parsers (issue #9). A package of its own so that the
/// engine's build never sees `-sanitize=fuzzer`; Scripts/fuzz.sh builds and runs it.
///
/// A path dependency's identity is its directory's name (`main`, a worktree's name, …), so the
/// products are looked up under whatever the checkout is called.
let engine = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().lastPathComponent

func product(_ name: String) -> Target.Dependency { .product(name: name, package: engine) }

func fuzzTarget(_ name: String, _ products: [String]) -> Target {
    .executableTarget(name: name, dependencies: ["FuzzDriver"] + products.map(product),
                      swiftSettings: [.swiftLanguageMode(.v6)])
}

let package = Package(
    name: "searchlight-fuzz",
    platforms: [.macOS(.v15)],
    dependencies: [.package(path: "..")],
    targets: [
        .target(name: "FuzzDriver", swiftSettings: [.swiftLanguageMode(.v6)]),
        fuzzTarget("FuzzJSON", ["SearchlightJSON"]),
        fuzzTarget("FuzzBulk", ["SearchlightJSON", "SearchlightRESTAPI"]),
        fuzzTarget("FuzzQuery", ["SearchlightJSON", "SearchlightQuery"]),
        fuzzTarget("FuzzAggregations", ["SearchlightJSON", "SearchlightAggregations"]),
        fuzzTarget("FuzzPainless", ["SearchlightJSON", "SearchlightPainless"]),
        fuzzTarget("FuzzSQL", ["SearchlightJSON", "SearchlightSQL"]),
        fuzzTarget("FuzzCSV", ["SearchlightJSON", "SearchlightRESTAPI"]),
    ]
)
