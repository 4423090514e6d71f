//===----------------------------------------------------------------------===//
//
// Threading: Python's threading model for Swift on Linux.
//
// Timing guarantees of every timed wait in the library: measured on the monotonic clock,
// a wait that times out never returns before its timeout, and returns late by a bounded
// amount. Each call is made to time out repeatedly (nobody ever wakes it) with timeouts
// of 1, 4 and 16 ms.
//
// The target is lateness <= max(2 ms, 10%) at the 99th percentile on an idle
// machine; CI machines are shared and loaded, so the assertions here use margins that
// hold there (p99 under 200 ms, every sample under 1 s late) and the measured figures are
// printed instead: `timing: p50 ... p99 ... max ...`.
//
//===----------------------------------------------------------------------===//

import Foundation
import Synchronization
import Testing

@testable import Threading

@Suite("TimingTests", .serialized, .wedgeDetector)
struct TimingTests {
    /// The timeouts each call is made to wait out, `repeats` times each.
    static let timeouts = [0.001, 0.004, 0.016]
    static let repeats = 5
    /// Margins for a loaded 2-core machine.
    static let p99Bound = 0.2
    static let maxBound = 1.0

    /// One timed-out wait: how long it was given and how long it took.
    struct Sample {
        let timeout: Double
        let elapsed: Double
        var lateness: Double { elapsed - timeout }
    }

    /// A wait that failed to time out (it returned what a woken call returns).
    struct DidNotTimeOut: Error, CustomStringConvertible {
        let description: String
    }

    /// Makes `wait(timeout)` for every timeout, `repeats` times; `wait` must return
    /// having timed out (it throws `DidNotTimeOut` otherwise).
    static func measure(_ wait: (Double) throws -> Void) throws -> [Sample] {
        var samples: [Sample] = []
        for _ in 0..<repeats {
            for timeout in timeouts {
                let start = Deadline.now
                try wait(timeout)
                let elapsed = Double(Deadline.now.nanoseconds - start.nanoseconds) / 1e9
                samples.append(Sample(timeout: timeout, elapsed: elapsed))
            }
        }
        return samples
    }

    /// Throws unless `timedOut`.
    static func expectTimedOut(_ timedOut: Bool, _ what: @autoclosure () -> String = "woke") throws {
        if !timedOut { throw DidNotTimeOut(description: what()) }
    }

    /// Throws unless `body` throws an `E`.
    static func expectThrows<E: Error>(_ type: E.Type, _ body: () throws -> Void) throws {
        do {
            try body()
        } catch is E {
            return
        }
        throw DidNotTimeOut(description: "expected \(type)")
    }

    /// The `p`-th percentile (0...1) of `values`.
    static func percentile(_ values: [Double], _ p: Double) -> Double {
        let sorted = values.sorted()
        guard !sorted.isEmpty else { return 0 }
        let index = min(sorted.count - 1, Int((Double(sorted.count) * p).rounded(.up)) - 1)
        return sorted[max(0, index)]
    }

    static func milliseconds(_ seconds: Double) -> String {
        String(format: "%.3f ms", seconds * 1000)
    }

    /// Every timed wait, set up so that it has to wait and nobody wakes it.
    static func everyTimedWait() throws -> [(name: String, samples: [Sample])] {
        var results: [(String, [Sample])] = []
        func record(_ name: String, _ wait: (Double) throws -> Void) throws {
            results.append((name, try measure(wait)))
        }

        let lock = threading.Lock()
        lock.acquire()
        try record("Lock.acquire") { try expectTimedOut(!lock.acquire(timeout: $0)) }
        try lock.release()

        // An RLock and a Condition's lock held by another thread.
        let rlock = threading.RLock()
        let cond = threading.Condition()
        let held = threading.Event()
        let done = threading.Event()
        let holder = Bunch(count: 1) { _ in
            rlock.withLock {
                cond.withLock {
                    held.set()
                    done.wait()
                }
            }
        }
        held.wait()
        try record("RLock.acquire") { try expectTimedOut(!rlock.acquire(timeout: $0)) }
        try record("Condition.acquire") { try expectTimedOut(!cond.acquire(timeout: $0)) }
        done.set()
        try holder.join()

        let condition = threading.Condition()
        try record("Condition.wait") { timeout in
            try condition.withLock { try expectTimedOut(!condition.wait(timeout: timeout)) }
        }
        try record("Condition.waitFor") { timeout in
            try condition.withLock { try expectTimedOut(!condition.waitFor({ false }, timeout: timeout)) }
        }

        let semaphore = try threading.Semaphore(value: 0)
        try record("Semaphore.acquire") { try expectTimedOut(!semaphore.acquire(timeout: $0)) }
        let bounded = try threading.BoundedSemaphore(value: 1)
        bounded.acquire()
        try record("BoundedSemaphore.acquire") { try expectTimedOut(!bounded.acquire(timeout: $0)) }

        let event = threading.Event()
        try record("Event.wait") { try expectTimedOut(!event.wait(timeout: $0)) }

        let barrier = try threading.Barrier(parties: 2)
        try record("Barrier.wait") { timeout in
            try expectThrows(threading.BrokenBarrierError.self) { try barrier.wait(timeout: timeout) }
            barrier.reset()
        }

        let go = threading.Event()
        let thread = threading.Thread(name: "timing-join") { go.wait() }
        try thread.start()
        try record("Thread.join") { timeout in
            try thread.join(timeout: timeout)
            try expectTimedOut(thread.isAlive)
        }
        go.set()
        try thread.join()

        for kind in QueueKind.allCases {
            let q = kind.make(of: Int.self, maxsize: 1)
            try record("\(kind.testDescription).get") { timeout in
                try expectThrows(queue.Empty.self) { _ = try q.get(timeout: timeout) }
            }
            try q.put(0)
            try record("\(kind.testDescription).put") { timeout in
                try expectThrows(queue.Full.self) { try q.put(1, timeout: timeout) }
            }
        }
        let simple = queue.SimpleQueue<Int>()
        try record("SimpleQueue.get") { timeout in
            try expectThrows(queue.Empty.self) { _ = try simple.get(timeout: timeout) }
        }

        let future = Future<Int>()
        try record("Future.result") { timeout in
            try expectThrows(TimeoutError.self) { _ = try future.result(timeout: timeout) }
        }
        try record("Future.exception") { timeout in
            try expectThrows(TimeoutError.self) { _ = try future.exception(timeout: timeout) }
        }
        try record("futures.wait") { timeout in
            try expectTimedOut(concurrent.futures.wait([future], timeout: timeout).notDone.count == 1)
        }
        try record("futures.asCompleted") { timeout in
            var completed = concurrent.futures.asCompleted([future], timeout: timeout)
            try expectThrows(TimeoutError.self) { _ = try completed.next() }
        }

        let pool = try concurrent.futures.ThreadPoolExecutor(maxWorkers: 1)
        let unblock = threading.Event()
        _ = try pool.submit { unblock.wait() }
        try record("ThreadPoolExecutor.map") { timeout in
            var results = try pool.map([1], timeout: timeout) { $0 }
            try expectThrows(TimeoutError.self) { _ = try results.next() }
        }
        unblock.set()
        pool.shutdown()

        // A timer's interval: from start() to the function's call.
        try record("Timer") { interval in
            let fired = threading.Event()
            let timer = threading.Timer(interval: interval) { fired.set() }
            try timer.start()
            fired.wait()
            try timer.join()
        }
        return results
    }

    @Test func timed_waits_never_return_early_and_are_late_by_a_bounded_amount() throws {
        // Threads started here (the joined thread, pool workers, timers) are covered by a
        // shared hold on the census, as a Bunch's are.
        let hold = ThreadCensus.shared.beginShared()
        defer { ThreadCensus.shared.endShared(hold) }

        let results = try Self.everyTimedWait()
        var all: [Double] = []
        var withinTarget = 0
        for (name, samples) in results {
            #expect(samples.count == Self.timeouts.count * Self.repeats)
            for sample in samples {
                // Never early: the one hard guarantee.
                #expect(
                    sample.elapsed >= sample.timeout,
                    "\(name) returned early: \(sample.elapsed) s for a \(sample.timeout) s timeout"
                )
                #expect(sample.lateness < Self.maxBound, "\(name) late by \(sample.lateness) s")
                if sample.lateness <= max(0.002, sample.timeout * 0.1) { withinTarget += 1 }
            }
            let lateness = samples.map(\.lateness)
            all += lateness
            print(
                "timing \(name): p50 \(Self.milliseconds(Self.percentile(lateness, 0.5))) "
                    + "p99 \(Self.milliseconds(Self.percentile(lateness, 0.99))) "
                    + "max \(Self.milliseconds(lateness.max() ?? 0)) late"
            )
        }
        let p99 = Self.percentile(all, 0.99)
        print(
            "timing: \(all.count) timed-out waits over \(results.count) calls, lateness "
                + "p50 \(Self.milliseconds(Self.percentile(all, 0.5))) "
                + "p99 \(Self.milliseconds(p99)) max \(Self.milliseconds(all.max() ?? 0)); "
                + "\(withinTarget) within max(2 ms, 10%)"
        )
        #expect(p99 < Self.p99Bound, "p99 lateness \(p99) s")
        #expect(results.count == 23, "every timed wait is measured")
    }
}
