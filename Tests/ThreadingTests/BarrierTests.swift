//===----------------------------------------------------------------------===//
//
// Threading: Python's threading model for Swift on Linux.
//
//===----------------------------------------------------------------------===//

// Port of CPython 3.13 `Lib/test/lock_tests.py` `BarrierTests`
// (reference/cpython-tests.md §1.8).
//
// Where CPython sleeps to let threads block, these tests poll an observable state instead
// (`nWaiting`, `broken`). Checks made inside Bunch threads throw, and `Bunch.join()`
// rethrows the first failure in the test.

import Foundation
import Testing

@testable import Threading

/// A failed check inside a Bunch thread.
private struct ThreadCheckFailure: Error, CustomStringConvertible {
    let description: String
}

private func threadCheck(_ condition: Bool, _ message: @autoclosure () -> String) throws {
    if !condition { throw ThreadCheckFailure(description: message()) }
}

/// Python's `RuntimeError` raised on purpose by the index-2 thread (a plain `RuntimeError`,
/// not a `BrokenBarrierError`).
private func raiseRuntimeError() throws {
    throw RuntimeError()
}

/// CPython's `BarrierTests`: setUp creates `Barrier(5, timeout=2.0)`; tearDown (here
/// `deinit`, run after each test) aborts it, so no thread is left blocked in it.
@Suite(.serialized, .wedgeDetector)
final class BarrierTests {
    static let N = 5
    static let defaultTimeout = 2.0

    let barrier: threading.Barrier

    init() throws {
        barrier = try threading.Barrier(parties: Self.N, timeout: Self.defaultTimeout)
    }

    deinit {
        barrier.abort()
    }

    /// Runs `body` in `N` Bunch threads and joins them.
    private func runThreads(_ body: @escaping @Sendable (Int) throws -> Void) throws {
        try Bunch.run(count: Self.N, body)
    }

    /// CPython's `multipass`: lock-step progress through `passes` rounds of two waits.
    private static func multipass(
        _ barrier: threading.Barrier, _ results0: Counter, _ results1: Counter, passes: Int
    ) throws {
        let m = barrier.parties
        try threadCheck(m == N, "parties \(m) != \(N)")
        for i in 0..<passes {
            results0.increment()
            try threadCheck(results1.value == i * m, "len(results[1]) = \(results1.value), expected \(i * m)")
            try barrier.wait()
            results1.increment()
            try threadCheck(
                results0.value == (i + 1) * m, "len(results[0]) = \(results0.value), expected \((i + 1) * m)")
            try barrier.wait()
        }
        try threadCheck(barrier.nWaiting == 0, "n_waiting = \(barrier.nWaiting), expected 0")
        try threadCheck(!barrier.broken, "barrier is broken")
    }

    private func barrierPasses(_ passes: Int) throws {
        let barrier = self.barrier
        let results0 = Counter()
        let results1 = Counter()
        try runThreads { _ in
            try Self.multipass(barrier, results0, results1, passes: passes)
        }
        #expect(results0.value == passes * Self.N)
        #expect(results1.value == passes * Self.N)
        #expect(barrier.nWaiting == 0)
        #expect(!barrier.broken)
    }

    @Test
    func test_constructor() {
        expectPythonError(ValueError.self, "parties must be > 0") {
            _ = try threading.Barrier(parties: 0)
        }
        expectPythonError(ValueError.self, "parties must be > 0") {
            _ = try threading.Barrier(parties: -1)
        }
    }

    /// A barrier is passed in lock-step.
    @Test
    func test_barrier() throws {
        try barrierPasses(1)
    }

    /// A barrier works for 10 consecutive rounds.
    @Test
    func test_barrier_10() throws {
        try barrierPasses(10)
    }

    /// The return values of `wait()` are the distinct indices 0..<N.
    @Test
    func test_wait_return() throws {
        let barrier = self.barrier
        let results = Locked<[Int]>([])
        try runThreads { _ in
            let r = try barrier.wait()
            results.withLock { $0.append(r) }
        }
        #expect(results.snapshot.reduce(0, +) == (0..<Self.N).reduce(0, +))
        #expect(results.snapshot.sorted() == Array(0..<Self.N))
    }

    /// The action runs exactly once, before any thread is released.
    @Test
    func test_action() throws {
        let results = Counter()
        // The timeout only keeps a broken implementation from hanging the run.
        let barrier = try threading.Barrier(
            parties: Self.N, action: { results.increment() }, timeout: shortTimeout)
        defer { barrier.abort() }
        try runThreads { _ in
            try barrier.wait()
            try threadCheck(results.value == 1, "action ran \(results.value) times when wait() returned")
        }
        #expect(results.value == 1)
    }

    /// An abort puts the barrier in the broken state.
    @Test
    func test_abort() throws {
        let barrier = self.barrier
        let results1 = Counter()
        let results2 = Counter()
        try runThreads { _ in
            do {
                let i = try barrier.wait()
                if i == Self.N / 2 {
                    try raiseRuntimeError()
                }
                try barrier.wait()
                results1.increment()
            } catch is threading.BrokenBarrierError {
                results2.increment()
            } catch is RuntimeError {
                barrier.abort()
            }
        }
        #expect(results1.value == 0)
        #expect(results2.value == Self.N - 1)
        #expect(barrier.broken)
    }

    /// A reset frees the waiting threads, and the barrier is usable again.
    @Test
    func test_reset() throws {
        let barrier = self.barrier
        let results1 = Counter()
        let results2 = Counter()
        let results3 = Counter()
        try runThreads { _ in
            let i = try barrier.wait()
            if i == Self.N / 2 {
                // Wait until the other threads are all in the barrier.
                waitUntil { barrier.nWaiting >= Self.N - 1 }
                barrier.reset()
            } else {
                do {
                    try barrier.wait()
                    results1.increment()
                } catch is threading.BrokenBarrierError {
                    results2.increment()
                }
            }
            // Now, pass the barrier again
            try barrier.wait()
            results3.increment()
        }
        #expect(results1.value == 0)
        #expect(results2.value == Self.N - 1)
        #expect(results3.value == Self.N)
        #expect(!barrier.broken)
    }

    /// A barrier can be reset after being broken.
    @Test
    func test_abort_and_reset() throws {
        let barrier = self.barrier
        let results1 = Counter()
        let results2 = Counter()
        let results3 = Counter()
        // The timeout only keeps a broken implementation from hanging the run.
        let barrier2 = try threading.Barrier(parties: Self.N, timeout: shortTimeout)
        defer { barrier2.abort() }
        try runThreads { _ in
            do {
                let i = try barrier.wait()
                if i == Self.N / 2 {
                    try raiseRuntimeError()
                }
                try barrier.wait()
                results1.increment()
            } catch is threading.BrokenBarrierError {
                results2.increment()
            } catch is RuntimeError {
                barrier.abort()
            }
            // Synchronize and reset the barrier. Must synchronize first so that everyone
            // has left it when we reset, and after so that no one enters it before the
            // reset.
            if try barrier2.wait() == Self.N / 2 {
                barrier.reset()
            }
            try barrier2.wait()
            try barrier.wait()
            results3.increment()
        }
        #expect(results1.value == 0)
        #expect(results2.value == Self.N - 1)
        #expect(results3.value == Self.N)
        #expect(!barrier.broken)
    }

    /// `wait(timeout:)`: the threads on time time out and break the barrier; the late one
    /// finds it broken. Every thread gets `BrokenBarrierError`.
    @Test
    func test_timeout() throws {
        let barrier = self.barrier
        let timeout = Self.defaultTimeout / 4
        let start = Locked<Deadline?>(nil)
        try runThreads { _ in
            let i = try barrier.wait()
            start.withLock { $0 = $0 ?? .now }
            if i == Self.N / 2 {
                // One thread is late: instead of sleeping, it waits until the others have
                // timed out and broken the barrier.
                waitUntil { barrier.broken }
            }
            // Default timeout is 2.0, so this is shorter.
            do {
                try barrier.wait(timeout: timeout)
            } catch is threading.BrokenBarrierError {
                return
            }
            throw ThreadCheckFailure(description: "wait(timeout: \(timeout)) did not throw BrokenBarrierError")
        }
        let startTime = try #require(start.snapshot)
        expectTimeout(Double(Deadline.now.nanoseconds - startTime.nanoseconds) / 1e9, timeout)
        #expect(barrier.broken)
    }

    /// The barrier's default timeout applies to `wait()` without an argument.
    @Test
    func test_default_timeout() throws {
        let timeout = 0.100
        let barrier = try threading.Barrier(parties: 2, timeout: timeout)
        defer { barrier.abort() }
        let dt = Locked<Double?>(nil)
        try Bunch.run(count: 1) { _ in
            var thrown = false
            let seconds = elapsed {
                do {
                    try barrier.wait()
                } catch {
                    thrown = error is threading.BrokenBarrierError
                }
            }
            dt.withLock { $0 = seconds }
            try threadCheck(thrown, "wait() did not throw BrokenBarrierError")
        }
        expectTimeout(try #require(dt.snapshot), timeout)
        #expect(barrier.broken)
    }

    @Test
    func test_single_thread() throws {
        let b = try threading.Barrier(parties: 1)
        defer { b.abort() }
        #expect(try b.wait() == 0)
        #expect(try b.wait() == 0)
        #expect(b.nWaiting == 0)
        #expect(!b.broken)
    }

    @Test
    func test_repr() throws {
        let barrier = try threading.Barrier(parties: 3)
        defer { barrier.abort() }
        let timeout = 300.0  // support.LONG_TIMEOUT
        #expect(matches(String(describing: barrier), #"<\w+\.Barrier at .*: waiters=0/3>"#), "\(barrier)")
        let n = 2
        let bunch = Bunch(count: n) { _ in
            try barrier.wait(timeout: timeout)
        }
        // Threads blocked on barrier.wait()
        waitUntil { barrier.nWaiting >= n }
        #expect(matches(String(describing: barrier), #"<\w+\.Barrier at .*: waiters=2/3>"#), "\(barrier)")

        // Threads unblocked
        try barrier.wait(timeout: timeout)
        try bunch.join()
        #expect(matches(String(describing: barrier), #"<\w+\.Barrier at .*: waiters=0/3>"#), "\(barrier)")

        // Abort the barrier
        barrier.abort()
        #expect(matches(String(describing: barrier), #"<\w+\.Barrier at .*: broken>"#), "\(barrier)")
    }
}
