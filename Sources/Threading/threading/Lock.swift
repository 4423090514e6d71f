//===----------------------------------------------------------------------===//
//
// Threading: Python's threading model for Swift on Linux.
//
//===----------------------------------------------------------------------===//

import CThreadingShims
import Synchronization

extension threading {
    /// Python's `threading.Lock`: a non-reentrant lock with no owner, so any thread may
    /// release it.
    ///
    /// Invariant: `state` has `locked` set exactly while some acquisition has not been
    /// released, and `parked` set whenever a thread may be queued in `waiters`.
    ///
    ///     let lock = threading.Lock()
    ///     lock.withLock { shared += 1 }
    ///     if try lock.acquire(timeout: 0.5) { defer { try? lock.release() } ... }
    ///
    /// Acquiring and releasing an uncontended lock is one atomic operation each. A thread
    /// that finds the lock held spins briefly (only while nobody is parked), then parks in
    /// FIFO order. Releasing wakes the oldest waiter, which competes for the lock again;
    /// once a waiter has waited longer than a millisecond the lock is handed to it
    /// directly, so no waiter starves.
    public final class Lock: @unchecked Sendable {
        @usableFromInline static let locked: UInt32 = 1
        @usableFromInline static let parked: UInt32 = 2
        /// How many times an acquirer polls a held lock before it parks.
        @usableFromInline static let spinLimit = 100
        /// How long a waiter may wait before a release hands the lock straight to it.
        @usableFromInline static let fairnessNanoseconds: UInt64 = 1_000_000

        // Tokens a releaser hands a woken waiter.
        @usableFromInline static let tokenRetry: UInt = 0
        @usableFromInline static let tokenHandoff: UInt = 1

        @usableFromInline let state = Atomic<UInt32>(0)
        @usableFromInline let waiters = WaitQueue()

        /// Creates an unlocked lock.
        public init() {}

        /// Acquires the lock, blocking as long as it takes.
        ///
        /// - Returns: true, as Python's `acquire()` does.
        @inlinable
        @discardableResult
        @available(*, noasync, message: "acquire() blocks the thread; use it outside async code")
        public func acquire() -> Bool {
            if state.compareExchange(expected: 0, desired: Self.locked, ordering: .acquiring).exchanged {
                cshim_tsan_acquire(Unmanaged.passUnretained(self).toOpaque())
                return true
            }
            return acquireContended(deadline: nil)
        }

        /// Acquires the lock, waiting at most `timeout` seconds when `blocking`.
        ///
        /// With `blocking: false` it tries once. `timeout` `nil` or `-1` waits forever, `0`
        /// tries once.
        ///
        /// - Returns: true if the lock was acquired.
        /// - Throws: `ValueError` for a timeout with `blocking: false`, a negative timeout
        ///   other than -1, or NaN; `OverflowError` beyond `threading.TIMEOUT_MAX`.
        @available(*, noasync, message: "acquire() blocks the thread; use it outside async code")
        public func acquire(blocking: Bool, timeout: Double? = nil) throws -> Bool {
            guard let deadline = try Self.deadline(blocking: blocking, timeout: timeout) else {
                return acquire()
            }
            return acquire(deadline: deadline)
        }

        /// Acquires the lock, waiting at most `timeout` seconds (`nil` or -1: forever).
        @available(*, noasync, message: "acquire() blocks the thread; use it outside async code")
        public func acquire(timeout: Double?) throws -> Bool {
            try acquire(blocking: true, timeout: timeout)
        }

        /// Acquires the lock, waiting at most `timeout`.
        @available(*, noasync, message: "acquire() blocks the thread; use it outside async code")
        public func acquire(timeout: Duration) throws -> Bool {
            try acquire(blocking: true, timeout: timeout.seconds)
        }

        /// Releases the lock. Any thread may release it, not only the one that acquired it.
        ///
        /// - Throws: `RuntimeError("release unlocked lock")` if the lock is not held; the
        ///   lock is unchanged.
        @inlinable
        public func release() throws {
            cshim_tsan_release(Unmanaged.passUnretained(self).toOpaque())
            if state.compareExchange(expected: Self.locked, desired: 0, ordering: .releasing).exchanged {
                return
            }
            try releaseContended()
        }

        /// True while the lock is held by any thread.
        public var locked: Bool {
            state.load(ordering: .relaxed) & Self.locked != 0
        }

        /// Runs `body` holding the lock, and releases it even if `body` throws: Python's
        /// `with lock:`.
        @inlinable
        @available(*, noasync, message: "withLock blocks the thread; use it outside async code")
        public func withLock<Result>(_ body: () throws -> Result) rethrows -> Result {
            acquire()
            defer { try? release() }
            return try body()
        }

        // MARK: Internals shared with RLock and Condition

        /// Acquires with an optional deadline; a passed deadline makes it a single try.
        @usableFromInline
        @discardableResult
        internal func acquire(deadline: Deadline?) -> Bool {
            if state.compareExchange(expected: 0, desired: Self.locked, ordering: .acquiring).exchanged {
                cshim_tsan_acquire(Unmanaged.passUnretained(self).toOpaque())
                return true
            }
            return acquireContended(deadline: deadline)
        }

        /// Python's argument rules for `Lock.acquire` and `RLock.acquire`.
        ///
        /// - Returns: `nil` to wait forever, otherwise the deadline (now, for a single try).
        @usableFromInline
        internal static func deadline(blocking: Bool, timeout: Double?) throws -> Deadline? {
            guard let timeout else { return blocking ? nil : .now }
            try checkTimeoutRepresentable(timeout)
            if !blocking {
                if timeout != -1 { throw ValueError("can't specify a timeout for a non-blocking call") }
                return .now
            }
            if timeout == -1 { return nil }
            if timeout < 0 { throw ValueError("timeout value must be a non-negative number") }
            return .after(seconds: timeout)
        }

        @usableFromInline
        internal func acquireContended(deadline: Deadline?) -> Bool {
            var spins = 0
            var queuedSince: Deadline?
            while true {
                let current = state.load(ordering: .relaxed)
                if current & Self.locked == 0 {
                    if state.compareExchange(
                        expected: current,
                        desired: current | Self.locked,
                        ordering: .acquiring
                    ).exchanged {
                        cshim_tsan_acquire(Unmanaged.passUnretained(self).toOpaque())
                        return true
                    }
                    continue
                }
                if let deadline, deadline.hasPassed { return false }
                if current & Self.parked == 0, spins < Self.spinLimit {
                    spins += 1
                    cshim_cpu_relax()
                    continue
                }
                switch park(deadline: deadline, queuedSince: &queuedSince) {
                case .acquired:
                    cshim_tsan_acquire(Unmanaged.passUnretained(self).toOpaque())
                    return true
                case .retry:
                    spins = 0
                case .timedOut:
                    return false
                }
            }
        }

        @usableFromInline
        enum ParkOutcome { case acquired, retry, timedOut }

        /// Queues the caller behind a held lock, unless the lock changed meanwhile.
        private func park(deadline: Deadline?, queuedSince: inout Deadline?) -> ParkOutcome {
            waiters.lock()
            // Under the queue mutex nobody can clear `parked` or hand the lock over, so
            // a thread queued with `locked | parked` set is sure to be woken by a release.
            while true {
                let current = state.load(ordering: .relaxed)
                if current & Self.locked == 0 {
                    waiters.unlock()
                    return .retry
                }
                if current & Self.parked != 0 { break }
                if state.compareExchange(
                    expected: current,
                    desired: current | Self.parked,
                    ordering: .relaxed
                ).exchanged { break }
            }
            let since = queuedSince ?? .now
            queuedSince = since
            let token = waiters.park(until: deadline, queuedSince: since) {
                if self.waiters.isEmpty {
                    self.state.bitwiseAnd(~Self.parked, ordering: .relaxed)
                }
                return true
            }
            switch token {
            case nil: return .timedOut
            case Self.tokenHandoff: return .acquired
            default: return .retry
            }
        }

        @usableFromInline
        internal func releaseContended() throws {
            waiters.lock()
            defer { waiters.unlock() }
            let current = state.load(ordering: .relaxed)
            guard current & Self.locked != 0 else {
                throw RuntimeError("release unlocked lock")
            }
            guard let oldest = waiters.first else {
                // The last waiter timed out and left: nobody to wake.
                state.store(0, ordering: .releasing)
                return
            }
            let othersRemain: UInt32 = waiters.count > 1 ? Self.parked : 0
            if Deadline.now.nanoseconds &- oldest.queuedSince.nanoseconds > Self.fairnessNanoseconds {
                // Starving waiter: it gets the lock without competing for it.
                state.store(Self.locked | othersRemain, ordering: .releasing)
                waiters.wakeFirst(token: Self.tokenHandoff)
            } else {
                state.store(othersRemain, ordering: .releasing)
                waiters.wakeFirst(token: Self.tokenRetry)
            }
        }

        /// Records, for ThreadSanitizer, that a waiter moved here by `requeue` was handed
        /// the lock by a release.
        internal func tookHandoff() {
            cshim_tsan_acquire(Unmanaged.passUnretained(self).toOpaque())
        }

        /// Moves `node`, a thread just dequeued from a condition's list, to this lock's
        /// queue instead of waking it, if the lock is held: the release that frees the
        /// lock wakes it, so it neither wakes only to find the lock still held by its
        /// notifier nor spins for it. Call with the condition's mutex held.
        ///
        /// - Returns: false if the lock is free (or `node` is no parked thread); the
        ///   caller then wakes `node` itself.
        internal func requeue(_ node: WaitNode) -> Bool {
            guard node is Parker else { return false }
            waiters.lock()
            defer { waiters.unlock() }
            // The same protocol as `park`: `parked` is set only while the lock is held,
            // and under this mutex no release can clear it or hand the lock over.
            while true {
                let current = state.load(ordering: .relaxed)
                if current & Self.locked == 0 { return false }
                if current & Self.parked != 0 { break }
                if state.compareExchange(
                    expected: current,
                    desired: current | Self.parked,
                    ordering: .relaxed
                ).exchanged { break }
            }
            node.queuedSince = .now
            waiters.list.append(node)
            node.requeued = true
            return true
        }

        /// The number of threads parked waiting for the lock (for tests and thread dumps).
        internal var parkedCount: Int { waiters.withLock { waiters.count } }
    }
}

extension threading.Lock: CustomStringConvertible {
    /// Python's repr: `<locked threading.Lock object at 0x...>`.
    public var description: String {
        "<\(locked ? "locked" : "unlocked") threading.Lock object at \(objectAddress(self))>"
    }
}

/// The address Python's reprs show for an object.
internal func objectAddress(_ object: AnyObject) -> String {
    "0x" + String(UInt(bitPattern: ObjectIdentifier(object).hashValue), radix: 16)
}
