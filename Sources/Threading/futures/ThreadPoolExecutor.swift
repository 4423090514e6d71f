//===----------------------------------------------------------------------===//
//
// Threading: Python's threading model for Swift on Linux.
//
//===----------------------------------------------------------------------===//

import Synchronization

extension concurrent.futures {
    /// Python's `concurrent.futures.ThreadPoolExecutor`: runs calls on a pool of at most
    /// `maxWorkers` threads and hands back `Future`s.
    ///
    /// Invariant: a worker thread is started only when queued calls outnumber idle
    /// workers, never beyond `maxWorkers`; after `shutdown` no call is accepted, and every
    /// accepted call either runs or has its future cancelled.
    ///
    ///     let pool = try concurrent.futures.ThreadPoolExecutor(maxWorkers: 4)
    ///     try pool.withExecutor { pool in
    ///         var squares = try pool.map({ $0 * $0 }, 1...10)
    ///         while let square = try squares.next() { print(square) }
    ///     }
    ///
    /// Workers are non-daemon threads named `ThreadPoolExecutor-K_I` (or `PREFIX_I`). A
    /// pool still running at process exit is shut down, its queued calls run, before the
    /// non-daemon threads are joined; dropping the last reference to an executor shuts it
    /// down without waiting.
    public final class ThreadPoolExecutor: @unchecked Sendable {
        /// The most threads the pool starts.
        public let maxWorkers: Int
        @usableFromInline internal let core: PoolCore

        /// Python's default `max_workers`: `min(32, CPUs this process may use + 4)`.
        public static var defaultMaxWorkers: Int {
            min(32, threading.processCPUCount + 4)
        }

        /// Creates a pool; threads start as work arrives.
        ///
        /// - Parameters:
        ///   - maxWorkers: the most threads to start (default: `defaultMaxWorkers`).
        ///   - threadNamePrefix: worker names are `PREFIX_I`; empty gives
        ///     `ThreadPoolExecutor-K`.
        ///   - initializer: runs in each worker before its first call; if it throws, the
        ///     pool is broken: pending and later calls fail with `BrokenThreadPool`.
        /// - Throws: `ValueError("max_workers must be greater than 0")`.
        public init(
            maxWorkers: Int? = nil,
            threadNamePrefix: String = "",
            initializer: (@Sendable () throws -> Void)? = nil
        ) throws {
            let maxWorkers = maxWorkers ?? Self.defaultMaxWorkers
            guard maxWorkers > 0 else { throw ValueError("max_workers must be greater than 0") }
            self.maxWorkers = maxWorkers
            let prefix = threadNamePrefix.isEmpty
                ? "ThreadPoolExecutor-\(poolCounter.wrappingAdd(1, ordering: .relaxed).oldValue)"
                : threadNamePrefix
            core = PoolCore(maxWorkers: maxWorkers, threadNamePrefix: prefix, initializer: initializer)
            LivePools.shared.add(core)
        }

        deinit {
            core.shutdown(wait: false, cancelFutures: false)
        }

        /// Schedules `fn` and returns its future.
        ///
        /// - Throws: `RuntimeError("cannot schedule new futures after shutdown")`,
        ///   `BrokenThreadPool` if an initializer failed, `RuntimeError("can't start new
        ///   thread")` if a needed worker cannot start.
        // Inlinable, so the caller's compiler specialises it for the caller's T: generic
        // code in the library would look `Future<T>`'s type metadata up at run time for
        // every submitted call.
        @inlinable
        public func submit<T: Sendable>(_ fn: @escaping @Sendable () throws -> T) throws -> Future<T> {
            let future = Future<T>()
            try core.submit(PoolCore.WorkItem(future: future, fn))
            return future
        }

        /// Calls `fn` on each of `items` in the pool, and returns their results in input
        /// order (Python's `Executor.map`).
        ///
        /// Every call is submitted now, or with `buffersize`, at most that many ahead of
        /// the results taken. `timeout` counts from this call. When a result is an error or
        /// the time is up, `next()` throws and the calls not yet taken are cancelled.
        ///
        /// - Throws: what `submit` throws; `ValueError("buffersize must be None or > 0")`.
        public func map<Input, Output: Sendable>(
            _ fn: @escaping @Sendable (Input) throws -> Output,
            _ items: some Sequence<Input>,
            timeout: Double? = nil,
            buffersize: Int? = nil
        ) throws -> MapResults<Output> where Input: Sendable {
            if let buffersize, buffersize < 1 { throw ValueError("buffersize must be None or > 0") }
            var inputs = items.makeIterator()
            let submitNext: () throws -> Future<Output>? = { [self] in
                guard let input = inputs.next() else { return nil }
                return try submit { try fn(input) }
            }
            return try MapResults(timeout: timeout, buffersize: buffersize, submitNext: submitNext)
        }

        /// `map(_:_:timeout:buffersize:)` with the function last, for a trailing closure.
        public func map<Input, Output: Sendable>(
            _ items: some Sequence<Input>,
            timeout: Double? = nil,
            buffersize: Int? = nil,
            _ fn: @escaping @Sendable (Input) throws -> Output
        ) throws -> MapResults<Output> where Input: Sendable {
            try map(fn, items, timeout: timeout, buffersize: buffersize)
        }

        /// Stops accepting calls. Calls already queued still run unless `cancelFutures`,
        /// which cancels those not yet started; with `wait`, returns once every worker has
        /// exited. Safe to call more than once.
        @available(*, noasync, message: "shutdown() may join threads; use it outside async code")
        public func shutdown(wait: Bool = true, cancelFutures: Bool = false) {
            core.shutdown(wait: wait, cancelFutures: cancelFutures)
        }

        /// Runs `body` with the pool and shuts it down (waiting) when `body` returns or
        /// throws: Python's `with ThreadPoolExecutor() as pool:`.
        @available(*, noasync, message: "withExecutor() joins threads; use it outside async code")
        public func withExecutor<Result>(_ body: (ThreadPoolExecutor) throws -> Result) rethrows -> Result {
            defer { shutdown(wait: true) }
            return try body(self)
        }

        /// The worker threads started so far (for tests: Python's `_threads`).
        internal var threads: [threading.Thread] { core.startedThreads }
    }

    /// The results of `ThreadPoolExecutor.map`, in input order.
    ///
    /// Dropping it part-way through cancels the calls whose results were not taken, as
    /// closing Python's generator does; dropping it before the first `next()` cancels
    /// nothing (a generator never started runs no cleanup), so every call still runs.
    public struct MapResults<Output: Sendable>: ~Copyable {
        /// When the time is up, in seconds on the monotonic clock, as Python computes it:
        /// `timeout + monotonic()`, unchecked (NaN and infinity included).
        private let endTime: Double?
        private var futures: [Future<Output>] = []
        private var taken = 0
        private var submitNext: (() throws -> Future<Output>?)?

        init(timeout: Double?, buffersize: Int?, submitNext: @escaping () throws -> Future<Output>?) throws {
            // Not validated here: as in Python, a NaN, infinite or too large timeout only
            // matters to a `next()` that has to wait (`Future.result`'s rules then apply).
            let endTime = timeout.map { $0 + Deadline.now.seconds }
            var futures: [Future<Output>] = []
            while buffersize.map({ futures.count < $0 }) ?? true, let future = try submitNext() {
                futures.append(future)
            }
            self.endTime = endTime
            self.futures = futures
            self.submitNext = buffersize == nil ? nil : submitNext
        }

        deinit {
            guard taken > 0 else { return }
            for future in futures[taken...] { future.cancel() }
        }

        /// The next result, waiting for it until the deadline; `nil` after the last.
        ///
        /// - Throws: the call's error, or `TimeoutError`, or `OverflowError` for a timeout
        ///   beyond `threading.TIMEOUT_MAX` when the result is not ready yet; the remaining
        ///   calls are then cancelled.
        @available(*, noasync, message: "next() blocks the thread; use it outside async code")
        public mutating func next() throws -> Output? {
            guard taken < futures.count else { return nil }
            let future = futures[taken]
            taken += 1
            do {
                if let submitNext, let more = try submitNext() { futures.append(more) }
                return try future.result(timeout: endTime.map { $0 - Deadline.now.seconds })
            } catch {
                future.cancel()
                for pending in futures[taken...] { pending.cancel() }
                taken = futures.count
                submitNext = nil
                throw error
            }
        }
    }
}

/// Python's class-wide counter of default pool names.
private let poolCounter = Atomic<Int>(0)

/// The state a pool's workers share with it: the queue of calls and the idle workers.
///
/// Invariant: `idle` counts live workers not running a call (a worker counts itself idle
/// before it publishes a call's result), and a new worker is started, under `mutex`, only
/// while queued calls outnumber idle workers.
@usableFromInline
internal final class PoolCore: @unchecked Sendable {
    /// A submitted call, type-erased.
    @usableFromInline
    struct WorkItem: Sendable {
        enum Action {
            /// Run the call; `finished` is called once it is over but before its future is
            /// completed, so whoever sees the result also sees the worker free again.
            case run
            /// Fail the call's future without running it.
            case fail(any Error)
            /// Cancel the call's future without running it.
            case cancel
        }

        /// One closure for the three actions: each closure literal capturing the future
        /// and the call is a heap context of its own, so one closure is one allocation per
        /// submitted call instead of three.
        private let perform: @Sendable (_ action: Action, _ finished: () -> Void) -> Void

        @usableFromInline
        init<T>(future: concurrent.futures.Future<T>, _ fn: @escaping @Sendable () throws -> T) {
            perform = { action, finished in
                switch action {
                case .run:
                    guard (try? future.setRunningOrNotifyCancel()) == true else {
                        finished()
                        return
                    }
                    // No `Result { try fn() }`: in this generic, unspecialised code each use
                    // of `Result<T, any Error>` costs a runtime metadata lookup.
                    do {
                        let value = try fn()
                        finished()
                        try? future.setResult(value)
                    } catch {
                        finished()
                        try? future.setException(error)
                    }
                case .fail(let error):
                    try? future.setException(error)
                case .cancel:
                    future.cancel()
                    _ = try? future.setRunningOrNotifyCancel()
                }
            }
        }

        /// Runs the call; calls `finished` once it is over but before its future is
        /// completed.
        func run(_ finished: () -> Void) { perform(.run, finished) }

        func fail(_ error: any Error) { perform(.fail(error), {}) }

        func cancel() { perform(.cancel, {}) }
    }

    private static let brokenMessage = "A thread initializer failed, the thread pool is not usable anymore"

    private let maxWorkers: Int
    private let threadNamePrefix: String
    private let initializer: (@Sendable () throws -> Void)?

    private let mutex = InternalMutex()
    private let idleWorkers = WaitList()
    // Guarded by `mutex`, hence no run-time exclusivity checks.
    @exclusivity(unchecked) private var queue = RingStorage<WorkItem>(maxsize: 0)
    @exclusivity(unchecked) private var threads: [threading.Thread] = []
    @exclusivity(unchecked) private var workerCount = 0
    private let idle = Atomic<Int>(0)
    @exclusivity(unchecked) private var isShutdown = false
    @exclusivity(unchecked) private var isBroken = false

    init(maxWorkers: Int, threadNamePrefix: String, initializer: (@Sendable () throws -> Void)?) {
        self.maxWorkers = maxWorkers
        self.threadNamePrefix = threadNamePrefix
        self.initializer = initializer
    }

    var startedThreads: [threading.Thread] {
        mutex.lock()
        defer { mutex.unlock() }
        return threads
    }

    @usableFromInline
    func submit(_ item: WorkItem) throws {
        mutex.lock()
        if isBroken {
            mutex.unlock()
            throw concurrent.futures.BrokenThreadPool(Self.brokenMessage)
        }
        if isShutdown {
            mutex.unlock()
            throw RuntimeError("cannot schedule new futures after shutdown")
        }
        if LivePools.shared.interpreterShuttingDown {
            mutex.unlock()
            throw RuntimeError("cannot schedule new futures after interpreter shutdown")
        }
        queue.push(item)
        if !idleWorkers.isEmpty {
            idleWorkers.wakeFirst(token: 1)
            mutex.unlock()
            return
        }
        guard queue.count > idle.load(ordering: .acquiring), workerCount < maxWorkers else {
            mutex.unlock()
            return
        }
        workerCount += 1
        idle.add(1, ordering: .releasing)
        let worker = threading.Thread(name: "\(threadNamePrefix)_\(threads.count)", daemon: false) { [self] in
            work()
        }
        threads.append(worker)
        mutex.unlock()
        do {
            try worker.start()
        } catch {
            mutex.lock()
            workerCount -= 1
            idle.subtract(1, ordering: .releasing)
            threads.removeAll { $0 === worker }
            let withdrawn = workerCount == 0 && queue.count > 0
            let stranded = withdrawn ? queue.removeAll() : []
            mutex.unlock()
            guard withdrawn else { return }
            // No worker is left to run what is queued: those calls fail (this one's future
            // among them, which its caller never receives).
            for other in stranded { other.fail(error) }
            throw error
        }
    }

    func shutdown(wait: Bool, cancelFutures: Bool) {
        mutex.lock()
        isShutdown = true
        let cancelled = cancelFutures ? queue.removeAll() : []
        mutex.unlock()
        for item in cancelled { item.cancel() }
        stopWorkers(wait: wait)
    }

    /// Wakes the idle workers so they see the pool (or the process) is shutting down, and
    /// with `wait`, joins them once the queue is empty.
    func stopWorkers(wait: Bool) {
        mutex.lock()
        idleWorkers.wakeAll(token: 1)
        let toJoin = threads
        mutex.unlock()
        guard wait else { return }
        for thread in toJoin where thread !== threading.currentThread() {
            try? thread.join()
        }
    }

    /// A worker's life: the initializer, then calls until shutdown empties the queue.
    private func work() {
        if let initializer {
            do {
                try initializer()
            } catch {
                writeToStandardError("Exception in initializer:\n\(pythonFormat(error))\n")
                breakPool()
                return
            }
        }
        mutex.lock()
        while true {
            if queue.count > 0 {
                let item = queue.pop()
                idle.subtract(1, ordering: .releasing)
                mutex.unlock()
                item.run { idle.add(1, ordering: .releasing) }
                mutex.lock()
                continue
            }
            if isShutdown || isBroken || LivePools.shared.interpreterShuttingDown { break }
            _ = idleWorkers.wait(unlocking: mutex, until: nil, on: self)
            mutex.lock()
        }
        idle.subtract(1, ordering: .releasing)
        mutex.unlock()
    }

    /// Marks the pool broken and fails every queued call with `BrokenThreadPool`.
    private func breakPool() {
        mutex.lock()
        isBroken = true
        idle.subtract(1, ordering: .releasing)
        let stranded = queue.removeAll()
        idleWorkers.wakeAll(token: 1)
        mutex.unlock()
        let error = concurrent.futures.BrokenThreadPool(Self.brokenMessage)
        for item in stranded { item.fail(error) }
    }
}

extension PoolCore: WaitTarget {
    var waitKind: String { "ThreadPoolExecutor work" }
    var label: String? { threadNamePrefix }
    var holders: [UInt] { [] }
}

/// Every pool not yet released, so the exit sequence can shut them down before it joins
/// non-daemon threads (Python's `_python_exit`).
internal final class LivePools: @unchecked Sendable {
    static let shared = LivePools()

    private let mutex = InternalMutex()
    private var pools: [ObjectIdentifier: Weak<PoolCore>] = [:]
    private var registered = false
    private let shuttingDown = Atomic<Bool>(false)

    /// True once the exit sequence has begun shutting pools down.
    var interpreterShuttingDown: Bool { shuttingDown.load(ordering: .acquiring) }

    func add(_ core: PoolCore) {
        mutex.lock()
        pools[ObjectIdentifier(core)] = Weak(core)
        pools = pools.filter { $0.value.object != nil }
        let register = !registered
        registered = true
        mutex.unlock()
        if register {
            try? ShutdownSequence.register { LivePools.shared.shutdownAll() }
        }
    }

    private func shutdownAll() {
        shuttingDown.store(true, ordering: .releasing)
        mutex.lock()
        let live = pools.values.compactMap(\.object)
        mutex.unlock()
        // As Python's exit hook: pools are not marked shut down (a later submit reports
        // the interpreter's shutdown), their queued calls run, their workers are joined.
        for core in live { core.stopWorkers(wait: true) }
    }
}
