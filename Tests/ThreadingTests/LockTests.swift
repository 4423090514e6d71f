//===----------------------------------------------------------------------===//
//
// Threading: Python's threading model for Swift on Linux.
//
// Ports of CPython's Lib/test/lock_tests.py: BaseLockTests (run for Lock, RLock and
// Condition, as CPython does), LockTests and RLockTests.
//
//===----------------------------------------------------------------------===//

import Testing

@testable import Threading

/// What BaseLockTests needs of a lock: the common surface of Lock, RLock and Condition.
protocol LockUnderTest: AnyObject, Sendable, CustomStringConvertible {
    @discardableResult func acquire() -> Bool
    func acquire(blocking: Bool, timeout: Double?) throws -> Bool
    func release() throws
    var locked: Bool { get }
    func withLock<Result>(_ body: () throws -> Result) rethrows -> Result
    /// Threads parked waiting to acquire (to wait for contention without sleeping).
    var threadsWaitingToAcquire: Int { get }
}

extension threading.Lock: LockUnderTest {
    var threadsWaitingToAcquire: Int { parkedCount }
}

extension threading.RLock: LockUnderTest {
    var threadsWaitingToAcquire: Int { lock.parkedCount }
}

extension threading.Condition: LockUnderTest {
    var threadsWaitingToAcquire: Int {
        switch underlying {
        case .lock(let lock): lock.parkedCount
        case .rlock(let rlock): rlock.lock.parkedCount
        }
    }
}

enum LockKind: String, CaseIterable, CustomTestStringConvertible, Sendable {
    case lock, rlock, condition
    var testDescription: String { rawValue }

    func make() -> any LockUnderTest {
        switch self {
        case .lock: threading.Lock()
        case .rlock: threading.RLock()
        case .condition: threading.Condition()
        }
    }
}

struct PlainError: Error, Equatable {}

@Suite("BaseLockTests", .serialized, .wedgeDetector)
struct BaseLockTests {
    @Test(arguments: LockKind.allCases)
    func test_constructor(kind: LockKind) {
        let lock = kind.make()
        #expect(!lock.locked)
    }

    @Test(arguments: LockKind.allCases)
    func test_repr(kind: LockKind) {
        let lock = kind.make()
        #expect(matches(lock.description, "<unlocked .* object (.*)?at .*>"), "\(lock)")
    }

    @Test(arguments: LockKind.allCases)
    func test_locked_repr(kind: LockKind) throws {
        let lock = kind.make()
        lock.acquire()
        #expect(matches(lock.description, "<locked .* object (.*)?at .*>"), "\(lock)")
        try lock.release()
    }

    @Test(arguments: LockKind.allCases)
    func test_acquire_destroy(kind: LockKind) {
        weak var weakLock: (any LockUnderTest)?
        do {
            let lock = kind.make()
            weakLock = lock
            lock.acquire()
        }
        #expect(weakLock == nil)
    }

    @Test(arguments: LockKind.allCases)
    func test_acquire_release(kind: LockKind) throws {
        let lock = kind.make()
        lock.acquire()
        try lock.release()
        #expect(!lock.locked)
    }

    @Test(arguments: LockKind.allCases)
    func test_try_acquire(kind: LockKind) throws {
        let lock = kind.make()
        #expect(try lock.acquire(blocking: false, timeout: nil))
        try lock.release()
    }

    @Test(arguments: LockKind.allCases)
    func test_try_acquire_contended(kind: LockKind) throws {
        let lock = kind.make()
        lock.acquire()
        let result = Locked<Bool?>(nil)
        try Bunch.run(count: 1) { _ in
            let acquired = try lock.acquire(blocking: false, timeout: nil)
            result.withLock { $0 = acquired }
        }
        #expect(result.snapshot == false)
        try lock.release()
    }

    @Test(arguments: LockKind.allCases)
    func test_acquire_contended(kind: LockKind) throws {
        let lock = kind.make()
        lock.acquire()
        let n = 5
        let bunch = Bunch(count: n) { _ in
            lock.acquire()
            try lock.release()
        }
        // Every thread parked behind the held lock, and none got through.
        waitUntil { lock.threadsWaitingToAcquire == n }
        #expect(bunch.finished.value == 0)
        try lock.release()
        try bunch.join()
        #expect(bunch.finished.value == n)
    }

    @Test(arguments: LockKind.allCases)
    func test_with(kind: LockKind) throws {
        let lock = kind.make()
        func otherThreadAcquires() throws {
            try Bunch.run(count: 1) { _ in
                lock.acquire()
                try lock.release()
            }
        }
        lock.withLock {}
        try otherThreadAcquires()
        #expect(throws: PlainError.self) {
            try lock.withLock { throw PlainError() }
        }
        #expect(!lock.locked)
        try otherThreadAcquires()
    }

    @Test(arguments: LockKind.allCases)
    func test_thread_leak(kind: LockKind) throws {
        // Raw threads that use a lock leave no Thread or dummy object behind, and the lock
        // ends free with nobody queued.
        let lock = kind.make()
        try expectNoThreadLeak {
            try Bunch.run(count: 15, raw: true) { _ in
                lock.acquire()
                try lock.release()
            }
        }
        #expect(!lock.locked)
        #expect(lock.threadsWaitingToAcquire == 0)
    }

    @Test(arguments: LockKind.allCases)
    func test_timeout(kind: LockKind) throws {
        let lock = kind.make()
        expectPythonError(ValueError.self, "can't specify a timeout for a non-blocking call") {
            _ = try lock.acquire(blocking: false, timeout: 1)
        }
        expectPythonError(ValueError.self, "timeout value must be a non-negative number") {
            _ = try lock.acquire(blocking: true, timeout: -100)
        }
        expectPythonError(OverflowError.self, "timestamp out of range for platform time_t") {
            _ = try lock.acquire(blocking: true, timeout: 1e100)
        }
        expectPythonError(OverflowError.self, "timestamp out of range for platform time_t") {
            _ = try lock.acquire(blocking: true, timeout: threading.TIMEOUT_MAX + 1)
        }
        #expect(try lock.acquire(blocking: true, timeout: threading.TIMEOUT_MAX))
        try lock.release()
        var acquired = false
        let dt = try elapsed { acquired = try lock.acquire(blocking: true, timeout: 5) }
        #expect(acquired)
        #expect(dt < 5)
        let waited = Locked<Double>(0)
        try Bunch.run(count: 1) { _ in
            var acquired = true
            let dt = try elapsed { acquired = try lock.acquire(blocking: true, timeout: 0.5) }
            #expect(!acquired)
            waited.withLock { $0 = dt }
        }
        expectTimeout(waited.snapshot, 0.5)
        try lock.release()
    }

    @Test(arguments: LockKind.allCases)
    func test_weakref_exists(kind: LockKind) {
        let lock = kind.make()
        weak let reference = lock
        #expect(reference != nil)
        withExtendedLifetime(lock) {}
    }

    @Test(arguments: LockKind.allCases)
    func test_weakref_deleted(kind: LockKind) {
        weak var reference: (any LockUnderTest)?
        do {
            let lock = kind.make()
            reference = lock
        }
        #expect(reference == nil)
    }
}

@Suite("LockTests", .serialized, .wedgeDetector)
struct LockTests {
    @Test func test_reacquire() throws {
        // A non-reentrant lock: the second acquire in the same thread blocks until the
        // main thread releases the lock the other thread holds.
        let lock = threading.Lock()
        let phase = Counter()
        let bunch = Bunch(count: 1) { _ in
            lock.acquire()
            phase.increment()
            lock.acquire()
            phase.increment()
        }
        waitUntil { phase.value == 1 && lock.parkedCount == 1 }
        #expect(phase.value == 1)
        try lock.release()
        try bunch.join()
        #expect(phase.value == 2)
        try lock.release()
    }

    @Test func test_different_thread() throws {
        let lock = threading.Lock()
        lock.acquire()
        try Bunch.run(count: 1) { _ in try lock.release() }
        lock.acquire()
        try lock.release()
    }

    @Test func test_state_after_timeout() throws {
        // Issue 11618: a timed-out acquire leaves the lock usable.
        let lock = threading.Lock()
        lock.acquire()
        #expect(try !lock.acquire(timeout: 0.01))
        try lock.release()
        #expect(!lock.locked)
        #expect(try lock.acquire(blocking: false))
        try lock.release()
    }

    @Test func test_release_unlocked_lock() {
        let lock = threading.Lock()
        expectPythonError(RuntimeError.self, "release unlocked lock") { try lock.release() }
        // Nothing changed: the lock still works.
        lock.acquire()
        #expect(lock.locked)
        #expect(throws: Never.self) { try lock.release() }
    }
}

/// RLockTests, run for RLock and for Condition (CPython's ConditionAsRLockTests).
enum ReentrantKind: String, CaseIterable, CustomTestStringConvertible, Sendable {
    case rlock, condition
    var testDescription: String { rawValue }

    func make() -> any LockUnderTest {
        switch self {
        case .rlock: threading.RLock()
        case .condition: threading.Condition()
        }
    }
}

@Suite("RLockTests", .serialized, .wedgeDetector)
struct RLockTests {
    @Test(arguments: ReentrantKind.allCases)
    func test_reacquire(kind: ReentrantKind) throws {
        let lock = kind.make()
        lock.acquire()
        lock.acquire()
        try lock.release()
        lock.acquire()
        try lock.release()
        try lock.release()
        #expect(!lock.locked)
    }

    @Test(arguments: ReentrantKind.allCases)
    func test_release_unacquired(kind: ReentrantKind) throws {
        let lock = kind.make()
        expectPythonError(RuntimeError.self, "cannot release un-acquired lock") { try lock.release() }
        lock.acquire()
        lock.acquire()
        try lock.release()
        lock.acquire()
        try lock.release()
        try lock.release()
        expectPythonError(RuntimeError.self, "cannot release un-acquired lock") { try lock.release() }
    }

    @Test func test_release_save_unacquired() throws {
        let lock = threading.RLock()
        expectPythonError(RuntimeError.self, "cannot release un-acquired lock") { _ = try lock.releaseAll() }
        lock.acquire()
        lock.acquire()
        try lock.release()
        lock.acquire()
        try lock.release()
        try lock.release()
        expectPythonError(RuntimeError.self, "cannot release un-acquired lock") { _ = try lock.releaseAll() }
    }

    @Test func test_recursion_count() throws {
        let lock = threading.RLock()
        #expect(lock.recursionCount == 0)
        lock.acquire()
        #expect(lock.recursionCount == 1)
        lock.acquire()
        lock.acquire()
        #expect(lock.recursionCount == 3)
        try lock.release()
        #expect(lock.recursionCount == 2)
        try lock.release()
        try lock.release()
        #expect(lock.recursionCount == 0)

        // While another thread owns the lock, this thread's count is 0.
        let ready = Counter()
        let bunch = Bunch(count: 1, waitBeforeExit: true) { _ in
            lock.acquire()
            ready.increment()
            waitUntil { ready.value == 2 }
            try lock.release()
        }
        waitUntil { ready.value == 1 }
        #expect(lock.recursionCount == 0)
        ready.increment()
        bunch.waitForFinished()
        #expect(lock.recursionCount == 0)
        try bunch.join()
    }

    @Test(arguments: ReentrantKind.allCases)
    func test_different_thread(kind: ReentrantKind) throws {
        let lock = kind.make()
        let bunch = Bunch(count: 1, waitBeforeExit: true) { _ in lock.acquire() }
        bunch.waitForFinished()
        expectPythonError(RuntimeError.self, "cannot release un-acquired lock") { try lock.release() }
        #expect(lock.locked)
        try bunch.join()
    }

    @Test func test__is_owned() throws {
        let lock = threading.RLock()
        #expect(!lock.isOwnedByCurrentThread)
        lock.acquire()
        #expect(lock.isOwnedByCurrentThread)
        lock.acquire()
        #expect(lock.isOwnedByCurrentThread)
        let ownedElsewhere = Locked<Bool?>(nil)
        try Bunch.run(count: 1) { _ in
            let owned = lock.isOwnedByCurrentThread
            ownedElsewhere.withLock { $0 = owned }
        }
        #expect(ownedElsewhere.snapshot == false)
        try lock.release()
        #expect(lock.isOwnedByCurrentThread)
        try lock.release()
        #expect(!lock.isOwnedByCurrentThread)
    }
}
