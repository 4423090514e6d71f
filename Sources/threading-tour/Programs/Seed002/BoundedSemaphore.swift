//===----------------------------------------------------------------------===//
//
// Threading: Python's threading model for Swift on Linux.
//
// Seed 002 (Python Notes, 17. Threading), 17.5 Semaphore.
//
//===----------------------------------------------------------------------===//

import Threading
import ThreadingLogging

extension Tour {
    /// A `BoundedSemaphore(3)` limits twelve threads to three connections at a time; one
    /// `release()` more than the `acquire()`s is an error, which a plain `Semaphore` would
    /// not report. The seed shows the calls only; the threads and the connection count
    /// are the port's.
    static let boundedSemaphore = Program(
        name: "bounded_semaphore",
        seed: "002",
        summary: "a BoundedSemaphore(3) limits 12 threads to 3 connections; releasing once too often throws ValueError"
    ) {
        try logging.basicConfig(level: logging.DEBUG, format: "(%(threadName)-10s) %(message)s")

        let semaphore = try threading.BoundedSemaphore(value: 3)
        let connections = Connections()
        var threads: [threading.Thread] = []
        for _ in 0..<12 {
            let t = threading.Thread {
                semaphore.acquire()  // decrements the counter
                let inUse = connections.open()  // access the shared resource
                logging.debug("connected, \(inUse) connection(s) open")
                time.sleep(0.1 + random.random() / 5)
                connections.close()
                try semaphore.release()  // increments the counter
            }
            threads.append(t)
            try t.start()
        }
        for t in threads {
            try t.join()
        }
        print("12 threads connected; more than 3 connections at once:", str(connections.most > 3))

        do {
            try semaphore.release()
            print("one release() too many: no error")
        } catch let error as ValueError {
            print("one release() too many: ValueError:", error)
        }

        let unbounded = try threading.Semaphore(value: 3)
        unbounded.release()
        var acquired = 0
        while try unbounded.acquire(blocking: false) {
            acquired += 1
        }
        print("the same with a Semaphore(3): no error, and then", acquired, "acquire(blocking: false) calls succeed")
    }
}

/// Counts open connections, and the most open at once, under a lock.
private final class Connections: @unchecked Sendable {
    private let lock = threading.Lock()
    /// Guarded by `lock`.
    private var count = 0
    private var highest = 0

    /// Opens a connection; returns how many are open.
    func open() -> Int {
        lock.withLock {
            count += 1
            highest = max(highest, count)
            return count
        }
    }

    func close() {
        lock.withLock { count -= 1 }
    }

    /// The most connections open at once so far.
    var most: Int { lock.withLock { highest } }
}
