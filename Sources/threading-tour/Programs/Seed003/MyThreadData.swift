//===----------------------------------------------------------------------===//
//
// Threading: Python's threading model for Swift on Linux.
//
// Seed 003 (Python notes - threads/threading), "Verbose way".
//
//===----------------------------------------------------------------------===//

import Threading

extension Tour {
    /// A `Thread` subclass that keeps what its thread computed: the object outlives the
    /// thread, so after `join()` the main thread reads the data the thread left on it.
    /// The seed calls `join()` without `start()`, which raises `RuntimeError: cannot join
    /// thread before it is started`; the port starts the thread first.
    static let myThreadData = Program(
        name: "mythread_data",
        seed: "003",
        summary: "a Thread subclass stores its results on itself; main reads them after join() (the seed forgets start())"
    ) {
        let thr1 = MyThread()  // create the thread object
        try thr1.start()
        try thr1.join()  // wait for it to finish
        // The object stays around after the thread terminated, so you can e.g.
        // retrieve data stuck on it by the thread while it was running.
        print("thr1.stuff:", thr1.stuff)
        print("gathered by:", thr1.gatheredBy)
    }
}

/// An object that contains, and effectively is, a thread.
private final class MyThread: threading.Thread, @unchecked Sendable {
    /// Written by the thread in `run()`, read by others only after `join()` has returned,
    /// which orders the writes before the reads.
    private(set) var stuff: [Int] = []
    private(set) var gatheredBy = ""

    /// The function that indirectly gets run when you `start()`.
    override func run() {
        for n in 1...5 {
            stuff.append(n * n)
        }
        gatheredBy = threading.currentThread().name
    }
}
