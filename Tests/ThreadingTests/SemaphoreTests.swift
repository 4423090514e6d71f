//===----------------------------------------------------------------------===//
//
// Threading: Python's threading model for Swift on Linux.
//
//===----------------------------------------------------------------------===//

// Ports of CPython 3.13 `Lib/test/lock_tests.py`: `BaseSemaphoreTests` (run against both
// `Semaphore` and `BoundedSemaphore`), `SemaphoreTests` and `BoundedSemaphoreTests`
// (reference/cpython-tests.md §1.6, §1.7).
//
// Where CPython sleeps to let threads block, these tests poll an observable state instead
// (`permits.waitingCount`, the Bunch's finished count).

import Foundation
import Testing

@testable import Threading

// MARK: - The two semaphore classes behind one test-only interface

/// The API `BaseSemaphoreTests` needs, common to `Semaphore` and `BoundedSemaphore`.
protocol SemaphoreUnderTest: AnyObject, Sendable {
    @discardableResult func acquire() -> Bool
    func acquire(blocking: Bool, timeout: Double?) throws -> Bool
    func acquire(timeout: Double?) throws -> Bool
    /// Python's `release()`: non-throwing on `Semaphore`, throwing on `BoundedSemaphore`.
    func releaseOne() throws
    /// Python's `release(n)`.
    func release(n: Int) throws
    func withLock<Result>(_ body: () throws -> Result) rethrows -> Result
    var value: Int { get }
    var permits: Permits { get }
}

extension SemaphoreUnderTest {
    /// `acquire(blocking)` without a timeout, as both classes offer it.
    func acquire(blocking: Bool) throws -> Bool {
        try acquire(blocking: blocking, timeout: nil)
    }
}

extension threading.Semaphore: SemaphoreUnderTest {
    func releaseOne() throws { release() }
}

extension threading.BoundedSemaphore: SemaphoreUnderTest {
    func releaseOne() throws { try release() }
}

/// The classes `BaseSemaphoreTests` runs against, as CPython's `semtype`.
enum SemaphoreKind: CaseIterable, Sendable, CustomTestStringConvertible {
    case semaphore
    case boundedSemaphore

    /// `semtype()`.
    func make() -> any SemaphoreUnderTest {
        switch self {
        case .semaphore: threading.Semaphore()
        case .boundedSemaphore: threading.BoundedSemaphore()
        }
    }

    /// `semtype(value)`.
    func make(value: Int) throws -> any SemaphoreUnderTest {
        switch self {
        case .semaphore: try threading.Semaphore(value: value)
        case .boundedSemaphore: try threading.BoundedSemaphore(value: value)
        }
    }

    var testDescription: String {
        switch self {
        case .semaphore: "Semaphore"
        case .boundedSemaphore: "BoundedSemaphore"
        }
    }
}

/// Python's `TypeError`, raised inside `with sem:` in `test_with`.
private struct TypeError: Error {}

/// A failed check inside a Bunch thread; `Bunch.join()` rethrows it in the test.
private struct ThreadCheckFailure: Error, CustomStringConvertible {
    let description: String
}

private func threadCheck(_ condition: Bool, _ message: @autoclosure () -> String) throws {
    if !condition { throw ThreadCheckFailure(description: message()) }
}

// MARK: - BaseSemaphoreTests

@Suite(.serialized, .wedgeDetector)
struct BaseSemaphoreTests {
    @Test(arguments: SemaphoreKind.allCases)
    func test_constructor(kind: SemaphoreKind) {
        expectPythonError(ValueError.self, "semaphore initial value must be >= 0") {
            _ = try kind.make(value: -1)
        }
        expectPythonError(ValueError.self, "semaphore initial value must be >= 0") {
            _ = try kind.make(value: -Int.max)
        }
    }

    @Test(arguments: SemaphoreKind.allCases)
    func test_acquire(kind: SemaphoreKind) throws {
        var sem = try kind.make(value: 1)
        #expect(sem.acquire())
        #expect(sem.value == 0)
        try sem.releaseOne()
        #expect(sem.value == 1)

        sem = try kind.make(value: 2)
        #expect(sem.acquire())
        #expect(sem.acquire())
        #expect(sem.value == 0)
        try sem.releaseOne()
        try sem.releaseOne()
        #expect(sem.value == 2)
    }

    @Test(arguments: SemaphoreKind.allCases)
    func test_acquire_destroy(kind: SemaphoreKind) {
        weak var weakSem: AnyObject?
        do {
            let sem = kind.make()
            weakSem = sem
            #expect(sem.acquire())
            #expect(sem.value == 0)
            // `del sem`: the semaphore is destroyed while a permit is taken.
        }
        #expect(weakSem == nil)
    }

    /// `test_acquire_contended` and `test_multirelease`: 10 threads each acquire twice from
    /// `sem(7)` with one permit taken by the main thread; `release` gives `n` permits back,
    /// as `n` single `release()` calls or as one `release(n)`.
    private func contended(
        kind: SemaphoreKind,
        release: (any SemaphoreUnderTest, Int) throws -> Void
    ) throws -> [Bool] {
        let semValue = 7
        let threadCount = 10
        let sem = try kind.make(value: semValue)
        #expect(sem.acquire())

        let semResults = Locked<[Bool]>([])
        let results1 = Locked<[Int]>([])
        let results2 = Locked<[Int]>([])
        let phase = Locked(0)

        let bunch = Bunch(count: threadCount) { _ in
            let acquired1 = sem.acquire()
            semResults.withLock { $0.append(acquired1) }
            let phase1 = phase.snapshot
            results1.withLock { $0.append(phase1) }

            let acquired2 = sem.acquire()
            semResults.withLock { $0.append(acquired2) }
            let phase2 = phase.snapshot
            results2.withLock { $0.append(phase2) }
        }

        func acquisitions() -> [Int] { results1.snapshot + results2.snapshot }

        /// Waits until `count` acquisitions are recorded and every thread is either parked
        /// in `acquire()` or finished, so that no further acquisition is under way.
        func waitCount(_ count: Int) {
            waitUntil {
                acquisitions().count >= count
                    && sem.permits.waitingCount + bunch.finished.value == threadCount
            }
        }

        // Phase 0
        let count1 = semValue - 1
        waitCount(count1)
        #expect(acquisitions() == Array(repeating: 0, count: count1))
        #expect(sem.value == 0)

        // Phase 1
        phase.withLock { $0 = 1 }
        let count2 = semValue
        try release(sem, count2)
        waitCount(count1 + count2)
        #expect(
            acquisitions().sorted()
                == Array(repeating: 0, count: count1) + Array(repeating: 1, count: count2))

        // Phase 2
        phase.withLock { $0 = 2 }
        let count3 = semValue - 1
        try release(sem, count3)
        waitCount(count1 + count2 + count3)
        #expect(
            acquisitions().sorted()
                == Array(repeating: 0, count: count1) + Array(repeating: 1, count: count2)
                + Array(repeating: 2, count: count3))
        // The semaphore is still locked
        #expect(try sem.acquire(blocking: false) == false)
        #expect(sem.permits.waitingCount == 1)

        // Final release, to let the last thread finish
        try release(sem, 1)
        try bunch.join()
        #expect(acquisitions().count == 2 * threadCount)
        #expect(sem.value == 0)
        return semResults.snapshot
    }

    @Test(arguments: SemaphoreKind.allCases)
    func test_acquire_contended(kind: SemaphoreKind) throws {
        let semResults = try contended(kind: kind) { sem, n in
            for _ in 0..<n { try sem.releaseOne() }
        }
        #expect(semResults == Array(repeating: true, count: 20))
    }

    @Test(arguments: SemaphoreKind.allCases)
    func test_multirelease(kind: SemaphoreKind) throws {
        let semResults = try contended(kind: kind) { sem, n in
            try sem.release(n: n)
        }
        #expect(semResults == Array(repeating: true, count: 20))
    }

    @Test(arguments: SemaphoreKind.allCases)
    func test_try_acquire(kind: SemaphoreKind) throws {
        let sem = try kind.make(value: 2)
        #expect(try sem.acquire(blocking: false))
        #expect(try sem.acquire(blocking: false))
        #expect(try sem.acquire(blocking: false) == false)
        try sem.releaseOne()
        #expect(try sem.acquire(blocking: false))
    }

    @Test(arguments: SemaphoreKind.allCases)
    func test_try_acquire_contended(kind: SemaphoreKind) throws {
        let sem = try kind.make(value: 4)
        #expect(sem.acquire())
        let results = Locked<[Bool]>([])
        try Bunch.run(count: 5) { _ in
            let first = try sem.acquire(blocking: false)
            results.withLock { $0.append(first) }
            let second = try sem.acquire(blocking: false)
            results.withLock { $0.append(second) }
        }
        // There can be a thread switch between acquiring the semaphore and appending the
        // result, so the results are not necessarily ordered.
        let sorted = results.snapshot.sorted { !$0 && $1 }
        #expect(sorted == Array(repeating: false, count: 7) + Array(repeating: true, count: 3))
        #expect(sem.value == 0)
    }

    @Test(arguments: SemaphoreKind.allCases)
    func test_acquire_timeout(kind: SemaphoreKind) throws {
        let sem = try kind.make(value: 2)
        expectPythonError(ValueError.self, "can't specify timeout for non-blocking acquire") {
            _ = try sem.acquire(blocking: false, timeout: 1.0)
        }
        #expect(sem.value == 2)
        #expect(try sem.acquire(timeout: 0.005))
        #expect(try sem.acquire(timeout: 0.005))
        #expect(try sem.acquire(timeout: 0.005) == false)
        try sem.releaseOne()
        #expect(try sem.acquire(timeout: 0.005))
        var acquired = true
        let dt = try elapsed {
            acquired = try sem.acquire(timeout: 0.5)
        }
        #expect(acquired == false)
        expectTimeout(dt, 0.5)
    }

    @Test(arguments: SemaphoreKind.allCases)
    func test_default_value(kind: SemaphoreKind) throws {
        // The default initial value is 1.
        let sem = kind.make()
        #expect(sem.value == 1)
        #expect(sem.acquire())
        let bunch = Bunch(count: 1) { _ in
            sem.acquire()
            try sem.releaseOne()
        }
        // Thread blocked on sem.acquire()
        waitUntil { sem.permits.waitingCount == 1 }
        #expect(bunch.finished.value == 0)

        // Thread unblocked
        try sem.releaseOne()
        try bunch.join()
        #expect(bunch.finished.value == 1)
        #expect(sem.value == 1)
    }

    @Test(arguments: SemaphoreKind.allCases)
    func test_with(kind: SemaphoreKind) throws {
        let sem = try kind.make(value: 2)
        func with(_ error: (any Error)? = nil) throws {
            try sem.withLock {
                #expect(try sem.acquire(blocking: false))
                try sem.releaseOne()
                try sem.withLock {
                    #expect(try sem.acquire(blocking: false) == false)
                    if let error { throw error }
                }
            }
        }
        try with()
        #expect(try sem.acquire(blocking: false))
        try sem.releaseOne()
        #expect(throws: TypeError.self) { try with(TypeError()) }
        #expect(try sem.acquire(blocking: false))
        try sem.releaseOne()
        #expect(sem.value == 2)
    }
}

// MARK: - SemaphoreTests

@Suite(.wedgeDetector)
struct SemaphoreTests {
    @Test
    func test_release_unacquired() throws {
        // Unbounded releases are allowed and increment the semaphore's value.
        let sem = try threading.Semaphore(value: 1)
        sem.release()
        #expect(sem.value == 2)
        #expect(try sem.acquire(blocking: false))
        #expect(try sem.acquire(blocking: false))
        #expect(sem.value == 0)
        sem.release()
        #expect(sem.value == 1)
    }

    @Test
    func test_repr() throws {
        let sem = try threading.Semaphore(value: 3)
        #expect(matches(String(describing: sem), #"<\w+\.Semaphore at .*: value=3>"#), "\(sem)")
        sem.acquire()
        #expect(matches(String(describing: sem), #"<\w+\.Semaphore at .*: value=2>"#), "\(sem)")
        sem.release()
        sem.release()
        #expect(matches(String(describing: sem), #"<\w+\.Semaphore at .*: value=4>"#), "\(sem)")
    }
}

// MARK: - BoundedSemaphoreTests

@Suite(.wedgeDetector)
struct BoundedSemaphoreTests {
    @Test
    func test_release_unacquired() throws {
        // Cannot go past the initial value.
        let sem = threading.BoundedSemaphore()
        expectPythonError(ValueError.self, "Semaphore released too many times") {
            try sem.release()
        }
        #expect(sem.value == 1)
        sem.acquire()
        #expect(sem.value == 0)
        try sem.release()
        #expect(sem.value == 1)
        expectPythonError(ValueError.self, "Semaphore released too many times") {
            try sem.release()
        }
        #expect(sem.value == 1)
    }

    @Test
    func test_repr() throws {
        let sem = try threading.BoundedSemaphore(value: 3)
        #expect(
            matches(String(describing: sem), #"<\w+\.BoundedSemaphore at .*: value=3/3>"#), "\(sem)")
        sem.acquire()
        #expect(
            matches(String(describing: sem), #"<\w+\.BoundedSemaphore at .*: value=2/3>"#), "\(sem)")
    }
}
