//===----------------------------------------------------------------------===//
//
// Threading: Python's threading model for Swift on Linux.
//
// Ports of CPython's Lib/test/lock_tests.py ConditionTests.
//
//===----------------------------------------------------------------------===//

import Testing

@testable import Threading

@Suite("ConditionTests", .serialized, .wedgeDetector)
struct ConditionTests {
    @Test func test_acquire() throws {
        let cond = threading.Condition()
        // The default lock is reentrant.
        cond.acquire()
        cond.acquire()
        try cond.release()
        try cond.release()

        let lock = threading.Lock()
        let overLock = threading.Condition(lock)
        overLock.acquire()
        #expect(try !lock.acquire(blocking: false))
        try overLock.release()
        #expect(try lock.acquire(blocking: false))
        #expect(try !overLock.acquire(blocking: false))
        try lock.release()
        try overLock.withLock {
            let acquired = try lock.acquire(blocking: false)
            #expect(!acquired)
        }
    }

    @Test func test_unacquired_wait() {
        let cond = threading.Condition()
        expectPythonError(RuntimeError.self, "cannot wait on un-acquired lock") { try cond.wait() }
    }

    @Test func test_unacquired_notify() {
        let cond = threading.Condition()
        expectPythonError(RuntimeError.self, "cannot notify on un-acquired lock") { try cond.notify() }
        expectPythonError(RuntimeError.self, "cannot notify on un-acquired lock") { try cond.notifyAll() }
    }

    /// CPython's `_check_notify`: 5 threads wait twice; notify(3), notify(5) and
    /// notify_all() release exactly the expected threads, in FIFO order, each seeing the
    /// phase set before the notifier released the lock.
    private func checkNotify(_ cond: threading.Condition) throws {
        let n = 5
        let ready = Counter()
        let phase = Locked(0)
        let results1 = Locked<[(Bool, Int)]>([])
        let results2 = Locked<[(Bool, Int)]>([])
        let bunch = Bunch(count: n) { _ in
            cond.acquire()
            ready.increment()
            let r1 = try cond.wait()
            try cond.release()
            results1.withLock { $0.append((r1, phase.snapshot)) }

            cond.acquire()
            ready.increment()
            let r2 = try cond.wait()
            try cond.release()
            results2.withLock { $0.append((r2, phase.snapshot)) }
        }
        // Once a thread has counted itself ready, holding the lock, it is queued before
        // it releases the lock; so taking the lock after `ready` reaches k means k waiters.
        waitUntil { ready.value == n }
        try cond.withLock {
            try cond.notify(n: 3)
            phase.withLock { $0 = 1 }
        }
        waitUntil { results1.snapshot.count == 3 && ready.value == n + 3 }
        // Exactly three woke, and they are waiting again.
        cond.withLock { #expect(cond.waitingCount == n) }
        #expect(results1.snapshot.map(\.0) == [true, true, true])
        #expect(results1.snapshot.map(\.1) == [1, 1, 1])
        #expect(results2.snapshot.isEmpty)

        // notify(5): the two oldest (still in their first wait), then the three in their
        // second wait.
        try cond.withLock {
            try cond.notify(n: 5)
            phase.withLock { $0 = 2 }
        }
        waitUntil { results1.snapshot.count + results2.snapshot.count == 3 + 5 && ready.value == 2 * n }
        #expect(results1.snapshot.map(\.1) == [1, 1, 1, 2, 2])
        #expect(results1.snapshot.map(\.0) == Array(repeating: true, count: 5))
        #expect(results2.snapshot.map(\.1) == [2, 2, 2])
        #expect(results2.snapshot.map(\.0) == [true, true, true])

        try cond.withLock {
            try cond.notifyAll()
            phase.withLock { $0 = 3 }
        }
        waitUntil { results2.snapshot.count == n }
        #expect(results2.snapshot.map(\.1) == [2, 2, 2, 3, 3])
        try bunch.join()
    }

    @Test func test_notify() throws {
        let cond = threading.Condition()
        try checkNotify(cond)
        // A second round on the same condition.
        try checkNotify(cond)
    }

    @Test func test_notify_over_plain_lock() throws {
        try checkNotify(threading.Condition(threading.Lock()))
    }

    @Test func test_timeout() throws {
        let cond = threading.Condition()
        let results = Locked<[(Bool, Double)]>([])
        try Bunch.run(count: 5) { _ in
            try cond.withLock {
                var notified = true
                let dt = try elapsed { notified = try cond.wait(timeout: 0.5) }
                results.withLock { $0.append((notified, dt)) }
            }
        }
        #expect(results.snapshot.count == 5)
        for (notified, dt) in results.snapshot {
            #expect(!notified)
            expectTimeout(dt, 0.5)
        }
    }

    @Test func test_waitfor() throws {
        let cond = threading.Condition()
        let state = Locked(0)
        let bunch = Bunch(count: 1) { _ in
            try cond.withLock {
                let result = try cond.waitFor({ state.snapshot == 4 })
                #expect(result)
                #expect(state.snapshot == 4)
            }
        }
        for _ in 0..<4 {
            // Each step waits for the waiter to be parked, so every notify finds it.
            waitUntil { cond.waitingCount == 1 }
            try cond.withLock {
                state.withLock { $0 += 1 }
                try cond.notify()
            }
        }
        try bunch.join()
    }

    @Test func test_waitfor_timeout() throws {
        let cond = threading.Condition()
        let state = Locked(0)
        let success = Counter()
        let bunch = Bunch(count: 1) { _ in
            try cond.withLock {
                var result = true
                let dt = try elapsed { result = try cond.waitFor({ state.snapshot == 4 }, timeout: 0.1) }
                #expect(!result)
                expectTimeout(dt, 0.1)
                success.increment()
            }
        }
        // Only three increments: the predicate never holds.
        for _ in 0..<3 {
            try cond.withLock {
                state.withLock { $0 += 1 }
                try cond.notify()
            }
        }
        try bunch.join()
        #expect(success.value == 1)
    }

    @Test func test_wait_restores_rlock_depth() throws {
        // cpython-api.md §19: a Condition over an RLock held twice is fully released
        // during wait(), so another thread can take it, and the depth comes back.
        let rlock = threading.RLock()
        let cond = threading.Condition(rlock)
        rlock.acquire()
        rlock.acquire()
        let bunch = Bunch(count: 1) { _ in
            try cond.withLock { try cond.notify() }
        }
        #expect(try cond.wait(timeout: shortTimeout))
        #expect(rlock.recursionCount == 2)
        try rlock.release()
        try rlock.release()
        #expect(!rlock.locked)
        try bunch.join()
    }

    @Test func test_notify_wakes_fifo() throws {
        // cpython-api.md §19: waiters 0, 1, 2, 3 wake in the order they started waiting.
        let cond = threading.Condition()
        let order = Locked<[Int]>([])
        var bunches: [Bunch] = []
        for index in 0..<4 {
            bunches.append(Bunch(count: 1) { _ in
                try cond.withLock {
                    try cond.wait()
                    order.withLock { $0.append(index) }
                }
            })
            waitUntil { cond.waitingCount == index + 1 }
        }
        for woken in 1...4 {
            try cond.withLock { try cond.notify() }
            waitUntil { order.snapshot.count == woken }
        }
        #expect(order.snapshot == [0, 1, 2, 3])
        for bunch in bunches { try bunch.join() }
    }

    @Test func test_wait_timeout_rules() throws {
        let cond = threading.Condition()
        cond.acquire()
        // Zero, negative and NaN do not wait and report a timeout.
        #expect(try !cond.wait(timeout: 0))
        #expect(try !cond.wait(timeout: -1))
        #expect(try !cond.wait(timeout: .nan))
        expectPythonError(OverflowError.self, "timestamp out of range for platform time_t") {
            try cond.wait(timeout: threading.TIMEOUT_MAX * 2)
        }
        // An already-true predicate returns at once, whatever the timeout.
        #expect(try cond.waitFor({ true }, timeout: threading.TIMEOUT_MAX * 2))
        #expect(try !cond.waitFor({ false }, timeout: 0))
        try cond.release()
        // waitFor with a true predicate does not check ownership, as in Python.
        #expect(try cond.waitFor({ true }))
        expectPythonError(RuntimeError.self, "cannot wait on un-acquired lock") {
            try cond.waitFor({ false }, timeout: 0)
        }
    }

    @Test func test_repr() throws {
        let cond = threading.Condition(threading.Lock())
        #expect(matches(cond.description, #"^<Condition\(<unlocked threading\.Lock object at 0x[0-9a-f]+>, 0\)>$"#))
    }
}
