//===----------------------------------------------------------------------===//
//
// Threading: Python's threading model for Swift on Linux.
//
// Seed 000 (PyMOTW: threading), threading_lock_with.py.
//
//===----------------------------------------------------------------------===//

import Threading

extension Tour {
    /// Python's `with lock:` is `lock.withLock { ... }`; the explicit form is
    /// `acquire()`, then `release()` in a `defer` (Python's `try`/`finally`).
    static let lockWith = Program(
        name: "lock_with",
        seed: "000",
        summary: "'with lock:' as lock.withLock { }, beside acquire() and release() in a defer"
    ) {
        let lock = threading.Lock()
        let w = threading.Thread { workerWith(lock) }
        let nw = threading.Thread { workerNoWith(lock) }

        try w.start()
        try nw.start()
    }
}

private func workerWith(_ lock: threading.Lock) {
    lock.withLock {
        print("Lock acquired via with")
    }
}

private func workerNoWith(_ lock: threading.Lock) {
    lock.acquire()
    defer { try? lock.release() }  // Python's try/finally
    print("Lock acquired directly")
}
