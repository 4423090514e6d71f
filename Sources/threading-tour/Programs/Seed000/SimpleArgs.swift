//===----------------------------------------------------------------------===//
//
// Threading: Python's threading model for Swift on Linux.
//
// Seed 000 (PyMOTW: threading), threading_simpleargs.py.
//
//===----------------------------------------------------------------------===//

import Threading

extension Tour {
    /// Five threads, each told what to print by an argument. Python passes
    /// `args=(i,)`; in Swift the target is a closure that captures `i`.
    static let simpleargs = Program(
        name: "simpleargs",
        seed: "000",
        summary: "five threads, each passed a number to print ('Worker: 0' ...)"
    ) {
        var threads: [threading.Thread] = []
        for i in 0..<5 {
            let t = threading.Thread { worker(i) }
            threads.append(t)
            try t.start()
        }
    }
}

/// thread worker function
private func worker(_ num: Int) {
    print("Worker:", num)
}
