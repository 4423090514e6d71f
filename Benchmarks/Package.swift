// swift-tools-version:6.1
//
// threading-bench: the benchmark program of BENCH.md, a package of its own so that the
// library keeps no dependencies (swift-nio does the same).
//
//     swift run -c release --package-path Benchmarks threading-bench [--quick] [--json PATH] [FILTER...]

import Foundation
import PackageDescription

// PLACEHOLDER for the `queue` module (issue 4), which is written on another branch. Until
// it lands, the benchmark's own-queue rows report "not available"; the pthread ring and
// CPython rows still run. The rows are compiled in when the library has a
// `Sources/Threading/queue` folder (the library keeps one folder per Python module), or
// when THREADING_BENCH_QUEUE=1 forces them (=0 forces them out). SwiftPM caches this
// manifest's result by its text, so pass `--manifest-cache none` (as .ci/run does) to
// see a folder that appeared after the last evaluation.
let libraryHasQueue: Bool = {
    switch ProcessInfo.processInfo.environment["THREADING_BENCH_QUEUE"] {
    case "1": return true
    case "0": return false
    default:
        let folder = URL(fileURLWithPath: Context.packageDirectory)
            .appendingPathComponent("../Sources/Threading/queue").standardized.path
        return FileManager.default.fileExists(atPath: folder)
    }
}()

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
            ],
            swiftSettings: libraryHasQueue ? [.define("THREADING_HAS_QUEUE")] : []
        )
    ],
    swiftLanguageModes: [.v6]
)
