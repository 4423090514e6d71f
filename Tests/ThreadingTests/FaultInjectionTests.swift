//===----------------------------------------------------------------------===//
//
// Threading: Python's threading model for Swift on Linux.
//
// Fault injection through the platform layer's errno switch (FaultInjection.swift), on
// every kind of wait: lock, RLock, condition, event, semaphore, barrier, join, queue get
// and put, future result and futures.wait.
//
// - Storms: the waiting thread's futex waits fail with EINTR, EAGAIN or ETIMEDOUT, tens of
//   thousands of times in a row, while it waits.
// - Spurious wake-ups: meanwhile another thread issues real FUTEX_WAKEs on the waiter's
//   parker word, which wake the sleeping thread without anything having happened.
//
// The documented outcome each time: the wait goes on (retry), it never returns before its
// wake-up or its deadline, and the wake-up it was waiting for is never lost. Thread
// creation failure (EAGAIN from pthread_create) makes Thread.start throw "can't start new
// thread" and leaves nothing registered (MisuseMatrixTests), and makes a pool's submit
// fail cleanly, leaving no call queued or pending.
//
//===----------------------------------------------------------------------===//

#if canImport(Glibc)
import Glibc
#endif
import CThreadingShims
import Synchronization
import Testing

@testable import Threading

/// A wait to disturb: how to make it (untimed, or with a timeout), what makes it return,
/// and what it returns when woken or when its time is up.
struct FaultScenario: Sendable {
    /// Makes the wait (`nil`: untimed) and describes its outcome.
    var wait: @Sendable (Double?) throws -> String
    /// Makes the wait return.
    var wake: @Sendable () throws -> Void
    var woken: String
    var timedOut: String
    /// Runs at the end: releases what is held, checks the primitive is intact.
    var finish: @Sendable () throws -> Void = {}
}

enum WaitKind: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case lock, rlock, condition, event, semaphore, barrier, join, queueGet, queuePut, futureResult, futuresWait
    var testDescription: String { rawValue }

    /// A fresh scenario in which the wait has to wait.
    func scenario() throws -> FaultScenario {
        switch self {
        case .lock, .rlock:
            let lock: any LockUnderTest = self == .lock ? threading.Lock() : threading.RLock()
            lock.acquire()
            return FaultScenario(
                wait: { timeout in
                    let got = try lock.acquire(blocking: true, timeout: timeout)
                    if got { try lock.release() }
                    return "\(got)"
                },
                wake: { try lock.release() },
                woken: "true",
                timedOut: "false",
                finish: {
                    if lock.locked { try lock.release() }
                    #expect(!lock.locked && lock.threadsWaitingToAcquire == 0)
                }
            )
        case .condition:
            let cond = threading.Condition()
            return FaultScenario(
                wait: { timeout in try cond.withLock { try cond.wait(timeout: timeout) }.description },
                wake: { try cond.withLock { try cond.notify() } },
                woken: "true",
                timedOut: "false",
                finish: { #expect(cond.waitingCount == 0 && !cond.locked) }
            )
        case .event:
            let event = threading.Event()
            return FaultScenario(
                wait: { timeout in "\(try event.wait(timeout: timeout))" },
                wake: { event.set() },
                woken: "true",
                timedOut: "false",
                finish: { #expect(event.waitingCount == 0) }
            )
        case .semaphore:
            let semaphore = try threading.Semaphore(value: 0)
            return FaultScenario(
                wait: { timeout in "\(try semaphore.acquire(timeout: timeout))" },
                wake: { semaphore.release() },
                woken: "true",
                timedOut: "false",
                finish: { #expect(semaphore.permits.waitingCount == 0) }
            )
        case .barrier:
            let barrier = try threading.Barrier(parties: 2)
            return FaultScenario(
                wait: { timeout in
                    do {
                        return "index \(try barrier.wait(timeout: timeout))"
                    } catch is threading.BrokenBarrierError {
                        barrier.reset()
                        return "broken"
                    }
                },
                wake: { _ = try barrier.wait(timeout: shortTimeout) },
                woken: "index 0",
                timedOut: "broken",
                finish: { #expect(barrier.nWaiting == 0 && !barrier.broken) }
            )
        case .join:
            let go = threading.Event()
            let thread = threading.Thread(name: "fault-joined") { go.wait() }
            try thread.start()
            return FaultScenario(
                wait: { timeout in
                    try thread.join(timeout: timeout)
                    return thread.isAlive ? "alive" : "stopped"
                },
                wake: { go.set() },
                woken: "stopped",
                timedOut: "alive",
                finish: {
                    go.set()
                    try thread.join()
                }
            )
        case .queueGet:
            let q = queue.Queue<Int>(maxsize: 1)
            return FaultScenario(
                wait: { timeout in
                    do {
                        return "got \(try q.get(timeout: timeout))"
                    } catch is queue.Empty {
                        return "empty"
                    }
                },
                wake: { try q.put(5) },
                woken: "got 5",
                timedOut: "empty",
                finish: { #expect(q.empty && q.waitingGetters == 0) }
            )
        case .queuePut:
            let q = queue.Queue<Int>(maxsize: 1)
            try q.put(1)
            return FaultScenario(
                wait: { timeout in
                    do {
                        try q.put(2, timeout: timeout)
                        return "put"
                    } catch is queue.Full {
                        return "full"
                    }
                },
                wake: { _ = try q.get() },
                woken: "put",
                timedOut: "full",
                finish: {
                    #expect(q.qsize == 1 && q.waitingPutters == 0)
                    // Nothing lost: the queue holds the put item, or the first one.
                    let item = try q.get()
                    #expect(item == 1 || item == 2)
                }
            )
        case .futureResult:
            let future = Future<Int>()
            return FaultScenario(
                wait: { timeout in
                    do {
                        return "result \(try future.result(timeout: timeout))"
                    } catch is TimeoutError {
                        return "timeout"
                    }
                },
                wake: { try future.setResult(9) },
                woken: "result 9",
                timedOut: "timeout",
                finish: { #expect(future.blockedCount == 0) }
            )
        case .futuresWait:
            let future = Future<Int>()
            return FaultScenario(
                wait: { timeout in
                    let split = try concurrent.futures.wait([future], timeout: timeout)
                    return "done \(split.done.count)"
                },
                wake: { try future.setResult(9) },
                woken: "done 1",
                timedOut: "done 0"
            )
        }
    }
}

/// Issues FUTEX_WAKEs on a thread's parker word from a raw thread of its own until
/// stopped: real wake-ups of a sleeping thread for which nothing happened.
final class SpuriousWaker: @unchecked Sendable {
    private let stopFlag = Flag()
    /// Wakes that found the thread asleep in the kernel and woke it.
    let delivered = Counter()
    private var thread: PlatformThread?

    init(target: @escaping @Sendable () -> UInt) throws {
        thread = try PlatformThread.spawn { [stopFlag, delivered] in
            while !stopFlag.isRaised {
                if let parker = ParkerRegistry.shared.parker(ofThread: target()) {
                    if cshim_futex_wake(parker.word, 1) > 0 { delivered.increment() }
                }
                sched_yield()
            }
        }
    }

    func stop() {
        stopFlag.raise()
        thread?.join()
        thread = nil
    }

    deinit { stop() }
}

@Suite("FaultInjectionTests", .wedgeDetector)
struct FaultInjectionTests {
    static let errnos: [Int32] = [EINTR, EAGAIN, ETIMEDOUT]
    /// Forced failures per wait: enough to keep the waiter failing for a while.
    static let storm = 20_000

    /// An untimed wait under a storm of forced errnos and a stream of spurious wake-ups:
    /// it is still waiting when the test looks, and returns what the real wake-up says.
    @Test(arguments: WaitKind.allCases, errnos)
    func woken_wait_survives_storm_and_spurious_wakeups(kind: WaitKind, errno: Int32) throws {
        let hold = ThreadCensus.shared.beginShared()
        defer { ThreadCensus.shared.endShared(hold) }
        let scenario = try kind.scenario()
        let waiter = Locked<UInt>(0)
        let outcome = Locked<(result: String, stormLeft: Int)?>(nil)
        let bunch = Bunch(count: 1) { _ in
            waiter.withLock { $0 = threading.getIdent() }
            FaultInjection.force(errno, on: .futexWait, count: Self.storm)
            let result = Result { try scenario.wait(nil) }
            let left = FaultInjection.remaining(on: .futexWait)
            FaultInjection.force(0, on: .futexWait, count: 0)
            outcome.withLock { $0 = (describe(result), left) }
        }
        waitUntil { isParked(waiter.snapshot) || outcome.snapshot != nil }
        let spurious = try SpuriousWaker { waiter.snapshot }
        // Let the spurious wake-ups reach the thread asleep in the kernel, once the storm
        // of forced failures is spent.
        waitUntil { spurious.delivered.value >= 20 || outcome.snapshot != nil }
        #expect(outcome.snapshot == nil, "\(kind): returned before its wake-up: \(outcome.snapshot.map { "\($0)" } ?? "")")
        try scenario.wake()
        try bunch.join()
        spurious.stop()
        let (result, left) = try #require(outcome.snapshot)
        #expect(result == scenario.woken, "\(kind) under errno \(errno)")
        #expect(left < Self.storm, "the storm never reached the futex wait")
        try scenario.finish()
    }

    /// A timed wait under a storm of forced errnos that lasts the whole wait (and beyond):
    /// it times out, not before its deadline, and not much after it.
    @Test(arguments: WaitKind.allCases, errnos)
    func timed_wait_under_storm_times_out_never_early(kind: WaitKind, errno: Int32) throws {
        let hold = ThreadCensus.shared.beginShared()
        defer { ThreadCensus.shared.endShared(hold) }
        let scenario = try kind.scenario()
        let timeout = 0.03
        let waiter = Locked<UInt>(0)
        let outcome = Locked<(result: String, seconds: Double, stormLeft: Int)?>(nil)
        let bunch = Bunch(count: 1) { _ in
            waiter.withLock { $0 = threading.getIdent() }
            // More failures than the wait can use up: each returns at once.
            FaultInjection.force(errno, on: .futexWait, count: Int(Int32.max))
            let start = Deadline.now
            let result = Result { try scenario.wait(timeout) }
            let seconds = start.secondsSince
            let left = FaultInjection.remaining(on: .futexWait)
            FaultInjection.force(0, on: .futexWait, count: 0)
            outcome.withLock { $0 = (describe(result), seconds, left) }
        }
        let spurious = try SpuriousWaker { waiter.snapshot }
        try bunch.join()
        spurious.stop()
        let (result, seconds, left) = try #require(outcome.snapshot)
        #expect(result == scenario.timedOut, "\(kind) under errno \(errno)")
        #expect(seconds >= timeout, "\(kind) returned early under errno \(errno): \(seconds) s")
        #expect(seconds < timeout + atOnce, "\(kind) took \(seconds) s")
        #expect(left < Int(Int32.max), "the storm never reached the futex wait")
        try scenario.finish()
    }

    /// A single forced ETIMEDOUT before the deadline is not believed: the wait goes on
    /// until it is woken.
    @Test(arguments: WaitKind.allCases)
    func premature_timeout_errno_is_not_believed(kind: WaitKind) throws {
        let hold = ThreadCensus.shared.beginShared()
        defer { ThreadCensus.shared.endShared(hold) }
        let scenario = try kind.scenario()
        let waiter = Locked<UInt>(0)
        let outcome = Locked<String?>(nil)
        let bunch = Bunch(count: 1) { _ in
            waiter.withLock { $0 = threading.getIdent() }
            FaultInjection.force(ETIMEDOUT, on: .futexWait, count: 1)
            let result = Result { try scenario.wait(shortTimeout) }
            FaultInjection.force(0, on: .futexWait, count: 0)
            outcome.withLock { $0 = describe(result) }
        }
        waitUntil { isParked(waiter.snapshot) || outcome.snapshot != nil }
        #expect(outcome.snapshot == nil, "\(kind) believed a premature ETIMEDOUT")
        try scenario.wake()
        try bunch.join()
        #expect(outcome.snapshot == scenario.woken)
        try scenario.finish()
    }
}

// MARK: - Thread creation failure in the pool

extension ThreadObjectTests {
    @Suite("PoolThreadCreationFailureTests")
    struct PoolThreadCreationFailureTests {
        /// The pool's first worker cannot start: submit throws Python's error, and the
        /// call is not left queued (no later worker ever runs it), nor any future pending.
        @Test func submit_fails_cleanly_when_no_worker_can_start() throws {
            try expectNoThreadLeak {
                let pool = try concurrent.futures.ThreadPoolExecutor(maxWorkers: 2)
                let refusedRan = Counter()
                FaultInjection.withForced(EAGAIN, on: .threadCreate, count: 1) {
                    expectPythonError(RuntimeError.self, "can't start new thread") {
                        _ = try pool.submit { refusedRan.increment() }
                    }
                }
                #expect(pool.threads.isEmpty)
                // The pool still works, and what was refused never runs.
                let next = try pool.submit { 7 }
                #expect(try next.result(timeout: shortTimeout) == 7)
                pool.shutdown()
                #expect(refusedRan.value == 0)
            }
        }

        /// A second worker cannot start while the first is busy: the call is accepted and
        /// runs on the first worker once it is free.
        @Test func submit_queues_when_an_extra_worker_cannot_start() throws {
            try expectNoThreadLeak {
                let pool = try concurrent.futures.ThreadPoolExecutor(maxWorkers: 2)
                let go = threading.Event()
                let busy = try pool.submit { go.wait(); return 1 }
                waitUntil { busy.running }
                let queued = try FaultInjection.withForced(EAGAIN, on: .threadCreate, count: 1) {
                    try pool.submit { 2 }
                }
                #expect(pool.threads.count == 1)
                #expect(!queued.done)
                go.set()
                #expect(try busy.result(timeout: shortTimeout) == 1)
                #expect(try queued.result(timeout: shortTimeout) == 2)
                pool.shutdown()
            }
        }

        /// map submits eagerly: a refused worker part-way fails the map() call itself, and
        /// the calls submitted before still complete (Python keeps them too).
        @Test func map_fails_cleanly_when_no_worker_can_start() throws {
            try expectNoThreadLeak {
                let pool = try concurrent.futures.ThreadPoolExecutor(maxWorkers: 1)
                let ran = Counter()
                FaultInjection.withForced(EAGAIN, on: .threadCreate, count: 1) {
                    expectPythonError(RuntimeError.self, "can't start new thread") {
                        _ = try pool.map({ (_: Int) in ran.increment() }, 0..<3)
                    }
                }
                var results = try pool.map({ $0 * 2 }, 0..<3)
                var values: [Int] = []
                while let value = try results.next() { values.append(value) }
                #expect(values == [0, 2, 4])
                pool.shutdown()
                #expect(ran.value == 0, "the refused map left no call behind")
            }
        }
    }
}
