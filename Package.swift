// swift-tools-version:6.0
//
// Threading: Python's threading model for Swift on Linux.

import PackageDescription

let package = Package(
    name: "Threading",
    products: [
        .library(name: "Threading", targets: ["Threading"]),
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
        // Programs the tests run as child processes, for behaviour at process exit.
        .executableTarget(
            name: "threading-test-child",
            dependencies: ["Threading"],
            path: "Tests/ThreadingTestChild"
        ),
        .testTarget(
            name: "ThreadingTests",
            dependencies: ["Threading", "threading-test-child"]
        ),
    ],
    swiftLanguageModes: [.v6]
)
