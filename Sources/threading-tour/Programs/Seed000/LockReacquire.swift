//===----------------------------------------------------------------------===//
//
// Threading: Python's threading model for Swift on Linux.
//
// Seed 000 (PyMOTW: threading), threading_lock_reacquire.py and threading_rlock.py.
//
//===----------------------------------------------------------------------===//

import Threading

extension Tour {
    /// A `Lock` cannot be taken twice, even by the thread that holds it: the second,
    /// non-blocking try fails (a blocking one would wait forever).
    static let lockReacquire = Program(
        name: "lock_reacquire",
        seed: "000",
        summary: "a Lock taken twice by one thread: the second, non-blocking try fails ('Second try: False')"
    ) {
        let lock = threading.Lock()

        func first() throws {
            print("First try:", str(lock.acquire()))
            try second()
        }

        func second() throws {
            print("Second try:", str(try lock.acquire(blocking: false)))
        }

        try first()
    }

    /// The same with an `RLock`, which its owner may take again. The seed shows
    /// `Second try: 1`, Python 2's answer; Python 3's `acquire` returns `True`.
    static let rlock = Program(
        name: "rlock",
        seed: "000",
        summary: "the same with an RLock: the second try succeeds (the seed's Python 2 printed 1; Python 3 prints True)"
    ) {
        let lock = threading.RLock()

        func first() throws {
            print("First try:", str(lock.acquire()))
            try second()
        }

        func second() throws {
            print("Second try:", str(try lock.acquire(blocking: false)))
        }

        try first()
    }
}
