//===----------------------------------------------------------------------===//
//
// Threading: Python's threading model for Swift on Linux.
//
// Seed 002 (Python Notes, 17. Threading), 17.1 Quick Start and 17.2 Locking: raw threads
// from the low-level `_thread` module (Python 2's `thread`).
//
//===----------------------------------------------------------------------===//

import Threading

extension Tour {
    /// Two functions in two raw threads: func2, which sleeps 1 s between lines, ends
    /// before func1, which sleeps 2 s. The seed runs in Python's interactive interpreter,
    /// which keeps the process alive; a script must wait itself, because raw threads are
    /// never joined at exit. The port waits on one `allocateLock()` lock per thread,
    /// which the thread releases when it is done (any thread may release a `_thread`
    /// lock).
    static let startNewThread = Program(
        name: "start_new_thread",
        seed: "002",
        summary: "func1 and func2 in raw _thread threads; main waits on a lock each releases (the seed's interactive session kept the process alive)"
    ) {
        try startAndWait([func1, func2])
    }
}

private func func1() {
    for _ in 0..<3 {
        print("Inside func1")
        time.sleep(2)
    }
}

private func func2() {
    for _ in 0..<3 {
        print("Inside func2")
        time.sleep(1)
    }
}

/// Starts each function in a raw thread, and waits until every one has returned: a raw
/// thread releases its lock when its function returns, and the caller takes each lock
/// again.
func startAndWait(_ functions: [@Sendable () throws -> Void]) throws {
    var finished: [_thread.LockType] = []
    for function in functions {
        let done = _thread.allocateLock()
        done.acquire()
        finished.append(done)
        try _thread.startNewThread {
            defer { try? done.release() }
            try function()
        }
    }
    for done in finished {
        done.acquire()
    }
}
