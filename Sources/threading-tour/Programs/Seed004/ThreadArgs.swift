//===----------------------------------------------------------------------===//
//
// Threading: Python's threading model for Swift on Linux.
//
// Seed 004 (bogotobogo: Python Multithread), "Creating a thread and passing arguments".
//
//===----------------------------------------------------------------------===//

import Threading

extension Tour {
    /// Three threads, each passed its id. Python's `args=(i,)` is a closure capturing `i`.
    static let threadArgs = Program(
        name: "thread_args",
        seed: "004",
        summary: "three threads, each passed its id: 'thread function 0' ..."
    ) {
        for i in 0..<3 {
            let t = threading.Thread { f(i) }
            try t.start()
        }
    }
}

private func f(_ id: Int) {
    print("thread function \(id)")
}
