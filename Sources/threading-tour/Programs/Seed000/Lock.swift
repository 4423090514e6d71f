//===----------------------------------------------------------------------===//
//
// Threading: Python's threading model for Swift on Linux.
//
// Seed 000 (PyMOTW: threading), threading_lock.py.
//
//===----------------------------------------------------------------------===//

import Threading
import ThreadingLogging

extension Tour {
    /// Five threads increment a shared counter three times each, under the counter's
    /// `Lock`; the main thread joins them through `threading.enumerate()` and logs 15.
    static let lock = Program(
        name: "lock",
        seed: "000",
        summary: "five threads add 1 three times each to a Lock-guarded counter, which ends at 15"
    ) {
        try logging.basicConfig(level: logging.DEBUG, format: "(%(threadName)-10s) %(message)s")

        let counter = Counter()
        for _ in 0..<5 {
            let t = threading.Thread { worker(counter) }
            try t.start()
        }

        logging.debug("Waiting for worker threads")
        let mainThread = threading.currentThread()
        for t in threading.enumerate() where t !== mainThread {
            try t.join()
        }
        // Every worker has been joined: join orders their increments before this read.
        logging.debug("Counter: \(counter.value)")
    }
}

private final class Counter: @unchecked Sendable {
    let lock = threading.Lock()
    /// Guarded by `lock`.
    private(set) var value: Int

    init(start: Int = 0) {
        value = start
    }

    func increment() {
        lock.acquire()
        defer { try? lock.release() }  // Python's try/finally; the lock is ours to release
        logging.debug("Acquired lock")
        value = value + 1
    }
}

private func worker(_ c: Counter) {
    for _ in 0..<3 {
        let pause = random.random()
        logging.debug("Sleeping \(pyFormat("%0.02f", pause))")
        time.sleep(pause)
        c.increment()
    }
    logging.debug("Done")
}
