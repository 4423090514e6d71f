//===----------------------------------------------------------------------===//
//
// Threading: Python's threading model for Swift on Linux.
//
// Seed 002 (Python Notes, 17. Threading), 17.4 Using the Threading module.
//
//===----------------------------------------------------------------------===//

import Threading

extension Tour {
    /// The quick start's two functions as one `Thread` subclass: an id and a pause for
    /// each instance, and a `run()` that prints three times.
    static let threadExample = Program(
        name: "thread_example",
        seed: "002",
        summary: "a Thread subclass with its own init: two instances print 'Inside func N' every 1 and 2 s"
    ) {
        let t1 = ThreadExample("1", 1)
        let t2 = ThreadExample("2", 2)
        try t1.start(); try t2.start()
    }
}

private final class ThreadExample: threading.Thread, @unchecked Sendable {
    let id: String
    let dt: Double

    init(_ id: String, _ dt: Double) {
        self.id = id
        self.dt = dt
        super.init()
    }

    override func run() {
        for _ in 0..<3 {
            print("Inside func \(id)")
            time.sleep(dt)
        }
    }
}
