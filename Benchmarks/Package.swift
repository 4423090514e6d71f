// swift-tools-version:6.1
//
// threading-bench: the benchmark program of BENCH.md, a package of its own so that the
// library keeps no dependencies (swift-nio does the same).
//
//     swift run -c release --package-path Benchmarks threading-bench [--quick] [--json PATH] [FILTER...]

import PackageDescription

let package = Package(
    name: "ThreadingBenchmarks",
    platforms: [.macOS(.v15)],
    dependencies: [
        // `name:` pins the identity, which would otherwise be the checkout folder's name.
        .package(name: "Threading", path: "../"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
    ],
    targets: [
        .executableTarget(
            name: "threading-bench",
            dependencies: [
                .product(name: "Threading", package: "Threading"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ]
        )
    ],
    swiftLanguageModes: [.v6]
)
