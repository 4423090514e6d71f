//===----------------------------------------------------------------------===//
//
// Threading: Python's threading model for Swift on Linux.
//
// Seed 000 (PyMOTW: threading), threading_timer.py.
//
//===----------------------------------------------------------------------===//

import Threading

extension Tour {
    /// Two 3-second timers; the second is cancelled after 2 seconds and never runs. The
    /// first, a non-daemon thread, runs after the main thread is done.
    static let timer = Program(
        name: "timer",
        seed: "000",
        summary: "two 3 s Timers; t2 is cancelled after 2 s and never runs, t1 runs after main is done"
    ) {
        let t1 = threading.Timer(interval: seconds(3), function: delayed)
        t1.name = "t1"
        let t2 = threading.Timer(interval: seconds(3), function: delayed)
        t2.name = "t2"

        print("Starting timers")
        try t1.start()
        try t2.start()

        print("Waiting before canceling", t2.name)
        time.sleep(2)
        print("Canceling", t2.name)
        t2.cancel()
        print("Main thread done")
    }
}

private func delayed() {
    print("Worker running", threading.currentThread().name)
}
