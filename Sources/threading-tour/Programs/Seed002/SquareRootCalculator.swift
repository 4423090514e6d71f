//===----------------------------------------------------------------------===//
//
// Threading: Python's threading model for Swift on Linux.
//
// Seed 002 (Python Notes, 17. Threading), 17.8 Threading (from Norton).
//
//===----------------------------------------------------------------------===//

import Threading

#if canImport(Glibc)
@preconcurrency import Glibc
#elseif canImport(Musl)
@preconcurrency import Musl
#endif

extension Tour {
    /// A daemon thread calculates square roots while the main thread reports progress once
    /// a second until they are all done. The results list is shared, so the port guards it
    /// with a lock (Python's list append is atomic under the GIL). The seed's default
    /// limit is `None`, which Python 3 cannot compare with a length (`TypeError`); the
    /// port's default is 5,000,000, and a limit that is not a positive integer is a usage
    /// error rather than the seed's usage line followed by a crash.
    static let squareRoot = Program(
        name: "square_root",
        seed: "002",
        summary: "a daemon CalculatorThread computes square roots; main reports progress once a second (default 5,000,000: the seed's None fails in Python 3)",
        arguments: "[number of square roots to calculate]",
        check: { arguments in
            switch arguments.count {
            case 0: nil
            case 1: Int(arguments[0]).map { $0 > 0 } == true ? nil : "'\(arguments[0])' is not a positive integer"
            default: "takes at most one argument, the number of square roots to calculate"
            }
        }
    ) { arguments in
        let limit = arguments.first.flatMap { Int($0) } ?? 5_000_000
        _ = try SquareRootCalculator(limit)
    }
}

/// This class spawns a separate thread to calculate a bunch of roots, and checks in on it
/// once a second until it finishes.
private final class SquareRootCalculator: Sendable {
    let results = Results()

    /// Turn on the calculator thread and, while waiting for it to finish, periodically
    /// monitor its progress.
    init(_ target: Int) throws {
        let counter = try CalculatorThread(self, target)
        print("Turning on the calculator thread...")
        try counter.start()

        while results.count < target {
            print("\(results.count) square roots calculated so far.")
            time.sleep(1)
        }
        print(
            "Calculated \(target) square root(s); the last one is sqrt(\(results.count))=\(pyFormat("%f", results.last!))"
        )
    }

    /// A separate thread which actually does the calculations.
    final class CalculatorThread: threading.Thread, @unchecked Sendable {
        let controller: SquareRootCalculator
        let target: Int

        /// Set up this thread, including making it a daemon thread so that the script can
        /// end without waiting for this thread to finish.
        init(_ controller: SquareRootCalculator, _ target: Int) throws {
            self.controller = controller
            self.target = target
            super.init()
            try setDaemon(true)
        }

        /// Calculate square roots for all numbers between 1 and the target, inclusive.
        override func run() {
            for i in 1...target {
                controller.results.append(sqrt(Double(i)))
            }
        }
    }
}

/// The calculated roots: appended by the calculator, counted by the main thread.
private final class Results: @unchecked Sendable {
    private let lock = threading.Lock()
    /// Guarded by `lock`.
    private var values: [Double] = []

    func append(_ value: Double) {
        lock.withLock { values.append(value) }
    }

    var count: Int { lock.withLock { values.count } }

    var last: Double? { lock.withLock { values.last } }
}
