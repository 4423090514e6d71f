//===----------------------------------------------------------------------===//
//
// Threading: Python's threading model for Swift on Linux.
//
// Ports of CPython's Lib/test/test_threading.py (ThreadTests, ThreadingExceptionTests,
// ExceptHookTests, TimerTests) and Lib/test/test_thread.py, in process. Behaviour at
// process exit is in ChildProcessTests.
//
// Every suite that starts `threading.Thread`s lives under `ThreadObjectTests`, which runs
// serialized: they count live threads, which tests running alongside would disturb.
//
//===----------------------------------------------------------------------===//

#if canImport(Glibc)
import Glibc
#endif
import Synchronization
import Testing

@testable import Threading

@Suite(.serialized, .wedgeDetector)
struct ThreadObjectTests {}

/// Runs `body` and checks that it left no thread behind: once it returns, every live
/// thread was already alive before it, so `threading.activeCount()` is back to its
/// starting value (or lower, if a Dispatch worker with a dummy object exited meanwhile).
func expectNoThreadLeak(sourceLocation: SourceLocation = #_sourceLocation, _ body: () throws -> Void) rethrows {
    try ThreadCensus.shared.exclusive {
        // The test's own (pool) thread gets its dummy object first, so it is in the baseline.
        _ = threading.currentThread()
        // Held, so no new thread object can reuse an earlier one's identity.
        let before = ThreadCensus.shared.countedThreads()
        let known = Set(before.map(ObjectIdentifier.init))
        try body()
        func leaked() -> [threading.Thread] {
            ThreadCensus.shared.countedThreads().filter { !known.contains(ObjectIdentifier($0)) }
        }
        waitUntil(sourceLocation: sourceLocation) { leaked().isEmpty }
        #expect(leaked().isEmpty, "threads left behind: \(leaked())", sourceLocation: sourceLocation)
        #expect(ThreadCensus.shared.countedThreads().count <= before.count, sourceLocation: sourceLocation)
        withExtendedLifetime(before) {}
    }
}

extension ThreadObjectTests {
    @Suite("ThreadTests")
    struct ThreadTests {
        @Test func test_name() throws {
            try expectNoThreadLeak {
                #expect(threading.Thread(name: "myname1").name == "myname1")
                let first = threading.Thread().name
                let second = threading.Thread(name: "").name
                let n = try #require(Int(first.dropFirst("Thread-".count)))
                #expect(first == "Thread-\(n)")
                #expect(second == "Thread-\(n + 1)")
                // The counter is shared with dummy threads.
                let dummyName = Locked("")
                try Bunch.run(count: 1, raw: true) { _ in
                    let name = threading.currentThread().name
                    dummyName.withLock { $0 = name }
                }
                #expect(dummyName.snapshot == "Dummy-\(n + 2)")
                #expect(threading.Thread().name == "Thread-\(n + 3)")
                let renamed = threading.Thread(name: "before")
                renamed.name = "after"
                #expect(renamed.name == "after")
            }
        }

        @Test func test_os_thread_name() throws {
            try expectNoThreadLeak {
                let seen = Locked<[String]>([])
                for name in ["short", "Ωmega-θ-and-a-long-tail", "exactly-15-byte"] {
                    let thread = threading.Thread(name: name) {
                        seen.withLock { $0.append(ThreadNames.currentOSName()) }
                    }
                    try thread.start()
                    try thread.join()
                    #expect(thread.name == name, "the full name is kept")
                }
                // "Ωmega-θ-" is 10 bytes; "and-a" takes it to 15.
                #expect(seen.snapshot == ["short", "Ωmega-θ-and-a", "exactly-15-byte"])
                // A thread that renames itself renames its OS thread too.
                let renamed = Locked("")
                let thread = threading.Thread(name: "first") {
                    threading.currentThread().name = "second"
                    renamed.withLock { $0 = ThreadNames.currentOSName() }
                }
                try thread.start()
                try thread.join()
                #expect(renamed.snapshot == "second")
            }
        }

        final class TestThread: threading.Thread, @unchecked Sendable {
            let semaphore: threading.BoundedSemaphore
            let mutex: threading.RLock
            let running: Locked<(now: Int, peak: Int)>

            init(name: String, semaphore: threading.BoundedSemaphore, mutex: threading.RLock,
                 running: Locked<(now: Int, peak: Int)>) {
                self.semaphore = semaphore
                self.mutex = mutex
                self.running = running
                super.init(name: name)
            }

            override func run() throws {
                semaphore.withLock {
                    mutex.withLock { running.withLock { $0.now += 1; $0.peak = max($0.peak, $0.now) } }
                    #expect(running.snapshot.now <= 3)
                    for _ in 0..<Int.random(in: 0...1000) { _ = threading.getIdent() }
                    mutex.withLock { running.withLock { $0.now -= 1 } }
                    #expect(running.snapshot.now >= 0)
                }
            }
        }

        func variousOps() throws {
            try expectNoThreadLeak {
                let semaphore = try threading.BoundedSemaphore(value: 3)
                let mutex = threading.RLock()
                let running = Locked((now: 0, peak: 0))
                var threads: [TestThread] = []
                for i in 0..<10 {
                    let t = TestThread(name: "<thread \(i)>", semaphore: semaphore, mutex: mutex, running: running)
                    threads.append(t)
                    #expect(t.ident == nil)
                    #expect(matches(t.description, #"^<TestThread\(.*, initial daemon\)>$"#), "\(t)")
                    try t.start()
                }
                let nativeIDs = Set(threads.compactMap(\.nativeID) + [threading.getNativeID()])
                #expect(nativeIDs.count == 11)
                for t in threads {
                    try t.join()
                    #expect(!t.isAlive)
                    #expect(t.ident != nil && t.ident != 0)
                    #expect(matches(t.description, #"^<TestThread\(.*, stopped daemon \d+\)>$"#), "\(t)")
                }
                #expect(running.snapshot.now == 0)
                #expect(running.snapshot.peak <= 3)
            }
        }

        @Test func test_various_ops() throws {
            try variousOps()
        }

        @Test func test_various_ops_small_stack() throws {
            let old = try threading.stackSize(262_144)
            defer { _ = try? threading.stackSize(old) }
            try variousOps()
        }

        @Test func test_various_ops_large_stack() throws {
            let old = try threading.stackSize(0x100000)
            defer { _ = try? threading.stackSize(old) }
            try variousOps()
        }

        @Test func test_ident_of_no_threading_threads() throws {
            #expect(threading.mainThread().ident != nil)
            let seen = Locked<UInt?>(nil)
            let done = threading.Event()
            let ident = try _thread.startNewThread {
                seen.withLock { $0 = threading.currentThread().ident }
                done.set()
            }
            done.wait()
            #expect(seen.snapshot == ident)
        }

        @Test func test_foreign_thread() throws {
            try expectNoThreadLeak {
                let dummy = Locked<threading.Thread?>(nil)
                let bunch = Bunch(count: 1, raw: true, waitBeforeExit: true) { _ in
                    let current = threading.currentThread()
                    dummy.withLock { $0 = current }
                }
                bunch.waitForFinished()
                let thread = try #require(dummy.snapshot)
                #expect(thread is threading._DummyThread)
                #expect(thread.isAlive)
                #expect(thread.isDaemon)
                #expect(thread.description.contains("_DummyThread"))
                #expect(threading.enumerate().contains { $0 === thread })
                expectPythonError(RuntimeError.self, "cannot join a dummy thread") { try thread.join() }
                try bunch.join()
                // Gone once its OS thread has exited.
                waitUntil { !threading.enumerate().contains { $0 === thread } }
                dummy.withLock { $0 = nil }
            }
        }

        @Test func test_limbo_cleanup() {
            expectNoThreadLeak {
                let thread = threading.Thread {}
                FaultInjection.force(EAGAIN, on: .threadCreate, count: 1)
                expectPythonError(RuntimeError.self, "can't start new thread") { try thread.start() }
                FaultInjection.force(0, on: .threadCreate, count: 0)
                #expect(!threading.enumerate().contains { $0 === thread })
                #expect(!thread.isAlive)
            }
        }

        @Test func test_enumerate_after_join() throws {
            try expectNoThreadLeak {
                for _ in 0..<99 {
                    let t = threading.Thread {}
                    try t.start()
                    try t.join()
                    #expect(!threading.enumerate().contains { $0 === t })
                }
            }
        }

        @Test func test_join_from_multiple_threads() throws {
            try expectNoThreadLeak {
                for n in [2, 7, 19] {
                    let go = threading.Event()
                    let worker = threading.Thread { go.wait() }
                    try worker.start()
                    let joined = Counter()
                    let joiners = (0..<n).map { _ in
                        threading.Thread {
                            try worker.join()
                            if !worker.isAlive { joined.increment() }
                        }
                    }
                    for joiner in joiners { try joiner.start() }
                    waitUntil { worker.waiters.withLock { worker.waiters.count } == n }
                    go.set()
                    for joiner in joiners { try joiner.join() }
                    #expect(joined.value == n)
                }
            }
        }

        @Test func test_join_with_timeout() throws {
            try expectNoThreadLeak {
                let lock = threading.Lock()
                lock.acquire()
                let worker = threading.Thread { lock.withLock {} }
                try worker.start()
                let dt = try elapsed { try worker.join(timeout: 0.01) }
                #expect(worker.isAlive)
                expectTimeout(dt, 0.01)
                try lock.release()
                try worker.join()
                #expect(!worker.isAlive)
            }
        }

        @Test func test_no_refcycle_through_target() throws {
            final class Payload: Sendable {}
            try expectNoThreadLeak {
                weak var weakPayload: Payload?
                let thread: threading.Thread
                do {
                    let payload = Payload()
                    weakPayload = payload
                    thread = threading.Thread { withExtendedLifetime(payload) {} }
                }
                try thread.start()
                try thread.join()
                // The finished thread no longer holds its target, nor what it captured.
                #expect(weakPayload == nil)
                withExtendedLifetime(thread) {}
            }
        }

        @Test func test_repr_daemon() throws {
            let t = threading.Thread(daemon: false)
            #expect(!t.description.contains("daemon"))
            try t.setDaemon(true)
            #expect(t.description.contains("daemon"))
        }

        @Test func test_daemon_param() throws {
            #expect(threading.Thread(daemon: false).isDaemon == false)
            #expect(threading.Thread(daemon: true).isDaemon == true)
            // nil inherits the creating thread's status: a non-daemon thread's child is not
            // a daemon, a daemon's child is.
            try expectNoThreadLeak {
                let inherited = Locked<[Bool]>([])
                for parentIsDaemon in [false, true] {
                    let parent = threading.Thread(daemon: parentIsDaemon) {
                        let child = threading.Thread()
                        inherited.withLock { $0.append(child.isDaemon) }
                    }
                    try parent.start()
                    try parent.join()
                }
                #expect(inherited.snapshot == [false, true])
            }
        }

        @Test func test_main_thread() throws {
            let main = threading.mainThread()
            #expect(main.name == "MainThread")
            #expect(main.isAlive)
            #expect(!main.isDaemon)
            #expect(main.description.hasPrefix("<_MainThread(MainThread, started "))
            try expectNoThreadLeak {
                let other = Locked<(UInt, UInt)>((0, 0))
                let thread = threading.Thread {
                    other.withLock { $0 = (threading.getIdent(), threading.mainThread().ident ?? 0) }
                }
                try thread.start()
                try thread.join()
                #expect(other.snapshot.0 != other.snapshot.1)
                #expect(other.snapshot.1 == main.ident)
            }
        }

        @Test func test_repr_stopped() throws {
            try expectNoThreadLeak {
                let lock = threading.Lock()
                lock.acquire()
                let t = threading.Thread { lock.withLock {} }
                try t.start()
                #expect(t.description.contains("started"))
                try lock.release()
                waitUntil { t.description.contains("stopped") }
                #expect(t.description.contains("stopped"))
                try t.join()
            }
        }

        @Test func test_BoundedSemaphore_limit() throws {
            try expectNoThreadLeak {
                for limit in 1..<10 {
                    let bs = try threading.BoundedSemaphore(value: limit)
                    let acquirers = (0..<limit).map { _ in threading.Thread { bs.acquire() } }
                    for t in acquirers { try t.start() }
                    for t in acquirers { try t.join() }
                    let releasers = (0..<limit).map { _ in threading.Thread { try bs.release() } }
                    for t in releasers { try t.start() }
                    for t in releasers { try t.join() }
                    expectPythonError(ValueError.self, "Semaphore released too many times") { try bs.release() }
                }
            }
        }

        @Test func test_leak_without_join() throws {
            try expectNoThreadLeak {
                let t = threading.Thread {}
                try t.start()
                // Never joined: it still leaves the registry when it ends.
            }
        }

        @Test func test_start_returns_with_identity() throws {
            try expectNoThreadLeak {
                let inside = Locked<(UInt, Int)>((0, 0))
                let go = threading.Event()
                let t = threading.Thread {
                    inside.withLock { $0 = (threading.getIdent(), threading.getNativeID()) }
                    go.wait()
                }
                #expect(t.ident == nil && t.nativeID == nil)
                try t.start()
                let ident = try #require(t.ident)
                let nativeID = try #require(t.nativeID)
                #expect(t.isAlive)
                #expect(threading.enumerate().contains { $0 === t })
                go.set()
                try t.join()
                #expect(inside.snapshot == (ident, nativeID))
                #expect(t.ident == ident, "the ident is kept after the thread ends")
            }
        }

        @Test func test_current_thread_inside_thread() throws {
            try expectNoThreadLeak {
                let seen = Locked<threading.Thread?>(nil)
                let t = threading.Thread { seen.withLock { $0 = threading.currentThread() } }
                try t.start()
                try t.join()
                #expect(seen.snapshot === t)
                seen.withLock { $0 = nil }
            }
        }
    }

    @Suite("ThreadingExceptionTests")
    struct ThreadingExceptionTests {
        @Test func test_start_thread_again() throws {
            try expectNoThreadLeak {
                let t = threading.Thread {}
                try t.start()
                expectPythonError(RuntimeError.self, "threads can only be started once") { try t.start() }
                try t.join()
                expectPythonError(RuntimeError.self, "threads can only be started once") { try t.start() }
            }
        }

        @Test func test_joining_current_thread() throws {
            try expectNoThreadLeak {
                let error = Locked<String?>(nil)
                let t = threading.Thread {
                    do {
                        try threading.currentThread().join()
                    } catch let e as RuntimeError {
                        error.withLock { $0 = e.message }
                    }
                }
                try t.start()
                try t.join()
                #expect(error.snapshot == "cannot join current thread")
            }
        }

        @Test func test_joining_inactive_thread() {
            let t = threading.Thread {}
            expectPythonError(RuntimeError.self, "cannot join thread before it is started") { try t.join() }
        }

        @Test func test_daemonize_active_thread() throws {
            try expectNoThreadLeak {
                let go = threading.Event()
                let t = threading.Thread { go.wait() }
                try t.start()
                expectPythonError(RuntimeError.self, "cannot set daemon status of active thread") {
                    try t.setDaemon(true)
                }
                go.set()
                try t.join()
                // Even after the thread finished.
                expectPythonError(RuntimeError.self, "cannot set daemon status of active thread") {
                    try t.setDaemon(false)
                }
            }
        }

        @Test func test_releasing_unacquired_lock() {
            expectPythonError(RuntimeError.self, "release unlocked lock") { try threading.Lock().release() }
        }

        @Test func test_join_timeout_overflow() throws {
            try expectNoThreadLeak {
                let t = threading.Thread {}
                try t.start()
                try t.join()
                // Python 3.13 checks even for a finished thread.
                expectPythonError(OverflowError.self, "timestamp out of range for platform time_t") {
                    try t.join(timeout: threading.TIMEOUT_MAX * 2)
                }
                try t.join(timeout: -1)
            }
        }

        @Test func test_stack_size_errors() {
            expectPythonError(ValueError.self, "size must be 0 or a positive value") { try threading.stackSize(-1) }
            expectPythonError(ValueError.self, "size not valid: 1000 bytes") { try threading.stackSize(1000) }
            expectPythonError(ValueError.self, "size not valid: 32767 bytes") { try threading.stackSize(32767) }
            #expect(threading.stackSize() == 0)
        }
    }

    @Suite("ExceptHookTests")
    struct ExceptHookTests {
        @Test func test_custom_excepthook() throws {
            let captured = Locked<threading.ExceptHookArgs?>(nil)
            threading.excepthook = { args in captured.withLock { $0 = args } }
            defer { threading.excepthook = threading.__excepthook__ }
            try expectNoThreadLeak {
                let t = threading.Thread(name: "failing") { throw ValueError("run failed") }
                try t.start()
                try t.join()
                let args = try #require(captured.snapshot)
                #expect(ObjectIdentifier(args.excType) == ObjectIdentifier(ValueError.self))
                #expect((args.excValue as? ValueError)?.message == "run failed")
                #expect(args.thread === t)
                #expect(!t.isAlive, "the thread ends after the hook")
                captured.withLock { $0 = nil }
            }
        }

        @Test func test_system_exit() throws {
            let called = Counter()
            threading.excepthook = { _ in called.increment() }
            defer { threading.excepthook = threading.__excepthook__ }
            try expectNoThreadLeak {
                let t = threading.Thread { try _thread.exit() }
                try t.start()
                try t.join()
                #expect(called.value == 0, "SystemExit ends a thread silently")
            }
        }
    }

    @Suite("TimerTests")
    struct TimerTests {
        @Test func test_init_immutable_default_args() throws {
            // Swift closures carry their own arguments; what remains of the case is that
            // each timer fires its own function, once.
            try expectNoThreadLeak {
                let calls = Locked<[Int]>([])
                let t1 = threading.Timer(interval: 0.01) { calls.withLock { $0.append(1) } }
                let t2 = threading.Timer(interval: 0.01) { calls.withLock { $0.append(2) } }
                try t1.start()
                try t1.join()
                try t2.start()
                try t2.join()
                #expect(calls.snapshot == [1, 2])
            }
        }

        @Test func test_cancelled_timer_never_runs() throws {
            try expectNoThreadLeak {
                let ran = Counter()
                let t = threading.Timer(interval: 30) { ran.increment() }
                try t.start()
                t.cancel()
                try t.join()
                #expect(ran.value == 0)
                #expect(t.finished.isSet)
                // Cancelled before start: starts, sees the flag, never calls.
                let early = threading.Timer(interval: 0) { ran.increment() }
                early.cancel()
                try early.start()
                try early.join()
                #expect(ran.value == 0)
            }
        }

        @Test func test_timer_waits_its_interval() throws {
            try expectNoThreadLeak {
                let fired = threading.Event()
                let start = Deadline.now
                let t = threading.Timer(interval: 0.1) { fired.set() }
                try t.start()
                fired.wait()
                expectTimeout(Double(Deadline.now.nanoseconds - start.nanoseconds) / 1e9, 0.1)
                try t.join()
                // Cancelling after it fired is harmless.
                t.cancel()
            }
        }

        @Test func test_timer_name() {
            let t = threading.Timer(interval: 1) {}
            #expect(t.name.hasPrefix("Thread-"))
            #expect(t.description.hasPrefix("<Timer(Thread-"))
        }
    }

    /// Lib/test/test_thread.py: raw threads, stack sizes, and joining.
    @Suite("ThreadRunningTests")
    struct ThreadRunningTests {
        @Test func test_starting_threads() throws {
            let done = threading.Lock()
            done.acquire()
            let running = Locked(10)
            for _ in 0..<10 {
                try _thread.startNewThread {
                    let left = running.withLock { $0 -= 1; return $0 }
                    if left == 0 { try done.release() }
                }
            }
            #expect(try done.acquire(timeout: shortTimeout))
            #expect(running.snapshot == 0)
        }

        @Test func test_stack_size() throws {
            #expect(_thread.stackSize() == 0)
            #expect(try _thread.stackSize(0) == 0)
            #expect(_thread.stackSize() == 0)
        }

        @Test func test_nt_and_posix_stack_size() throws {
            expectPythonError(ValueError.self, "size not valid: 4096 bytes") { try _thread.stackSize(4096) }
            defer { _ = try? _thread.stackSize(0) }
            for size in [262_144, 0x100000, 0] {
                try _thread.stackSize(size)
                #expect(_thread.stackSize() == size)
                try expectNoThreadLeak {
                    let threads = (0..<10).map { _ in threading.Thread {} }
                    for t in threads { try t.start() }
                    for t in threads { try t.join() }
                }
            }
        }

        @Test func test_join_thread() throws {
            try expectNoThreadLeak {
                let inside = Locked<UInt>(0)
                let gate = threading.Event()
                let t = threading.Thread {
                    _ = try gate.wait(timeout: 0.05)
                    inside.withLock { $0 = threading.getIdent() }
                }
                try t.start()
                try t.join()
                #expect(inside.snapshot == t.ident)
                // test_join_thread_already_exited / test_join_several_times
                try t.join()
                try t.join(timeout: 0)
            }
        }

        @Test func test_join_from_self() throws {
            try expectNoThreadLeak {
                let error = Locked<String?>(nil)
                let t = threading.Thread {
                    do {
                        try threading.currentThread().join(timeout: 1)
                    } catch let e as RuntimeError {
                        error.withLock { $0 = e.message }
                    }
                }
                try t.start()
                try t.join()
                #expect(error.snapshot == "cannot join current thread")
            }
        }

        @Test func test_join_then_self_join() throws {
            try expectNoThreadLeak {
                let gate = threading.Event()
                let errors = Locked<[String]>([])
                let t1Box = Locked<threading.Thread?>(nil)
                let t1 = threading.Thread {
                    gate.wait()
                    do {
                        try t1Box.snapshot?.join()
                    } catch let e as RuntimeError {
                        errors.withLock { $0.append(e.message) }
                    }
                }
                t1Box.withLock { $0 = t1 }
                let t0 = threading.Thread { try t1.join() }
                try t1.start()
                try t0.start()
                waitUntil { t1.waiters.withLock { t1.waiters.count } == 1 }
                gate.set()
                try t0.join()
                try t1.join()
                #expect(errors.snapshot == ["cannot join current thread"])
                t1Box.withLock { $0 = nil }
            }
        }

        @Test func test_barrier_from_raw_locks() throws {
            // A home-made barrier from two locks, each released by threads that did not
            // acquire it: cross-thread Lock.release under stress.
            let n = 10
            let trips = 3
            let checkin = threading.Lock()
            let checkout = threading.Lock()
            checkout.acquire()
            let waiting = Locked(0)
            let completed = Counter()
            @Sendable func enter() throws {
                checkin.acquire()
                let arrived = waiting.withLock { $0 += 1; return $0 }
                if arrived == n {
                    try checkout.release()
                } else {
                    try checkin.release()
                }
                checkout.acquire()
                let left = waiting.withLock { $0 -= 1; return $0 }
                if left == 0 {
                    try checkin.release()
                } else {
                    try checkout.release()
                }
            }
            try Bunch.run(count: n) { _ in
                for _ in 0..<trips {
                    for _ in 0..<Int.random(in: 0...2000) { _ = threading.getIdent() }
                    try enter()
                }
                completed.increment()
            }
            #expect(completed.value == n)
        }
    }
}
