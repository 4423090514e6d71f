//===----------------------------------------------------------------------===//
//
// Threading: Python's threading model for Swift on Linux.
//
//===----------------------------------------------------------------------===//

// Ports of CPython 3.13 `Lib/test/test_queue.py` (reference/cpython-tests.md §4):
// `BaseQueueTestMixin` (run against Queue, LifoQueue and PriorityQueue),
// `FailingQueueTest` and `BaseSimpleQueueTest`, plus checks of the verified behaviours in
// reference/cpython-api.md §13 and §15.
//
// Where CPython's `do_blocking_test` sleeps 0.1 s so that the call under test blocks
// first, these tests wait until the call is observably parked (the queue's count of
// waiting getters, putters or joiners), then trigger it.

import Foundation
import Synchronization
import Testing

@testable import Threading

// MARK: - The queue classes behind one test-only interface

/// The API `BaseQueueTestMixin` needs, common to `Queue`, `LifoQueue`, `PriorityQueue`
/// and the bare `QueueCore` (which `FailingQueueTest` drives with an injected container).
protocol QueueUnderTest<Element>: AnyObject, Sendable {
    associatedtype Element: Sendable
    func put(_ item: Element, block: Bool, timeout: Double?) throws
    func get(block: Bool, timeout: Double?) throws -> Element
    func putNowait(_ item: Element) throws
    func getNowait() throws -> Element
    func taskDone() throws
    func join()
    func shutdown(immediate: Bool)
    var qsize: Int { get }
    var empty: Bool { get }
    var full: Bool { get }
    var maxsize: Int { get set }
    var unfinishedTasks: Int { get }
    var isShutdown: Bool { get }
    var waitingGetters: Int { get }
    var waitingPutters: Int { get }
    var waitingJoiners: Int { get }
}

extension QueueUnderTest {
    /// Python's defaults: `put(item)`, `put(item, block)`, `put(item, timeout=t)`.
    func put(_ item: Element, block: Bool = true) throws { try put(item, block: block, timeout: nil) }
    func put(_ item: Element, timeout: Double) throws { try put(item, block: true, timeout: timeout) }
    /// `get()`, `get(block)`, `get(timeout=t)`.
    func get(block: Bool = true) throws -> Element { try get(block: block, timeout: nil) }
    func get(timeout: Double) throws -> Element { try get(block: true, timeout: timeout) }
    func shutdown() { shutdown(immediate: false) }
}

extension queue.Queue: QueueUnderTest {}
extension queue.LifoQueue: QueueUnderTest {}
extension queue.PriorityQueue: QueueUnderTest {}

/// Python's defaults on the bare core, which `FailingQueueTest` drives directly.
extension QueueCore {
    func put(_ item: Element) throws { try put(item, block: true, timeout: nil) }
    func put(_ item: Element, timeout: Double) throws { try put(item, block: true, timeout: timeout) }
    func get() throws -> Element { try get(block: true, timeout: nil) }
    func get(timeout: Double) throws -> Element { try get(block: true, timeout: timeout) }
}

/// The classes `BaseQueueTestMixin` runs against, as CPython's `type2test`.
enum QueueKind: CaseIterable, Sendable, CustomTestStringConvertible {
    case fifo
    case lifo
    case priority

    /// `type2test(maxsize)`.
    func make<E: Comparable & Sendable>(
        of type: E.Type = E.self,
        maxsize: Int = 0
    ) -> any QueueUnderTest<E> {
        switch self {
        case .fifo: queue.Queue<E>(maxsize: maxsize)
        case .lifo: queue.LifoQueue<E>(maxsize: maxsize)
        case .priority: queue.PriorityQueue<E>(maxsize: maxsize)
        }
    }

    /// The order in which `get` returns `items` put in this order (ties: first in, first
    /// out, which `sorted` keeps).
    func order<E: Comparable>(_ items: [E]) -> [E] {
        switch self {
        case .fifo: items
        case .lifo: items.reversed()
        case .priority: items.sorted()
        }
    }

    var testDescription: String {
        switch self {
        case .fifo: "Queue"
        case .lifo: "LifoQueue"
        case .priority: "PriorityQueue"
        }
    }
}

/// CPython's `QUEUE_SIZE`.
private let queueSize = 5

/// A flag one thread raises and others read.
final class Flag: Sendable {
    private let storage = Atomic<Bool>(false)
    var isRaised: Bool { storage.load(ordering: .acquiring) }
    func raise() { storage.store(true, ordering: .releasing) }
}

/// A failed check inside a Bunch thread (rethrown by the Bunch's `join()`).
private struct ThreadCheckFailure: Error, CustomStringConvertible {
    let description: String
}

private func threadCheck(_ condition: Bool, _ message: @autoclosure () -> String) throws {
    if !condition { throw ThreadCheckFailure(description: message()) }
}

/// Inside a Bunch thread: `body` must throw an `E`.
private func threadExpect<E: Error>(throws type: E.Type, _ body: () throws -> Void) throws {
    do {
        try body()
    } catch is E {
        return
    }
    throw ThreadCheckFailure(description: "expected \(type) to be thrown")
}

/// Seconds `body` took to throw an `E`; records an issue if it threw nothing or anything
/// else.
func secondsToThrow<E: Error>(
    _ type: E.Type,
    sourceLocation: SourceLocation = #_sourceLocation,
    _ body: () throws -> Void
) -> Double {
    let start = Deadline.now
    do {
        try body()
        Issue.record("expected \(type), nothing was thrown", sourceLocation: sourceLocation)
    } catch is E {
    } catch {
        Issue.record("expected \(type), got \(error)", sourceLocation: sourceLocation)
    }
    return Double(Deadline.now.nanoseconds - start.nanoseconds) / 1e9
}

/// CPython's `do_blocking_test`, without its sleep: runs `block` in a raw thread, waits
/// until `isParked()` shows the call blocked, runs `trigger` here, and checks that
/// `block` returned only after the trigger. Returns `block`'s result or rethrows its error.
@discardableResult
func doBlockingTest<R: Sendable>(
    _ block: @escaping @Sendable () throws -> R,
    parked isParked: () -> Bool,
    trigger: () throws -> Void,
    sourceLocation: SourceLocation = #_sourceLocation
) throws -> R {
    let triggered = Flag()
    let outcome = Locked<(result: Result<R, any Error>, afterTrigger: Bool)?>(nil)
    let bunch = Bunch(count: 1, raw: true) { _ in
        let result = Result { try block() }
        let afterTrigger = triggered.isRaised
        outcome.withLock { $0 = (result, afterTrigger) }
    }
    waitUntil(sourceLocation: sourceLocation) { isParked() || bunch.finished.value > 0 }
    #expect(bunch.finished.value == 0, "the call did not block", sourceLocation: sourceLocation)
    triggered.raise()
    try trigger()
    try bunch.join(sourceLocation: sourceLocation)
    guard let outcome = outcome.snapshot else {
        Issue.record("the blocked call never finished", sourceLocation: sourceLocation)
        throw CancellationError()
    }
    #expect(
        outcome.afterTrigger,
        "blocking function returned before the trigger",
        sourceLocation: sourceLocation
    )
    return try outcome.result.get()
}

// MARK: - BaseQueueTestMixin

@Suite("QueueTests", .serialized, .wedgeDetector)
struct QueueTests {
    /// CPython's `basic_queue_test` on a queue of size `queueSize`.
    private func basicQueueTest(_ kind: QueueKind, _ q: any QueueUnderTest<Int>) throws {
        #expect(q.empty)
        #expect(!q.full)
        let items = [111, 333, 222]
        for item in items { try q.put(item) }
        let drained = try (0..<3).map { _ in try q.get() }
        #expect(drained == kind.order(items))

        for i in 0..<(queueSize - 1) {
            try q.put(i)
            #expect(q.qsize != 0)
        }
        #expect(!q.full)
        let last = 2 * queueSize
        let full = 3 * 2 * queueSize
        try q.put(last)
        #expect(!q.empty)
        #expect(q.full)
        #expect(throws: queue.Full.self) { try q.put(full, block: false) }
        var dt = secondsToThrow(queue.Full.self) { try q.put(full, timeout: 0.01) }
        #expect(dt >= 0.01)
        #expect(q.qsize == queueSize)

        // A blocking put is unblocked by a get, with and without a timeout.
        try doBlockingTest({ try q.put(full) }, parked: { q.waitingPutters == 1 }) { _ = try q.get() }
        try doBlockingTest(
            { try q.put(full, block: true, timeout: 10) },
            parked: { q.waitingPutters == 1 }
        ) { _ = try q.get() }
        #expect(q.qsize == queueSize)

        for _ in 0..<queueSize { _ = try q.get() }
        #expect(q.qsize == 0)
        #expect(throws: queue.Empty.self) { try q.get(block: false) }
        dt = secondsToThrow(queue.Empty.self) { _ = try q.get(timeout: 0.01) }
        #expect(dt >= 0.01)

        // A blocking get is unblocked by a put, with and without a timeout.
        let empty = -2
        var got = try doBlockingTest({ try q.get() }, parked: { q.waitingGetters == 1 }) {
            try q.put(empty)
        }
        #expect(got == empty)
        got = try doBlockingTest(
            { try q.get(block: true, timeout: 10) },
            parked: { q.waitingGetters == 1 }
        ) { try q.put(empty) }
        #expect(got == empty)
        #expect(q.empty)
    }

    @Test(arguments: QueueKind.allCases)
    func test_queue_task_done(_ kind: QueueKind) {
        let q = kind.make(of: Int.self)
        expectPythonError(ValueError.self, "task_done() called too many times") { try q.taskDone() }
    }

    /// CPython's `queue_join_test`: two workers sum the items and mark them done; `join()`
    /// returns once they have.
    private func queueJoinTest(_ q: any QueueUnderTest<Int>) throws {
        let cum = Locked(0)
        let workers = Bunch(count: 2, raw: true) { _ in
            while true {
                let x = try q.get()
                if x < 0 {
                    try q.taskDone()
                    return
                }
                cum.withLock { $0 += x }
                try q.taskDone()
            }
        }
        for i in 0..<100 { try q.put(i) }
        q.join()
        #expect(cum.snapshot == (0..<100).reduce(0, +))
        for _ in 0..<2 { try q.put(-1) }
        q.join()
        try workers.join()
    }

    @Test(arguments: QueueKind.allCases)
    func test_queue_join(_ kind: QueueKind) throws {
        let q = kind.make(of: Int.self)
        try queueJoinTest(q)
        try queueJoinTest(q)
        expectPythonError(ValueError.self, "task_done() called too many times") { try q.taskDone() }
    }

    @Test(arguments: QueueKind.allCases)
    func test_basic(_ kind: QueueKind) throws {
        let q = kind.make(of: Int.self, maxsize: queueSize)
        try basicQueueTest(kind, q)
        try basicQueueTest(kind, q)
    }

    @Test(arguments: QueueKind.allCases)
    func test_negative_timeout_raises_exception(_ kind: QueueKind) {
        let q = kind.make(of: Int.self, maxsize: queueSize)
        expectPythonError(ValueError.self, "'timeout' must be a non-negative number") {
            try q.put(1, timeout: -1)
        }
        expectPythonError(ValueError.self, "'timeout' must be a non-negative number") {
            _ = try q.get(block: true, timeout: -1)
        }
    }

    @Test(arguments: QueueKind.allCases)
    func test_nowait(_ kind: QueueKind) throws {
        let q = kind.make(of: Int.self, maxsize: queueSize)
        for i in 0..<queueSize { try q.putNowait(i) }
        expectPythonError(queue.Full.self, "") { try q.putNowait(queueSize) }
        for _ in 0..<queueSize { _ = try q.getNowait() }
        expectPythonError(queue.Empty.self, "") { _ = try q.getNowait() }
    }

    @Test(arguments: QueueKind.allCases)
    func test_shrinking_queue(_ kind: QueueKind) throws {
        // bpo-10110: a lower maxsize is honoured by the next put.
        let q = kind.make(of: Int.self, maxsize: 3)
        try q.put(1)
        try q.put(2)
        try q.put(3)
        #expect(throws: queue.Full.self) { try q.putNowait(4) }
        #expect(q.qsize == 3)
        q.maxsize = 2
        #expect(throws: queue.Full.self) { try q.putNowait(4) }
    }

    // MARK: shutdown

    @Test(arguments: QueueKind.allCases)
    func test_shutdown_empty(_ kind: QueueKind) {
        let q = kind.make(of: String.self)
        q.shutdown()
        expectPythonError(queue.ShutDown.self, "") { try q.put("data") }
        expectPythonError(queue.ShutDown.self, "") { _ = try q.get() }
    }

    @Test(arguments: QueueKind.allCases)
    func test_shutdown_nonempty(_ kind: QueueKind) throws {
        let q = kind.make(of: String.self)
        try q.put("data")
        q.shutdown()
        #expect(try q.get() == "data")
        #expect(throws: queue.ShutDown.self) { try q.get() }
    }

    @Test(arguments: QueueKind.allCases)
    func test_shutdown_immediate(_ kind: QueueKind) throws {
        let q = kind.make(of: String.self)
        try q.put("data")
        q.shutdown(immediate: true)
        #expect(throws: queue.ShutDown.self) { try q.get() }
    }

    @Test(arguments: QueueKind.allCases)
    func test_shutdown_allowed_transitions(_ kind: QueueKind) {
        let q = kind.make(of: Int.self)
        #expect(!q.isShutdown)
        q.shutdown()
        #expect(q.isShutdown)
        q.shutdown(immediate: true)
        #expect(q.isShutdown)
        q.shutdown(immediate: false)
        #expect(q.isShutdown)
    }

    /// CPython's `_shutdown_all_methods_in_one_thread`.
    private func shutdownAllMethodsInOneThread(_ kind: QueueKind, immediate: Bool) throws {
        let q = kind.make(of: String.self, maxsize: 2)
        try q.put("L")
        try q.putNowait("O")
        q.shutdown(immediate: immediate)
        #expect(throws: queue.ShutDown.self) { try q.put("E") }
        #expect(throws: queue.ShutDown.self) { try q.putNowait("W") }
        if immediate {
            #expect(throws: queue.ShutDown.self) { try q.get() }
            #expect(throws: queue.ShutDown.self) { try q.getNowait() }
            // The discarded items already count as done.
            expectPythonError(ValueError.self, "task_done() called too many times") { try q.taskDone() }
            q.join()
        } else {
            let first = try q.get()
            try q.taskDone()
            let second = try q.get()
            try q.taskDone()
            #expect([first, second] == kind.order(["L", "O"]))
            q.join()
            // Shut down and empty: get raises ShutDown in every form.
            #expect(throws: queue.ShutDown.self) { try q.get() }
            #expect(throws: queue.ShutDown.self) { try q.getNowait() }
            #expect(throws: queue.ShutDown.self) { try q.get(block: true, timeout: 1.0) }
        }
    }

    @Test(arguments: QueueKind.allCases)
    func test_shutdown_all_methods_in_one_thread(_ kind: QueueKind) throws {
        try shutdownAllMethodsInOneThread(kind, immediate: false)
    }

    @Test(arguments: QueueKind.allCases)
    func test_shutdown_immediate_all_methods_in_one_thread(_ kind: QueueKind) throws {
        try shutdownAllMethodsInOneThread(kind, immediate: true)
    }

    /// CPython's `_shutdown_all_methods_in_many_threads`: 4 writers, 6 readers (and, for
    /// `immediate`, 2 joiners) meet at a barrier once work is flowing; the first writer to
    /// reach item 8192 has the queue shut down while everyone is busy.
    private func shutdownAllMethodsInManyThreads(_ kind: QueueKind, immediate: Bool) throws {
        let q = kind.make(of: Int.self)
        let writers = 4, readers = 6, joiners = immediate ? 2 : 0
        let itemsPerWriter = 16_384
        let barrier = try threading.Barrier(parties: writers + readers + joiners)
        let shutdownRequested = threading.Event()
        let triggeredShutdown = Counter()
        let readersEndedWithShutDown = Counter()
        let joinersReturned = Counter()
        let emptyAfterShutdown = Locked<[Bool]>([])

        let stopper = Bunch(count: 1, raw: true) { _ in
            shutdownRequested.wait()
            q.shutdown(immediate: immediate)
            emptyAfterShutdown.withLock { $0.append(q.qsize == 0) }
        }
        let bunch = Bunch(count: writers + readers + joiners, raw: true) { index in
            switch index {
            case ..<writers:
                for i in 0..<itemsPerWriter {
                    if i == itemsPerWriter / 4 { try barrier.wait() }
                    if i == itemsPerWriter / 2, !shutdownRequested.isSet {
                        triggeredShutdown.increment()
                        shutdownRequested.set()
                    }
                    do {
                        try q.put(index * itemsPerWriter + i)
                    } catch is queue.ShutDown {
                        return
                    }
                }
            case ..<(writers + readers):
                _ = try q.get()
                try q.taskDone()
                try barrier.wait()
                while true {
                    do {
                        _ = try q.get(block: false)
                        try q.taskDone()
                    } catch is queue.Empty {
                        continue
                    } catch is queue.ShutDown {
                        readersEndedWithShutDown.increment()
                        return
                    }
                }
            default:
                try barrier.wait()
                q.join()
                joinersReturned.increment()
            }
        }
        try bunch.join()
        try stopper.join()
        #expect(triggeredShutdown.value >= 1)
        #expect(readersEndedWithShutDown.value == readers)
        #expect(joinersReturned.value == joiners)
        if immediate {
            #expect(emptyAfterShutdown.snapshot == [true])
            #expect(q.empty)
        }
    }

    @Test(arguments: QueueKind.allCases)
    func test_shutdown_all_methods_in_many_threads(_ kind: QueueKind) throws {
        try shutdownAllMethodsInManyThreads(kind, immediate: false)
    }

    @Test(arguments: QueueKind.allCases)
    func test_shutdown_immediate_all_methods_in_many_threads(_ kind: QueueKind) throws {
        try shutdownAllMethodsInManyThreads(kind, immediate: true)
    }

    /// CPython's `_shutdown_get`: a full queue of 2, getters released after the shutdown.
    /// Without `immediate` two of three getters drain the items; with it both get
    /// `ShutDown`.
    private func shutdownGet(_ kind: QueueKind, immediate: Bool) throws {
        let q = kind.make(of: String.self, maxsize: 2)
        let go = threading.Event()
        let results = Locked<[Bool]>([])  // true: ShutDown
        let getters = immediate ? 2 : 3
        let bunch = Bunch(count: getters, raw: true) { _ in
            go.wait()
            do {
                _ = try q.get()
                results.withLock { $0.append(false) }
            } catch is queue.ShutDown {
                results.withLock { $0.append(true) }
            }
        }
        try q.put("Y")
        try q.put("D")
        q.shutdown(immediate: immediate)
        go.set()
        try bunch.join()
        let expected = immediate ? [true, true] : [false, false, true]
        #expect(results.snapshot.sorted { !$0 && $1 } == expected)
    }

    @Test(arguments: QueueKind.allCases)
    func test_shutdown_get(_ kind: QueueKind) throws {
        try shutdownGet(kind, immediate: false)
    }

    @Test(arguments: QueueKind.allCases)
    func test_shutdown_immediate_get(_ kind: QueueKind) throws {
        try shutdownGet(kind, immediate: true)
    }

    /// CPython's `_shutdown_put`: a full queue of 2; putters released after the shutdown
    /// all get `ShutDown`. (CPython's helper ignores `immediate`; this port passes it.)
    private func shutdownPut(_ kind: QueueKind, immediate: Bool) throws {
        let q = kind.make(of: String.self, maxsize: 2)
        let go = threading.Event()
        let shutDowns = Counter()
        try q.put("Y")
        try q.put("D")
        let bunch = Bunch(count: 2, raw: true) { _ in
            go.wait()
            do {
                try q.put("W")
            } catch is queue.ShutDown {
                shutDowns.increment()
            }
        }
        q.shutdown(immediate: immediate)
        go.set()
        try bunch.join()
        #expect(shutDowns.value == 2)
    }

    @Test(arguments: QueueKind.allCases)
    func test_shutdown_put(_ kind: QueueKind) throws {
        try shutdownPut(kind, immediate: false)
    }

    @Test(arguments: QueueKind.allCases)
    func test_shutdown_immediate_put(_ kind: QueueKind) throws {
        try shutdownPut(kind, immediate: true)
    }

    /// CPython's `_shutdown_join`: one item, two threads in `join()`; without `immediate`
    /// a getter marks the item done after the shutdown. Both joins return.
    private func shutdownJoin(_ kind: QueueKind, immediate: Bool) throws {
        let q = kind.make(of: String.self)
        try q.put("Y")
        let go = threading.Event()
        let joined = Counter()
        let joiners = Bunch(count: 2, raw: true) { _ in
            q.join()
            joined.increment()
        }
        let getters = Bunch(count: immediate ? 0 : 1, raw: true) { _ in
            go.wait()
            try threadCheck(try q.get() == "Y", "the getter did not drain the item")
            try q.taskDone()
        }
        waitUntil { q.waitingJoiners == 2 }
        q.shutdown(immediate: immediate)
        go.set()
        try getters.join()
        try joiners.join()
        #expect(joined.value == 2)
        #expect(q.unfinishedTasks == 0)
    }

    @Test(arguments: QueueKind.allCases)
    func test_shutdown_immediate_join(_ kind: QueueKind) throws {
        try shutdownJoin(kind, immediate: true)
    }

    @Test(arguments: QueueKind.allCases)
    func test_shutdown_join(_ kind: QueueKind) throws {
        try shutdownJoin(kind, immediate: false)
    }

    /// CPython's `_shutdown_put_join`: a queue of 2 holding one item, a putter released
    /// after the shutdown and a joiner. The putter gets `ShutDown`, the main thread gets
    /// `ShutDown` (immediate) or the item, which it marks done, and the joiner returns.
    private func shutdownPutJoin(_ kind: QueueKind, immediate: Bool) throws {
        let q = kind.make(of: String.self, maxsize: 2)
        try q.put("Y")
        #expect(q.unfinishedTasks == 1)
        let go = threading.Event()
        let putterShutDown = Flag()
        let joinerReturned = Flag()
        let bunch = Bunch(count: 2, raw: true) { index in
            if index == 0 {
                go.wait()
                do {
                    try q.put("E")
                } catch is queue.ShutDown {
                    putterShutDown.raise()
                }
            } else {
                q.join()
                joinerReturned.raise()
            }
        }
        waitUntil { q.waitingJoiners == 1 }
        q.shutdown(immediate: immediate)
        go.set()
        if immediate {
            #expect(throws: queue.ShutDown.self) { try q.getNowait() }
        } else {
            #expect(try q.get() == "Y")
            try q.taskDone()
        }
        try bunch.join()
        #expect(putterShutDown.isRaised)
        #expect(joinerReturned.isRaised)
    }

    @Test(arguments: QueueKind.allCases)
    func test_shutdown_immediate_put_join(_ kind: QueueKind) throws {
        try shutdownPutJoin(kind, immediate: true)
    }

    @Test(arguments: QueueKind.allCases)
    func test_shutdown_put_join(_ kind: QueueKind) throws {
        try shutdownPutJoin(kind, immediate: false)
    }

    @Test(arguments: QueueKind.allCases)
    func test_shutdown_get_task_done_join(_ kind: QueueKind) throws {
        let q = kind.make(of: String.self, maxsize: 2)
        try q.put("Y")
        try q.put("D")
        #expect(q.unfinishedTasks == q.qsize)
        let go = threading.Event()
        let succeeded = Counter()
        let bunch = Bunch(count: 4, raw: true) { index in
            if index < 2 {
                go.wait()
                _ = try q.get()
                try q.taskDone()
            } else {
                q.join()
            }
            succeeded.increment()
        }
        go.set()
        q.shutdown(immediate: false)
        try bunch.join()
        #expect(succeeded.value == 4)
    }

    @Test(arguments: QueueKind.allCases)
    func test_shutdown_pending_get(_ kind: QueueKind) throws {
        let q = kind.make(of: Int.self)
        let result = Locked<(any Error)?>(nil)
        let getter = Bunch(count: 1, raw: true) { _ in
            do {
                _ = try q.get()
            } catch {
                result.withLock { $0 = error }
            }
        }
        waitUntil { q.waitingGetters == 1 }
        q.shutdown(immediate: false)
        waitUntil(timeout: 10) { getter.finished.value == 1 }
        try getter.join()
        #expect(result.snapshot is queue.ShutDown)
    }
}

// MARK: - FailingQueueTest

/// CPython's `FailingQueueException`.
final class FailingQueueException: Exception, @unchecked Sendable {}

/// The switches of a `FailingStorage`, set by the test outside the queue's mutex.
final class FailureSwitches: Sendable {
    let failNextPut = Atomic<Bool>(false)
    let failNextGet = Atomic<Bool>(false)
}

/// CPython's `FailingQueue`: a container whose next `push` or `pop` throws when flagged,
/// before it changes anything.
struct FailingStorage<Base: QueueStorage>: QueueStorage {
    var base: Base
    var switches: FailureSwitches

    init(maxsize: Int) {
        base = Base(maxsize: maxsize)
        switches = FailureSwitches()
    }

    init(maxsize: Int, switches: FailureSwitches) {
        base = Base(maxsize: maxsize)
        self.switches = switches
    }

    var count: Int { base.count }

    mutating func push(_ element: consuming Base.Element) throws {
        if switches.failNextPut.exchange(false, ordering: .acquiringAndReleasing) {
            throw FailingQueueException("You Lose")
        }
        try base.push(element)
    }

    mutating func pop() throws -> Base.Element {
        if switches.failNextGet.exchange(false, ordering: .acquiringAndReleasing) {
            throw FailingQueueException("You Lose")
        }
        return try base.pop()
    }

    mutating func removeAll() -> [Base.Element] { base.removeAll() }
}

/// The expected contents of a queue of `kind`, to check that failures neither lose,
/// duplicate nor reorder items.
struct QueueModel {
    let kind: QueueKind
    private(set) var items: [String] = []

    init(_ kind: QueueKind) { self.kind = kind }

    mutating func put(_ item: String) { items.append(item) }

    mutating func get() -> String {
        let next = kind.order(items)[0]
        switch kind {
        case .fifo: items.removeFirst()
        case .lifo: items.removeLast()
        case .priority: items.remove(at: items.firstIndex(of: next)!)
        }
        return next
    }
}

@Suite("FailingQueueTest", .serialized, .wedgeDetector)
struct FailingQueueTests {
    /// CPython's `failing_queue_test`, with each step checked against a model of the
    /// contents, and the unfinished-task count checked after every failure.
    private func failingQueueTest<S: QueueStorage & SendableMetatype>(
        _ q: QueueCore<FailingStorage<S>>,
        _ switches: FailureSwitches,
        _ kind: QueueKind
    ) throws where S.Element == String {
        #expect(q.qsize == 0, "call this with an empty queue")
        var model = QueueModel(kind)
        var unfinished = q.unfinishedTasks
        func put(_ item: String) throws {
            try q.put(item)
            model.put(item)
            unfinished += 1
        }
        func get() throws {
            #expect(try q.get() == model.get())
        }
        func expectIntact(_ sourceLocation: SourceLocation = #_sourceLocation) {
            #expect(q.qsize == model.items.count, sourceLocation: sourceLocation)
            #expect(q.unfinishedTasks == unfinished, sourceLocation: sourceLocation)
        }

        for i in 0..<(queueSize - 1) { try put(String(i)) }
        // A failing non-blocking put, then a failing timed put, on a queue with room.
        switches.failNextPut.store(true, ordering: .releasing)
        #expect(throws: FailingQueueException.self) { try q.put("oops", block: false, timeout: nil) }
        expectIntact()
        switches.failNextPut.store(true, ordering: .releasing)
        #expect(throws: FailingQueueException.self) { try q.put("oops", timeout: 0.1) }
        expectIntact()
        #expect(!q.full)
        try put("last")
        #expect(q.full)

        // A failing blocking put, let in by a get: the get succeeds, the put fails.
        switches.failNextPut.store(true, ordering: .releasing)
        #expect(throws: FailingQueueException.self) {
            try doBlockingTest({ try q.put("full") }, parked: { q.waitingPutters == 1 }) { try get() }
        }
        expectIntact()
        try put("last")
        // The same with a timed put.
        switches.failNextPut.store(true, ordering: .releasing)
        #expect(throws: FailingQueueException.self) {
            try doBlockingTest(
                { try q.put("full", block: true, timeout: 10) },
                parked: { q.waitingPutters == 1 }
            ) { try get() }
        }
        expectIntact()
        try put("last")
        #expect(q.full)
        try get()
        #expect(!q.full)
        try put("last")
        #expect(q.full)
        // A blocking put works normally.
        try doBlockingTest({ try q.put("full") }, parked: { q.waitingPutters == 1 }) { try get() }
        model.put("full")
        unfinished += 1
        expectIntact()

        for _ in 0..<queueSize { try get() }
        #expect(q.qsize == 0)
        try put("first")
        // A failing get, blocking and timed, leaves the item in place.
        switches.failNextGet.store(true, ordering: .releasing)
        #expect(throws: FailingQueueException.self) { _ = try q.get() }
        expectIntact()
        #expect(q.qsize != 0)
        switches.failNextGet.store(true, ordering: .releasing)
        #expect(throws: FailingQueueException.self) { _ = try q.get(timeout: 0.1) }
        expectIntact()
        #expect(q.qsize != 0)
        try get()
        #expect(q.qsize == 0)
        // A failing blocking get, let go by a put: the put succeeds, the get fails.
        switches.failNextGet.store(true, ordering: .releasing)
        #expect(throws: FailingQueueException.self) {
            try doBlockingTest({ try q.get() }, parked: { q.waitingGetters == 1 }) { try put("empty") }
        }
        expectIntact()
        #expect(q.qsize != 0)
        try get()
        #expect(q.qsize == 0)
        // Still fully usable: task accounting matches every successful put.
        for _ in 0..<unfinished { try q.taskDone() }
        unfinished = 0
        expectIntact()
        q.join()
    }

    private func run<S: QueueStorage & SendableMetatype>(
        _ kind: QueueKind,
        _ storage: S.Type
    ) throws where S.Element == String {
        let switches = FailureSwitches()
        let q = QueueCore<FailingStorage<S>>(
            maxsize: queueSize,
            storage: FailingStorage(maxsize: queueSize, switches: switches)
        )
        try failingQueueTest(q, switches, kind)
        try failingQueueTest(q, switches, kind)
    }

    @Test(arguments: QueueKind.allCases)
    func test_failing_queue(_ kind: QueueKind) throws {
        switch kind {
        case .fifo: try run(kind, RingStorage<String>.self)
        case .lifo: try run(kind, StackStorage<String>.self)
        case .priority: try run(kind, HeapStorage<String>.self)
        }
    }
}

// MARK: - BaseSimpleQueueTest

extension queue.SimpleQueue {
    func get(timeout: Double) throws -> Element { try get(block: true, timeout: timeout) }
}

@Suite("SimpleQueueTests", .serialized, .wedgeDetector)
struct SimpleQueueTests {
    /// CPython's `feed`: feeders take inputs from a shared list and put them, sometimes
    /// after a short random sleep (to vary the interleaving, not to order anything), then
    /// put the sentinel `nil`.
    private func feed(_ q: queue.SimpleQueue<Int?>, _ inputs: Locked<[Int]>) {
        var random = SystemRandomNumberGenerator()
        while let value = inputs.withLock({ $0.popLast() }) {
            if Bool.random(using: &random) { usleep(UInt32.random(in: 0...1000, using: &random)) }
            q.put(value)
        }
        q.put(nil)
    }

    /// Runs `feeders` feeders and as many consumers over `count` inputs; returns what the
    /// consumers received (CPython's `run_threads`).
    private func runThreads(
        count: Int,
        feeders: Int,
        consume: @escaping @Sendable (queue.SimpleQueue<Int?>, Locked<[Int]>) throws -> Void
    ) throws -> [Int] {
        let q = queue.SimpleQueue<Int?>()
        let inputs = Locked(Array((0..<count).reversed()))
        let results = Locked<[Int]>([])
        let consumers = Bunch(count: feeders, raw: true) { _ in try consume(q, results) }
        let producers = Bunch(count: feeders, raw: true) { _ in self.feed(q, inputs) }
        try producers.join()
        try consumers.join()
        #expect(q.empty)
        #expect(q.qsize == 0)
        return results.snapshot
    }

    @Test func test_basic() throws {
        let q = queue.SimpleQueue<Int>()
        #expect(q.empty)
        #expect(q.qsize == 0)
        q.put(1)
        #expect(!q.empty)
        #expect(q.qsize == 1)
        q.put(2)
        q.putNowait(3)
        q.put(4)
        #expect(q.qsize == 4)
        #expect(try q.get() == 1)
        #expect(q.qsize == 3)
        #expect(try q.getNowait() == 2)
        #expect(q.qsize == 2)
        #expect(try q.get(block: false) == 3)
        #expect(q.qsize == 1)
        #expect(try q.get(timeout: 0.1) == 4)
        #expect(q.qsize == 0)
        #expect(q.empty)
        #expect(throws: queue.Empty.self) { try q.get(block: false) }
        #expect(throws: queue.Empty.self) { try q.get(timeout: 1e-3) }
        #expect(throws: queue.Empty.self) { try q.getNowait() }
        #expect(q.empty)
        #expect(q.qsize == 0)
    }

    @Test func test_negative_timeout_raises_exception() {
        let q = queue.SimpleQueue<Int>()
        q.put(1)
        expectPythonError(ValueError.self, "'timeout' must be a non-negative number") {
            _ = try q.get(timeout: -1)
        }
    }

    @Test func test_order() throws {
        let results = try runThreads(count: 100, feeders: 1) { q, results in
            while let value = try q.get() { results.withLock { $0.append(value) } }
        }
        #expect(results == Array(0..<100))
    }

    @Test func test_many_threads() throws {
        let n = 10_000
        let results = try runThreads(count: n, feeders: 50) { q, results in
            while let value = try q.get() { results.withLock { $0.append(value) } }
        }
        #expect(results.sorted() == Array(0..<n))
    }

    @Test func test_many_threads_nonblock() throws {
        let n = 10_000
        let results = try runThreads(count: n, feeders: 50) { q, results in
            while true {
                do {
                    guard let value = try q.get(block: false) else { return }
                    results.withLock { $0.append(value) }
                } catch is queue.Empty {
                    usleep(10)
                }
            }
        }
        #expect(results.sorted() == Array(0..<n))
    }

    @Test func test_many_threads_timeout() throws {
        let n = 1_000
        let results = try runThreads(count: n, feeders: 50) { q, results in
            while true {
                do {
                    guard let value = try q.get(timeout: 1e-5) else { return }
                    results.withLock { $0.append(value) }
                } catch is queue.Empty {}
            }
        }
        #expect(results.sorted() == Array(0..<n))
    }

    /// CPython's `test_references` (a GC check there), as its ARC analogue: the queue
    /// holds no reference to an item once `get` has returned it.
    @Test func test_references() throws {
        final class Item: Sendable {}
        let q = queue.SimpleQueue<Item>()
        weak var watched: Item?
        do {
            let item = Item()
            watched = item
            q.put(item)
        }
        #expect(watched != nil)
        do {
            let item = try q.get()
            #expect(item === watched)
        }
        #expect(watched == nil)
    }
}

// MARK: - Verified behaviours beyond test_queue.py

@Suite("QueueBehaviourTests", .serialized, .wedgeDetector)
struct QueueBehaviourTests {
    static let overflow = "timestamp out of range for platform time_t"
    static let negative = "'timeout' must be a non-negative number"

    /// reference/cpython-api.md §13 and §15, as probed on CPython 3.13.0.
    @Test(arguments: QueueKind.allCases)
    func timeout_rules(_ kind: QueueKind) throws {
        let huge = threading.TIMEOUT_MAX * 2
        // Bounded put: a negative timeout with block is a ValueError even with room, but
        // not without block; a huge one is an OverflowError only if the put must wait.
        let bounded = kind.make(of: Int.self, maxsize: 2)
        expectPythonError(ValueError.self, Self.negative) { try bounded.put(1, timeout: -1) }
        expectPythonError(ValueError.self, Self.negative) { try bounded.put(1, timeout: -.infinity) }
        try bounded.put(1, block: false, timeout: -1)
        try bounded.put(2, timeout: huge)
        #expect(bounded.qsize == 2)
        expectPythonError(OverflowError.self, Self.overflow) { try bounded.put(3, timeout: huge) }
        expectPythonError(OverflowError.self, Self.overflow) { try bounded.put(3, timeout: .infinity) }
        expectPythonError(queue.Full.self, "") { try bounded.put(3, timeout: 0) }
        expectPythonError(queue.Full.self, "") { try bounded.put(3, block: false, timeout: -5) }
        #expect(bounded.qsize == 2)
        #expect(bounded.unfinishedTasks == 2)
        // Get with items: only a negative timeout is checked (NaN and huge are not).
        expectPythonError(ValueError.self, Self.negative) { _ = try bounded.get(timeout: -1) }
        _ = try bounded.get(timeout: huge)
        _ = try bounded.get(timeout: .nan)
        // Get without: Empty at once for 0 or no block, OverflowError when it must wait.
        expectPythonError(queue.Empty.self, "") { _ = try bounded.get(timeout: 0) }
        expectPythonError(queue.Empty.self, "") { _ = try bounded.get(timeout: -0.0) }
        expectPythonError(queue.Empty.self, "") { _ = try bounded.get(block: false, timeout: -1) }
        expectPythonError(OverflowError.self, Self.overflow) { _ = try bounded.get(timeout: huge) }
        expectPythonError(ValueError.self, Self.negative) { _ = try bounded.get(timeout: -1) }
        // Unbounded put never validates its timeout.
        let unbounded = kind.make(of: Int.self)
        try unbounded.put(1, timeout: -1)
        try unbounded.put(2, timeout: .nan)
        try unbounded.put(3, timeout: huge)
        #expect(unbounded.qsize == 3)
        // Shut down: checked before anything else for put, and for get when empty.
        let closed = kind.make(of: Int.self, maxsize: 1)
        try closed.put(1)
        closed.shutdown()
        expectPythonError(queue.ShutDown.self, "") { try closed.put(2, block: false) }
        expectPythonError(queue.ShutDown.self, "") { try closed.put(2, timeout: -1) }
        expectPythonError(queue.ShutDown.self, "") { try closed.put(2, timeout: huge) }
        expectPythonError(ValueError.self, Self.negative) { _ = try closed.get(timeout: -1) }
        #expect(try closed.get() == 1)
        expectPythonError(queue.ShutDown.self, "") { _ = try closed.get(timeout: -1) }
        expectPythonError(queue.ShutDown.self, "") { _ = try closed.get(timeout: huge) }
    }

    /// A NaN timeout waits until the queue changes, as CPython's re-wait loop does.
    @Test func nan_timeout_waits_for_the_queue() throws {
        let q = queue.Queue<Int>(maxsize: 1)
        let got = try doBlockingTest({ try q.get(timeout: .nan) }, parked: { q.waitingGetters == 1 }) {
            try q.put(7)
        }
        #expect(got == 7)
        try q.put(8)
        try doBlockingTest({ try q.put(9, timeout: .nan) }, parked: { q.waitingPutters == 1 }) {
            let got = try q.get()
            #expect(got == 8)
        }
        #expect(try q.get() == 9)
    }

    /// C `SimpleQueue.get` converts its timeout before it looks at the queue.
    @Test func simple_queue_timeout_rules() throws {
        let q = queue.SimpleQueue<Int>()
        for i in 0..<3 { q.put(i) }
        q.put(3, block: false, timeout: -5)
        let huge = threading.TIMEOUT_MAX * 2
        expectPythonError(OverflowError.self, Self.overflow) { _ = try q.get(timeout: huge) }
        expectPythonError(OverflowError.self, Self.overflow) { _ = try q.get(timeout: .infinity) }
        expectPythonError(OverflowError.self, Self.overflow) { _ = try q.get(timeout: -1e10) }
        expectPythonError(ValueError.self, "Invalid value NaN (not a number)") {
            _ = try q.get(timeout: .nan)
        }
        expectPythonError(ValueError.self, Self.negative) { _ = try q.get(timeout: -1) }
        #expect(q.qsize == 4)
        #expect(try q.get(block: false, timeout: .nan) == 0)
        #expect(try q.get(block: false, timeout: -1) == 1)
        #expect(try q.get(timeout: .seconds(1)) == 2)
        #expect(try q.get(timeout: 0) == 3)
        expectPythonError(queue.Empty.self, "") { _ = try q.get(block: false, timeout: huge) }
        let dt = secondsToThrow(queue.Empty.self) { _ = try q.get(timeout: .milliseconds(20)) }
        #expect(dt >= 0.02)
    }

    @Test func timed_waits_do_not_return_early() throws {
        let q = queue.Queue<Int>(maxsize: 1)
        var dt = secondsToThrow(queue.Empty.self) { _ = try q.get(timeout: 0.05) }
        #expect(dt >= 0.05)
        try q.put(1)
        dt = secondsToThrow(queue.Full.self) { try q.put(2, timeout: .milliseconds(50)) }
        #expect(dt >= 0.05)
        #expect(q.qsize == 1)
        #expect(q.unfinishedTasks == 1)
    }

    @Test func error_classes_and_messages() {
        #expect(queue.Empty().description == "")
        #expect(queue.Full().description == "")
        #expect(queue.ShutDown().description == "")
        #expect((queue.Empty() as BaseException) is Exception)
        #expect(queue.Empty().pythonClassName == "_queue.Empty")
        #expect(queue.Full().pythonClassName == "queue.Full")
        #expect(queue.ShutDown().pythonClassName == "queue.ShutDown")
        #expect(pythonFormat(queue.ShutDown()) == "queue.ShutDown")
    }

    @Test func repr() {
        let address = "at 0x[0-9a-f]+>$"
        #expect(matches(queue.Queue<Int>().description, #"^<queue\.Queue object "# + address))
        #expect(matches(queue.LifoQueue<Int>().description, #"^<queue\.LifoQueue object "# + address))
        #expect(matches(queue.PriorityQueue<Int>().description, #"^<queue\.PriorityQueue object "# + address))
        #expect(matches(queue.SimpleQueue<Int>().description, #"^<_queue\.SimpleQueue object "# + address))
    }

    /// Equal items leave a PriorityQueue in the order they were put.
    @Test func priority_ties_keep_insertion_order() throws {
        struct Job: Comparable, Sendable {
            let priority: Int
            let name: String
            static func < (a: Job, b: Job) -> Bool { a.priority < b.priority }
            static func == (a: Job, b: Job) -> Bool { a.priority == b.priority }
        }
        let q = queue.PriorityQueue<Job>()
        let jobs = (0..<200).map { Job(priority: ($0 * 7) % 5, name: "job\($0)") }
        for job in jobs { try q.put(job) }
        var out: [String] = []
        while !q.empty { out.append(try q.get().name) }
        let expected = (0..<5).flatMap { p in jobs.filter { $0.priority == p }.map(\.name) }
        #expect(out == expected)
    }

    /// Threads blocked in `get` are served in the order they blocked, and so are threads
    /// blocked in `put`.
    @Test(arguments: QueueKind.allCases)
    func waiters_are_served_first_come_first_served(_ kind: QueueKind) throws {
        let q = kind.make(of: Int.self, maxsize: 1)
        let received = Locked<[Int: Int]>([:])
        var getters: [Bunch] = []
        for index in 0..<3 {
            getters.append(Bunch(count: 1, raw: true) { _ in
                let item = try q.get()
                received.withLock { $0[index] = item }
            })
            waitUntil { q.waitingGetters == index + 1 }
        }
        for item in [10, 20, 30] {
            try q.put(item)
            waitUntil { received.snapshot.count == item / 10 }
        }
        for bunch in getters { try bunch.join() }
        #expect(received.snapshot == [0: 10, 1: 20, 2: 30])

        try q.put(0)
        var putters: [Bunch] = []
        for index in 1...3 {
            putters.append(Bunch(count: 1, raw: true) { _ in try q.put(index) })
            waitUntil { q.waitingPutters == index }
        }
        var order: [Int] = []
        for _ in 0..<4 { order.append(try q.get()) }
        for bunch in putters { try bunch.join() }
        #expect(order == [0, 1, 2, 3])
        #expect(q.unfinishedTasks == 7)
    }

    /// `shutdown` wakes blocked putters and getters with `ShutDown`, and a woken putter's
    /// item is never added.
    @Test(arguments: QueueKind.allCases, [false, true])
    func shutdown_wakes_blocked_calls(_ kind: QueueKind, immediate: Bool) throws {
        let full = kind.make(of: Int.self, maxsize: 1)
        try full.put(1)
        let putters = Bunch(count: 2, raw: true) { index in
            try threadExpect(throws: queue.ShutDown.self) { try full.put(100 + index) }
        }
        let empty = kind.make(of: Int.self, maxsize: 1)
        let getters = Bunch(count: 2, raw: true) { _ in
            try threadExpect(throws: queue.ShutDown.self) { _ = try empty.get() }
        }
        waitUntil { full.waitingPutters == 2 && empty.waitingGetters == 2 }
        full.shutdown(immediate: immediate)
        empty.shutdown(immediate: immediate)
        try putters.join()
        try getters.join()
        #expect(full.unfinishedTasks == (immediate ? 0 : 1))
        if immediate {
            #expect(full.qsize == 0)
        } else {
            #expect(try full.get() == 1)
        }
        #expect(throws: queue.ShutDown.self) { try full.get() }
    }

    /// A timed-out put or get leaves the queue exactly as it was.
    @Test(arguments: QueueKind.allCases)
    func timed_out_calls_leave_the_queue_intact(_ kind: QueueKind) throws {
        let q = kind.make(of: Int.self, maxsize: 3)
        for item in [5, 1, 3] { try q.put(item) }
        let putters = Bunch(count: 3, raw: true) { index in
            let timeout = 0.05 * Double(index + 1)
            try threadExpect(throws: queue.Full.self) { try q.put(100 + index, timeout: timeout) }
        }
        try putters.join()
        #expect(q.qsize == 3)
        #expect(q.unfinishedTasks == 3)
        #expect(try (0..<3).map { _ in try q.get() } == kind.order([5, 1, 3]))
        let getters = Bunch(count: 3, raw: true) { index in
            let timeout = 0.05 * Double(index + 1)
            try threadExpect(throws: queue.Empty.self) { _ = try q.get(timeout: timeout) }
        }
        try getters.join()
        try q.put(4)
        #expect(try q.get() == 4)
        #expect(q.waitingGetters == 0 && q.waitingPutters == 0)
    }

    /// Raising `maxsize` lets blocked putters in at once; lowering it below the contents
    /// keeps them out until the queue drains below the new bound.
    @Test(arguments: QueueKind.allCases)
    func maxsize_changes_reach_blocked_putters(_ kind: QueueKind) throws {
        let q = kind.make(of: Int.self, maxsize: 1)
        try q.put(0)
        let putters = Bunch(count: 2, raw: true) { index in try q.put(index + 1) }
        waitUntil { q.waitingPutters == 2 }
        q.maxsize = 3
        try putters.join()
        #expect(q.qsize == 3)
        q.maxsize = 2
        let late = Bunch(count: 1, raw: true) { _ in try q.put(9) }
        waitUntil { q.waitingPutters == 1 }
        _ = try q.get()
        // Two items left with a bound of two: still full.
        #expect(q.waitingPutters == 1)
        _ = try q.get()
        try late.join()
        #expect(q.qsize == 2)
    }

    /// Items discarded by `shutdown(immediate: true)` are released after the queue's
    /// mutex is dropped, so an item's `deinit` may use the queue (the Swift face of
    /// CPython's `test_reentrancy`).
    @Test func discarded_items_are_released_outside_the_lock() throws {
        final class Item: Sendable {
            let onDeinit: (@Sendable () -> Void)?
            init(_ onDeinit: (@Sendable () -> Void)? = nil) { self.onDeinit = onDeinit }
            deinit { onDeinit?() }
        }
        let q = queue.Queue<Item>()
        let reentered = Counter()
        for _ in 0..<3 {
            try q.put(Item { [weak q] in
                do {
                    try q?.put(Item())
                } catch is queue.ShutDown {
                    reentered.increment()
                } catch {}
            })
        }
        let stopper = Bunch(count: 1, raw: true) { _ in q.shutdown(immediate: true) }
        waitUntil(timeout: 10) { stopper.finished.value == 1 }
        try stopper.join()
        #expect(reentered.value == 3)
    }

    @Test func duration_overloads() throws {
        let q = queue.Queue<Int>(maxsize: 1)
        try q.put(1, timeout: .seconds(1))
        #expect(throws: queue.Full.self) { try q.put(2, timeout: .zero) }
        #expect(try q.get(timeout: .seconds(1)) == 1)
        #expect(throws: queue.Empty.self) { try q.get(timeout: .zero) }
        expectPythonError(ValueError.self, Self.negative) { _ = try q.get(timeout: .seconds(-1)) }
        let lifo = queue.LifoQueue<Int>()
        try lifo.put(1, timeout: .seconds(-1))
        #expect(try lifo.get(timeout: .milliseconds(1)) == 1)
    }
}
