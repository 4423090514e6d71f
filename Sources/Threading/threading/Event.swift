//===----------------------------------------------------------------------===//
//
// Threading: Python's threading model for Swift on Linux.
//
//===----------------------------------------------------------------------===//

import Synchronization

extension threading {
    /// Python's `threading.Event`: a flag that threads wait to see set.
    ///
    /// Invariant: `set()` wakes every thread waiting at that moment, and each of them
    /// returns true even if `clear()` runs before it is scheduled: waking is a delivered
    /// notification, not a re-read of the flag.
    ///
    ///     let ready = threading.Event()
    ///     // worker:  ready.wait()
    ///     // main:    ready.set()
    public final class Event: @unchecked Sendable {
        /// Written under `waiters`' mutex; read without it on the fast path.
        @usableFromInline let flag = Atomic<Bool>(false)
        @usableFromInline let waiters = WaitQueue()
        /// The label given at creation, used by thread dumps.
        public let label: String?

        /// Creates an event whose flag is clear; `label` names it in thread dumps.
        public init(label: String? = nil) {
            self.label = label
        }

        /// The flag (Python's `is_set()`).
        public var isSet: Bool {
#if THREADING_SCHEDULE_POINTS
            SchedulePoints.reach(.memory("Event.isSet: load", flagAddress))
#endif
            return flag.load(ordering: .acquiring)
        }

#if THREADING_SCHEDULE_POINTS
        /// Names `flag` at schedule points.
        var flagAddress: UnsafeRawPointer { UnsafeRawPointer(Unmanaged.passUnretained(self).toOpaque()) }
#endif

        /// Sets the flag and wakes every waiting thread.
        public func set() {
            waiters.withLock {
#if THREADING_SCHEDULE_POINTS
                SchedulePoints.reach(.memory("Event.set: store true", flagAddress))
#endif
                flag.store(true, ordering: .releasing)
                waiters.wakeAll(token: 1)
            }
        }

        /// Clears the flag; later `wait` calls block until the next `set()`.
        public func clear() {
            waiters.withLock {
#if THREADING_SCHEDULE_POINTS
                SchedulePoints.reach(.memory("Event.clear: store false", flagAddress))
#endif
                flag.store(false, ordering: .releasing)
            }
        }

        /// Waits until the flag is set.
        ///
        /// - Returns: true.
        @discardableResult
        @available(*, noasync, message: "wait() blocks the thread; use it outside async code")
        public func wait() -> Bool {
            wait(deadline: nil)
        }

        /// Waits until the flag is set or `timeout` seconds pass (`nil`: forever; zero,
        /// negative or NaN: no wait).
        ///
        /// - Returns: true if the flag was set (or a `set()` woke this thread), false on
        ///   timeout.
        /// - Throws: `OverflowError` beyond `threading.TIMEOUT_MAX` while the flag is clear.
        @discardableResult
        @available(*, noasync, message: "wait() blocks the thread; use it outside async code")
        public func wait(timeout: Double?) throws -> Bool {
            if isSet { return true }
            try Interrupts.check()
            switch timeout {
            case nil: return try wait(deadline: nil, interruptible: true)
            case let seconds? where seconds.isNaN || seconds <= 0: return wait(deadline: .now)
            case let seconds?: return try wait(deadline: .validated(secondsFromNow: seconds), interruptible: true)
            }
        }

        /// Waits until the flag is set or `timeout` passes.
        @discardableResult
        @available(*, noasync, message: "wait() blocks the thread; use it outside async code")
        public func wait(timeout: Duration) throws -> Bool {
            try wait(timeout: timeout.seconds)
        }

        /// Waits until the flag is set without blocking a thread: the bridge to Swift
        /// concurrency.
        ///
        /// - Returns: true.
        /// - Throws: `CancellationError` if the awaiting task is cancelled.
        @discardableResult
        public func wait() async throws -> Bool {
            if isSet { return true }
            let waited = await ContinuationWaiter.wait(
                in: waiters.list,
                guardedBy: MutexReference(waiters.mutex)
            ) { !self.flag.load(ordering: .relaxed) }
            if waited == .cancelled { throw CancellationError() }
            return true
        }

        internal func wait(deadline: Deadline?) -> Bool {
            (try? wait(deadline: deadline, interruptible: false)) ?? false
        }

        private func wait(deadline: Deadline?, interruptible: Bool) throws -> Bool {
            if isSet { return true }
            waiters.lock()
#if THREADING_SCHEDULE_POINTS
            SchedulePoints.reach(.memory("Event.wait: load under mutex", flagAddress))
#endif
            if flag.load(ordering: .relaxed) {
                waiters.unlock()
                return true
            }
            if let deadline, deadline.hasPassed {
                waiters.unlock()
                return false
            }
            switch waiters.list.wait(unlocking: waiters.mutex, until: deadline, on: self, interruptible: interruptible) {
            case .woken: return true
            case .timedOut: return false
            case .interrupted:
                try Interrupts.check()
                return false
            }
        }

        /// The number of threads waiting for the flag (for tests and thread dumps).
        internal var waitingCount: Int { waiters.withLock { waiters.count } }
    }
}

extension threading.Event: WaitTarget {
    var waitKind: String { "Event" }
    var holders: [UInt] { [] }
}

extension threading.Event: CustomStringConvertible {
    /// Python's repr: `<threading.Event at 0x...: unset>`.
    public var description: String {
        "<threading.Event at \(objectAddress(self)): \(isSet ? "set" : "unset")>"
    }
}
