//===----------------------------------------------------------------------===//
//
// Threading: Python's threading model for Swift on Linux.
//
//===----------------------------------------------------------------------===//

import CThreadingShims

extension threading {
    /// Python's `threading.Thread`: an OS thread that can be named, joined with a timeout,
    /// listed, and made a daemon.
    ///
    /// Invariant: a thread moves `initial → starting → started → stopped` exactly once;
    /// it is in `threading.enumerate()` from `start()` until just before joiners are
    /// released, and `ident` and `nativeID` are set before `start()` returns.
    ///
    ///     let worker = threading.Thread(name: "worker") {
    ///         print("hello from", threading.currentThread().name)
    ///     }
    ///     try worker.start()
    ///     try worker.join()
    ///
    /// Subclasses override `run()`, as in Python. (Swift asks a subclass to restate the
    /// inherited `@unchecked Sendable`: `class MyThread: threading.Thread, @unchecked Sendable`.)
    open class Thread: @unchecked Sendable, CustomStringConvertible {
        @usableFromInline
        internal enum Phase { case initial, starting, started, stopped }

        /// Threads waiting for this one to start (the starter) or to stop (joiners).
        internal let waiters = WaitQueue()
        // Guarded by `waiters`' mutex.
        internal var phase = Phase.initial
        /// Dropped once `run()` returns, with everything it captured (as Python does).
        private var target: (@Sendable () throws -> Void)?
        private var storedName: String
        private var storedDaemon: Bool
        private var storedIdent: UInt?
        /// The ident, for diagnostics; read with the mutex held.
        internal var storedIdentForDiagnostics: UInt? { storedIdent }
        private var storedNativeID: Int?
        /// Set when the system refused this thread's OS thread: Python 3.13's thread handle
        /// is then spent, and a second `start()` says so.
        private var startFailed = false

        /// Creates a thread that will run `target` (or the subclass's `run()`).
        ///
        /// - Parameters:
        ///   - name: the thread's name; `nil` or empty gives `Thread-N` from the counter
        ///     shared with dummy threads.
        ///   - daemon: whether the process may exit without joining it; `nil` inherits the
        ///     creating thread's daemon status.
        ///   - target: the work; errors it throws go to `threading.excepthook`.
        public init(
            name: String? = nil,
            daemon: Bool? = nil,
            target: (@Sendable () throws -> Void)? = nil
        ) {
            self.target = target
            storedName = (name?.isEmpty ?? true) ? ThreadRegistry.shared.nextName("Thread") : name!
            storedDaemon = daemon ?? threading.currentThread().isDaemon
        }

        /// For the main and dummy thread objects, which describe threads already running.
        internal init(runningThreadNamed name: String, daemon: Bool, ident: UInt, nativeID: Int?) {
            target = nil
            storedName = name
            storedDaemon = daemon
            storedIdent = ident
            storedNativeID = nativeID
            phase = .started
        }

        /// The thread's work: calls the target. Subclasses override it.
        open func run() throws {
            try waiters.withLock { target }?()
        }

        /// Starts the thread, and returns once it is running and has its `ident` and
        /// `nativeID`.
        ///
        /// - Throws: `RuntimeError("threads can only be started once")`;
        ///   `RuntimeError("can't start new thread")` if the system refuses a thread, after
        ///   which the thread is as if never started (not alive, not listed, its daemon flag
        ///   settable) except that `start()` throws `RuntimeError("thread already started")`,
        ///   as in Python 3.13.
        public func start() throws {
            try waiters.withLock {
                guard phase == .initial else { throw RuntimeError("threads can only be started once") }
                if startFailed { throw RuntimeError("thread already started") }
                phase = .starting
            }
            ThreadRegistry.shared.add(self)
            ShutdownSequence.installExitHandler()
            do {
                try PlatformThread.spawn(stackSize: ThreadRegistry.shared.stackSize) { [self] in
                    bootstrap()
                }.detach()
            } catch {
                ThreadRegistry.shared.remove(self)
                waiters.withLock {
                    phase = .initial
                    startFailed = true
                }
                throw RuntimeError("can't start new thread")
            }
            waiters.lock()
            while phase == .starting {
                _ = waiters.list.wait(unlocking: waiters.mutex, until: nil, on: self)
                waiters.lock()
            }
            waiters.unlock()
        }

        /// Waits until the thread ends, or `timeout` seconds pass (`nil`: no limit;
        /// negative: no wait). Check `isAlive` afterwards to tell which.
        ///
        /// - Throws: `RuntimeError("cannot join thread before it is started")`,
        ///   `RuntimeError("cannot join current thread")`,
        ///   `RuntimeError("cannot join a dummy thread")`; `OverflowError` beyond
        ///   `threading.TIMEOUT_MAX`, even for a finished thread (as in Python 3.13).
        @available(*, noasync, message: "join() blocks the thread; use it outside async code")
        public func join(timeout: Double? = nil) throws {
            if self is _DummyThread { throw RuntimeError("cannot join a dummy thread") }
            if waiters.withLock({ phase == .initial || phase == .starting }) {
                throw RuntimeError("cannot join thread before it is started")
            }
            if self === threading.currentThread() { throw RuntimeError("cannot join current thread") }
            var deadline: Deadline?
            if let timeout {
                // Python clamps first (`max(timeout, 0)`, which keeps a NaN), then converts:
                // so -inf polls, NaN is a ValueError, and only a large positive value overflows.
                let clamped = timeout.isNaN ? timeout : max(timeout, 0)
                try checkTimeoutRepresentable(clamped)
                deadline = .after(seconds: clamped)
            }
            try Interrupts.check()
            waiters.lock()
            while phase != .stopped {
                if let deadline, deadline.hasPassed { break }
                let outcome = waiters.list.wait(unlocking: waiters.mutex, until: deadline, on: self, interruptible: true)
                if case .interrupted = outcome { try Interrupts.check() }
                waiters.lock()
            }
            waiters.unlock()
        }

        /// Waits until the thread ends or `timeout` passes.
        @available(*, noasync, message: "join() blocks the thread; use it outside async code")
        public func join(timeout: Duration) throws {
            try join(timeout: timeout.seconds)
        }

        /// Waits until the thread ends without blocking a thread: the bridge to Swift
        /// concurrency.
        ///
        /// - Throws: `join()`'s errors; `CancellationError` if the awaiting task is
        ///   cancelled.
        public func join() async throws {
            if self is _DummyThread { throw RuntimeError("cannot join a dummy thread") }
            if waiters.withLock({ phase == .initial || phase == .starting }) {
                throw RuntimeError("cannot join thread before it is started")
            }
            while true {
                let waited = await ContinuationWaiter.wait(
                    in: waiters.list,
                    guardedBy: MutexReference(waiters.mutex)
                ) { self.phase != .stopped }
                switch waited {
                case .cancelled: throw CancellationError()
                case .notNeeded: return
                case .woken: continue
                }
            }
        }

        /// True from just before `run()` starts until just after it returns.
        public var isAlive: Bool { waiters.withLock { phase == .started } }

        /// The thread's name: a label with no meaning to the library. Names need not be
        /// unique. The OS name (what `ps` and debuggers show) is set from it when the
        /// thread starts, cut to 15 bytes at a character boundary, and again when a thread
        /// renames itself.
        public var name: String {
            get { waiters.withLock { storedName } }
            set {
                waiters.withLock { storedName = newValue }
                if isCurrent { ThreadNames.setCurrentOSName(newValue) }
            }
        }

        /// Python's `ident`: the `threading.getIdent()` of the thread once started (`nil`
        /// before), kept after it ends.
        public var ident: UInt? { waiters.withLock { storedIdent } }

        /// Python's `native_id`: the kernel's thread id once started (`nil` before).
        public var nativeID: Int? { waiters.withLock { storedNativeID } }

        /// Whether the process exits without waiting for this thread.
        public var isDaemon: Bool { waiters.withLock { storedDaemon } }

        /// Sets the daemon flag, before `start()` only.
        ///
        /// - Throws: `RuntimeError("cannot set daemon status of active thread")` once the
        ///   thread has been started, even after it has finished.
        public func setDaemon(_ daemonic: Bool) throws {
            try waiters.withLock {
                guard phase == .initial else {
                    throw RuntimeError("cannot set daemon status of active thread")
                }
                storedDaemon = daemonic
            }
        }

        /// Python's repr: `<Thread(worker, started daemon 140...)>`.
        open var description: String {
            let (name, status, daemon, ident) = waiters.withLock {
                (storedName, phase, storedDaemon, storedIdent)
            }
            var text = "\(String(describing: type(of: self)))(\(name), "
            switch status {
            case .initial, .starting: text += "initial"
            case .started: text += "started"
            case .stopped: text += "stopped"
            }
            if daemon { text += " daemon" }
            if let ident { text += " \(ident)" }
            return "<" + text + ")>"
        }

        // MARK: Internals

        private var isCurrent: Bool {
            waiters.withLock { storedIdent } == currentThreadIdent()
        }

        /// Runs on the new thread: publishes its identity, runs `run()`, reports an escaped
        /// error, then marks the thread stopped and releases its joiners.
        private func bootstrap() {
            ThreadRegistry.shared.setCurrent(self)
            let ident = currentThreadIdent()
            let nativeID = currentNativeThreadID()
            ThreadNames.setCurrentOSName(name)
            waiters.withLock {
                storedIdent = ident
                storedNativeID = nativeID
                phase = .started
                waiters.wakeAll(token: 1)
            }
            do {
                try run()
            } catch {
                threading.reportUncaught(error, in: self)
            }
            waiters.withLock { target = nil }
            markStopped()
        }

        /// Leaves the registry, then releases every joiner: `enumerate()` no longer lists a
        /// thread whose `join()` has returned.
        internal func markStopped() {
            ThreadRegistry.shared.remove(self)
            waiters.withLock {
                phase = .stopped
                waiters.wakeAll(token: 1)
            }
        }
    }

    /// The object for the process's main thread (`MainThread`): alive until the exit
    /// sequence marks it stopped, which releases threads blocked in its `join()`.
    internal final class _MainThread: Thread, @unchecked Sendable {}

    /// The object for a thread the library did not start (a Dispatch worker, a raw
    /// pthread): named `Dummy-N`, a daemon, always alive, never joinable.
    internal final class _DummyThread: Thread, @unchecked Sendable {}
}

extension threading.Thread: WaitTarget {
    /// A thread waited on is being joined (or started).
    var waitKind: String { "Thread" }
    var label: String? { name }
    var holders: [UInt] {
        waiters.withLock { phase == .started ? storedIdentForDiagnostics : nil }.map { [$0] } ?? []
    }
}
