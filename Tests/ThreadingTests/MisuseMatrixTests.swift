//===----------------------------------------------------------------------===//
//
// Threading: Python's threading model for Swift on Linux.
//
// The misuse matrix, in the JSR-166 TCK's manner (reference/beyond.md §5.2): for every
// public call of threading, _thread, queue and concurrent.futures that Python makes raise,
// one test per error, checking Python's exception class and exact message
// (reference/cpython-api.md) and that the object still works afterwards. Then every timed
// call under the edge timeouts {-1, -0.5, 0, 1e-9, 0.01, TIMEOUT_MAX, TIMEOUT_MAX + 1, NaN,
// +infinity}, each with Python's outcome (cpython-api.md §15; where §15 is silent, the
// outcome CPython 3.13's code path gives, as the comment on each table says).
//
// Tests that start threads other than through `Bunch` live under `ThreadObjectTests`.
//
//===----------------------------------------------------------------------===//

#if canImport(Glibc)
import Glibc
#endif
import Synchronization
import Testing

@testable import Threading

// MARK: - The edge timeouts and the driver

/// The timeouts every timed call is tried with.
enum EdgeTimeout: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case minusOne = "-1"
    case minusHalf = "-0.5"
    case zero = "0"
    case oneNanosecond = "1e-9"
    case small = "0.01"
    case max = "TIMEOUT_MAX"
    /// `TIMEOUT_MAX + 1`: beyond both `TIMEOUT_MAX` and the range of CPython's `PyTime_t`
    /// (9223372036.854775807 s). The library rejects anything above `TIMEOUT_MAX`; CPython
    /// accepts the 0.85 s between the two, a window these tests leave alone.
    case aboveMax = "TIMEOUT_MAX+1"
    case nan = "NaN"
    case infinity = "+inf"

    var seconds: Double {
        switch self {
        case .minusOne: -1
        case .minusHalf: -0.5
        case .zero: 0
        case .oneNanosecond: 1e-9
        case .small: 0.01
        case .max: threading.TIMEOUT_MAX
        case .aboveMax: threading.TIMEOUT_MAX + 1
        case .nan: .nan
        case .infinity: .infinity
        }
    }

    var testDescription: String { rawValue }
}

/// What a timed call does with one edge timeout.
enum Expected: Sendable {
    /// Returns (or throws) this without waiting.
    case now(String)
    /// Returns (or throws) this once the timeout has passed, never before.
    case afterTimeout(String)
    /// Waits until the test makes the call able to complete, then returns this.
    case waits(String)
}

/// `ClassName("message")` with the class's full name, as `describe` writes a thrown error.
func raised(_ type: BaseException.Type, _ message: String = "") -> String {
    "\(String(reflecting: type))(\"\(message)\")"
}

/// A call's outcome as a string: its value, or the error it threw.
func describe(_ result: Result<String, any Error>) -> String {
    switch result {
    case .success(let value): value
    case .failure(let error as BaseException): raised(type(of: error), error.message)
    case .failure(let error): "\(type(of: error)): \(error)"
    }
}

let overflowError = raised(OverflowError.self, "timestamp out of range for platform time_t")
let nanError = raised(ValueError.self, "Invalid value NaN (not a number)")

/// One timed call, set up so that it has to wait (or so that it need not).
struct TimedCall: Sendable {
    /// Makes the call with the timeout, on a thread of its own, and describes its value.
    var call: @Sendable (Double) throws -> String
    /// Lets a waiting call complete.
    var wake: @Sendable () throws -> Void = {}
    /// True once the call waits; by default, once its thread is parked in the library.
    var isWaiting: (@Sendable (_ caller: UInt) -> Bool)?
    /// Runs after the call ended (`woken`: whether `wake` ran): releases what the set-up
    /// holds and checks that the object still works.
    var finish: @Sendable (_ woken: Bool) throws -> Void = { _ in }
}

/// True while the thread with `ident` is parked in the library's parking core.
func isParked(_ ident: UInt) -> Bool {
    ident != 0 && ParkerRegistry.shared.parker(ofThread: ident)?.waitSite != nil
}

/// The longest a call that should not wait may take on a loaded 2-core machine.
let atOnce = 2.0

/// Runs `timed` with `edge`'s timeout on a thread and checks `table[edge]`.
func expectOutcome(
    _ timed: TimedCall,
    _ edge: EdgeTimeout,
    _ table: [EdgeTimeout: Expected],
    sourceLocation: SourceLocation = #_sourceLocation
) throws {
    let expected = try #require(table[edge], "no expectation for \(edge)", sourceLocation: sourceLocation)
    let caller = Locked<UInt>(0)
    let outcome = Locked<(description: String, seconds: Double)?>(nil)
    let bunch = Bunch(count: 1) { _ in
        caller.withLock { $0 = threading.getIdent() }
        let start = Deadline.now
        let result = Result { try timed.call(edge.seconds) }
        let seconds = Double(Deadline.now.nanoseconds - start.nanoseconds) / 1e9
        outcome.withLock { $0 = (describe(result), seconds) }
    }
    var woken = false
    if case .waits = expected {
        let waiting = timed.isWaiting ?? { isParked($0) }
        waitUntil(sourceLocation: sourceLocation) {
            waiting(caller.snapshot) || outcome.snapshot != nil
        }
        if let early = outcome.snapshot {
            Issue.record("\(edge): returned without waiting: \(early.description)", sourceLocation: sourceLocation)
        } else {
            try timed.wake()
            woken = true
        }
    }
    try bunch.join(sourceLocation: sourceLocation)
    guard let result = outcome.snapshot else {
        // Wedged: free it so the thread can end.
        if !woken { try? timed.wake() }
        Issue.record("\(edge): the call never returned", sourceLocation: sourceLocation)
        return
    }
    let (got, seconds) = result
    switch expected {
    case .now(let want):
        #expect(got == want, "\(edge)", sourceLocation: sourceLocation)
        #expect(seconds < atOnce, "\(edge): took \(seconds) s", sourceLocation: sourceLocation)
    case .afterTimeout(let want):
        #expect(got == want, "\(edge)", sourceLocation: sourceLocation)
        #expect(seconds >= edge.seconds, "\(edge): returned early, after \(seconds) s", sourceLocation: sourceLocation)
        #expect(seconds < edge.seconds + atOnce, "\(edge): took \(seconds) s", sourceLocation: sourceLocation)
    case .waits(let want):
        #expect(got == want, "\(edge)", sourceLocation: sourceLocation)
    }
    try timed.finish(woken)
}

/// Every edge gives `expected`.
func everyEdge(_ expected: Expected) -> [EdgeTimeout: Expected] {
    Dictionary(uniqueKeysWithValues: EdgeTimeout.allCases.map { ($0, expected) })
}

/// The lock can be taken and given back, and is free afterwards.
func expectLockWorks(_ lock: any LockUnderTest, sourceLocation: SourceLocation = #_sourceLocation) throws {
    #expect(!lock.locked, "left locked", sourceLocation: sourceLocation)
    #expect(try lock.acquire(blocking: false, timeout: nil), sourceLocation: sourceLocation)
    #expect(lock.locked, sourceLocation: sourceLocation)
    try lock.release()
    #expect(!lock.locked, sourceLocation: sourceLocation)
}

/// A semaphore of `kind` holding `value` permits (a bounded one bounded by `bound`).
func makeSemaphore(_ kind: SemaphoreKind, value: Int, bound: Int? = nil) throws -> any SemaphoreUnderTest {
    switch kind {
    case .semaphore:
        return try threading.Semaphore(value: value)
    case .boundedSemaphore:
        let semaphore = try threading.BoundedSemaphore(value: bound ?? value)
        for _ in value..<(bound ?? value) { semaphore.acquire() }
        return semaphore
    }
}

// MARK: - Misuse: one test per error

@Suite("MisuseMatrixTests", .wedgeDetector)
struct MisuseMatrixTests {
    // MARK: Lock, RLock, Condition (as a lock), _thread.LockType

    @Test(arguments: LockKind.allCases)
    func acquire_nonblocking_with_timeout(kind: LockKind) throws {
        let lock = kind.make()
        // Even a timeout of 0: only -1 (the default) may go with blocking=False.
        for timeout in [1.0, 0, -0.5] {
            expectPythonError(ValueError.self, "can't specify a timeout for a non-blocking call") {
                _ = try lock.acquire(blocking: false, timeout: timeout)
            }
        }
        #expect(try lock.acquire(blocking: false, timeout: -1))
        try lock.release()
        try expectLockWorks(lock)
    }

    @Test(arguments: LockKind.allCases)
    func acquire_negative_timeout(kind: LockKind) throws {
        let lock = kind.make()
        expectPythonError(ValueError.self, "timeout value must be a non-negative number") {
            _ = try lock.acquire(blocking: true, timeout: -0.5)
        }
        try expectLockWorks(lock)
    }

    @Test(arguments: LockKind.allCases)
    func acquire_timeout_overflow(kind: LockKind) throws {
        let lock = kind.make()
        for timeout in [threading.TIMEOUT_MAX + 1, 1e100, .infinity, -.infinity] {
            expectPythonError(OverflowError.self, "timestamp out of range for platform time_t") {
                _ = try lock.acquire(blocking: true, timeout: timeout)
            }
        }
        // The conversion comes before the non-blocking check.
        expectPythonError(OverflowError.self, "timestamp out of range for platform time_t") {
            _ = try lock.acquire(blocking: false, timeout: .infinity)
        }
        try expectLockWorks(lock)
    }

    @Test(arguments: LockKind.allCases)
    func acquire_nan_timeout(kind: LockKind) throws {
        let lock = kind.make()
        for blocking in [true, false] {
            expectPythonError(ValueError.self, "Invalid value NaN (not a number)") {
                _ = try lock.acquire(blocking: blocking, timeout: .nan)
            }
        }
        try expectLockWorks(lock)
    }

    @Test func lock_release_unlocked() throws {
        let lock = _thread.allocateLock()
        expectPythonError(RuntimeError.self, "release unlocked lock") { try lock.release() }
        // Twice in a row after a real release, too.
        lock.acquire()
        try lock.release()
        expectPythonError(RuntimeError.self, "release unlocked lock") { try lock.release() }
        try expectLockWorks(lock)
    }

    @Test func rlock_release_unowned() throws {
        let rlock = threading.RLock()
        expectPythonError(RuntimeError.self, "cannot release un-acquired lock") { try rlock.release() }
        // One release too many.
        rlock.acquire()
        try rlock.release()
        expectPythonError(RuntimeError.self, "cannot release un-acquired lock") { try rlock.release() }
        try expectLockWorks(rlock)
    }

    @Test func rlock_release_by_another_thread() throws {
        let rlock = threading.RLock()
        rlock.acquire()
        rlock.acquire()
        let outcome = Locked<String?>(nil)
        try Bunch.run(count: 1) { _ in
            let result = Result { try rlock.release(); return "released" }
            outcome.withLock { $0 = describe(result) }
        }
        #expect(outcome.snapshot == raised(RuntimeError.self, "cannot release un-acquired lock"))
        // The owner still holds both levels.
        #expect(rlock.locked)
        #expect(rlock.recursionCount == 2)
        try rlock.release()
        try rlock.release()
        try expectLockWorks(rlock)
    }

    @Test func condition_release_unowned() throws {
        let cond = threading.Condition()
        expectPythonError(RuntimeError.self, "cannot release un-acquired lock") { try cond.release() }
        let overLock = threading.Condition(threading.Lock())
        expectPythonError(RuntimeError.self, "release unlocked lock") { try overLock.release() }
        try expectLockWorks(cond)
        try expectLockWorks(overLock)
    }

    // MARK: Condition

    /// A condition over an RLock, and one over a free plain Lock: neither is owned.
    static func unownedConditions() -> [threading.Condition] {
        [threading.Condition(), threading.Condition(threading.RLock()), threading.Condition(threading.Lock())]
    }

    /// The condition's lock works and a wait/notify round trip still works.
    func expectConditionWorks(_ cond: threading.Condition, sourceLocation: SourceLocation = #_sourceLocation) throws {
        try expectLockWorks(cond, sourceLocation: sourceLocation)
        let ready = Flag()
        let bunch = Bunch(count: 1) { _ in
            try cond.withLock { _ = try cond.waitFor({ ready.isRaised }, timeout: shortTimeout) }
        }
        waitUntil(sourceLocation: sourceLocation) { cond.waitingCount == 1 }
        try cond.withLock {
            ready.raise()
            try cond.notifyAll()
        }
        try bunch.join(sourceLocation: sourceLocation)
        #expect(cond.waitingCount == 0, sourceLocation: sourceLocation)
    }

    @Test func condition_wait_unacquired() throws {
        for cond in Self.unownedConditions() {
            for timeout: Double? in [nil, 0.01, 0, -1, .nan, .infinity, threading.TIMEOUT_MAX + 1] {
                // Ownership comes first: even a timeout Python cannot convert gives this.
                expectPythonError(RuntimeError.self, "cannot wait on un-acquired lock") {
                    if let timeout { try cond.wait(timeout: timeout) } else { try cond.wait() }
                }
            }
            try expectConditionWorks(cond)
        }
    }

    @Test func condition_wait_for_unacquired() throws {
        for cond in Self.unownedConditions() {
            for timeout: Double? in [nil, 0.01, 0, -1, .nan, .infinity] {
                let calls = Counter()
                expectPythonError(RuntimeError.self, "cannot wait on un-acquired lock") {
                    try cond.waitFor({ calls.increment(); return false }, timeout: timeout)
                }
                #expect(calls.value == 1, "the predicate is evaluated first")
            }
            // An already-true predicate returns without looking at the lock.
            #expect(try cond.waitFor({ true }, timeout: .infinity))
            try expectConditionWorks(cond)
        }
    }

    @Test func condition_notify_unacquired() throws {
        for cond in Self.unownedConditions() {
            for n in [1, 0, -1, 5] {
                expectPythonError(RuntimeError.self, "cannot notify on un-acquired lock") { try cond.notify(n: n) }
            }
            expectPythonError(RuntimeError.self, "cannot notify on un-acquired lock") { try cond.notifyAll() }
            try expectConditionWorks(cond)
        }
    }

    @Test func condition_notify_from_a_thread_not_owning_the_rlock() throws {
        let cond = threading.Condition()
        cond.acquire()
        let outcomes = Locked<[String]>([])
        try Bunch.run(count: 1) { _ in
            let notified = Result { try cond.notify(); return "notified" }
            let waited = Result { try cond.wait(timeout: 0).description }
            outcomes.withLock { $0 = [describe(notified), describe(waited)] }
        }
        #expect(outcomes.snapshot == [
            raised(RuntimeError.self, "cannot notify on un-acquired lock"),
            raised(RuntimeError.self, "cannot wait on un-acquired lock"),
        ])
        try cond.release()
        try expectConditionWorks(cond)
    }

    /// Python cannot tell who holds a plain Lock: a condition over one only checks that it
    /// is held by someone (verified on CPython 3.13), so this is not an error.
    @Test func condition_over_lock_held_elsewhere_is_not_detected() throws {
        let lock = threading.Lock()
        let cond = threading.Condition(lock)
        lock.acquire()
        try Bunch.run(count: 1) { _ in
            try cond.notify()
            try cond.notifyAll()
        }
        try lock.release()
        try expectConditionWorks(cond)
    }

    @Test func condition_wait_overflow_restores_the_lock() throws {
        let cond = threading.Condition()
        cond.acquire()
        cond.acquire()
        expectPythonError(OverflowError.self, "timestamp out of range for platform time_t") {
            try cond.wait(timeout: threading.TIMEOUT_MAX + 1)
        }
        expectPythonError(OverflowError.self, "timestamp out of range for platform time_t") {
            try cond.waitFor({ false }, timeout: .infinity)
        }
        // Still held, at the same depth.
        guard case .rlock(let rlock) = cond.underlying else { return }
        #expect(rlock.recursionCount == 2)
        try cond.release()
        try cond.release()
        try expectConditionWorks(cond)
    }

    // MARK: Semaphore, BoundedSemaphore

    @Test(arguments: SemaphoreKind.allCases)
    func semaphore_negative_initial_value(kind: SemaphoreKind) throws {
        for value in [-1, Int.min] {
            expectPythonError(ValueError.self, "semaphore initial value must be >= 0") {
                _ = try makeSemaphore(kind, value: value)
            }
        }
        #expect(try makeSemaphore(kind, value: 0).value == 0)
    }

    @Test(arguments: SemaphoreKind.allCases)
    func semaphore_nonblocking_with_timeout(kind: SemaphoreKind) throws {
        let semaphore = try makeSemaphore(kind, value: 1)
        // Any timeout at all, even NaN or one that would overflow: note the text differs
        // from Lock's ("can't specify a timeout for a non-blocking call").
        for timeout in [1.0, 0, -1, .nan, .infinity] {
            expectPythonError(ValueError.self, "can't specify timeout for non-blocking acquire") {
                _ = try semaphore.acquire(blocking: false, timeout: timeout)
            }
        }
        #expect(semaphore.value == 1)
        #expect(try semaphore.acquire(blocking: false))
        try semaphore.releaseOne()
        #expect(semaphore.value == 1)
    }

    @Test(arguments: SemaphoreKind.allCases)
    func semaphore_release_fewer_than_one(kind: SemaphoreKind) throws {
        let semaphore = try makeSemaphore(kind, value: 1, bound: 2)
        for n in [0, -1, Int.min] {
            expectPythonError(ValueError.self, "n must be one or more") { try semaphore.release(n: n) }
        }
        #expect(semaphore.value == 1)
        try semaphore.releaseOne()
        #expect(semaphore.value == 2)
    }

    @Test(arguments: SemaphoreKind.allCases)
    func semaphore_acquire_overflow_only_when_it_waits(kind: SemaphoreKind) throws {
        let semaphore = try makeSemaphore(kind, value: 1)
        // A permit is free: no wait, no conversion.
        #expect(try semaphore.acquire(timeout: .infinity))
        for timeout in [threading.TIMEOUT_MAX + 1, .infinity] {
            expectPythonError(OverflowError.self, "timestamp out of range for platform time_t") {
                _ = try semaphore.acquire(timeout: timeout)
            }
        }
        #expect(semaphore.value == 0)
        try semaphore.releaseOne()
        #expect(semaphore.value == 1)
    }

    @Test func bounded_semaphore_released_too_many_times() throws {
        let semaphore = try threading.BoundedSemaphore(value: 3)
        expectPythonError(ValueError.self, "Semaphore released too many times") { try semaphore.release() }
        #expect(semaphore.value == 3)
        semaphore.acquire()
        // value + n > initial value: changes nothing, even though one permit would fit.
        expectPythonError(ValueError.self, "Semaphore released too many times") { try semaphore.release(n: 2) }
        #expect(semaphore.value == 2)
        try semaphore.release(n: 1)
        #expect(semaphore.value == 3)
        semaphore.acquire()
        semaphore.acquire()
        try semaphore.release(n: 2)
        #expect(semaphore.value == 3)
    }

    // MARK: Event

    @Test func event_wait_overflow_only_while_unset() throws {
        let event = threading.Event()
        for timeout in [threading.TIMEOUT_MAX + 1, .infinity] {
            expectPythonError(OverflowError.self, "timestamp out of range for platform time_t") {
                _ = try event.wait(timeout: timeout)
            }
        }
        #expect(event.waitingCount == 0)
        event.set()
        #expect(try event.wait(timeout: .infinity))
        event.clear()
        #expect(try !event.wait(timeout: 0))
    }

    // MARK: Barrier

    /// A full round with `parties` threads (the test thread one of them) gives every index.
    func expectBarrierWorks(_ barrier: threading.Barrier, sourceLocation: SourceLocation = #_sourceLocation) throws {
        #expect(!barrier.broken, sourceLocation: sourceLocation)
        #expect(barrier.nWaiting == 0, sourceLocation: sourceLocation)
        let indices = Locked<[Int]>([])
        let bunch = Bunch(count: barrier.parties - 1) { _ in
            let index = try barrier.wait(timeout: shortTimeout)
            indices.withLock { $0.append(index) }
        }
        waitUntil(sourceLocation: sourceLocation) { barrier.nWaiting == barrier.parties - 1 }
        let mine = try barrier.wait(timeout: shortTimeout)
        try bunch.join(sourceLocation: sourceLocation)
        #expect((indices.snapshot + [mine]).sorted() == Array(0..<barrier.parties), sourceLocation: sourceLocation)
    }

    @Test func barrier_parties_below_one() throws {
        for parties in [0, -1, Int.min] {
            expectPythonError(ValueError.self, "parties must be > 0") { _ = try threading.Barrier(parties: parties) }
        }
        try expectBarrierWorks(threading.Barrier(parties: 1))
    }

    @Test func barrier_wait_when_broken() throws {
        let barrier = try threading.Barrier(parties: 2)
        barrier.abort()
        for timeout: Double? in [nil, 0, .infinity] {
            expectPythonError(threading.BrokenBarrierError.self, "") { try barrier.wait(timeout: timeout) }
        }
        #expect(barrier.broken)
        barrier.reset()
        try expectBarrierWorks(barrier)
    }

    @Test func barrier_wait_overflow_leaves_it_intact() throws {
        let barrier = try threading.Barrier(parties: 2)
        expectPythonError(OverflowError.self, "timestamp out of range for platform time_t") {
            try barrier.wait(timeout: threading.TIMEOUT_MAX + 1)
        }
        #expect(!barrier.broken)
        #expect(barrier.nWaiting == 0)
        try expectBarrierWorks(barrier)
    }

    @Test func barrier_timeout_breaks_it_for_everyone() throws {
        let barrier = try threading.Barrier(parties: 3)
        let other = Locked<String?>(nil)
        let bunch = Bunch(count: 1) { _ in
            let outcome = Result { try barrier.wait().description }
            other.withLock { $0 = describe(outcome) }
        }
        waitUntil { barrier.nWaiting == 1 }
        // A zero timeout that is not the last party's breaks the barrier at once.
        expectPythonError(threading.BrokenBarrierError.self, "") { try barrier.wait(timeout: 0) }
        try bunch.join()
        #expect(other.snapshot == raised(threading.BrokenBarrierError.self))
        #expect(barrier.broken)
        expectPythonError(threading.BrokenBarrierError.self, "") { try barrier.wait() }
        barrier.reset()
        try expectBarrierWorks(barrier)
    }

    @Test func barrier_action_error() throws {
        struct ActionFailed: Error, Equatable {}
        let calls = Counter()
        // The action fails the first time only.
        let barrier = try threading.Barrier(parties: 2, action: { if calls.increment() == 1 { throw ActionFailed() } })
        let other = Locked<String?>(nil)
        let bunch = Bunch(count: 1) { _ in
            let outcome = Result { try barrier.wait().description }
            other.withLock { $0 = describe(outcome) }
        }
        waitUntil { barrier.nWaiting == 1 }
        // The last party, which ran the action, gets the action's error; the others are
        // told the barrier broke.
        #expect(throws: ActionFailed()) { try barrier.wait() }
        try bunch.join()
        #expect(other.snapshot == raised(threading.BrokenBarrierError.self))
        #expect(barrier.broken)
        barrier.reset()
        try expectBarrierWorks(barrier)
        #expect(calls.value == 2)
    }

    @Test func barrier_reset_while_waiting() throws {
        let barrier = try threading.Barrier(parties: 2)
        let other = Locked<String?>(nil)
        let bunch = Bunch(count: 1) { _ in
            let outcome = Result { try barrier.wait().description }
            other.withLock { $0 = describe(outcome) }
        }
        waitUntil { barrier.nWaiting == 1 }
        barrier.reset()
        try bunch.join()
        #expect(other.snapshot == raised(threading.BrokenBarrierError.self))
        try expectBarrierWorks(barrier)
    }

    // MARK: _thread and module functions

    @Test func stack_size_errors() {
        let before = threading.stackSize()
        expectPythonError(ValueError.self, "size must be 0 or a positive value") { try threading.stackSize(-1) }
        for size in [1, 1000, 32767] {
            expectPythonError(ValueError.self, "size not valid: \(size) bytes") { try _thread.stackSize(size) }
        }
        #expect(threading.stackSize() == before)
    }

    @Test func interrupt_main_signal_out_of_range() throws {
        for signum: Int32 in [-1, 0, 65, 1_000_000] {
            expectPythonError(ValueError.self, "signal number out of range") { try _thread.interruptMain(signum) }
        }
        // A valid signal without a Python-level handler: nothing happens.
        try _thread.interruptMain(SIGUSR1)
    }

    @Test func enable_keyboard_interrupt_off_the_main_thread() {
        // Tests never run on the main thread.
        #expect(threading.getIdent() != threading.mainThread().ident)
        expectPythonError(ValueError.self, "signal only works in main thread of the main interpreter") {
            try threading.enableKeyboardInterrupt()
        }
    }

    @Test func thread_exit_raises_system_exit() {
        expectPythonError(SystemExit.self, "") { try _thread.exit() }
    }

    // MARK: queue

    @Test(arguments: QueueKind.allCases)
    func queue_get_empty(kind: QueueKind) throws {
        let q = kind.make(of: Int.self, maxsize: 2)
        expectPythonError(queue.Empty.self, "") { _ = try q.getNowait() }
        expectPythonError(queue.Empty.self, "") { _ = try q.get(block: false) }
        // A timeout does not matter without block.
        expectPythonError(queue.Empty.self, "") { _ = try q.get(block: false, timeout: -1) }
        expectPythonError(queue.Empty.self, "") { _ = try q.get(timeout: 0) }
        try expectQueueWorks(q)
    }

    @Test(arguments: QueueKind.allCases)
    func queue_put_full(kind: QueueKind) throws {
        let q = kind.make(of: Int.self, maxsize: 1)
        try q.put(1)
        expectPythonError(queue.Full.self, "") { try q.putNowait(2) }
        expectPythonError(queue.Full.self, "") { try q.put(2, block: false) }
        expectPythonError(queue.Full.self, "") { try q.put(2, block: false, timeout: -1) }
        expectPythonError(queue.Full.self, "") { try q.put(2, timeout: 0) }
        #expect(q.qsize == 1)
        #expect(q.unfinishedTasks == 1)
        #expect(try q.get() == 1)
        try q.taskDone()
        try expectQueueWorks(q)
    }

    @Test(arguments: QueueKind.allCases)
    func queue_negative_timeout(kind: QueueKind) throws {
        let bounded = kind.make(of: Int.self, maxsize: 2)
        // Bounded, not full: the put is refused anyway.
        expectPythonError(ValueError.self, "'timeout' must be a non-negative number") {
            try bounded.put(1, timeout: -0.5)
        }
        #expect(bounded.qsize == 0)
        try bounded.put(1)
        // An item is there: the get is refused anyway, and the item stays.
        expectPythonError(ValueError.self, "'timeout' must be a non-negative number") {
            _ = try bounded.get(timeout: -1)
        }
        #expect(bounded.qsize == 1)
        #expect(try bounded.get() == 1)
        try bounded.taskDone()
        // Unbounded: put never checks its timeout.
        let unbounded = kind.make(of: Int.self)
        try unbounded.put(1, timeout: -0.5)
        #expect(try unbounded.get() == 1)
        try unbounded.taskDone()
        try expectQueueWorks(bounded)
        try expectQueueWorks(unbounded)
    }

    @Test(arguments: QueueKind.allCases)
    func queue_timeout_overflow_only_when_it_waits(kind: QueueKind) throws {
        let q = kind.make(of: Int.self, maxsize: 1)
        expectPythonError(OverflowError.self, "timestamp out of range for platform time_t") {
            _ = try q.get(timeout: threading.TIMEOUT_MAX + 1)
        }
        try q.put(1, timeout: .infinity)
        expectPythonError(OverflowError.self, "timestamp out of range for platform time_t") {
            try q.put(2, timeout: .infinity)
        }
        #expect(q.qsize == 1)
        #expect(try q.get(timeout: .infinity) == 1)
        try q.taskDone()
        try expectQueueWorks(q)
    }

    @Test(arguments: QueueKind.allCases)
    func queue_task_done_too_many_times(kind: QueueKind) throws {
        let q = kind.make(of: Int.self)
        expectPythonError(ValueError.self, "task_done() called too many times") { try q.taskDone() }
        try q.put(1)
        _ = try q.get()
        try q.taskDone()
        expectPythonError(ValueError.self, "task_done() called too many times") { try q.taskDone() }
        #expect(q.unfinishedTasks == 0)
        try expectQueueWorks(q)
    }

    @Test(arguments: QueueKind.allCases)
    func queue_after_shutdown(kind: QueueKind) throws {
        let q = kind.make(of: Int.self, maxsize: 4)
        try q.put(1)
        try q.put(2)
        q.shutdown()
        expectPythonError(queue.ShutDown.self, "") { try q.put(3) }
        expectPythonError(queue.ShutDown.self, "") { try q.putNowait(3) }
        // The shutdown check comes first, even before the timeout's.
        expectPythonError(queue.ShutDown.self, "") { try q.put(3, timeout: -1) }
        // What is queued still comes out, then ShutDown.
        let drained = Set([try q.get(), try q.getNowait()])
        #expect(drained == [1, 2])
        expectPythonError(queue.ShutDown.self, "") { _ = try q.get() }
        expectPythonError(queue.ShutDown.self, "") { _ = try q.getNowait() }
        expectPythonError(queue.ShutDown.self, "") { _ = try q.get(timeout: -1) }
        // Task tracking still works, and join still returns.
        try q.taskDone()
        try q.taskDone()
        q.join()
        q.shutdown(immediate: true)
        #expect(q.isShutdown)
    }

    @Test(arguments: QueueKind.allCases)
    func queue_shutdown_immediate(kind: QueueKind) throws {
        let q = kind.make(of: Int.self, maxsize: 4)
        for i in 0..<3 { try q.put(i) }
        _ = try q.get()
        q.shutdown(immediate: true)
        expectPythonError(queue.ShutDown.self, "") { _ = try q.get() }
        // The two discarded items count as done; the one taken does not.
        #expect(q.unfinishedTasks == 1)
        try q.taskDone()
        expectPythonError(ValueError.self, "task_done() called too many times") { try q.taskDone() }
        q.join()
    }

    @Test(arguments: QueueKind.allCases)
    func queue_shutdown_wakes_blocked_calls(kind: QueueKind) throws {
        let empty = kind.make(of: Int.self, maxsize: 1)
        let full = kind.make(of: Int.self, maxsize: 1)
        try full.put(0)
        let outcomes = Locked<[String]>([])
        let bunch = Bunch(count: 2) { index in
            let outcome = index == 0
                ? Result { "\(try empty.get())" }
                : Result { try full.put(1); return "put" }
            outcomes.withLock { $0.append(describe(outcome)) }
        }
        waitUntil { empty.waitingGetters == 1 && full.waitingPutters == 1 }
        empty.shutdown()
        full.shutdown()
        try bunch.join()
        #expect(outcomes.snapshot == [raised(queue.ShutDown.self), raised(queue.ShutDown.self)])
        // The full queue's item was not lost.
        #expect(try full.get() == 0)
    }

    /// The queue still moves items and tracks tasks.
    func expectQueueWorks(_ q: any QueueUnderTest<Int>, sourceLocation: SourceLocation = #_sourceLocation) throws {
        #expect(q.waitingGetters == 0 && q.waitingPutters == 0, sourceLocation: sourceLocation)
        let before = q.qsize
        try q.put(42)
        #expect(q.qsize == before + 1, sourceLocation: sourceLocation)
        if before == 0 { #expect(try q.get() == 42, sourceLocation: sourceLocation) }
    }

    @Test func simple_queue_get_errors() throws {
        let q = queue.SimpleQueue<Int>()
        expectPythonError(queue.Empty.self, "") { _ = try q.getNowait() }
        expectPythonError(queue.Empty.self, "") { _ = try q.get(block: false) }
        expectPythonError(queue.Empty.self, "") { _ = try q.get(timeout: 0) }
        q.put(1)
        // C SimpleQueue converts and checks the timeout before it looks at the queue.
        expectPythonError(ValueError.self, "'timeout' must be a non-negative number") { _ = try q.get(timeout: -0.5) }
        expectPythonError(ValueError.self, "Invalid value NaN (not a number)") { _ = try q.get(timeout: .nan) }
        expectPythonError(OverflowError.self, "timestamp out of range for platform time_t") {
            _ = try q.get(timeout: threading.TIMEOUT_MAX + 1)
        }
        expectPythonError(OverflowError.self, "timestamp out of range for platform time_t") {
            _ = try q.get(timeout: -.infinity)
        }
        #expect(q.qsize == 1)
        // Without block, the timeout is not looked at.
        #expect(try q.get(block: false, timeout: .nan) == 1)
        // put ignores both of its arguments.
        q.put(2, block: false, timeout: -5)
        q.put(3, block: true, timeout: .nan)
        #expect(try q.get() == 2)
        #expect(try q.get() == 3)
        #expect(q.empty)
    }

    // MARK: concurrent.futures (the Future; the pool is in ThreadObjectTests)

    @Test func future_result_when_cancelled() throws {
        let future = Future<Int>()
        #expect(future.cancel())
        for timeout: Double? in [nil, 0, -1, .nan, .infinity] {
            expectPythonError(concurrent.futures.CancelledError.self, "") { _ = try future.result(timeout: timeout) }
            expectPythonError(concurrent.futures.CancelledError.self, "") { _ = try future.exception(timeout: timeout) }
        }
        #expect(future.cancel(), "cancel() stays true")
        #expect(future.done && future.cancelled)
    }

    @Test func future_result_timeout() throws {
        let future = Future<Int>()
        expectPythonError(TimeoutError.self, "") { _ = try future.result(timeout: 0) }
        expectPythonError(TimeoutError.self, "") { _ = try future.exception(timeout: 0.001) }
        // Still pending: it can be completed and read.
        #expect(!future.done)
        try future.setResult(7)
        #expect(try future.result(timeout: 0) == 7)
        #expect(try future.exception(timeout: 0) == nil)
    }

    /// `InvalidStateError("STATE: <Future at 0x... state=...>")`, the address matched.
    func expectInvalidState(_ pattern: String, sourceLocation: SourceLocation = #_sourceLocation, _ body: () throws -> Void) {
        do {
            try body()
            Issue.record("expected InvalidStateError, nothing was thrown", sourceLocation: sourceLocation)
        } catch let error as concurrent.futures.InvalidStateError {
            #expect(type(of: error) == concurrent.futures.InvalidStateError.self, sourceLocation: sourceLocation)
            #expect(matches(error.message, pattern), "\(error.message)", sourceLocation: sourceLocation)
        } catch {
            Issue.record("expected InvalidStateError, got \(error)", sourceLocation: sourceLocation)
        }
    }

    @Test func future_set_twice() throws {
        let finished = Future<Int>()
        try finished.setResult(1)
        let finishedPattern = #"^FINISHED: <Future at 0x[0-9a-f]+ state=finished returned Int>$"#
        expectInvalidState(finishedPattern) { try finished.setResult(2) }
        expectInvalidState(finishedPattern) { try finished.setException(ValueError("late")) }
        #expect(try finished.result() == 1)

        let failed = Future<Int>()
        try failed.setException(ValueError("first"))
        expectInvalidState(#"^FINISHED: <Future at 0x[0-9a-f]+ state=finished raised ValueError>$"#) {
            try failed.setResult(2)
        }
        expectPythonError(ValueError.self, "first") { _ = try failed.result() }

        let cancelled = Future<Int>()
        cancelled.cancel()
        let cancelledPattern = #"^CANCELLED: <Future at 0x[0-9a-f]+ state=cancelled>$"#
        expectInvalidState(cancelledPattern) { try cancelled.setResult(2) }
        expectInvalidState(cancelledPattern) { try cancelled.setException(ValueError("late")) }
        #expect(cancelled.cancelled)
        // Once the cancellation has been notified, Python's message names that state
        // (`'{state}: {repr}'`), though the repr still says "cancelled".
        #expect(try !cancelled.setRunningOrNotifyCancel())
        expectInvalidState(#"^CANCELLED_AND_NOTIFIED: <Future at 0x[0-9a-f]+ state=cancelled>$"#) {
            try cancelled.setResult(2)
        }
    }

    @Test func future_set_running_in_unexpected_state() throws {
        for state in [Future<Int>.State.running, .finished, .cancelledAndNotified] {
            let future = makeFuture(state, result: state == .finished ? 1 : nil)
            // Python also logs "Future <id> in unexpected state: STATE" at CRITICAL.
            expectPythonError(RuntimeError.self, "Future in unexpected state") {
                _ = try future.setRunningOrNotifyCancel()
            }
            #expect(future.done == (state != .running), "the state did not change")
        }
        let running = makeFuture(.running)
        try running.setResult(3)
        #expect(try running.result() == 3)
    }

    @Test func as_completed_timeout_message() throws {
        let done = Future<Int>()
        try done.setResult(1)
        let pending = [Future<Int>(), Future<Int>()]
        var completed = concurrent.futures.asCompleted([done] + pending + [done], timeout: 0)
        // Finished futures come first, duplicates once.
        let first = try completed.next()
        #expect(first === done)
        expectPythonError(TimeoutError.self, "2 (of 3) futures unfinished") { _ = try completed.next() }
        for future in pending { try future.setResult(2) }
        #expect(try concurrent.futures.wait(pending, timeout: 0).notDone.isEmpty)
    }
}

// MARK: - Misuse that starts threads or pools

extension ThreadObjectTests {
    @Suite("ThreadMisuseMatrixTests")
    struct ThreadMisuseMatrixTests {
        @Test func start_twice() throws {
            try expectNoThreadLeak {
                let go = threading.Event()
                let thread = threading.Thread { go.wait() }
                try thread.start()
                expectPythonError(RuntimeError.self, "threads can only be started once") { try thread.start() }
                #expect(thread.isAlive)
                go.set()
                try thread.join()
                expectPythonError(RuntimeError.self, "threads can only be started once") { try thread.start() }
                #expect(!thread.isAlive)
                let timer = threading.Timer(interval: 0) {}
                try timer.start()
                expectPythonError(RuntimeError.self, "threads can only be started once") { try timer.start() }
                try timer.join()
            }
        }

        @Test func start_after_the_system_refused_a_thread() throws {
            try expectNoThreadLeak {
                let ran = Counter()
                let thread = threading.Thread(name: "refused") { ran.increment() }
                FaultInjection.withForced(EAGAIN, on: .threadCreate, count: 1) {
                    expectPythonError(RuntimeError.self, "can't start new thread") { try thread.start() }
                }
                // Python 3.13: the thread handle is spent.
                expectPythonError(RuntimeError.self, "thread already started") { try thread.start() }
                expectPythonError(RuntimeError.self, "cannot join thread before it is started") { try thread.join() }
                #expect(!thread.isAlive)
                #expect(thread.ident == nil)
                #expect(!threading.enumerate().contains { $0 === thread })
                #expect(matches(thread.description, #"^<Thread\(refused, initial( daemon)?\)>$"#), "\(thread)")
                // Its daemon flag can still be set, as Python's `_started` was never set.
                try thread.setDaemon(true)
                #expect(thread.isDaemon)
                #expect(ran.value == 0)
                // Other threads start as usual.
                let other = threading.Thread { ran.increment() }
                try other.start()
                try other.join()
                #expect(ran.value == 1)
            }
        }

        @Test func join_before_start() throws {
            try expectNoThreadLeak {
                let thread = threading.Thread {}
                for timeout: Double? in [nil, 0, .nan, .infinity] {
                    expectPythonError(RuntimeError.self, "cannot join thread before it is started") {
                        try thread.join(timeout: timeout)
                    }
                }
                try thread.start()
                try thread.join()
                #expect(!thread.isAlive)
            }
        }

        @Test func join_current_thread() throws {
            try expectNoThreadLeak {
                let outcome = Locked<[String]>([])
                let thread = threading.Thread {
                    for timeout: Double? in [nil, 0, .infinity] {
                        let result = Result { try threading.currentThread().join(timeout: timeout); return "joined" }
                        outcome.withLock { $0.append(describe(result)) }
                    }
                }
                try thread.start()
                try thread.join()
                #expect(outcome.snapshot == Array(repeating: raised(RuntimeError.self, "cannot join current thread"), count: 3))
            }
        }

        @Test func join_dummy_thread() throws {
            try expectNoThreadLeak {
                let found = Locked<threading.Thread?>(nil)
                let bunch = Bunch(count: 1, raw: true, waitBeforeExit: true) { _ in
                    let current = threading.currentThread()
                    found.withLock { $0 = current }
                }
                bunch.waitForFinished()
                let dummy = try #require(found.snapshot)
                defer { found.withLock { $0 = nil } }
                for timeout: Double? in [nil, 0, .nan] {
                    expectPythonError(RuntimeError.self, "cannot join a dummy thread") { try dummy.join(timeout: timeout) }
                }
                #expect(dummy.isAlive)
                try bunch.join()
            }
        }

        @Test func join_timeout_errors() throws {
            try expectNoThreadLeak {
                let go = threading.Event()
                let thread = threading.Thread { go.wait() }
                try thread.start()
                for timeout in [threading.TIMEOUT_MAX + 1, .infinity] {
                    expectPythonError(OverflowError.self, "timestamp out of range for platform time_t") {
                        try thread.join(timeout: timeout)
                    }
                }
                expectPythonError(ValueError.self, "Invalid value NaN (not a number)") { try thread.join(timeout: .nan) }
                // Python clamps a negative timeout to 0 first: -inf polls.
                try thread.join(timeout: -.infinity)
                #expect(thread.isAlive)
                go.set()
                try thread.join()
                #expect(!thread.isAlive)
                // Python 3.13 converts the timeout even for a finished thread.
                expectPythonError(OverflowError.self, "timestamp out of range for platform time_t") {
                    try thread.join(timeout: .infinity)
                }
                expectPythonError(ValueError.self, "Invalid value NaN (not a number)") { try thread.join(timeout: .nan) }
            }
        }

        @Test func set_daemon_after_start() throws {
            try expectNoThreadLeak {
                let go = threading.Event()
                let thread = threading.Thread(daemon: false) { go.wait() }
                try thread.start()
                expectPythonError(RuntimeError.self, "cannot set daemon status of active thread") { try thread.setDaemon(true) }
                go.set()
                try thread.join()
                expectPythonError(RuntimeError.self, "cannot set daemon status of active thread") { try thread.setDaemon(true) }
                #expect(!thread.isDaemon)
                let fresh = threading.Thread(daemon: false) {}
                try fresh.setDaemon(true)
                #expect(fresh.isDaemon)
            }
        }

        @Test func start_new_thread_refused() throws {
            FaultInjection.withForced(EAGAIN, on: .threadCreate, count: 1) {
                expectPythonError(RuntimeError.self, "can't start new thread") { try _thread.startNewThread {} }
            }
            let done = threading.Event()
            try _thread.startNewThread { done.set() }
            #expect(try done.wait(timeout: shortTimeout))
        }

        @Test func pool_max_workers_below_one() throws {
            try expectNoThreadLeak {
                for workers in [0, -1, Int.min] {
                    expectPythonError(ValueError.self, "max_workers must be greater than 0") {
                        _ = try concurrent.futures.ThreadPoolExecutor(maxWorkers: workers)
                    }
                }
                let pool = try concurrent.futures.ThreadPoolExecutor(maxWorkers: 1)
                #expect(try pool.submit { 5 }.result(timeout: shortTimeout) == 5)
                pool.shutdown()
            }
        }

        @Test func pool_submit_after_shutdown() throws {
            try expectNoThreadLeak {
                let pool = try concurrent.futures.ThreadPoolExecutor(maxWorkers: 2)
                let go = threading.Event()
                let before = try pool.submit { go.wait(); return 1 }
                let queued = try (0..<3).map { i in try pool.submit { i } }
                pool.shutdown(wait: false)
                for _ in 0..<2 {
                    expectPythonError(RuntimeError.self, "cannot schedule new futures after shutdown") {
                        _ = try pool.submit { 0 }
                    }
                }
                expectPythonError(RuntimeError.self, "cannot schedule new futures after shutdown") {
                    _ = try pool.map({ $0 }, [1])
                }
                // Work accepted before the shutdown still runs.
                go.set()
                #expect(try before.result(timeout: shortTimeout) == 1)
                #expect(try queued.map { try $0.result(timeout: shortTimeout) } == [0, 1, 2])
                pool.shutdown()
                pool.shutdown()
            }
        }

        @Test func pool_broken_by_its_initializer() throws {
            try expectNoThreadLeak {
                let message = "A thread initializer failed, the thread pool is not usable anymore"
                struct InitFailed: Error {}
                let pool = try concurrent.futures.ThreadPoolExecutor(maxWorkers: 1, initializer: { throw InitFailed() })
                let first = try pool.submit { 1 }
                // Prints "Exception in initializer:" as Python logs it.
                expectPythonError(concurrent.futures.BrokenThreadPool.self, message) { _ = try first.result(timeout: shortTimeout) }
                expectPythonError(concurrent.futures.BrokenThreadPool.self, message) { _ = try pool.submit { 2 } }
                #expect(first.done)
                pool.shutdown()
                expectPythonError(concurrent.futures.BrokenThreadPool.self, message) { _ = try pool.submit { 3 } }
            }
        }

        @Test func pool_map_errors() throws {
            try expectNoThreadLeak {
                let pool = try concurrent.futures.ThreadPoolExecutor(maxWorkers: 2)
                // 3.14's buffersize.
                for size in [0, -1] {
                    expectPythonError(ValueError.self, "buffersize must be None or > 0") {
                        _ = try pool.map({ $0 }, [1], buffersize: size)
                    }
                }
                // A call's own error comes out of next(), in input order; the rest is cancelled.
                let go = threading.Event()
                var results = try pool.map([1, 0, 2, 3]) { (x: Int) -> Int in
                    if x == 0 { throw ValueError("zero") }
                    if x == 3 { go.wait() }
                    return x
                }
                #expect(try results.next() == 1)
                expectPythonError(ValueError.self, "zero") { _ = try results.next() }
                #expect(try results.next() == nil)
                go.set()
                #expect(try pool.submit { 9 }.result(timeout: shortTimeout) == 9)
                pool.shutdown()
            }
        }
    }
}

// MARK: - Edge timeouts for every timed call

@Suite("EdgeTimeoutTests", .wedgeDetector)
struct EdgeTimeoutTests {
    // Python's Lock.acquire / RLock.acquire convert first (NaN: ValueError; beyond the
    // range: OverflowError), then reject negatives other than exactly -1, which waits
    // forever; 0 is one try. TIMEOUT_MAX itself is a (very long) wait.
    static let acquireWhenHeld: [EdgeTimeout: Expected] = [
        .minusOne: .waits("true"),
        .minusHalf: .now(raised(ValueError.self, "timeout value must be a non-negative number")),
        .zero: .now("false"),
        .oneNanosecond: .afterTimeout("false"),
        .small: .afterTimeout("false"),
        .max: .waits("true"),
        .aboveMax: .now(overflowError),
        .nan: .now(nanError),
        .infinity: .now(overflowError),
    ]

    /// The same calls on a lock that is free (or, for an RLock, already the caller's):
    /// the arguments are checked all the same.
    static let acquireWhenFree: [EdgeTimeout: Expected] = [
        .minusOne: .now("true"),
        .minusHalf: .now(raised(ValueError.self, "timeout value must be a non-negative number")),
        .zero: .now("true"),
        .oneNanosecond: .now("true"),
        .small: .now("true"),
        .max: .now("true"),
        .aboveMax: .now(overflowError),
        .nan: .now(nanError),
        .infinity: .now(overflowError),
    ]

    @Test(arguments: LockKind.allCases, EdgeTimeout.allCases)
    func acquire_held(kind: LockKind, edge: EdgeTimeout) throws {
        let lock = kind.make()
        lock.acquire()
        try expectOutcome(TimedCall(
            call: { timeout in
                let got = try lock.acquire(blocking: true, timeout: timeout)
                if got { try lock.release() }
                return "\(got)"
            },
            wake: { try lock.release() },
            finish: { woken in
                if !woken { try lock.release() }
                try expectLockWorks(lock)
            }
        ), edge, Self.acquireWhenHeld)
    }

    @Test(arguments: LockKind.allCases, EdgeTimeout.allCases)
    func acquire_free(kind: LockKind, edge: EdgeTimeout) throws {
        let lock = kind.make()
        try expectOutcome(TimedCall(
            call: { timeout in
                let got = try lock.acquire(blocking: true, timeout: timeout)
                if got { try lock.release() }
                return "\(got)"
            },
            finish: { _ in try expectLockWorks(lock) }
        ), edge, Self.acquireWhenFree)
    }

    /// An RLock the caller already owns: the arguments are checked before the recursion.
    @Test(arguments: EdgeTimeout.allCases)
    func rlock_acquire_owned(edge: EdgeTimeout) throws {
        let rlock = threading.RLock()
        try expectOutcome(TimedCall(
            call: { timeout in
                rlock.acquire()
                defer { try? rlock.release() }
                let got = try rlock.acquire(blocking: true, timeout: timeout)
                if got { try rlock.release() }
                return "\(got)"
            },
            finish: { _ in try expectLockWorks(rlock) }
        ), edge, Self.acquireWhenFree)
    }

    /// blocking=False takes no timeout but -1; the conversion errors come first.
    @Test(arguments: LockKind.allCases, EdgeTimeout.allCases)
    func acquire_nonblocking(kind: LockKind, edge: EdgeTimeout) throws {
        let lock = kind.make()
        var table = everyEdge(.now(raised(ValueError.self, "can't specify a timeout for a non-blocking call")))
        table[.minusOne] = .now("true")
        table[.aboveMax] = .now(overflowError)
        table[.nan] = .now(nanError)
        table[.infinity] = .now(overflowError)
        try expectOutcome(TimedCall(
            call: { timeout in
                let got = try lock.acquire(blocking: false, timeout: timeout)
                if got { try lock.release() }
                return "\(got)"
            },
            finish: { _ in try expectLockWorks(lock) }
        ), edge, table)
    }

    // Condition.wait: `timeout > 0` waits, anything else (NaN included: NaN > 0 is false)
    // makes one non-blocking try; a timeout beyond the range overflows in the lock's
    // acquire. The tables assume nobody notifies unless the test wakes the call.
    static let conditionWait: [EdgeTimeout: Expected] = [
        .minusOne: .now("false"),
        .minusHalf: .now("false"),
        .zero: .now("false"),
        .oneNanosecond: .afterTimeout("false"),
        .small: .afterTimeout("false"),
        .max: .waits("true"),
        .aboveMax: .now(overflowError),
        .nan: .now("false"),
        .infinity: .now(overflowError),
    ]

    @Test(arguments: EdgeTimeout.allCases)
    func condition_wait(edge: EdgeTimeout) throws {
        let cond = threading.Condition()
        try expectOutcome(TimedCall(
            call: { timeout in try cond.withLock { try cond.wait(timeout: timeout) }.description },
            wake: { try cond.withLock { try cond.notify() } },
            finish: { _ in
                #expect(cond.waitingCount == 0)
                try expectLockWorks(cond)
            }
        ), edge, Self.conditionWait)
    }

    @Test(arguments: EdgeTimeout.allCases)
    func condition_wait_unowned(edge: EdgeTimeout) throws {
        let cond = threading.Condition()
        try expectOutcome(TimedCall(
            call: { timeout in try cond.wait(timeout: timeout).description },
            finish: { _ in try expectLockWorks(cond) }
        ), edge, everyEdge(.now(raised(RuntimeError.self, "cannot wait on un-acquired lock"))))
    }

    // Condition.wait_for computes `endtime = now + timeout` once and re-waits for what is
    // left while the predicate is false; its loop stops when that is <= 0. NaN never is,
    // so Python re-waits (spinning through non-blocking waits) until the predicate holds:
    // here it parks until notified. It returns the predicate's last value.
    static let conditionWaitFor: [EdgeTimeout: Expected] = [
        .minusOne: .now("false"),
        .minusHalf: .now("false"),
        .zero: .now("false"),
        .oneNanosecond: .afterTimeout("false"),
        .small: .afterTimeout("false"),
        .max: .waits("true"),
        .aboveMax: .now(overflowError),
        .nan: .waits("true"),
        .infinity: .now(overflowError),
    ]

    @Test(arguments: EdgeTimeout.allCases)
    func condition_wait_for(edge: EdgeTimeout) throws {
        let cond = threading.Condition()
        let ready = Flag()
        try expectOutcome(TimedCall(
            call: { timeout in try cond.withLock { try cond.waitFor({ ready.isRaised }, timeout: timeout) }.description },
            wake: {
                try cond.withLock {
                    ready.raise()
                    try cond.notifyAll()
                }
            },
            finish: { _ in
                #expect(cond.waitingCount == 0)
                try expectLockWorks(cond)
            }
        ), edge, Self.conditionWaitFor)
    }

    @Test(arguments: EdgeTimeout.allCases)
    func condition_wait_for_unowned(edge: EdgeTimeout) throws {
        let cond = threading.Condition()
        try expectOutcome(TimedCall(
            call: { timeout in try cond.waitFor({ false }, timeout: timeout).description },
            finish: { _ in try expectLockWorks(cond) }
        ), edge, everyEdge(.now(raised(RuntimeError.self, "cannot wait on un-acquired lock"))))
    }

    // Semaphore.acquire: §15 says <= 0 (-1 included) does not wait and is no error. Its
    // loop keeps `endtime` and re-waits for what is left; NaN's remainder is never <= 0,
    // so Python keeps re-waiting until a permit comes (here: parks until released).
    static let semaphoreWhenEmpty: [EdgeTimeout: Expected] = [
        .minusOne: .now("false"),
        .minusHalf: .now("false"),
        .zero: .now("false"),
        .oneNanosecond: .afterTimeout("false"),
        .small: .afterTimeout("false"),
        .max: .waits("true"),
        .aboveMax: .now(overflowError),
        .nan: .waits("true"),
        .infinity: .now(overflowError),
    ]

    @Test(arguments: SemaphoreKind.allCases, EdgeTimeout.allCases)
    func semaphore_acquire_empty(kind: SemaphoreKind, edge: EdgeTimeout) throws {
        let semaphore = try makeSemaphore(kind, value: 0, bound: 1)
        try expectOutcome(TimedCall(
            call: { timeout in "\(try semaphore.acquire(timeout: timeout))" },
            wake: { try semaphore.releaseOne() },
            finish: { _ in
                // Whoever has the permit, one release makes the value 1 again.
                #expect(semaphore.value == 0)
                try semaphore.releaseOne()
                #expect(semaphore.value == 1)
            }
        ), edge, Self.semaphoreWhenEmpty)
    }

    /// A permit is free: Python never converts the timeout.
    @Test(arguments: SemaphoreKind.allCases, EdgeTimeout.allCases)
    func semaphore_acquire_available(kind: SemaphoreKind, edge: EdgeTimeout) throws {
        let semaphore = try makeSemaphore(kind, value: 1)
        try expectOutcome(TimedCall(
            call: { timeout in "\(try semaphore.acquire(timeout: timeout))" },
            finish: { _ in
                #expect(semaphore.value == 0)
                try semaphore.releaseOne()
            }
        ), edge, everyEdge(.now("true")))
    }

    @Test(arguments: SemaphoreKind.allCases, EdgeTimeout.allCases)
    func semaphore_acquire_nonblocking(kind: SemaphoreKind, edge: EdgeTimeout) throws {
        let semaphore = try makeSemaphore(kind, value: 1)
        try expectOutcome(TimedCall(
            call: { timeout in "\(try semaphore.acquire(blocking: false, timeout: timeout))" },
            finish: { _ in #expect(semaphore.value == 1) }
        ), edge, everyEdge(.now(raised(ValueError.self, "can't specify timeout for non-blocking acquire"))))
    }

    // Event.wait is Condition.wait under the event's own lock: NaN and <= 0 do not wait.
    @Test(arguments: EdgeTimeout.allCases)
    func event_wait_unset(edge: EdgeTimeout) throws {
        let event = threading.Event()
        try expectOutcome(TimedCall(
            call: { timeout in "\(try event.wait(timeout: timeout))" },
            wake: { event.set() },
            finish: { _ in #expect(event.waitingCount == 0) }
        ), edge, Self.conditionWait)
    }

    /// A set event returns true at once, the timeout never converted.
    @Test(arguments: EdgeTimeout.allCases)
    func event_wait_set(edge: EdgeTimeout) throws {
        let event = threading.Event()
        event.set()
        try expectOutcome(TimedCall(call: { timeout in "\(try event.wait(timeout: timeout))" }), edge, everyEdge(.now("true")))
    }

    // Barrier.wait: a party that is not the last waits with wait_for; a timeout (<= 0 at
    // once) breaks the barrier; NaN re-waits until the round ends; an overflow leaves the
    // barrier intact (the count is restored in `finally`).
    static let barrierAlone: [EdgeTimeout: Expected] = [
        .minusOne: .now(raised(threading.BrokenBarrierError.self)),
        .minusHalf: .now(raised(threading.BrokenBarrierError.self)),
        .zero: .now(raised(threading.BrokenBarrierError.self)),
        .oneNanosecond: .afterTimeout(raised(threading.BrokenBarrierError.self)),
        .small: .afterTimeout(raised(threading.BrokenBarrierError.self)),
        .max: .waits("0"),
        .aboveMax: .now(overflowError),
        .nan: .waits("0"),
        .infinity: .now(overflowError),
    ]

    func barrierCall(_ barrier: threading.Barrier, _ edge: EdgeTimeout, passTimeout: Bool) -> TimedCall {
        TimedCall(
            call: { timeout in "\(passTimeout ? try barrier.wait(timeout: timeout) : try barrier.wait())" },
            wake: {
                let index = try barrier.wait(timeout: shortTimeout)
                #expect(index == 1)
            },
            finish: { woken in
                let broke = [.minusOne, .minusHalf, .zero, .oneNanosecond, .small].contains(edge)
                #expect(barrier.broken == broke)
                #expect(barrier.nWaiting == 0)
                if broke { barrier.reset() }
                try MisuseMatrixTests().expectBarrierWorks(barrier)
            }
        )
    }

    @Test(arguments: EdgeTimeout.allCases)
    func barrier_wait_alone(edge: EdgeTimeout) throws {
        let barrier = try threading.Barrier(parties: 2)
        try expectOutcome(barrierCall(barrier, edge, passTimeout: true), edge, Self.barrierAlone)
    }

    /// The constructor's timeout is wait()'s default, read the same way (and not checked
    /// by the constructor).
    @Test(arguments: EdgeTimeout.allCases)
    func barrier_default_timeout(edge: EdgeTimeout) throws {
        let barrier = try threading.Barrier(parties: 2, timeout: edge.seconds)
        try expectOutcome(barrierCall(barrier, edge, passTimeout: false), edge, Self.barrierAlone)
    }

    /// The last party never waits, whatever the timeout.
    @Test(arguments: EdgeTimeout.allCases)
    func barrier_wait_last_party(edge: EdgeTimeout) throws {
        let barrier = try threading.Barrier(parties: 1)
        try expectOutcome(TimedCall(
            call: { timeout in "\(try barrier.wait(timeout: timeout))" },
            finish: { _ in #expect(!barrier.broken) }
        ), edge, everyEdge(.now("0")))
    }

    // Queue.get / put (bounded): block with timeout < 0 is a ValueError before anything
    // else; NaN is not < 0 and its remainder is never <= 0, so Python re-waits until the
    // queue changes; a too-large remainder overflows in the condition's wait.
    static func queueWait(_ timedOut: String, _ done: String) -> [EdgeTimeout: Expected] {
        [
            .minusOne: .now(raised(ValueError.self, "'timeout' must be a non-negative number")),
            .minusHalf: .now(raised(ValueError.self, "'timeout' must be a non-negative number")),
            .zero: .now(timedOut),
            .oneNanosecond: .afterTimeout(timedOut),
            .small: .afterTimeout(timedOut),
            .max: .waits(done),
            .aboveMax: .now(overflowError),
            .nan: .waits(done),
            .infinity: .now(overflowError),
        ]
    }

    @Test(arguments: QueueKind.allCases, EdgeTimeout.allCases)
    func queue_get_empty(kind: QueueKind, edge: EdgeTimeout) throws {
        let q = kind.make(of: Int.self, maxsize: 1)
        try expectOutcome(TimedCall(
            call: { timeout in "\(try q.get(block: true, timeout: timeout))" },
            wake: { try q.put(7) },
            finish: { _ in
                #expect(q.empty && q.waitingGetters == 0)
                try MisuseMatrixTests().expectQueueWorks(q)
            }
        ), edge, Self.queueWait(raised(queue.Empty.self), "7"))
    }

    /// With an item there, only a negative timeout matters.
    @Test(arguments: QueueKind.allCases, EdgeTimeout.allCases)
    func queue_get_available(kind: QueueKind, edge: EdgeTimeout) throws {
        let q = kind.make(of: Int.self, maxsize: 1)
        try q.put(5)
        var table = everyEdge(.now("5"))
        table[.minusOne] = .now(raised(ValueError.self, "'timeout' must be a non-negative number"))
        table[.minusHalf] = table[.minusOne]
        try expectOutcome(TimedCall(
            call: { timeout in "\(try q.get(block: true, timeout: timeout))" },
            finish: { _ in
                #expect(q.qsize == ([.minusOne, .minusHalf].contains(edge) ? 1 : 0), "the item stays on error")
            }
        ), edge, table)
    }

    @Test(arguments: QueueKind.allCases, EdgeTimeout.allCases)
    func queue_put_full(kind: QueueKind, edge: EdgeTimeout) throws {
        let q = kind.make(of: Int.self, maxsize: 1)
        try q.put(5)
        try expectOutcome(TimedCall(
            call: { timeout in
                try q.put(6, block: true, timeout: timeout)
                return "put"
            },
            wake: {
                let item = try q.get()
                #expect(item == 5)
            },
            finish: { woken in
                #expect(q.qsize == 1 && q.waitingPutters == 0)
                let item = try q.get()
                #expect(item == (woken ? 6 : 5), "nothing lost, nothing added on failure")
            }
        ), edge, Self.queueWait(raised(queue.Full.self), "put"))
    }

    /// Room in a bounded queue: only a negative timeout matters. Unbounded: nothing does.
    @Test(arguments: QueueKind.allCases, EdgeTimeout.allCases)
    func queue_put_with_room(kind: QueueKind, edge: EdgeTimeout) throws {
        let bounded = kind.make(of: Int.self, maxsize: 2)
        var table = everyEdge(.now("put"))
        table[.minusOne] = .now(raised(ValueError.self, "'timeout' must be a non-negative number"))
        table[.minusHalf] = table[.minusOne]
        try expectOutcome(TimedCall(call: { timeout in
            try bounded.put(6, block: true, timeout: timeout)
            return "put"
        }), edge, table)
        let unbounded = kind.make(of: Int.self)
        try expectOutcome(TimedCall(call: { timeout in
            try unbounded.put(6, block: true, timeout: timeout)
            return "put"
        }), edge, everyEdge(.now("put")))
        #expect(unbounded.qsize == 1)
    }

    // SimpleQueue.get (C): converts first (NaN: ValueError, beyond range: OverflowError),
    // then rejects negatives, then looks at the queue.
    @Test(arguments: EdgeTimeout.allCases)
    func simple_queue_get_empty(edge: EdgeTimeout) throws {
        let q = queue.SimpleQueue<Int>()
        var table = Self.queueWait(raised(queue.Empty.self), "7")
        table[.nan] = .now(nanError)
        try expectOutcome(TimedCall(
            call: { timeout in "\(try q.get(block: true, timeout: timeout))" },
            wake: { q.put(7) },
            finish: { _ in #expect(q.empty && q.waitingGetters == 0) }
        ), edge, table)
    }

    @Test(arguments: EdgeTimeout.allCases)
    func simple_queue_get_available(edge: EdgeTimeout) throws {
        let q = queue.SimpleQueue<Int>()
        q.put(5)
        var table = everyEdge(.now("5"))
        table[.minusOne] = .now(raised(ValueError.self, "'timeout' must be a non-negative number"))
        table[.minusHalf] = table[.minusOne]
        table[.aboveMax] = .now(overflowError)
        table[.nan] = .now(nanError)
        table[.infinity] = .now(overflowError)
        try expectOutcome(TimedCall(call: { timeout in "\(try q.get(block: true, timeout: timeout))" }), edge, table)
    }

    // Future.result / exception: a done future answers at once; otherwise it is
    // Condition.wait(timeout) once (NaN and <= 0 do not wait), then TimeoutError.
    static func futureWait(_ done: String) -> [EdgeTimeout: Expected] {
        [
            .minusOne: .now(raised(TimeoutError.self)),
            .minusHalf: .now(raised(TimeoutError.self)),
            .zero: .now(raised(TimeoutError.self)),
            .oneNanosecond: .afterTimeout(raised(TimeoutError.self)),
            .small: .afterTimeout(raised(TimeoutError.self)),
            .max: .waits(done),
            .aboveMax: .now(overflowError),
            .nan: .now(raised(TimeoutError.self)),
            .infinity: .now(overflowError),
        ]
    }

    @Test(arguments: EdgeTimeout.allCases)
    func future_result_pending(edge: EdgeTimeout) throws {
        let future = Future<Int>()
        try expectOutcome(TimedCall(
            call: { timeout in "\(try future.result(timeout: timeout))" },
            wake: { try future.setResult(42) },
            finish: { _ in #expect(future.blockedCount == 0) }
        ), edge, Self.futureWait("42"))
    }

    @Test(arguments: EdgeTimeout.allCases)
    func future_exception_pending(edge: EdgeTimeout) throws {
        let future = Future<Int>()
        try expectOutcome(TimedCall(
            call: { timeout in try future.exception(timeout: timeout).map(pythonFormat) ?? "nil" },
            wake: { try future.setException(ValueError("boom")) },
            finish: { _ in #expect(future.blockedCount == 0) }
        ), edge, Self.futureWait("ValueError: boom"))
    }

    @Test(arguments: EdgeTimeout.allCases)
    func future_done(edge: EdgeTimeout) throws {
        let finished = makeFuture(.finished, result: 42)
        try expectOutcome(TimedCall(call: { "\(try finished.result(timeout: $0))" }), edge, everyEdge(.now("42")))
        let failed = makeFuture(.finished, error: ValueError("boom"))
        try expectOutcome(
            TimedCall(call: { try failed.exception(timeout: $0).map(pythonFormat) ?? "nil" }),
            edge, everyEdge(.now("ValueError: boom")))
        let cancelled = makeFuture(.cancelled)
        try expectOutcome(
            TimedCall(call: { "\(try cancelled.result(timeout: $0))" }),
            edge, everyEdge(.now(raised(concurrent.futures.CancelledError.self))))
    }

    // wait(fs, timeout): Event.wait(timeout) once, then the split; a timeout is no error.
    @Test(arguments: EdgeTimeout.allCases)
    func futures_wait(edge: EdgeTimeout) throws {
        let done = makeFuture(.finished, result: 1)
        let pending = Future<Int>()
        let split: @Sendable (Double) throws -> String = { timeout in
            let result = try concurrent.futures.wait([done, pending], timeout: timeout)
            return "done \(result.done.count), not done \(result.notDone.count)"
        }
        var table = Self.conditionWait
        for (edge, expected) in table {
            switch expected {
            case .now("false"): table[edge] = .now("done 1, not done 1")
            case .afterTimeout: table[edge] = .afterTimeout("done 1, not done 1")
            case .waits: table[edge] = .waits("done 2, not done 0")
            default: break
            }
        }
        try expectOutcome(TimedCall(call: split, wake: { try pending.setResult(2) }), edge, table)
        if !pending.done { try pending.setResult(2) }
        // All done: no wait, no conversion.
        try expectOutcome(TimedCall(call: split), edge, everyEdge(.now("done 2, not done 0")))
    }

    // as_completed: `end_time = timeout + monotonic()`; each wait is for `end_time - now`,
    // and TimeoutError only once that is < 0. NaN never is: Python re-waits until the
    // futures finish.
    @Test(arguments: EdgeTimeout.allCases)
    func as_completed(edge: EdgeTimeout) throws {
        let pending = Future<Int>()
        let first: @Sendable (Double) throws -> String = { timeout in
            var completed = concurrent.futures.asCompleted([pending], timeout: timeout)
            return try completed.next() === pending ? "pending" : "other"
        }
        let unfinished = raised(TimeoutError.self, "1 (of 1) futures unfinished")
        let table: [EdgeTimeout: Expected] = [
            .minusOne: .now(unfinished),
            .minusHalf: .now(unfinished),
            .zero: .now(unfinished),
            .oneNanosecond: .afterTimeout(unfinished),
            .small: .afterTimeout(unfinished),
            .max: .waits("pending"),
            .aboveMax: .now(overflowError),
            .nan: .waits("pending"),
            .infinity: .now(overflowError),
        ]
        try expectOutcome(TimedCall(call: first, wake: { try pending.setResult(1) }), edge, table)
        if !pending.done { try pending.setResult(1) }
        // Done: yielded at once, the timeout never converted.
        try expectOutcome(TimedCall(call: first), edge, everyEdge(.now("pending")))
    }
}

// MARK: - Edge timeouts of calls that start threads

extension ThreadObjectTests {
    @Suite("ThreadEdgeTimeoutTests")
    struct ThreadEdgeTimeoutTests {
        // Thread.join: `max(timeout, 0)` (NaN stays NaN), then the handle's join converts
        // it (NaN: ValueError; beyond range: OverflowError, even for a finished thread).
        @Test(arguments: EdgeTimeout.allCases)
        func join_running(edge: EdgeTimeout) throws {
            try expectNoThreadLeak {
                let go = threading.Event()
                let thread = threading.Thread { go.wait() }
                try thread.start()
                let table: [EdgeTimeout: Expected] = [
                    .minusOne: .now("alive"),
                    .minusHalf: .now("alive"),
                    .zero: .now("alive"),
                    .oneNanosecond: .afterTimeout("alive"),
                    .small: .afterTimeout("alive"),
                    .max: .waits("stopped"),
                    .aboveMax: .now(overflowError),
                    .nan: .now(nanError),
                    .infinity: .now(overflowError),
                ]
                try expectOutcome(TimedCall(
                    call: { timeout in
                        try thread.join(timeout: timeout)
                        return thread.isAlive ? "alive" : "stopped"
                    },
                    wake: { go.set() },
                    finish: { _ in
                        go.set()
                        try thread.join()
                    }
                ), edge, table)
            }
        }

        @Test(arguments: EdgeTimeout.allCases)
        func join_finished(edge: EdgeTimeout) throws {
            try expectNoThreadLeak {
                let thread = threading.Thread {}
                try thread.start()
                try thread.join()
                var table = everyEdge(.now("stopped"))
                table[.aboveMax] = .now(overflowError)
                table[.nan] = .now(nanError)
                table[.infinity] = .now(overflowError)
                try expectOutcome(TimedCall(call: { timeout in
                    try thread.join(timeout: timeout)
                    return thread.isAlive ? "alive" : "stopped"
                }), edge, table)
            }
        }

        // map: `end_time = timeout + monotonic()` at the call, which submits everything;
        // each result is `result(end_time - monotonic())`, so NaN and negatives time out
        // at once and a too-large timeout overflows only in a next() that has to wait.
        @Test(arguments: EdgeTimeout.allCases)
        func pool_map(edge: EdgeTimeout) throws {
            try expectNoThreadLeak {
                let pool = try concurrent.futures.ThreadPoolExecutor(maxWorkers: 1)
                let go = threading.Event()
                try expectOutcome(TimedCall(
                    call: { timeout in
                        var results = try pool.map([6], timeout: timeout) { (x: Int) -> Int in
                            go.wait()
                            return x * 7
                        }
                        return "\(try results.next().map(String.init) ?? "end")"
                    },
                    wake: { go.set() },
                    finish: { _ in
                        go.set()
                        pool.shutdown()
                    }
                ), edge, EdgeTimeoutTests.futureWait("42"))
            }
        }

        /// Python's Timer waits with `finished.wait(interval)`: NaN and <= 0 fire at once;
        /// a too-large interval makes `run()` raise OverflowError (to the excepthook).
        final class RecordingTimer: threading.Timer, @unchecked Sendable {
            let failure = Locked<String?>(nil)
            override func run() throws {
                do {
                    try super.run()
                } catch {
                    failure.withLock { $0 = describe(.failure(error)) }
                }
            }
        }

        @Test(arguments: EdgeTimeout.allCases)
        func timer_interval(edge: EdgeTimeout) throws {
            try expectNoThreadLeak {
                let fired = Counter()
                let timer = RecordingTimer(interval: edge.seconds) { fired.increment() }
                let table: [EdgeTimeout: Expected] = [
                    .minusOne: .now("fired"),
                    .minusHalf: .now("fired"),
                    .zero: .now("fired"),
                    .oneNanosecond: .afterTimeout("fired"),
                    .small: .afterTimeout("fired"),
                    .max: .waits("cancelled"),
                    .aboveMax: .now(overflowError),
                    .nan: .now("fired"),
                    .infinity: .now(overflowError),
                ]
                try expectOutcome(TimedCall(
                    call: { _ in
                        try timer.start()
                        try timer.join()
                        if let failure = timer.failure.withLock({ $0 }) { return failure }
                        return fired.value == 1 ? "fired" : "cancelled"
                    },
                    wake: { timer.cancel() },
                    isWaiting: { _ in timer.finished.waitingCount == 1 },
                    finish: { _ in
                        timer.cancel()
                        try timer.join()
                        #expect(fired.value <= 1)
                    }
                ), edge, table)
            }
        }
    }
}
