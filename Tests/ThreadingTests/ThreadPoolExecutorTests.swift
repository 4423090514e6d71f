//===----------------------------------------------------------------------===//
//
// Threading: Python's threading model for Swift on Linux.
//
// Ports of CPython's Lib/test/test_concurrent_futures thread-pool cases: executor.py,
// test_thread_pool.py, test_as_completed.py, test_wait.py, test_shutdown.py and
// test_init.py. Where CPython sleeps to make a future slow, a task here blocks on an
// Event the test releases at the end.
//
//===----------------------------------------------------------------------===//

import Testing

@testable import Threading

typealias ThreadPoolExecutor = concurrent.futures.ThreadPoolExecutor

/// Runs `body` with a fresh pool of `workers` (CPython's ExecutorMixin: 5), shut down and
/// checked for leftover threads afterwards.
func withPool(
    workers: Int = 5,
    prefix: String = "",
    initializer: (@Sendable () throws -> Void)? = nil,
    _ body: (ThreadPoolExecutor) throws -> Void
) throws {
    try expectNoThreadLeak {
        let pool = try ThreadPoolExecutor(maxWorkers: workers, threadNamePrefix: prefix, initializer: initializer)
        try pool.withExecutor(body)
    }
}

/// Collects every result of a `map`.
func collect<T>(_ results: consuming concurrent.futures.MapResults<T>) throws -> [T] {
    var all: [T] = []
    while let next = try results.next() { all.append(next) }
    return all
}

extension ThreadObjectTests {
    @Suite("ThreadPoolExecutorTests")
    struct ThreadPoolExecutorTests {
        // MARK: executor.py

        @Test func test_submit() throws {
            try withPool { pool in
                let result = try pool.submit { 1 << 8 }.result()
                #expect(result == 256)
            }
        }

        @Test func test_map() throws {
            try withPool { pool in
                let results = try collect(pool.map({ (x: Int) in x * x }, 0..<10))
                #expect(results == (0..<10).map { $0 * $0 })
            }
        }

        @Test func test_map_exception() throws {
            try withPool { pool in
                var results = try pool.map([2, 3, 0, 5]) { (d: Int) -> Int in
                    guard d != 0 else { throw ValueError("division by zero") }
                    return 1 / d
                }
                #expect(try results.next() == 0)
                #expect(try results.next() == 0)
                #expect(throws: ValueError.self) { try results.next() }
                #expect(try results.next() == nil, "the rest were cancelled")
            }
        }

        @Test func test_map_timeout() throws {
            let release = threading.Event()
            try withPool { pool in
                var results = try pool.map([false, false, true], timeout: 0.5) { (block: Bool) -> Int in
                    if block { release.wait() }
                    return 1
                }
                #expect(try results.next() == 1)
                #expect(try results.next() == 1)
                let dt = elapsed { #expect(throws: TimeoutError.self) { try results.next() } }
                #expect(dt < 5)
                release.set()
            }
        }

        @Test func test_shutdown_race_issue12456() throws {
            try withPool { pool in
                _ = try pool.map({ (x: Int) in String(x) }, Array(repeating: 2, count: 6))
                pool.shutdown()
            }
        }

        @Test func test_max_workers_negative() {
            for workers in [0, -1] {
                expectPythonError(ValueError.self, "max_workers must be greater than 0") {
                    _ = try ThreadPoolExecutor(maxWorkers: workers)
                }
            }
        }

        // MARK: test_thread_pool.py

        @Test func test_map_dropped_part_way_cancels_the_rest() throws {
            let release = threading.Event()
            let hold = threading.Event()
            let ran = Counter()
            try withPool(workers: 1) { pool in
                do {
                    var results = try pool.map(0..<10) { (x: Int) -> Int in
                        if x == 0 { release.wait() }
                        if x == 1 { hold.wait() }
                        ran.increment()
                        return x
                    }
                    release.set()
                    #expect(try results.next() == 0)
                }
                // Dropped after one result, while the second call is running or queued:
                // the calls from the third on never run.
                hold.set()
                pool.shutdown(wait: true)
            }
            #expect(ran.value <= 2)
        }

        @Test func test_map_submits_without_iteration() throws {
            let finished = Locked<[Int]>([])
            try withPool { pool in
                _ = try pool.map({ (x: Int) in finished.withLock { $0.append(x) } }, 0..<10)
                pool.shutdown(wait: true)
            }
            #expect(finished.snapshot.sorted() == Array(0..<10))
        }

        @Test func test_default_workers() throws {
            let pool = try ThreadPoolExecutor()
            #expect(pool.maxWorkers == min(32, threading.processCPUCount + 4))
            pool.shutdown()
        }

        @Test func test_saturation() throws {
            let sem = try threading.Semaphore(value: 0)
            try withPool(workers: 4) { pool in
                for _ in 0..<60 { _ = try pool.submit { sem.acquire() } }
                #expect(pool.threads.count == 4)
                for _ in 0..<60 { sem.release() }
            }
        }

        @Test func test_idle_thread_reuse() throws {
            try withPool { pool in
                for _ in 0..<3 { _ = try pool.submit { 0 }.result() }
                #expect(pool.threads.count == 1)
            }
        }

        @Test func test_executor_map_current_future_cancel() throws {
            let stop = threading.Event()
            let log = Locked<[String]>([])
            try withPool(workers: 1) { pool in
                let first = try pool.submit {
                    log.withLock { $0.append("first started") }
                    stop.wait()
                    log.withLock { $0.append("first stopped") }
                }
                var results = try pool.map(["second", "third"], timeout: 0) { (name: String) in
                    log.withLock { $0.append("\(name) started") }
                }
                #expect(throws: TimeoutError.self) { try results.next() }
                stop.set()
                try first.result()
            }
            #expect(log.snapshot == ["first started", "first stopped"])
        }

        @Test func test_map_buffersize() throws {
            // 3.14's lazy map: at most `buffersize` calls run ahead of the results taken.
            let started = Counter()
            try withPool(workers: 2) { pool in
                var results = try pool.map(0..<100, buffersize: 3) { (x: Int) -> Int in
                    started.increment()
                    return x
                }
                waitUntil { started.value == 3 }
                #expect(started.value == 3)
                var all: [Int] = []
                while let x = try results.next() {
                    all.append(x)
                    #expect(started.value <= all.count + 3)
                }
                #expect(all == Array(0..<100))
                expectPythonError(ValueError.self, "buffersize must be None or > 0") {
                    _ = try pool.map(0..<1, buffersize: 0) { $0 }
                }
            }
        }

        // MARK: test_as_completed.py

        @Test func test_no_timeout() throws {
            try withPool { pool in
                let future1 = try pool.submit { 2 * 21 }
                let future2 = try pool.submit { 7 * 6 }
                let fixed = [Fixtures.cancelledAndNotified, Fixtures.exception, Fixtures.successful]
                var completed = concurrent.futures.asCompleted(fixed + [future1, future2])
                var seen = Set<Future<Int>>()
                while let future = try completed.next() { seen.insert(future) }
                #expect(seen == Set(fixed + [future1, future2]))
            }
        }

        @Test(arguments: [0.0, 0.1])
        func test_future_times_out(timeout: Double) throws {
            let release = threading.Event()
            try withPool { pool in
                let slow = try pool.submit { release.wait(); return 1 }
                let fixed = [Fixtures.cancelledAndNotified, Fixtures.exception, Fixtures.successful]
                var completed = concurrent.futures.asCompleted(fixed + [slow], timeout: timeout)
                var seen = Set<Future<Int>>()
                do {
                    while let future = try completed.next() { seen.insert(future) }
                    Issue.record("no TimeoutError")
                } catch is TimeoutError {}
                #expect(seen == Set(fixed))
                release.set()
            }
        }

        @Test func test_duplicate_futures() throws {
            try withPool { pool in
                let future = try pool.submit { 1 }
                var completed = concurrent.futures.asCompleted([future, future, future])
                var count = 0
                while try completed.next() != nil { count += 1 }
                #expect(count == 1)
            }
        }

        @Test func test_correct_timeout_exception_msg() {
            let futures = [Fixtures.cancelledAndNotified, Fixtures.pending, Fixtures.running, Fixtures.successful]
            var completed = concurrent.futures.asCompleted(futures, timeout: 0)
            expectPythonError(TimeoutError.self, "2 (of 4) futures unfinished") {
                while try completed.next() != nil {}
            }
        }

        // MARK: test_wait.py

        @Test func test_20369() throws {
            try withPool { pool in
                let future = try pool.submit { 1 }
                let result = try concurrent.futures.wait([future, future], returnWhen: .allCompleted)
                #expect(result.done == [future])
                #expect(result.notDone.isEmpty)
            }
        }

        @Test func test_first_completed() throws {
            let release = threading.Event()
            try withPool { pool in
                let cancelled = Fixtures.cancelled
                let f1 = try pool.submit { 21 * 2 }
                let f2 = try pool.submit { release.wait(); return 0 }
                let result = try concurrent.futures.wait([cancelled, f1, f2], returnWhen: concurrent.futures.FIRST_COMPLETED)
                #expect(result.done == [f1])
                #expect(result.notDone == [cancelled, f2])
                release.set()
            }
        }

        @Test func test_first_completed_some_already_completed() throws {
            let release = threading.Event()
            try withPool { pool in
                let f1 = try pool.submit { release.wait(); return 0 }
                let done = [Fixtures.cancelledAndNotified, Fixtures.successful]
                let result = try concurrent.futures.wait(done + [f1], returnWhen: .firstCompleted)
                #expect(result.done == Set(done))
                #expect(result.notDone == [f1])
                release.set()
            }
        }

        @Test func test_first_exception() throws {
            let failNow = threading.Event()
            let release = threading.Event()
            try withPool { pool in
                let f1 = try pool.submit { 2 * 21 }
                let f2 = try pool.submit { () throws -> Int in
                    failNow.wait()
                    throw ValueError("second")
                }
                let f3 = try pool.submit { release.wait(); return 0 }
                _ = try f1.result()
                failNow.set()
                let result = try concurrent.futures.wait([f1, f2, f3], returnWhen: .firstException)
                #expect(result.done == [f1, f2])
                #expect(result.notDone == [f3])
                release.set()
            }
        }

        @Test func test_first_exception_some_already_complete() throws {
            let release = threading.Event()
            try withPool { pool in
                let f1 = try pool.submit { () throws -> Int in throw ValueError("divmod(21, 0)") }
                let f2 = try pool.submit { release.wait(); return 0 }
                let successful = Fixtures.successful
                let cancelled = Fixtures.cancelled
                let notified = Fixtures.cancelledAndNotified
                let result = try concurrent.futures.wait(
                    [successful, cancelled, notified, f1, f2], returnWhen: .firstException)
                #expect(result.done == [successful, notified, f1])
                #expect(result.notDone == [cancelled, f2])
                release.set()
            }
        }

        @Test func test_first_exception_one_already_failed() throws {
            let release = threading.Event()
            try withPool { pool in
                let f1 = try pool.submit { release.wait(); return 0 }
                let failed = Fixtures.exception
                let result = try concurrent.futures.wait([failed, f1], returnWhen: .firstException)
                #expect(result.done == [failed])
                #expect(result.notDone == [f1])
                release.set()
            }
        }

        @Test func test_all_completed() throws {
            try withPool { pool in
                let f1 = try pool.submit { () throws -> Int in throw ValueError("divmod(2, 0)") }
                let f2 = try pool.submit { 2 * 21 }
                let fixed = [Fixtures.successful, Fixtures.cancelledAndNotified, Fixtures.exception]
                let result = try concurrent.futures.wait(fixed + [f1, f2], returnWhen: .allCompleted)
                #expect(result.done == Set(fixed + [f1, f2]))
                #expect(result.notDone.isEmpty)
            }
        }

        @Test func test_timeout() throws {
            let release = threading.Event()
            try withPool { pool in
                let slow = try pool.submit { release.wait(); return 0 }
                let fixed = [Fixtures.cancelledAndNotified, Fixtures.exception, Fixtures.successful]
                var result: concurrent.futures.DoneAndNotDoneFutures<Int>!
                let dt = try elapsed {
                    result = try concurrent.futures.wait(fixed + [slow], timeout: 0.05, returnWhen: .allCompleted)
                }
                expectTimeout(dt, 0.05)
                #expect(result.done == Set(fixed))
                #expect(result.notDone == [slow])
                release.set()
            }
        }

        @Test func test_pending_calls_race() throws {
            let event = threading.Event()
            try withPool { pool in
                let futures = try (0..<100).map { _ in try pool.submit { event.wait() } }
                event.set()
                let result = try concurrent.futures.wait(futures, returnWhen: .allCompleted)
                #expect(result.done.count == 100)
            }
        }

        // MARK: test_shutdown.py

        @Test func test_run_after_shutdown() throws {
            try withPool { pool in
                pool.shutdown()
                expectPythonError(RuntimeError.self, "cannot schedule new futures after shutdown") {
                    _ = try pool.submit { 2 * 5 }
                }
            }
        }

        @Test func test_hang_issue12364() throws {
            try withPool { pool in
                let futures = try (0..<50).map { i in try pool.submit { i } }
                pool.shutdown()
                for (i, future) in futures.enumerated() { #expect(try future.result() == i) }
            }
        }

        @Test func test_cancel_futures() throws {
            let release = threading.Event()
            try withPool(workers: 5) { pool in
                let futures = try (0..<50).map { i in try pool.submit { release.wait(); return i } }
                waitUntil { pool.threads.count == 5 && futures.filter(\.running).count == 5 }
                let shutdown = threading.Thread { pool.shutdown(wait: true, cancelFutures: true) }
                try shutdown.start()
                waitUntil { futures.filter(\.cancelled).count == 45 }
                release.set()
                try shutdown.join()
                let cancelled = futures.filter(\.cancelled)
                #expect(cancelled.count == 45)
                for future in futures where !future.cancelled {
                    #expect(future.done)
                    #expect(try future.exception() == nil)
                }
            }
        }

        @Test func test_hang_gh94440() throws {
            try withPool(workers: 1) { pool in
                _ = try pool.submit { 0 }.result()
                let future = try pool.submit { 0 }
                future.cancel()
                let dt = elapsed { pool.shutdown(wait: true) }
                #expect(dt < 5)
            }
        }

        @Test func test_threads_terminate() throws {
            let sem = try threading.Semaphore(value: 0)
            try withPool { pool in
                for _ in 0..<3 { _ = try pool.submit { sem.acquire() } }
                #expect(pool.threads.count == 3)
                for _ in 0..<3 { sem.release() }
                pool.shutdown()
                for thread in pool.threads {
                    try thread.join()
                    #expect(!thread.isAlive)
                }
            }
        }

        @Test func test_context_manager_shutdown() throws {
            var threads: [threading.Thread] = []
            try withPool { pool in
                let values = try collect(pool.map({ abs($0) }, -5..<5))
                #expect(values == [5, 4, 3, 2, 1, 0, 1, 2, 3, 4])
                threads = pool.threads
            }
            #expect(threads.allSatisfy { !$0.isAlive })
        }

        @Test func test_del_shutdown() throws {
            try expectNoThreadLeak {
                var threads: [threading.Thread] = []
                var values: [Int] = []
                do {
                    let pool = try ThreadPoolExecutor(maxWorkers: 5)
                    values = try collect(pool.map({ abs($0) }, -5..<5))
                    threads = pool.threads
                }
                // The executor is gone without shutdown(): its workers exit by themselves.
                for thread in threads { try thread.join(timeout: shortTimeout) }
                #expect(threads.allSatisfy { !$0.isAlive })
                #expect(values == [5, 4, 3, 2, 1, 0, 1, 2, 3, 4])
            }
        }

        @Test func test_shutdown_no_wait() throws {
            try expectNoThreadLeak {
                let pool = try ThreadPoolExecutor(maxWorkers: 5)
                var results = try pool.map({ abs($0) }, -5..<5)
                let threads = pool.threads
                pool.shutdown(wait: false)
                for thread in threads { try thread.join(timeout: shortTimeout) }
                var values: [Int] = []
                while let value = try results.next() { values.append(value) }
                #expect(values == [5, 4, 3, 2, 1, 0, 1, 2, 3, 4])
            }
        }

        @Test func test_thread_names_assigned() throws {
            let sem = try threading.Semaphore(value: 0)
            try withPool(prefix: "SpecialPool") { pool in
                for _ in 0..<5 { _ = try pool.submit { sem.acquire() } }
                for thread in pool.threads { #expect(matches(thread.name, "^SpecialPool_[0-4]$"), "\(thread.name)") }
                for _ in 0..<5 { sem.release() }
            }
        }

        @Test func test_thread_names_default() throws {
            let sem = try threading.Semaphore(value: 0)
            try withPool { pool in
                for _ in 0..<5 { _ = try pool.submit { sem.acquire() } }
                for thread in pool.threads {
                    #expect(matches(thread.name, "^ThreadPoolExecutor-\\d+_[0-4]$"), "\(thread.name)")
                    #expect(!thread.isDaemon)
                }
                for _ in 0..<5 { sem.release() }
            }
        }

        // MARK: test_init.py

        @Test func test_initializer() throws {
            let status = threading.local<String>()
            try withPool(workers: 2, initializer: { status.value = "initialized" }) { pool in
                let futures = try (0..<2).map { _ in try pool.submit { status.value ?? "uninitialized" } }
                for future in futures { #expect(try future.result() == "initialized") }
            }
        }

        @Test func test_failing_initializer() throws {
            try withPool(workers: 2, initializer: { throw ValueError("error in initializer") }) { pool in
                do {
                    let future = try pool.submit { 0 }
                    #expect(throws: concurrent.futures.BrokenExecutor.self) { try future.result() }
                } catch is concurrent.futures.BrokenExecutor {}
                // Once broken, submit must throw.
                waitUntil { (try? pool.submit { 0 }) == nil }
                expectPythonError(concurrent.futures.BrokenThreadPool.self,
                                  "A thread initializer failed, the thread pool is not usable anymore") {
                    _ = try pool.submit { 0 }
                }
            }
        }

        // MARK: Fault injection

        @Test func test_tasks_and_callbacks_that_throw_do_not_break_the_pool() throws {
            try withPool(workers: 2) { pool in
                let callbacks = Counter()
                let futures = try (0..<200).map { i in
                    let future = try pool.submit { () throws -> Int in
                        if i % 3 == 0 { throw ValueError("task \(i)") }
                        return i
                    }
                    future.addDoneCallback { _ in
                        callbacks.increment()
                        if i % 5 == 0 { throw Exception("callback \(i)") }
                    }
                    return future
                }
                for (i, future) in futures.enumerated() {
                    if i % 3 == 0 {
                        #expect((try future.exception() as? ValueError)?.message == "task \(i)")
                    } else {
                        #expect(try future.result() == i)
                    }
                }
                waitUntil { callbacks.value == 200 }
                #expect(try pool.submit { 7 }.result() == 7)
            }
        }

        @Test func test_cancel_racing_completion() throws {
            try withPool(workers: 4) { pool in
                for _ in 0..<50 {
                    let futures = try (0..<40).map { i in try pool.submit { i } }
                    let cancelledByUs = futures.filter { $0.cancel() }
                    for future in futures {
                        // Exactly one outcome: cancelled, or finished with its value.
                        if cancelledByUs.contains(future) {
                            #expect(throws: concurrent.futures.CancelledError.self) { try future.result() }
                        } else {
                            #expect(try future.result() == futures.firstIndex(of: future))
                        }
                    }
                    let settled = try concurrent.futures.wait(futures)
                    #expect(settled.notDone.isEmpty, "a cancelled future left pending")
                }
            }
        }

        @Test func test_shutdown_cancel_futures_racing_submit() throws {
            try expectNoThreadLeak {
                for _ in 0..<20 {
                    let pool = try ThreadPoolExecutor(maxWorkers: 3)
                    let accepted = Locked<[Future<Int>]>([])
                    let submitter = threading.Thread {
                        for i in 0..<500 {
                            guard let future = try? pool.submit({ i }) else { return }
                            accepted.withLock { $0.append(future) }
                        }
                    }
                    try submitter.start()
                    pool.shutdown(wait: true, cancelFutures: true)
                    try submitter.join()
                    for future in accepted.snapshot {
                        #expect(future.done, "\(future) left pending")
                        if !future.cancelled { _ = try future.result() }
                    }
                    #expect(try concurrent.futures.wait(accepted.snapshot, timeout: 0).notDone.isEmpty)
                }
            }
        }
    }
}

@Suite("AsyncBridgeTests", .wedgeDetector)
struct AsyncBridgeTests {
    @Test func test_future_value_does_not_block_cooperative_threads() async throws {
        // 200 tasks awaiting on an executor with a single thread: had `value` blocked the
        // thread, the tasks could never all be waiting at once, and nothing would complete
        // them. The executor's thread is the tasks' own, so the test does not depend on
        // how many threads of the cooperative pool other tests leave free.
        let executor = try SingleThreadTaskExecutor(name: "one-thread")
        let futures = (0..<200).map { _ in Future<Int>() }
        try await withThrowingTaskGroup(of: Int.self) { group in
            for future in futures {
                group.addTask(executorPreference: executor) { try await future.value }
            }
            // Complete them from a plain thread once every task is suspended in a future.
            let completer = try PlatformThread.spawn {
                waitUntil { futures.allSatisfy { $0.blockedCount == 1 } }
                for (i, future) in futures.enumerated() { try? future.setResult(i) }
            }
            var sum = 0
            for try await value in group { sum += value }
            completer.join()
            #expect(sum == (0..<200).reduce(0, +))
        }
        try await executor.shutdown()
    }

    @Test func test_future_value_errors() async {
        let failed = Future<Int>()
        try? failed.setException(ValueError("boom"))
        await #expect(throws: ValueError.self) { try await failed.value }
        let cancelled = Future<Int>()
        cancelled.cancel()
        await #expect(throws: concurrent.futures.CancelledError.self) { try await cancelled.value }
    }

    @Test func test_task_cancellation_leaves_future_pending() async throws {
        let future = Future<Int>()
        let task = Task { try await future.value }
        while future.blockedCount == 0 { await Task.yield() }
        task.cancel()
        await #expect(throws: CancellationError.self) { try await task.value }
        #expect(!future.done)
        #expect(future.blockedCount == 0)
        // A task cancelled before it waits never queues.
        let early = Task {
            withUnsafeCurrentTask { $0?.cancel() }
            return try await future.value
        }
        await #expect(throws: CancellationError.self) { try await early.value }
        #expect(future.blockedCount == 0)
    }

    @Test func test_event_and_join_bridges() async throws {
        let event = threading.Event()
        let thread = threading.Thread(name: "setter", daemon: true) { event.set() }
        ThreadCensus.shared.exempt(thread)
        try await withThrowingTaskGroup(of: Bool.self) { group in
            for _ in 0..<100 { group.addTask { try await event.wait() } }
            while event.waitingCount < 100 { await Task.yield() }
            try thread.start()
            var woken = 0
            for try await value in group where value { woken += 1 }
            #expect(woken == 100)
        }
        try await thread.join()
        #expect(!thread.isAlive)
    }
}

extension AsyncBridgeTests {
    @Test func test_queue_get_does_not_block_cooperative_threads() async throws {
        // As for `Future.value`: 100 getters on an executor with one thread of its own.
        let executor = try SingleThreadTaskExecutor(name: "one-thread")
        let q = queue.Queue<Int>()
        try await withThrowingTaskGroup(of: Int.self) { group in
            for _ in 0..<100 { group.addTask(executorPreference: executor) { try await q.get() } }
            // Every task suspended in get(), none holding the thread; then feed them from a
            // plain thread.
            let feeder = try PlatformThread.spawn {
                waitUntil { q.waitingGetters == 100 }
                for i in 0..<100 { try? q.put(i) }
            }
            var received: [Int] = []
            for try await value in group { received.append(value) }
            feeder.join()
            #expect(received.sorted() == Array(0..<100))
        }
        try await executor.shutdown()
        #expect(q.qsize == 0)
    }

    @Test func test_cancelled_queue_get_takes_nothing() async throws {
        let q = queue.Queue<Int>()
        let task = Task { try await q.get() }
        while q.waitingGetters == 0 { await Task.yield() }
        task.cancel()
        await #expect(throws: CancellationError.self) { try await task.value }
        #expect(q.waitingGetters == 0)
        // The next item goes to the next getter, not to the cancelled one.
        try q.putNowait(5)
        #expect(try await q.get() == 5)
        #expect(q.qsize == 0)
    }

    @Test func test_queue_get_async_after_shutdown() async throws {
        let q = queue.Queue<Int>()
        try q.putNowait(1)
        q.shutdown()
        #expect(try await q.get() == 1)
        await #expect(throws: queue.ShutDown.self) { try await q.get() }
    }
}
