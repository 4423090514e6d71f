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
    /// The seed's consumers call `wait()` without checking anything first, so a consumer
    /// that reached `wait()` after the notification would wait forever (a race the
    /// seed's 2-second pauses hide, and a high `--speed` would expose). The port's
    /// producer marks the resource available, and its consumers wait for that mark with
    /// `waitFor`, as Python's documentation advises; the output is the seed's.
    static let condition = Program(
        name: "condition",
        seed: "000",
        summary: "consumers c1 and c2 wait on a Condition until producer p calls notifyAll() (they wait for a flag: the seed's bare wait() can miss it)"
    ) {
        try logging.basicConfig(
            level: logging.DEBUG,
            format: "%(asctime)s (%(threadName)-2s) %(message)s"
        )

        let condition = threading.Condition()
        let resource = Resource()
        let c1 = threading.Thread(name: "c1") { try consumer(condition, resource) }
        let c2 = threading.Thread(name: "c2") { try consumer(condition, resource) }
        let p = threading.Thread(name: "p") { try producer(condition, resource) }

        try c1.start()
        time.sleep(2)
        try c2.start()
        time.sleep(2)
        try p.start()
    }
}

/// The shared resource: whether the producer has made it available yet.
private final class Resource: @unchecked Sendable {
    /// Guarded by the condition's lock.
    var available = false
}

/// wait for the condition and use the resource
private func consumer(_ cond: threading.Condition, _ resource: Resource) throws {
    logging.debug("Starting consumer thread")
    try cond.withLock {
        try cond.waitFor { resource.available }
        logging.debug("Resource is available to consumer")
    }
}

/// set up the resource to be used by the consumer
private func producer(_ cond: threading.Condition, _ resource: Resource) throws {
    logging.debug("Starting producer thread")
    try cond.withLock {
        logging.debug("Making resource available")
        resource.available = true
        try cond.notifyAll()
    }
}
