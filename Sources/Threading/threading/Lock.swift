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
    /// released, `parked` set whenever a thread may be queued in `waiters`, and
    /// `instrumented` set for its whole life if diagnostics were on when it was created.
    ///
    ///     let lock = threading.Lock(label: "accounts")
    ///     lock.withLock { shared += 1 }
    ///     if try lock.acquire(timeout: 0.5) { defer { try? lock.release() } ... }
    ///
    /// Acquiring and releasing an uncontended lock is one atomic operation each. A lock
    /// created while `threading.diagnostics` are on carries an `instrumented` bit that
    /// makes those operations take the slow path, which does the bookkeeping; so with
    /// diagnostics off the fast paths contain no diagnostics code at all. A thread that
    /// finds the lock held spins briefly
    /// (only while nobody is parked), then parks in FIFO order. Releasing wakes the oldest
    /// waiter, which competes for the lock again; once a waiter has waited longer than a
    /// millisecond the lock is handed to it directly, so no waiter starves.
    public final class Lock: @unchecked Sendable {
        @usableFromInline static let locked: UInt32 = 1
        @usableFromInline static let parked: UInt32 = 2
        /// Diagnostics were on when the lock was made: acquisitions and releases take the
        /// slow path, which records holders, lock order and statistics.
        @usableFromInline static let instrumented: UInt32 = 4
        /// A release woke a waiter to compete for the lock, and that waiter has not yet
        /// acquired it or parked again: later releases leave the other waiters asleep,
        /// so a busy lock issues at most one wake-up at a time.
        @usableFromInline static let woken: UInt32 = 8
        /// How many times an acquirer polls a held lock before it parks.
#if THREADING_SCHEDULE_POINTS
        // Under the explorer each poll is a schedule point: two stand for the hundred.
        @usableFromInline static let spinLimit = 2
#else
        @usableFromInline static let spinLimit = 100
#endif
        /// How long a waiter may wait before a release hands the lock straight to it.
        @usableFromInline static let fairnessNanoseconds: UInt64 = 1_000_000

        // Tokens a releaser hands a woken waiter.
        @usableFromInline static let tokenRetry: UInt = 0
        @usableFromInline static let tokenHandoff: UInt = 1

        @usableFromInline let state: Atomic<UInt32>
        @usableFromInline let waiters = WaitQueue()

        /// The label given at creation, used by thread dumps and diagnostics.
        public let label: String?
        /// `"Lock"`, or `"RLock"` for the lock inside an `RLock`.
        internal let kind: String
        /// The holder's ident while `threading.diagnostics` tracks holders, else 0.
        @usableFromInline let holder = Atomic<UInt>(0)
        /// Set for the lock inside an `RLock`, which always knows its owner.
        internal weak var reentrantOwner: RLock?
        /// Unique for the life of the process, unlike an address.
        internal let diagnosticID = nextLockID.wrappingAdd(1, ordering: .relaxed).newValue
        private let counters = AtomicLazyReference<LockCounters>()

        /// Creates an unlocked lock; `label` names it in thread dumps and reports.
        public init(label: String? = nil) {
            self.label = label
            self.kind = "Lock"
            state = Atomic(cshim_diagnostics_flags() != 0 ? Self.instrumented : 0)
        }

        internal init(label: String?, kind: String) {
            self.label = label
            self.kind = kind
            state = Atomic(cshim_diagnostics_flags() != 0 ? Self.instrumented : 0)
        }

#if THREADING_SCHEDULE_POINTS
        /// Names `state` at schedule points.
        @usableFromInline var stateAddress: UnsafeRawPointer {
            UnsafeRawPointer(Unmanaged.passUnretained(self).toOpaque())
        }
#endif

        deinit {
            if isInstrumented { LockOrderChecker.shared.forget(diagnosticID) }
        }

        /// Whether diagnostics see this lock (they were on when it was created).
        internal var isInstrumented: Bool {
            state.load(ordering: .relaxed) & Self.instrumented != 0
        }

        /// Acquires the lock, blocking as long as it takes. Not interrupted by Ctrl-C.
        ///
        /// - Returns: true, as Python's `acquire()` does.
        @inlinable
        @discardableResult
        @available(*, noasync, message: "acquire() blocks the thread; use it outside async code")
        public func acquire() -> Bool {
#if THREADING_SCHEDULE_POINTS
            SchedulePoints.reach(.memory("Lock.acquire: fast CAS", stateAddress))
#endif
            if state.compareExchange(expected: 0, desired: Self.locked, ordering: .acquiring).exchanged {
                return true
            }
            return acquireContended(deadline: nil, interruptible: false) == .acquired
        }

        /// Acquires the lock, waiting at most `timeout` seconds when `blocking`.
        ///
        /// With `blocking: false` it tries once. `timeout` `nil` or `-1` waits forever, `0`
        /// tries once.
        ///
        /// - Returns: true if the lock was acquired.
        /// - Throws: `ValueError` for a timeout with `blocking: false`, a negative timeout
        ///   other than -1, or NaN; `OverflowError` beyond `threading.TIMEOUT_MAX`;
        ///   `KeyboardInterrupt` on Ctrl-C (see `threading.enableKeyboardInterrupt()`).
        @available(*, noasync, message: "acquire() blocks the thread; use it outside async code")
        public func acquire(blocking: Bool, timeout: Double? = nil) throws -> Bool {
            try acquire(until: Self.deadline(blocking: blocking, timeout: timeout), interruptible: true)
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
#if THREADING_SCHEDULE_POINTS
            SchedulePoints.reach(.memory("Lock.release: fast CAS", stateAddress))
#endif
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

        @usableFromInline
        enum AcquireOutcome { case acquired, timedOut, interrupted }

        /// Acquires with an optional deadline (a passed one makes it a single try); an
        /// interruptible acquisition throws `KeyboardInterrupt` on Ctrl-C.
        @usableFromInline
        @discardableResult
        internal func acquire(until deadline: Deadline?, interruptible: Bool) throws -> Bool {
            if interruptible { try Interrupts.check() }
#if THREADING_SCHEDULE_POINTS
            SchedulePoints.reach(.memory("Lock.acquire: fast CAS", stateAddress))
#endif
            if state.compareExchange(expected: 0, desired: Self.locked, ordering: .acquiring).exchanged {
                return true
            }
            switch acquireContended(deadline: deadline, interruptible: interruptible) {
            case .acquired: return true
            case .timedOut: return false
            case .interrupted:
                try Interrupts.check()
                return false
            }
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
        internal func acquireContended(deadline: Deadline?, interruptible: Bool) -> AcquireOutcome {
            var spins = 0
            var queuedSince: Deadline?
            /// When an instrumented lock was first found held (for contention statistics).
            var started: Deadline?
            /// This thread was woken to compete, and the `woken` bit is its to clear.
            var wasWoken = false
            while true {
#if THREADING_SCHEDULE_POINTS
                SchedulePoints.reach(.memory("Lock.acquireContended: load", stateAddress))
#endif
                let current = state.load(ordering: .relaxed)
                if current & Self.locked == 0 {
                    let cleared = wasWoken ? Self.woken : 0
#if THREADING_SCHEDULE_POINTS
                    SchedulePoints.reach(.memory("Lock.acquireContended: CAS", stateAddress))
#endif
                    if state.compareExchange(
                        expected: current,
                        desired: (current | Self.locked) & ~cleared,
                        ordering: .acquiring
                    ).exchanged {
                        acquiredAfterWaiting(since: started)
                        return .acquired
                    }
                    continue
                }
                if started == nil, current & Self.instrumented != 0 { started = .now }
                if let deadline, deadline.hasPassed {
#if THREADING_SCHEDULE_POINTS
                    if wasWoken { SchedulePoints.reach(.memory("Lock.acquireContended: clear woken", stateAddress)) }
#endif
                    if wasWoken { state.bitwiseAnd(~Self.woken, ordering: .relaxed) }
                    return .timedOut
                }
                // Spin while nobody is parked, or, for the one woken waiter, while its
                // releaser leaves the others asleep for it.
                if current & Self.parked == 0 || wasWoken, spins < Self.spinLimit {
                    spins += 1
                    cshim_cpu_relax()
                    continue
                }
                let outcome = park(
                    deadline: deadline, interruptible: interruptible, queuedSince: &queuedSince,
                    clearingWoken: wasWoken)
                wasWoken = false
                switch outcome {
                case .acquired:
                    acquiredAfterWaiting(since: started)
                    return .acquired
                case .retry(let woken):
                    wasWoken = woken
                    spins = 0
                case .timedOut:
                    return .timedOut
                case .interrupted:
                    return .interrupted
                }
            }
        }

        private func acquiredAfterWaiting(since started: Deadline?) {
            cshim_tsan_acquire(Unmanaged.passUnretained(self).toOpaque())
            guard isInstrumented else { return }
            noteAcquired(waitedNanoseconds: started.map { Deadline.now.nanoseconds &- $0.nanoseconds })
        }

        private enum ParkOutcome {
            case acquired
            /// Compete again; `woken` if this thread owns the `woken` bit (a release woke
            /// it, or it found the lock free before parking again).
            case retry(woken: Bool)
            case timedOut
            case interrupted
        }

        /// Queues the caller behind a held lock, unless the lock changed meanwhile; a woken
        /// waiter going back to sleep clears the `woken` bit as it queues.
        private func park(
            deadline: Deadline?, interruptible: Bool, queuedSince: inout Deadline?, clearingWoken: Bool
        ) -> ParkOutcome {
            waiters.lock()
            // Under the queue mutex nobody can clear `parked` or hand the lock over, so
            // a thread queued with `locked | parked` set, and `woken` clear, is sure to be
            // woken by a release.
            let cleared = clearingWoken ? Self.woken : 0
            while true {
#if THREADING_SCHEDULE_POINTS
                SchedulePoints.reach(.memory("Lock.park: load", stateAddress))
#endif
                let current = state.load(ordering: .relaxed)
                if current & Self.locked == 0 {
                    waiters.unlock()
                    return .retry(woken: clearingWoken)
                }
#if THREADING_SCHEDULE_POINTS
                let setParked = SchedulePoints.isPlanted(.lockParksWithoutParkedBit) ? 0 : Self.parked
                let desired = (current | setParked) & ~cleared
#else
                let desired = (current | Self.parked) & ~cleared
#endif
                if desired == current { break }
#if THREADING_SCHEDULE_POINTS
                SchedulePoints.reach(.memory("Lock.park: CAS", stateAddress))
#endif
                if state.compareExchange(expected: current, desired: desired, ordering: .relaxed).exchanged {
                    break
                }
            }
            let since = queuedSince ?? .now
            queuedSince = since
            let outcome = waiters.list.wait(
                unlocking: waiters.mutex,
                until: deadline,
                on: self,
                interruptible: interruptible,
                queuedSince: since
            ) { _ in
                if self.waiters.isEmpty {
#if THREADING_SCHEDULE_POINTS
                    SchedulePoints.reach(.memory("Lock.park: clear parked on leaving", self.stateAddress))
#endif
                    self.state.bitwiseAnd(~Self.parked, ordering: .relaxed)
                }
                return true
            }
            switch outcome {
            case .timedOut: return .timedOut
            case .interrupted: return .interrupted
            case .woken(let token): return token == Self.tokenHandoff ? .acquired : .retry(woken: true)
            }
        }

        @usableFromInline
        internal func releaseContended() throws {
            // A lock handed to a woken waiter reaches it through the parker's futex word,
            // which ThreadSanitizer does not see (the fast paths' atomics it does see).
            cshim_tsan_release(Unmanaged.passUnretained(self).toOpaque())
#if THREADING_SCHEDULE_POINTS
            SchedulePoints.reach(.memory("Lock.releaseContended: load", stateAddress))
#endif
            var current = state.load(ordering: .relaxed)
            guard current & Self.locked != 0 else {
                throw RuntimeError("release unlocked lock")
            }
            if current & Self.instrumented != 0 { noteReleasing() }
            // Nobody parked, or a woken waiter is on its way to compete: free the lock
            // without the queue mutex and wake nobody.
            while current & Self.parked == 0 || current & Self.woken != 0 {
                guard current & Self.locked != 0 else { throw RuntimeError("release unlocked lock") }
#if THREADING_SCHEDULE_POINTS
                SchedulePoints.reach(.memory("Lock.releaseContended: CAS", stateAddress))
#endif
                let (exchanged, original) = state.compareExchange(
                    expected: current, desired: current & ~Self.locked, ordering: .releasing)
                if exchanged { return }
                current = original
            }
            waiters.lock()
            defer { waiters.unlock() }
            // Under the mutex, with the lock held and `woken` clear, only this thread
            // changes `state` (acquirers wait for `locked` to clear, parkers for the mutex).
#if THREADING_SCHEDULE_POINTS
            SchedulePoints.reach(.memory("Lock.releaseContended: load under mutex", stateAddress))
#endif
            current = state.load(ordering: .relaxed)
            guard current & Self.locked != 0 else {
                throw RuntimeError("release unlocked lock")
            }
            let kept = current & Self.instrumented
            guard let oldest = waiters.first else {
                // The last waiter timed out and left: nobody to wake.
#if THREADING_SCHEDULE_POINTS
                SchedulePoints.reach(.memory("Lock.releaseContended: store, nobody queued", stateAddress))
#endif
                state.store(kept, ordering: .releasing)
                return
            }
            let othersRemain: UInt32 = waiters.count > 1 ? Self.parked : 0
            // A condition's waiter moved here (`requeue`) is handed the lock, as is one
            // that has waited past the fairness limit: neither competes for it again.
            if oldest.requeued
                || Deadline.now.nanoseconds &- oldest.queuedSince.nanoseconds > Self.fairnessNanoseconds {
#if THREADING_SCHEDULE_POINTS
                SchedulePoints.reach(.memory("Lock.releaseContended: store, hand off", stateAddress))
#endif
                state.store(Self.locked | othersRemain | kept, ordering: .releasing)
                waiters.wakeFirst(token: Self.tokenHandoff)
            } else {
#if THREADING_SCHEDULE_POINTS
                SchedulePoints.reach(.memory("Lock.releaseContended: store woken", stateAddress))
                if SchedulePoints.isPlanted(.lockReleaseForgetsWake) {
                    state.store(othersRemain | kept | Self.woken, ordering: .releasing)
                    return
                }
#endif
                state.store(othersRemain | kept | Self.woken, ordering: .releasing)
                waiters.wakeFirst(token: Self.tokenRetry)
            }
        }

        /// Records that a waiter moved here by `requeue` was handed the lock by a release
        /// (for ThreadSanitizer, and for diagnostics on an instrumented lock).
        internal func tookHandoff() {
            acquiredAfterWaiting(since: nil)
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
#if THREADING_SCHEDULE_POINTS
                SchedulePoints.reach(.memory("Lock.requeue: load", stateAddress))
#endif
                let current = state.load(ordering: .relaxed)
                if current & Self.locked == 0 { return false }
                if current & Self.parked != 0 { break }
#if THREADING_SCHEDULE_POINTS
                SchedulePoints.reach(.memory("Lock.requeue: CAS", stateAddress))
#endif
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

        // MARK: Diagnostics (instrumented locks only)

        internal func noteAcquired(waitedNanoseconds: UInt64?) {
            let flags = cshim_diagnostics_flags()
            holder.store(currentThreadIdent(), ordering: .relaxed)
            if flags & UInt32(CSHIM_DIAG_LOCK_ORDER) != 0 {
                LockOrderChecker.shared.acquired(diagnosticID, name: diagnosticName)
            }
            if flags & UInt32(CSHIM_DIAG_STATISTICS) != 0 {
                statisticsCounters.record(waitedNanoseconds: waitedNanoseconds)
            }
        }

        internal func noteReleasing() {
            let previous = holder.exchange(0, ordering: .relaxed)
            if previous != 0, cshim_diagnostics_flags() & UInt32(CSHIM_DIAG_LOCK_ORDER) != 0 {
                LockOrderChecker.shared.released(diagnosticID, heldBy: previous)
            }
        }

        private var statisticsCounters: LockCounters {
            if let existing = counters.load() { return existing }
            let created = LockCounters()
            let stored = counters.storeIfNil(created)
            if stored === created { StatisticsRegistry.shared.add(self, created) }
            return stored
        }

        /// The number of threads parked waiting for the lock (for tests and thread dumps).
        internal var parkedCount: Int { waiters.withLock { waiters.count } }
    }
}

extension threading.Lock: WaitTarget {
    var waitKind: String { kind }

    var holders: [UInt] {
        if let reentrantOwner {
            let owner = reentrantOwner.owner.load(ordering: .relaxed)
            return owner == 0 ? [] : [owner]
        }
        let tracked = holder.load(ordering: .relaxed)
        return tracked == 0 || !locked ? [] : [tracked]
    }
}

extension threading.Lock: CustomStringConvertible {
    /// Python's repr: `<locked threading.Lock object at 0x...>`.
    public var description: String {
        "<\(locked ? "locked" : "unlocked") threading.Lock object at \(objectAddress(self))>"
    }
}

/// Lock identities for diagnostics: never reused, unlike addresses.
private let nextLockID = Atomic<UInt64>(0)

/// The address Python's reprs show for an object.
internal func objectAddress(_ object: AnyObject) -> String {
    "0x" + String(UInt(bitPattern: ObjectIdentifier(object)), radix: 16)
}
