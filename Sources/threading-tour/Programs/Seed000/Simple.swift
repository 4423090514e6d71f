//===----------------------------------------------------------------------===//
//
// Threading: Python's threading model for Swift on Linux.
//
// Seed 000 (PyMOTW: threading), threading_simple.py.
//
//===----------------------------------------------------------------------===//

import Threading

extension Tour {
    /// Five threads, each started with a target function that prints `Worker`.
    static let simple = Program(
        name: "simple",
        seed: "000",
        summary: "five threads, each running a target function that prints 'Worker'"
    ) {
        var threads: [threading.Thread] = []
        for _ in 0..<5 {
            let t = threading.Thread(target: worker)
            threads.append(t)
            try t.start()
        }
    }
}

/// thread worker function
private func worker() {
    print("Worker")
}
