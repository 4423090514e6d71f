//===----------------------------------------------------------------------===//
//
// Threading: Python's threading model for Swift on Linux.
//
// Ports of CPython's Lib/test/lock_tests.py EventTests.
//
//===----------------------------------------------------------------------===//

import Testing

@testable import Threading

@Suite("EventTests", .serialized, .wedgeDetector)
struct EventTests {
    @Test func test_is_set() {
        let event = threading.Event()
        #expect(!event.isSet)
        event.set()
        #expect(event.isSet)
        event.set()
        #expect(event.isSet)
        event.clear()
        #expect(!event.isSet)
        event.clear()
        #expect(!event.isSet)
    }

    /// CPython's `_check_notify`: 5 threads each wait twice; none returns before `set()`,
    /// then all return true, twice.
    private func checkNotify(_ event: threading.Event) throws {
        let n = 5
        let results1 = Locked<[Bool]>([])
        let results2 = Locked<[Bool]>([])
        let bunch = Bunch(count: n) { _ in
            let r1 = event.wait()
            results1.withLock { $0.append(r1) }
            let r2 = event.wait()
            results2.withLock { $0.append(r2) }
        }
        waitUntil { event.waitingCount == n }
        #expect(results1.snapshot.isEmpty)
        event.set()
        try bunch.join()
        #expect(results1.snapshot == Array(repeating: true, count: n))
        #expect(results2.snapshot == Array(repeating: true, count: n))
    }

    @Test func test_notify() throws {
        let event = threading.Event()
        try checkNotify(event)
        event.set()
        event.clear()
        try checkNotify(event)
    }

    @Test func test_timeout() throws {
        let event = threading.Event()
        let results1 = Locked<[Bool]>([])
        let results2 = Locked<[(Bool, Double)]>([])
        let body: @Sendable (Int) throws -> Void = { _ in
            let r1 = try event.wait(timeout: 0.0)
            results1.withLock { $0.append(r1) }
            var r2 = false
            let dt = try elapsed { r2 = try event.wait(timeout: 0.5) }
            results2.withLock { $0.append((r2, dt)) }
        }
        try Bunch.run(count: 5, body)
        #expect(results1.snapshot == Array(repeating: false, count: 5))
        for (r, dt) in results2.snapshot {
            #expect(!r)
            expectTimeout(dt, 0.5)
        }
        results1.withLock { $0.removeAll() }
        results2.withLock { $0.removeAll() }
        event.set()
        try Bunch.run(count: 5, body)
        #expect(results1.snapshot == Array(repeating: true, count: 5))
        #expect(results2.snapshot.map(\.0) == Array(repeating: true, count: 5))
    }

    @Test func test_set_and_clear() throws {
        // gh-57711: a waiter woken by set() returns true even if clear() runs at once.
        let event = threading.Event()
        let results = Locked<[Bool]>([])
        let bunch = Bunch(count: 5) { _ in
            let r = try event.wait(timeout: shortTimeout)
            results.withLock { $0.append(r) }
        }
        waitUntil { event.waitingCount == 5 }
        event.set()
        event.clear()
        try bunch.join()
        #expect(results.snapshot == Array(repeating: true, count: 5))
    }

    @Test func test_repr() {
        let event = threading.Event()
        #expect(matches(event.description, #"<\w+\.Event at .*: unset>"#))
        event.set()
        #expect(matches(event.description, #"<\w+\.Event at .*: set>"#))
    }

    @Test func test_wait_timeout_rules() throws {
        let event = threading.Event()
        #expect(try !event.wait(timeout: -1))
        #expect(try !event.wait(timeout: .nan))
        expectPythonError(OverflowError.self, "timestamp out of range for platform time_t") {
            try event.wait(timeout: .infinity)
        }
        event.set()
        // Set: true at once, the timeout unchecked.
        #expect(try event.wait(timeout: .infinity))
    }
}
