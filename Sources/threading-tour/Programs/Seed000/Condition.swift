//===----------------------------------------------------------------------===//
//
// Threading: Python's threading model for Swift on Linux.
//
// Seed 000 (PyMOTW: threading), threading_condition.py.
//
//===----------------------------------------------------------------------===//

import Threading
import ThreadingLogging

extension Tour {
    /// Two consumers wait on a `Condition` (started 2 seconds apart); a producer started
    /// 2 seconds later notifies them all. `notifyAll()` is Python 3's `notify_all()`.
    static let condition = Program(
        name: "condition",
        seed: "000",
        summary: "consumers c1 and c2 wait on a Condition until producer p calls notifyAll()"
    ) {
        try logging.basicConfig(
            level: logging.DEBUG,
            format: "%(asctime)s (%(threadName)-2s) %(message)s"
        )

        let condition = threading.Condition()
        let c1 = threading.Thread(name: "c1") { try consumer(condition) }
        let c2 = threading.Thread(name: "c2") { try consumer(condition) }
        let p = threading.Thread(name: "p") { try producer(condition) }

        try c1.start()
        time.sleep(2)
        try c2.start()
        time.sleep(2)
        try p.start()
    }
}

/// wait for the condition and use the resource
private func consumer(_ cond: threading.Condition) throws {
    logging.debug("Starting consumer thread")
    try cond.withLock {
        try cond.wait()
        logging.debug("Resource is available to consumer")
    }
}

/// set up the resource to be used by the consumer
private func producer(_ cond: threading.Condition) throws {
    logging.debug("Starting producer thread")
    try cond.withLock {
        logging.debug("Making resource available")
        try cond.notifyAll()
    }
}
