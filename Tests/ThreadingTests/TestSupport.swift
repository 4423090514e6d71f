//===----------------------------------------------------------------------===//
//
// Threading: Python's threading model for Swift on Linux.
//
//===----------------------------------------------------------------------===//

import Foundation
import Synchronization
import Testing

@testable import Threading

/// CPython's `support.SHORT_TIMEOUT`: the longest a test waits for something that should
/// happen promptly before it fails instead of hanging.
let shortTimeout = 30.0

/// CPython's `lock_tests.Bunch`: `count` threads, each running `body(index)`; errors
/// thrown in them are collected and rethrown by `join()`.
///
/// The threads are `threading.Thread`s (daemons, so a wedged one cannot hold up the
/// process), or raw OS threads with `raw: true` for the cases about foreign threads. With
/// `waitBeforeExit`, each thread stays alive after `body` until `finish()` is called.
final class Bunch: @unchecked Sendable {
    let started = Counter()
    let finished = Counter()
    private let mayExit = Atomic<Bool>(false)
    private let errors = Locked<[any Error]>([])
    private var threads: [threading.Thread] = []
    private var rawThreads: [PlatformThread] = []
    private var censusHold: UInt?

    init(
        count: Int,
        raw: Bool = false,
        waitBeforeExit: Bool = false,
        _ body: @escaping @Sendable (Int) throws -> Void
    ) {
        censusHold = ThreadCensus.shared.beginShared()
        for index in 0..<count {
            let work: @Sendable () -> Void = { [self] in
                started.increment()
                do {
                    try body(index)
                } catch {
                    errors.withLock { $0.append(error) }
                }
                finished.increment()
                if waitBeforeExit {
                    waitUntil { self.mayExit.load(ordering: .acquiring) }
                }
            }
            if raw {
                rawThreads.append(try! PlatformThread.spawn(work))
            } else {
                let thread = threading.Thread(name: "Bunch-\(index)", daemon: true, target: work)
                try! thread.start()
                threads.append(thread)
            }
        }
        waitUntil { self.started.value == count }
    }

    /// Lets threads created with `waitBeforeExit` exit.
    func finish() {
        mayExit.store(true, ordering: .releasing)
    }

    /// Waits until every body has returned (the threads may still be waiting to exit).
    func waitForFinished() {
        waitUntil { self.finished.value == self.threads.count + self.rawThreads.count }
    }

    /// Lets the threads exit, joins them, and rethrows the first error a body threw. A
    /// thread still running after `shortTimeout` is reported as wedged instead of hanging
    /// the run.
    func join(sourceLocation: SourceLocation = #_sourceLocation) throws {
        finish()
        defer { releaseCensus() }
        for thread in threads {
            try thread.join(timeout: shortTimeout)
            if thread.isAlive {
                Issue.record("\(thread) still running after \(shortTimeout) s", sourceLocation: sourceLocation)
            }
        }
        for thread in rawThreads { thread.join() }
        if let first = errors.withLock({ $0.first }) { throw first }
    }

    deinit {
        // A test that threw before join() must not keep the census held.
        releaseCensus()
    }

    private func releaseCensus() {
        if let hold = censusHold.take() { ThreadCensus.shared.endShared(hold) }
    }

    /// Runs `count` threads to completion: CPython's `with Bunch(f, n): pass`.
    static func run(count: Int, raw: Bool = false, _ body: @escaping @Sendable (Int) throws -> Void) throws {
        try Bunch(count: count, raw: raw, body).join()
    }
}

/// Lets a test count live threads exactly while tests in other suites start and join
/// theirs: counting holds the census exclusively, a `Bunch` holds it shared from start to
/// join. The exclusive holder's own `Bunch`es pass straight through.
///
/// Async tests must never hold the census across an `await`: sync tests blocked on it
/// occupy the cooperative threads the async test needs to resume. An async test instead
/// `exempt`s the threads it starts from the counting.
final class ThreadCensus: @unchecked Sendable {
    static let shared = ThreadCensus()
    private let condition = NSCondition()
    /// Shared holds per thread: a thread already holding the census shared never waits
    /// for it again (a test with two Bunches alive would otherwise deadlock against a
    /// waiting exclusive holder).
    private var sharedHolds: [UInt: Int] = [:]
    private var exclusiveOwner: UInt?
    private var exclusiveWaiting = 0
    private var exempted: [Weak<threading.Thread>] = []

    /// Leaves `thread` out of every leak check.
    func exempt(_ thread: threading.Thread) {
        condition.lock()
        exempted.append(Weak(thread))
        condition.unlock()
    }

    /// Live threads that leak checks count.
    func countedThreads() -> [threading.Thread] {
        condition.lock()
        let skip = Set(exempted.compactMap { $0.object.map(ObjectIdentifier.init) })
        condition.unlock()
        return threading.enumerate().filter { !skip.contains(ObjectIdentifier($0)) }
    }

    /// Takes a shared hold for the calling thread; returns the ident to release it with.
    func beginShared() -> UInt {
        let me = currentThreadIdent()
        condition.lock()
        defer { condition.unlock() }
        if exclusiveOwner == me { return me }
        if sharedHolds[me] == nil {
            while exclusiveOwner != nil || exclusiveWaiting > 0 { condition.wait() }
        }
        sharedHolds[me, default: 0] += 1
        return me
    }

    func endShared(_ holder: UInt) {
        condition.lock()
        defer { condition.unlock() }
        if exclusiveOwner == holder { return }
        guard let holds = sharedHolds[holder] else { return }
        sharedHolds[holder] = holds > 1 ? holds - 1 : nil
        condition.broadcast()
    }

    func exclusive<R>(_ body: () throws -> R) rethrows -> R {
        condition.lock()
        exclusiveWaiting += 1
        while exclusiveOwner != nil || !sharedHolds.isEmpty { condition.wait() }
        exclusiveWaiting -= 1
        exclusiveOwner = currentThreadIdent()
        condition.unlock()
        defer {
            condition.lock()
            exclusiveOwner = nil
            condition.broadcast()
            condition.unlock()
        }
        return try body()
    }
}

/// Polls `condition` until it holds; records a test failure after `timeout` seconds rather
/// than hanging. For waiting on an observable state (a thread parked, a count reached),
/// never for ordering threads by time.
func waitUntil(
    timeout: Double = shortTimeout,
    sourceLocation: SourceLocation = #_sourceLocation,
    _ condition: () -> Bool
) {
    let deadline = Deadline.after(seconds: timeout)
    while !condition() {
        if deadline.hasPassed {
            Issue.record("condition not reached within \(timeout) s", sourceLocation: sourceLocation)
            return
        }
        usleep(200)
    }
}

/// Seconds taken by `body`, on the monotonic clock.
func elapsed(_ body: () throws -> Void) rethrows -> Double {
    let start = Deadline.now
    try body()
    return Double(Deadline.now.nanoseconds - start.nanoseconds) / 1e9
}

/// CPython's `assertTimeout(actual, expected)`, tightened at the low end because our
/// timed waits never return early: `expected <= actual < expected * 10`.
func expectTimeout(_ actual: Double, _ expected: Double, sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(actual >= expected, "returned early: \(actual) < \(expected)", sourceLocation: sourceLocation)
    #expect(actual < expected * 10, "far too late: \(actual) for \(expected)", sourceLocation: sourceLocation)
}

/// A thread-safe counter.
final class Counter: Sendable {
    private let storage = Atomic<Int>(0)
    var value: Int { storage.load(ordering: .acquiring) }
    @discardableResult
    func increment() -> Int { storage.wrappingAdd(1, ordering: .acquiringAndReleasing).newValue }
}

/// A value guarded by a pthread mutex (`NSLock`), independent of the code under test.
final class Locked<Value>: @unchecked Sendable {
    private let lock = NSLock()
    private var value: Value
    init(_ value: Value) { self.value = value }
    func withLock<R>(_ body: (inout Value) throws -> R) rethrows -> R {
        lock.lock()
        defer { lock.unlock() }
        return try body(&value)
    }
    var snapshot: Value { withLock { $0 } }
}

/// Asserts that `body` throws an error of exactly class `type` whose message is `message`.
func expectPythonError<E: BaseException>(
    _ type: E.Type,
    _ message: String,
    sourceLocation: SourceLocation = #_sourceLocation,
    _ body: () throws -> Void
) {
    do {
        try body()
        Issue.record("expected \(type)(\"\(message)\"), nothing was thrown", sourceLocation: sourceLocation)
    } catch let error as BaseException {
        #expect(Swift.type(of: error) == type, "threw \(Swift.type(of: error))", sourceLocation: sourceLocation)
        #expect(error.message == message, sourceLocation: sourceLocation)
    } catch {
        Issue.record("expected \(type), got \(error)", sourceLocation: sourceLocation)
    }
}

/// Matches `text` against a regular expression (for Python's repr checks).
func matches(_ text: String, _ pattern: String) -> Bool {
    text.range(of: pattern, options: .regularExpression) != nil
}

// MARK: - Wedge detector

/// How long a test case may run before the wedge detector reports it: THREADING_WEDGE_LIMIT
/// seconds if set, otherwise 120 s, or 120 s times THREADING_STRESS_SCALE when that is
/// larger (long stress runs).
let wedgeLimit: Double = ProcessInfo.processInfo.environment["THREADING_WEDGE_LIMIT"].flatMap(Double.init)
    ?? 120 * max(1, QueueConservationTests.scale)

/// Watches running test cases from an OS thread of its own (not a `threading.Thread`, so
/// leak checks never see it, and not a task: blocked tests may occupy every cooperative
/// thread). A test case still running past its limit is reported once, with a thread dump.
///
/// This is JSR-166's wedged-test detector: a test that hangs fails with a dump of what
/// every thread waits on, instead of hanging CI.
final class Watchdog: @unchecked Sendable {
    /// A test case found running past its limit.
    struct Wedged: Sendable {
        let name: String
        let seconds: Double
        let limit: Double
        /// `threading.threadDump()` at that moment.
        let dump: String

        var report: String {
            "wedge detector: \(name) still running after \(String(format: "%.1f", seconds)) s "
                + "(limit \(String(format: "%.0f", limit)) s)\n\(dump)"
        }
    }

    /// The detector the `.wedgeDetector` trait uses: it fails the run.
    static let shared = Watchdog(onWedge: Watchdog.failRun)

    private let condition = NSCondition()
    // Guarded by `condition`.
    private var watched: [Int: (name: String, start: Deadline, limit: Double)] = [:]
    private var nextID = 0
    private var thread: PlatformThread?
    private var stopping = false
    /// How many times the watching thread has looked (for tests).
    private(set) var scans = 0

    private let pollInterval: Double
    private let onWedge: @Sendable (Wedged) -> Void

    init(pollInterval: Double = 0.25, onWedge: @escaping @Sendable (Wedged) -> Void) {
        self.pollInterval = pollInterval
        self.onWedge = onWedge
    }

    /// Starts watching `name`; returns the id to stop with.
    func begin(_ name: String, limit: Double) -> Int {
        condition.lock()
        defer { condition.unlock() }
        if thread == nil {
            thread = try? PlatformThread.spawn { [self] in watch() }
        }
        nextID += 1
        watched[nextID] = (name, .now, limit)
        return nextID
    }

    /// How many times the watching thread has looked so far.
    var scanCount: Int {
        condition.lock()
        defer { condition.unlock() }
        return scans
    }

    func end(_ id: Int) {
        condition.lock()
        watched[id] = nil
        condition.unlock()
    }

    /// Stops the watching thread and waits for it (for detectors other than `shared`).
    func stop() {
        condition.lock()
        stopping = true
        condition.broadcast()
        let thread = self.thread
        condition.unlock()
        thread?.join()
    }

    private func watch() {
        condition.lock()
        while !stopping {
            _ = condition.wait(until: Date(timeIntervalSinceNow: pollInterval))
            scans += 1
            let now = Deadline.now
            let overdue = watched.filter { Double(now.nanoseconds - $0.value.start.nanoseconds) / 1e9 > $0.value.limit }
            for (id, entry) in overdue {
                // Reported once; the test case may still end on its own.
                watched[id] = nil
                condition.unlock()
                onWedge(Wedged(
                    name: entry.name,
                    seconds: Double(now.nanoseconds - entry.start.nanoseconds) / 1e9,
                    limit: entry.limit,
                    dump: threading.threadDump()
                ))
                condition.lock()
            }
        }
        condition.unlock()
    }

    /// What `shared` does with a wedged test: prints the report, records a failure (not
    /// attributed to a test: it comes from the watching thread), then ends the process,
    /// since the wedged test would never let the run finish.
    static func failRun(_ wedged: Wedged) {
        writeToStandardError(wedged.report)
        Issue.record(Comment(rawValue: wedged.report))
        fflush(nil)
        // Lets the test runner print the issue before the process goes.
        usleep(500_000)
        fflush(nil)
        _exit(EXIT_FAILURE)
    }
}

/// Fails a test case that runs past `limit` seconds with a thread dump, instead of letting
/// it hang the run (see `Watchdog`). On a suite, it applies to every test in it.
struct WedgeDetector: TestTrait, SuiteTrait, TestScoping {
    var limit: Double
    var isRecursive: Bool { true }

    func provideScope(
        for test: Test,
        testCase: Test.Case?,
        performing function: @Sendable () async throws -> Void
    ) async throws {
        let location = test.sourceLocation
        let name = "\(test.displayName ?? test.name) (\(location.fileName):\(location.line))"
        let id = Watchdog.shared.begin(name, limit: limit)
        defer { Watchdog.shared.end(id) }
        try await function()
    }
}

extension Trait where Self == WedgeDetector {
    /// The wedge detector with the default limit (`wedgeLimit`).
    static var wedgeDetector: Self { WedgeDetector(limit: wedgeLimit) }

    /// The wedge detector with a limit of `seconds`.
    static func wedgeDetector(limit seconds: Double) -> Self { WedgeDetector(limit: seconds) }
}

/// Runs `body` on a `threading.Thread` of its own and awaits its result without holding a
/// cooperative thread, for long CPU-bound test work (the schedule explorer). Run inline,
/// such work holds a thread of Swift concurrency's pool (two of them on a 2-core machine)
/// for as long as it runs, and async tests elsewhere in the run cannot start their tasks.
///
/// The thread is a daemon and exempt from leak checks; it is always joined before this
/// returns (unless the awaiting task is cancelled, which throws `CancellationError`).
/// `body` must not record issues: it runs outside the test's task, so the caller checks
/// what it returns.
func onOwnThread<R: Sendable>(name: String, _ body: @escaping @Sendable () -> R) async throws -> R {
    let result = Locked<R?>(nil)
    let thread = threading.Thread(name: name, daemon: true) {
        let value = body()
        result.withLock { $0 = value }
    }
    ThreadCensus.shared.exempt(thread)
    try thread.start()
    try await thread.join()
    return result.snapshot!
}

/// A task executor with one OS thread of its own (a `threading.Thread`) that runs every
/// job enqueued on it. Tasks created with it as their executor preference run there and
/// nowhere else, whatever other tests hold of the cooperative pool: with it, a test can
/// show that many tasks are suspended at once on a single thread, which they could not be
/// if awaiting blocked the thread.
final class SingleThreadTaskExecutor: TaskExecutor {
    /// Jobs with the executor to run them on; nil stops the thread.
    private let jobs: queue.SimpleQueue<(UnownedJob, UnownedTaskExecutor)?>
    private let thread: threading.Thread

    init(name: String) throws {
        let jobs = queue.SimpleQueue<(UnownedJob, UnownedTaskExecutor)?>()
        self.jobs = jobs
        thread = threading.Thread(name: name, daemon: true) {
            while let (job, executor) = try jobs.get() {
                job.runSynchronously(on: executor)
            }
        }
        ThreadCensus.shared.exempt(thread)
        try thread.start()
    }

    func enqueue(_ job: consuming ExecutorJob) {
        jobs.put((UnownedJob(job), asUnownedTaskExecutor()))
    }

    /// Stops the thread once the jobs already enqueued have run, and waits for it.
    func shutdown() async throws {
        jobs.put(nil)
        try await thread.join()
    }
}
