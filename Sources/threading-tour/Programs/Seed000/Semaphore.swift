//===----------------------------------------------------------------------===//
//
// Threading: Python's threading model for Swift on Linux.
//
// Seed 000 (PyMOTW: threading), threading_semaphore.py.
//
//===----------------------------------------------------------------------===//

import Threading
import ThreadingLogging

extension Tour {
    /// Twenty threads named `0` to `19` share a `Semaphore(5)`; each logs the pool of
    /// threads running at that moment, which never holds more than five.
    static let semaphore = Program(
        name: "semaphore",
        seed: "000",
        summary: "twenty threads share a Semaphore(5): the active pool never holds more than five"
    ) {
        try logging.basicConfig(
            level: logging.DEBUG,
            format: "%(asctime)s (%(threadName)-2s) %(message)s"
        )

        let pool = ActivePool()
        let s = try threading.Semaphore(value: 5)
        for i in 0..<20 {
            let t = threading.Thread(name: String(i)) { worker(s, pool) }
            try t.start()
        }
    }
}

/// The names of the threads holding the semaphore, guarded by a lock; its description is
/// Python's `str()` of the list: `['0', '1']`.
private final class ActivePool: @unchecked Sendable, CustomStringConvertible {
    /// Guarded by `lock`.
    private var active: [String] = []
    private let lock = threading.Lock()

    func makeActive(_ name: String) {
        lock.withLock {
            active.append(name)
        }
    }

    func makeInactive(_ name: String) {
        lock.withLock {
            _ = active.remove(at: active.firstIndex(of: name)!)
        }
    }

    var description: String {
        lock.withLock {
            repr(active)
        }
    }
}

private func worker(_ s: threading.Semaphore, _ pool: ActivePool) {
    s.withLock {
        let name = threading.currentThread().name
        pool.makeActive(name)
        logging.debug("Running: \(pool)")
        time.sleep(random.random())
        pool.makeInactive(name)
    }
}
