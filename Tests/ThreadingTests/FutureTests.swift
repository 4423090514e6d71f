//===----------------------------------------------------------------------===//
//
// Threading: Python's threading model for Swift on Linux.
//
// Ports of CPython's Lib/test/test_concurrent_futures/test_future.py (FutureTests).
//
//===----------------------------------------------------------------------===//

import Testing

@testable import Threading

typealias Future = concurrent.futures.Future

struct TestOSError: Error, CustomStringConvertible {
    var description: String { "test" }
}

/// CPython's `create_future`: a future put directly in a state.
func makeFuture(_ state: Future<Int>.State, error: (any Error)? = nil, result: Int? = nil) -> Future<Int> {
    let future = Future<Int>()
    let outcome: Result<Int, any Error>? = error.map { .failure($0) } ?? result.map { .success($0) }
    future.inject(state, outcome: outcome)
    return future
}

enum Fixtures {
    static var pending: Future<Int> { makeFuture(.pending) }
    static var running: Future<Int> { makeFuture(.running) }
    static var cancelled: Future<Int> { makeFuture(.cancelled) }
    static var cancelledAndNotified: Future<Int> { makeFuture(.cancelledAndNotified) }
    static var exception: Future<Int> { makeFuture(.finished, error: OSError()) }
    static var successful: Future<Int> { makeFuture(.finished, result: 42) }
}

@Suite("FutureTests", .wedgeDetector)
struct FutureTests {
    @Test func test_done_callback_with_result() throws {
        let seen = Locked<Int?>(nil)
        let f = Future<Int>()
        f.addDoneCallback { future in seen.withLock { $0 = try? future.result() } }
        try f.setResult(5)
        #expect(seen.snapshot == 5)
    }

    @Test func test_done_callback_with_exception() throws {
        let seen = Locked<String?>(nil)
        let f = Future<Int>()
        f.addDoneCallback { future in seen.withLock { $0 = (try? future.exception()).flatMap { "\($0!)" } } }
        try f.setException(ValueError("test"))
        #expect(seen.snapshot == "test")
    }

    @Test func test_done_callback_with_cancel() {
        let wasCancelled = Locked<Bool?>(nil)
        let f = Future<Int>()
        f.addDoneCallback { future in wasCancelled.withLock { $0 = future.cancelled } }
        #expect(f.cancel())
        #expect(wasCancelled.snapshot == true)
    }

    @Test func test_done_callback_raises() throws {
        // The failing callback is reported (to standard error); the next one still runs.
        let raisingWasCalled = Counter()
        let fnWasCalled = Counter()
        let f = Future<Int>()
        f.addDoneCallback { _ in
            raisingWasCalled.increment()
            throw Exception("doh!")
        }
        f.addDoneCallback { _ in fnWasCalled.increment() }
        try f.setResult(5)
        #expect(raisingWasCalled.value == 1)
        #expect(fnWasCalled.value == 1)
    }

    @Test func test_done_callback_already_successful() throws {
        let seen = Locked<Int?>(nil)
        let f = Future<Int>()
        try f.setResult(5)
        f.addDoneCallback { future in seen.withLock { $0 = try? future.result() } }
        #expect(seen.snapshot == 5)
    }

    @Test func test_done_callback_already_failed() throws {
        let seen = Locked<String?>(nil)
        let f = Future<Int>()
        try f.setException(ValueError("test"))
        f.addDoneCallback { future in seen.withLock { $0 = (try? future.exception()).flatMap { "\($0!)" } } }
        #expect(seen.snapshot == "test")
    }

    @Test func test_done_callback_already_cancelled() {
        let wasCancelled = Locked<Bool?>(nil)
        let f = Future<Int>()
        #expect(f.cancel())
        f.addDoneCallback { future in wasCancelled.withLock { $0 = future.cancelled } }
        #expect(wasCancelled.snapshot == true)
    }

    @Test func test_done_callback_raises_already_succeeded() throws {
        let f = Future<Int>()
        try f.setResult(5)
        let called = Counter()
        f.addDoneCallback { _ in
            called.increment()
            throw Exception("doh!")
        }
        #expect(called.value == 1)
    }

    @Test func test_repr() {
        let address = "0x[0-9a-f]+"
        #expect(matches(Fixtures.pending.description, "^<Future at \(address) state=pending>$"))
        #expect(matches(Fixtures.running.description, "^<Future at \(address) state=running>$"))
        #expect(matches(Fixtures.cancelled.description, "^<Future at \(address) state=cancelled>$"))
        #expect(matches(Fixtures.cancelledAndNotified.description, "^<Future at \(address) state=cancelled>$"))
        #expect(matches(Fixtures.exception.description, "^<Future at \(address) state=finished raised OSError>$"))
        #expect(matches(Fixtures.successful.description, "^<Future at \(address) state=finished returned Int>$"))
    }

    @Test func test_cancel() {
        let f1 = Fixtures.pending, f2 = Fixtures.running, f3 = Fixtures.cancelled
        let f4 = Fixtures.cancelledAndNotified, f5 = Fixtures.exception, f6 = Fixtures.successful
        #expect(f1.cancel())
        #expect(f1.cancelled)
        #expect(!f2.cancel())
        #expect(f2.running)
        #expect(f3.cancel())
        #expect(f3.cancelled)
        #expect(f4.cancel())
        #expect(f4.cancelled)
        #expect(!f5.cancel())
        #expect(!f6.cancel())
        #expect(f5.done && f6.done)
    }

    @Test func test_cancelled() {
        #expect(!Fixtures.pending.cancelled)
        #expect(!Fixtures.running.cancelled)
        #expect(Fixtures.cancelled.cancelled)
        #expect(Fixtures.cancelledAndNotified.cancelled)
        #expect(!Fixtures.exception.cancelled)
        #expect(!Fixtures.successful.cancelled)
    }

    @Test func test_done() {
        #expect(!Fixtures.pending.done)
        #expect(!Fixtures.running.done)
        #expect(Fixtures.cancelled.done)
        #expect(Fixtures.cancelledAndNotified.done)
        #expect(Fixtures.exception.done)
        #expect(Fixtures.successful.done)
    }

    @Test func test_running() {
        #expect(!Fixtures.pending.running)
        #expect(Fixtures.running.running)
        #expect(!Fixtures.cancelled.running)
        #expect(!Fixtures.cancelledAndNotified.running)
        #expect(!Fixtures.exception.running)
        #expect(!Fixtures.successful.running)
    }

    @Test func test_result_with_timeout() throws {
        #expect(throws: TimeoutError.self) { try Fixtures.pending.result(timeout: 0) }
        #expect(throws: TimeoutError.self) { try Fixtures.running.result(timeout: 0) }
        #expect(throws: concurrent.futures.CancelledError.self) { try Fixtures.cancelled.result(timeout: 0) }
        #expect(throws: concurrent.futures.CancelledError.self) { try Fixtures.cancelledAndNotified.result(timeout: 0) }
        #expect(throws: OSError.self) { try Fixtures.exception.result(timeout: 0) }
        #expect(try Fixtures.successful.result(timeout: 0) == 42)
    }

    @Test func test_result_with_success() throws {
        let f = Fixtures.pending
        let bunch = Bunch(count: 1) { _ in
            waitUntil { f.blockedCount == 1 }
            try f.setResult(42)
        }
        #expect(try f.result(timeout: shortTimeout) == 42)
        try bunch.join()
    }

    @Test func test_result_with_cancel() throws {
        let f = Fixtures.pending
        let bunch = Bunch(count: 1) { _ in
            waitUntil { f.blockedCount == 1 }
            f.cancel()
        }
        #expect(throws: concurrent.futures.CancelledError.self) { try f.result(timeout: shortTimeout) }
        try bunch.join()
    }

    @Test func test_exception_with_timeout() throws {
        #expect(throws: TimeoutError.self) { try Fixtures.pending.exception(timeout: 0) }
        #expect(throws: TimeoutError.self) { try Fixtures.running.exception(timeout: 0) }
        #expect(throws: concurrent.futures.CancelledError.self) { try Fixtures.cancelled.exception(timeout: 0) }
        #expect(throws: concurrent.futures.CancelledError.self) {
            try Fixtures.cancelledAndNotified.exception(timeout: 0)
        }
        #expect(try Fixtures.exception.exception(timeout: 0) is OSError)
        #expect(try Fixtures.successful.exception(timeout: 0) == nil)
    }

    @Test func test_exception_with_success() throws {
        let f = Fixtures.pending
        let bunch = Bunch(count: 1) { _ in
            waitUntil { f.blockedCount == 1 }
            try f.setException(OSError())
        }
        #expect(try f.exception(timeout: shortTimeout) is OSError)
        try bunch.join()
    }

    @Test func test_multiple_set_result() throws {
        let f = Future<Int>()
        try f.setResult(1)
        do {
            try f.setResult(2)
            Issue.record("a second setResult was accepted")
        } catch let error as concurrent.futures.InvalidStateError {
            #expect(matches(error.message, "^FINISHED: <Future at 0x[0-9a-f]+ state=finished returned Int>$"), "\(error)")
        }
        #expect(f.done)
        #expect(try f.result() == 1)
    }

    @Test func test_multiple_set_exception() throws {
        let f = Future<Int>()
        try f.setException(ValueError("first"))
        do {
            try f.setException(ValueError("second"))
            Issue.record("a second setException was accepted")
        } catch let error as concurrent.futures.InvalidStateError {
            #expect(matches(error.message, "^FINISHED: <Future at 0x[0-9a-f]+ state=finished raised ValueError>$"), "\(error)")
        }
        #expect((try f.exception() as? ValueError)?.message == "first")
    }

    @Test func test_set_result_after_cancel() {
        let f = Future<Int>()
        f.cancel()
        do {
            try f.setResult(1)
            Issue.record("setResult after cancel was accepted")
        } catch let error as concurrent.futures.InvalidStateError {
            #expect(matches(error.message, "^CANCELLED: <Future at 0x[0-9a-f]+ state=cancelled>$"), "\(error)")
        } catch {
            Issue.record("unexpected \(error)")
        }
    }

    @Test func test_set_running_or_notify_cancel() throws {
        let pending = Future<Int>()
        #expect(try pending.setRunningOrNotifyCancel())
        #expect(pending.running)
        expectPythonError(RuntimeError.self, "Future in unexpected state") { _ = try pending.setRunningOrNotifyCancel() }
        let cancelled = Future<Int>()
        cancelled.cancel()
        #expect(try !cancelled.setRunningOrNotifyCancel())
        #expect(cancelled.isDoneForWaiting)
    }

    @Test func test_result_timeout_rules() throws {
        let f = Future<Int>()
        #expect(throws: TimeoutError.self) { try f.result(timeout: -1) }
        #expect(throws: TimeoutError.self) { try f.result(timeout: .nan) }
        expectPythonError(OverflowError.self, "timestamp out of range for platform time_t") {
            _ = try f.result(timeout: .infinity)
        }
        try f.setResult(3)
        // Done: the timeout is never looked at.
        #expect(try f.result(timeout: .infinity) == 3)
    }
}

