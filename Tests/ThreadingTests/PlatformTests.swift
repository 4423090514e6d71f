//===----------------------------------------------------------------------===//
//
// Threading: Python's threading model for Swift on Linux.
//
// The platform layer's error paths, driven through its fault-injection switch: every errno
// a futex wait can return is handled in one place (Futex.wait), and the parking core on
// top of it neither returns early nor loses a wake-up.
//
//===----------------------------------------------------------------------===//

#if canImport(Glibc)
import Glibc
#endif
import Synchronization
import Testing

@testable import Threading

@Suite("PlatformTests", .serialized, .wedgeDetector)
struct PlatformTests {
    /// A futex word nobody ever changes, so only a forced errno or the deadline ends a wait.
    final class Word: @unchecked Sendable {
        let pointer = UnsafeMutablePointer<UInt32>.allocate(capacity: 1)
        init() { pointer.initialize(to: 7) }
        deinit { pointer.deallocate() }
    }

    @Test func test_futex_wait_maps_each_errno() {
        let word = Word()
        let future = Deadline.after(seconds: 60)
        let past = Deadline(nanoseconds: 1)
        for errno in [EINTR, EAGAIN] {
            FaultInjection.withForced(errno, on: .futexWait, count: 1) {
                #expect(Futex.wait(word.pointer, expected: 7, deadline: future) == .awoke)
            }
        }
        // ETIMEDOUT is believed only once the monotonic clock agrees.
        FaultInjection.withForced(ETIMEDOUT, on: .futexWait, count: 1) {
            #expect(Futex.wait(word.pointer, expected: 7, deadline: future) == .awoke)
        }
        FaultInjection.withForced(ETIMEDOUT, on: .futexWait, count: 1) {
            #expect(Futex.wait(word.pointer, expected: 7, deadline: nil) == .awoke)
        }
        FaultInjection.withForced(ETIMEDOUT, on: .futexWait, count: 1) {
            #expect(Futex.wait(word.pointer, expected: 7, deadline: past) == .timedOut)
        }
        // The real system call: a value mismatch (EAGAIN) and a real timeout.
        #expect(Futex.wait(word.pointer, expected: 8, deadline: future) == .awoke)
        #expect(Futex.wait(word.pointer, expected: 7, deadline: .after(seconds: 0.01)) == .timedOut)
    }

    @Test func test_forced_errno_is_per_thread_and_counted() throws {
        FaultInjection.force(EINTR, on: .futexWait, count: 3)
        #expect(FaultInjection.remaining(on: .futexWait) == 3)
        let seenElsewhere = Locked(-1)
        // A raw thread: starting a threading.Thread would itself wait on a futex here.
        try Bunch.run(count: 1, raw: true) { _ in
            seenElsewhere.withLock { $0 = FaultInjection.remaining(on: .futexWait) }
        }
        #expect(seenElsewhere.snapshot == 0)
        let word = Word()
        _ = Futex.wait(word.pointer, expected: 7, deadline: .after(seconds: 1))
        #expect(FaultInjection.remaining(on: .futexWait) == 2)
        FaultInjection.force(0, on: .futexWait, count: 0)
        #expect(FaultInjection.remaining(on: .futexWait) == 0)
    }

    @Test(arguments: [EINTR, EAGAIN, ETIMEDOUT])
    func test_timed_wait_under_errno_storm_never_returns_early(errno: Int32) throws {
        let event = threading.Event()
        let result = Locked<(Bool, Double, Int)?>(nil)
        try Bunch.run(count: 1) { _ in
            FaultInjection.force(errno, on: .futexWait, count: 10_000)
            var woke = true
            let dt = try elapsed { woke = try event.wait(timeout: 0.2) }
            let left = FaultInjection.remaining(on: .futexWait)
            FaultInjection.force(0, on: .futexWait, count: 0)
            result.withLock { $0 = (woke, dt, left) }
        }
        let (woke, dt, left) = try #require(result.snapshot)
        #expect(!woke)
        expectTimeout(dt, 0.2)
        #expect(left < 10_000, "the storm never reached the futex wait")
    }

    @Test(arguments: [EINTR, EAGAIN, ETIMEDOUT])
    func test_wakeup_survives_errno_storm(errno: Int32) throws {
        let lock = threading.Lock()
        lock.acquire()
        let acquired = Counter()
        let bunch = Bunch(count: 1) { _ in
            FaultInjection.force(errno, on: .futexWait, count: 50)
            lock.acquire()
            FaultInjection.force(0, on: .futexWait, count: 0)
            acquired.increment()
            try lock.release()
        }
        waitUntil { lock.parkedCount == 1 }
        try lock.release()
        try bunch.join()
        #expect(acquired.value == 1)
        #expect(!lock.locked)
    }

    @Test func test_thread_create_failure_is_reported() {
        FaultInjection.force(EAGAIN, on: .threadCreate, count: 1)
        #expect(throws: SystemError(errno: EAGAIN)) {
            try PlatformThread.spawn {}
        }
        #expect(FaultInjection.remaining(on: .threadCreate) == 0)
        // The switch is spent: the next start works.
        let ran = Counter()
        let thread = try? PlatformThread.spawn { ran.increment() }
        thread?.join()
        #expect(ran.value == 1)
    }

    @Test func test_thread_identity() throws {
        let main = (currentThreadIdent(), currentNativeThreadID())
        let other = Locked<(UInt, Int)>((0, 0))
        try Bunch.run(count: 1) { _ in
            other.withLock { $0 = (currentThreadIdent(), currentNativeThreadID()) }
        }
        #expect(main.0 != 0 && other.snapshot.0 != 0)
        #expect(main.0 != other.snapshot.0)
        #expect(main.1 > 0 && other.snapshot.1 > 0)
        #expect(main.1 != other.snapshot.1)
    }
}

/// Run under `swift test --sanitize=thread --filter SanitizerTests` this reports no race:
/// the locks' happens-before edges are visible to ThreadSanitizer.
@Suite("SanitizerTests", .wedgeDetector)
struct SanitizerTests {
    final class Unprotected: @unchecked Sendable {
        var value = 0
    }

    enum Guard: String, CaseIterable, CustomTestStringConvertible, Sendable {
        case lock, rlock, condition, semaphore, boundedSemaphore
        var testDescription: String { rawValue }
    }

    @Test(arguments: Guard.allCases)
    func test_plain_variable_protected_by_each_lock(guard kind: Guard) throws {
        let threads = 4
        let iterations = 20_000
        let shared = Unprotected()
        let body: @Sendable (@Sendable () -> Void) -> Void
        switch kind {
        case .lock:
            let lock = threading.Lock()
            body = { lock.withLock($0) }
        case .rlock:
            let rlock = threading.RLock()
            body = { increment in rlock.withLock { rlock.withLock(increment) } }
        case .condition:
            let condition = threading.Condition()
            body = { condition.withLock($0) }
        case .semaphore:
            let semaphore = threading.Semaphore()
            body = { semaphore.withLock($0) }
        case .boundedSemaphore:
            let semaphore = threading.BoundedSemaphore()
            body = { semaphore.withLock($0) }
        }
        try Bunch.run(count: threads) { _ in
            for _ in 0..<iterations {
                body { shared.value += 1 }
            }
        }
        #expect(shared.value == threads * iterations)
    }
}
