//===----------------------------------------------------------------------===//
//
// Threading: Python's threading model for Swift on Linux.
//
//===----------------------------------------------------------------------===//

extension concurrent.futures {
    /// Python's `concurrent.futures.Future`: the eventual result of a call, usually made by
    /// `ThreadPoolExecutor.submit`.
    ///
    /// Invariant: the state only moves forward, `pending → running → finished` or
    /// `pending → cancelled → cancelledAndNotified`, each step once; a result or error is
    /// set exactly once, and every callback runs exactly once, after it.
    ///
    ///     let future = try pool.submit { try download(url) }
    ///     future.addDoneCallback { print("done:", $0) }
    ///     let data = try future.result(timeout: 10)
    public final class Future<T: Sendable>: @unchecked Sendable {
        internal enum State: String {
            case pending = "PENDING"
            case running = "RUNNING"
            case cancelled = "CANCELLED"
            case cancelledAndNotified = "CANCELLED_AND_NOTIFIED"
            case finished = "FINISHED"
        }

        /// A callback added with `addDoneCallback(_:)`.
        public typealias Callback = @Sendable (Future<T>) throws -> Void
        internal typealias ErasedCallback = @Sendable (AnyObject) throws -> Void

        private let mutex = InternalMutex()
        /// Threads blocked in `result()` or `exception()`.
        private let waiters = WaitList()
        // Guarded by `mutex`, hence no run-time exclusivity checks (each one a call into
        // the runtime and a thread-local lookup, several per pool task).
        @exclusivity(unchecked) private var state = State.pending
        // The outcome, fixed once `state` is `.finished`: the value in `valueSlot` (then
        // `hasValue`), or `failure`. Not a `Result<T, any Error>?`: the library is compiled
        // generic over T, and every use of `Result<T, any Error>` there looks its type
        // metadata up in the runtime's table (about 330 instructions, 8 times per pool
        // task), while a pointer to T needs only T's own metadata.
        private let valueSlot = UnsafeMutablePointer<T>.allocate(capacity: 1)
        @exclusivity(unchecked) private var hasValue = false
        @exclusivity(unchecked) private var failure: (any Error)?
        /// Type-erased to take the future as `AnyObject`: in this generic code an array of
        /// `Callback`, a function type over `Future<T>`, has its type metadata looked up at
        /// run time on every use (3 times per pool task); this one's is a constant.
        @exclusivity(unchecked) private var callbacks: [ErasedCallback] = []
        @exclusivity(unchecked) private var observers: [CompletionObserver] = []

        /// Creates a pending future (executors and tests create them).
        public init() {}

        deinit {
            if hasValue { valueSlot.deinitialize(count: 1) }
            valueSlot.deallocate()
        }

        // MARK: State

        /// Cancels the future if it has not started: true if it is (now) cancelled, false if
        /// it is running or finished.
        @discardableResult
        public func cancel() -> Bool {
            mutex.lock()
            switch state {
            case .running, .finished:
                mutex.unlock()
                return false
            case .cancelled, .cancelledAndNotified:
                mutex.unlock()
                return true
            case .pending:
                state = .cancelled
                waiters.wakeAll(token: 1)
                let toRun = takeCallbacks()
                mutex.unlock()
                runCallbacks(toRun)
                return true
            }
        }

        /// True if the future was cancelled.
        public var cancelled: Bool {
            withState { $0 == .cancelled || $0 == .cancelledAndNotified }
        }

        /// True while the call runs.
        public var running: Bool { withState { $0 == .running } }

        /// True once the future is cancelled or finished.
        public var done: Bool {
            withState { $0 == .cancelled || $0 == .cancelledAndNotified || $0 == .finished }
        }

        // MARK: Waiting

        /// The call's result, waiting at most `timeout` seconds for it (`nil`: forever;
        /// zero, negative or NaN: no wait).
        ///
        /// - Throws: the call's own error; `CancelledError` if cancelled; `TimeoutError` if
        ///   not done in time; `OverflowError` beyond `threading.TIMEOUT_MAX`.
        @available(*, noasync, message: "result() blocks the thread; use `try await future.value`")
        public func result(timeout: Double? = nil) throws -> T {
            try waitForOutcome(timeout: timeout)
            return try finishedValue()
        }

        /// The call's result, waiting at most `timeout`.
        @available(*, noasync, message: "result() blocks the thread; use `try await future.value`")
        public func result(timeout: Duration) throws -> T {
            try result(timeout: timeout.seconds)
        }

        /// The call's error, or `nil` if it returned, waiting at most `timeout` seconds.
        ///
        /// - Throws: `CancelledError`, `TimeoutError`, `OverflowError`, as `result`.
        @available(*, noasync, message: "exception() blocks the thread; use `try await future.value`")
        public func exception(timeout: Double? = nil) throws -> (any Error)? {
            try waitForOutcome(timeout: timeout)
            return failure
        }

        /// The call's result, awaited without blocking a thread: the bridge to Swift
        /// concurrency.
        ///
        /// - Throws: the call's own error; `CancelledError` if the future was cancelled;
        ///   `CancellationError` if the awaiting task is cancelled (the future is left as it
        ///   is).
        public var value: T {
            get async throws {
                while true {
                    mutex.lock()
                    switch state {
                    case .cancelled, .cancelledAndNotified:
                        mutex.unlock()
                        throw CancelledError()
                    case .finished:
                        mutex.unlock()
                        return try finishedValue()
                    case .pending, .running:
                        mutex.unlock()
                    }
                    let waited = await ContinuationWaiter.wait(in: waiters, guardedBy: MutexReference(mutex)) {
                        self.state == .pending || self.state == .running
                    }
                    if waited == .cancelled { throw CancellationError() }
                }
            }
        }

        // MARK: Callbacks

        /// Runs `callback` with the future once it is done: on the thread that completes or
        /// cancels it, or at once on this thread if it is already done. Callbacks run in
        /// the order they were added; an error one throws is printed and the rest still run.
        public func addDoneCallback(_ callback: @escaping Callback) {
            mutex.lock()
            switch state {
            case .pending, .running:
                callbacks.append { try callback(unsafeDowncast($0, to: Future<T>.self)) }
                mutex.unlock()
            default:
                mutex.unlock()
                runCallback(callback)
            }
        }

        // MARK: For executors

        /// Marks the future running, or, if it was cancelled, notifies `wait` and
        /// `asCompleted` of the cancellation.
        ///
        /// - Returns: true if the call should run, false if the future was cancelled.
        /// - Throws: `RuntimeError("Future in unexpected state")` if it is already running
        ///   or done (after printing which state).
        public func setRunningOrNotifyCancel() throws -> Bool {
            mutex.lock()
            switch state {
            case .pending:
                state = .running
                mutex.unlock()
                return true
            case .cancelled:
                state = .cancelledAndNotified
                let toNotify = observers
                mutex.unlock()
                for observer in toNotify { observer.notify(self) }
                return false
            default:
                let current = state
                mutex.unlock()
                writeToStandardError("Future \(objectAddress(self)) in unexpected state: \(current.rawValue)\n")
                throw RuntimeError("Future in unexpected state")
            }
        }

        /// Completes the future with `value`, wakes its waiters and runs its callbacks.
        ///
        /// - Throws: `InvalidStateError` if it is already done or cancelled; nothing
        ///   changes.
        public func setResult(_ value: T) throws {
            mutex.lock()
            try checkNotDone()
            valueSlot.initialize(to: value)
            hasValue = true
            finish()
        }

        /// Completes the future with `error`, wakes its waiters and runs its callbacks.
        ///
        /// - Throws: `InvalidStateError` if it is already done or cancelled; nothing
        ///   changes.
        public func setException(_ error: any Error) throws {
            mutex.lock()
            try checkNotDone()
            failure = error
            finish()
        }

        // MARK: Internals

        private func withState<R>(_ body: (State) -> R) -> R {
            mutex.lock()
            defer { mutex.unlock() }
            return body(state)
        }

        /// Throws `InvalidStateError` (and unlocks) unless the future can still be completed.
        /// Call with the mutex held.
        private func checkNotDone() throws {
            switch state {
            case .cancelled, .cancelledAndNotified, .finished:
                let message = "\(state.rawValue): \(describe())"
                mutex.unlock()
                throw InvalidStateError(message)
            case .pending, .running:
                break
            }
        }

        /// Marks the future finished, its outcome just stored, wakes its waiters, unlocks,
        /// and notifies and calls back. Call with the mutex held.
        private func finish() {
            state = .finished
            waiters.wakeAll(token: 1)
            let toRun = takeCallbacks()
            let toNotify = observers
            mutex.unlock()
            for observer in toNotify { observer.notify(self) }
            runCallbacks(toRun)
        }

        /// The value of a finished future, or its error thrown. The outcome no longer
        /// changes once finished, so no mutex is needed.
        private func finishedValue() throws -> T {
            if let failure { throw failure }
            precondition(hasValue, "a finished future has neither a value nor an error")
            return valueSlot.pointee
        }

        /// Waits until the future is finished (returns) or cancelled (throws).
        private func waitForOutcome(timeout: Double?) throws {
            try Interrupts.check()
            var deadline: Deadline?
            if let timeout {
                deadline = timeout.isNaN || timeout <= 0 ? .now : nil
            }
            mutex.lock()
            while true {
                switch state {
                case .cancelled, .cancelledAndNotified:
                    mutex.unlock()
                    throw CancelledError()
                case .finished:
                    mutex.unlock()
                    return
                case .pending, .running:
                    break
                }
                if deadline == nil, let timeout, timeout > 0 {
                    do {
                        deadline = try .validated(secondsFromNow: timeout)
                    } catch {
                        mutex.unlock()
                        throw error
                    }
                }
                if let deadline, deadline.hasPassed {
                    mutex.unlock()
                    throw TimeoutError()
                }
                if case .interrupted = waiters.wait(unlocking: mutex, until: deadline, on: self, interruptible: true) {
                    try Interrupts.check()
                }
                mutex.lock()
            }
        }

        private func takeCallbacks() -> [ErasedCallback] {
            let toRun = callbacks
            callbacks = []
            return toRun
        }

        private func runCallbacks(_ toRun: [ErasedCallback]) {
            for callback in toRun { runCallback(callback) }
        }

        private func runCallback(_ callback: (Future<T>) throws -> Void) {
            do {
                try callback(self)
            } catch {
                writeToStandardError("exception calling callback for \(self)\n\(pythonFormat(error))\n")
            }
        }

        /// Python's repr, from the state; call with the mutex held.
        private func describe() -> String {
            let address = objectAddress(self)
            switch state {
            case .pending: return "<Future at \(address) state=pending>"
            case .running: return "<Future at \(address) state=running>"
            case .cancelled, .cancelledAndNotified: return "<Future at \(address) state=cancelled>"
            case .finished:
                if let failure {
                    return "<Future at \(address) state=finished raised \(pythonClassName(of: failure))>"
                }
                return "<Future at \(address) state=finished returned \(T.self)>"
            }
        }

        /// The number of threads and tasks waiting for the outcome (for tests and dumps).
        internal var blockedCount: Int {
            mutex.lock()
            defer { mutex.unlock() }
            return waiters.count
        }

        /// Forces a state, for tests that need a future in each state (CPython's
        /// `create_future`).
        internal func inject(_ newState: State, outcome newOutcome: Result<T, any Error>? = nil) {
            mutex.lock()
            state = newState
            if hasValue { valueSlot.deinitialize(count: 1) }
            hasValue = false
            failure = nil
            switch newOutcome {
            case .success(let value)?:
                valueSlot.initialize(to: value)
                hasValue = true
            case .failure(let error)?:
                failure = error
            case nil:
                break
            }
            mutex.unlock()
        }
    }
}

extension concurrent.futures.Future: CustomStringConvertible {
    /// Python's repr: `<Future at 0x... state=finished returned Int>`.
    public var description: String {
        mutex.lock()
        defer { mutex.unlock() }
        return describe()
    }
}

extension concurrent.futures.Future: WaitTarget {
    var waitKind: String { "Future" }
    var label: String? { nil }
    var holders: [UInt] { [] }
}

extension concurrent.futures.Future: Hashable {
    /// Futures are equal only to themselves.
    public static func == (lhs: concurrent.futures.Future<T>, rhs: concurrent.futures.Future<T>) -> Bool {
        lhs === rhs
    }

    /// Hashes the future's identity.
    public func hash(into hasher: inout Hasher) {
        hasher.combine(ObjectIdentifier(self))
    }
}

/// What `wait` and `asCompleted` need of a future, whatever its result type.
internal protocol ObservableFuture: AnyObject, Sendable {
    /// Done as `wait` counts it: finished, or cancelled and notified.
    var isDoneForWaiting: Bool { get }
    /// Finished by throwing.
    var finishedWithError: Bool { get }
    func addObserver(_ observer: CompletionObserver)
    func removeObserver(_ observer: CompletionObserver)
}

extension concurrent.futures.Future: ObservableFuture {
    var isDoneForWaiting: Bool {
        withState { $0 == .finished || $0 == .cancelledAndNotified }
    }

    var finishedWithError: Bool {
        mutex.lock()
        defer { mutex.unlock() }
        return state == .finished && failure != nil
    }

    func addObserver(_ observer: CompletionObserver) {
        mutex.lock()
        observers.append(observer)
        mutex.unlock()
    }

    func removeObserver(_ observer: CompletionObserver) {
        mutex.lock()
        observers.removeAll { $0 === observer }
        mutex.unlock()
    }
}

/// The error's class name as a `Future`'s repr shows it: Python's `__name__`, unqualified.
internal func pythonClassName(of error: any Error) -> String {
    let qualified = (error as? BaseException)?.pythonClassName ?? String(describing: type(of: error))
    return String(qualified.split(separator: ".").last ?? Substring(qualified))
}
