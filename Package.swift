// swift-tools-version:6.0
//
// Threading: Python's threading model for Swift on Linux.

import PackageDescription

let package = Package(
    name: "Threading",
    products: [
        .library(name: "Threading", targets: ["Threading"]),
        .library(name: "ThreadingLogging", targets: ["ThreadingLogging"]),
        .executable(name: "threading-tour", targets: ["threading-tour"]),
    ],
    dependencies: [
        // Only ThreadingLogging uses it; the Threading library itself has no dependencies.
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
    ],
    targets: [
        // The only C in the package: futex, gettid, thread names, ThreadSanitizer hooks.
        .target(
            name: "CThreadingShims",
            cSettings: [.define("_GNU_SOURCE")]
        ),
        .target(
            name: "Threading",
            dependencies: ["CThreadingShims"]
        ),
        // Python's logging formats (`%(threadName)-10s`, ...) for swift-log.
        .target(
            name: "ThreadingLogging",
            dependencies: ["Threading", .product(name: "Logging", package: "swift-log")]
        ),
        // The tour: every program of the seeds' tutorials, ported (`swift run threading-tour`).
        .executableTarget(
            name: "threading-tour",
            dependencies: ["Threading", "ThreadingLogging"]
        ),
        // Programs the tests run as child processes, for behaviour at process exit.
        .executableTarget(
            name: "threading-test-child",
            dependencies: ["Threading", "ThreadingLogging"],
            path: "Tests/ThreadingTestChild"
        ),
        .testTarget(
            name: "ThreadingTests",
            dependencies: ["Threading", "ThreadingLogging", "threading-test-child", "threading-tour"]
        ),
    ],
    swiftLanguageModes: [.v6]
)
