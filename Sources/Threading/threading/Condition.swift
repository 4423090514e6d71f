//===----------------------------------------------------------------------===//
//
// Threading: Python's threading model for Swift on Linux.
//
//===----------------------------------------------------------------------===//

extension threading {
    /// Python's `threading.Condition`: lets threads wait, holding a lock, until another
    /// thread that holds the same lock notifies them.
    ///
    /// Invariant: a waiter leaves `waiters` only by being notified (oldest first) or by its
    /// deadline passing, so there are no spurious wake-ups; `wait` releases the lock fully,
    /// even an `RLock` held several times, and restores it before returning.
    ///
    ///     let ready = threading.Condition()
    ///     try ready.withLock {
    ///         try ready.waitFor { queue.count > 0 }
    ///     }
    public final class Condition: @unchecked Sendable {
        @usableFromInline
        internal enum Underlying: Sendable {
            case lock(Lock)
            case rlock(RLock)
        }

        @usableFromInline let underlying: Underlying
        @usableFromInline let waiters = WaitQueue()
        /// The label given at creation, used by thread dumps.
        public let label: String?

        /// Creates a condition over a new `RLock`, as Python's `Condition()` does.
        public convenience init(label: String? = nil) {
            self.init(RLock(label: label), label: label)
        }

        /// Creates a condition over `lock`. Python cannot tell which thread holds a plain
        /// `Lock`, so `wait` and `notify` only check that it is held by someone.
        public init(_ lock: Lock, label: String? = nil) {
            underlying = .lock(lock)
            self.label = label
        }

        /// Creates a condition over `lock`.
        public init(_ lock: RLock, label: String? = nil) {
            underlying = .rlock(lock)
            self.label = label
        }

        // MARK: The lock

        /// Acquires the underlying lock, blocking as long as it takes.
        @discardableResult
        @available(*, noasync, message: "acquire() blocks the thread; use it outside async code")
        public func acquire() -> Bool {
            switch underlying {
            case .lock(let lock): lock.acquire()
            case .rlock(let rlock): rlock.acquire()
            }
        }

        /// Acquires the underlying lock, with its rules and errors.
        @available(*, noasync, message: "acquire() blocks the thread; use it outside async code")
        public func acquire(blocking: Bool, timeout: Double? = nil) throws -> Bool {
            let deadline = try Lock.deadline(blocking: blocking, timeout: timeout)
            switch underlying {
            case .lock(let lock): return try lock.acquire(until: deadline, interruptible: true)
            case .rlock(let rlock): return try rlock.acquire(until: deadline, interruptible: true)
            }
        }

        /// Acquires the underlying lock, waiting at most `timeout` seconds.
        @available(*, noasync, message: "acquire() blocks the thread; use it outside async code")
        public func acquire(timeout: Double?) throws -> Bool {
            try acquire(blocking: true, timeout: timeout)
        }

        /// Releases the underlying lock, with its errors.
        public func release() throws {
            switch underlying {
            case .lock(let lock): try lock.release()
            case .rlock(let rlock): try rlock.release()
            }
        }

        /// True while the underlying lock is held.
        public var locked: Bool {
            switch underlying {
            case .lock(let lock): lock.locked
            case .rlock(let rlock): rlock.locked
            }
        }

        /// Runs `body` holding the underlying lock: Python's `with condition:`.
        @available(*, noasync, message: "withLock blocks the thread; use it outside async code")
        public func withLock<Result>(_ body: () throws -> Result) rethrows -> Result {
            acquire()
            defer { try? release() }
            return try body()
        }

        // MARK: Waiting

        /// Releases the lock, waits until notified, and re-acquires it.
        ///
        /// - Returns: true (a wait without timeout ends only by a notification).
        /// - Throws: `RuntimeError("cannot wait on un-acquired lock")`.
        @discardableResult
        @available(*, noasync, message: "wait() blocks the thread; use it outside async code")
        public func wait() throws -> Bool {
            try wait(deadline: nil)
        }

        /// Releases the lock, waits until notified or `timeout` seconds pass, and
        /// re-acquires it. `nil` waits forever; zero, negative or NaN does not wait.
        ///
        /// - Returns: true if notified, false on timeout.
        /// - Throws: `RuntimeError("cannot wait on un-acquired lock")`; `OverflowError`
        ///   beyond `threading.TIMEOUT_MAX`.
        @discardableResult
        @available(*, noasync, message: "wait() blocks the thread; use it outside async code")
        public func wait(timeout: Double?) throws -> Bool {
            // Ownership first: Python converts the timeout only once it waits.
            guard isOwned else { throw RuntimeError("cannot wait on un-acquired lock") }
            return try wait(deadline: Self.deadline(timeout: timeout))
        }

        /// Releases the lock, waits until notified or `timeout` passes, and re-acquires it.
        @discardableResult
        @available(*, noasync, message: "wait() blocks the thread; use it outside async code")
        public func wait(timeout: Duration) throws -> Bool {
            try wait(timeout: timeout.seconds)
        }

        /// Waits until `predicate` is true, re-checking it after each notification, for at
        /// most `timeout` seconds overall (`nil`: no limit).
        ///
        /// The predicate is checked first, so an already-true predicate returns at once,
        /// without checking that the lock is held.
        ///
        /// - Returns: the predicate's last value.
        /// - Throws: what `wait` throws, or what `predicate` throws.
        @discardableResult
        @available(*, noasync, message: "waitFor() blocks the thread; use it outside async code")
        public func waitFor(_ predicate: () throws -> Bool, timeout: Double? = nil) throws -> Bool {
            var result = try predicate()
            if result { return true }
            // Python's first `wait` checks ownership before it converts the timeout.
            guard isOwned else { throw RuntimeError("cannot wait on un-acquired lock") }
            let deadline: Deadline?
            switch timeout {
            case nil: deadline = nil
            // Python re-waits for a NaN remainder forever.
            case let seconds? where seconds.isNaN: deadline = nil
            case let seconds? where seconds <= 0: deadline = .now
            case let seconds?: deadline = try .validated(secondsFromNow: seconds)
            }
            while !result {
                try wait(deadline: deadline)
                result = try predicate()
                if let deadline, deadline.hasPassed { break }
            }
            return result
        }

        /// Waits until `predicate` is true, for at most `timeout` overall.
        @discardableResult
        @available(*, noasync, message: "waitFor() blocks the thread; use it outside async code")
        public func waitFor(_ predicate: () throws -> Bool, timeout: Duration) throws -> Bool {
            try waitFor(predicate, timeout: timeout.seconds)
        }

        // MARK: Notifying

        /// Wakes up to `n` waiting threads, oldest first; `n <= 0` wakes none.
        ///
        /// - Throws: `RuntimeError("cannot notify on un-acquired lock")`.
        public func notify(n: Int = 1) throws {
            guard isOwned else { throw RuntimeError("cannot notify on un-acquired lock") }
            waiters.withLock {
                var remaining = n
                while remaining > 0, notifyFirst() { remaining -= 1 }
            }
        }

        /// Wakes every waiting thread.
        ///
        /// - Throws: `RuntimeError("cannot notify on un-acquired lock")`.
        public func notifyAll() throws {
            guard isOwned else { throw RuntimeError("cannot notify on un-acquired lock") }
            waiters.withLock { while notifyFirst() {} }
        }

        /// A notified waiter's token when it was woken to take the lock itself; a waiter
        /// moved to the lock's queue gets the lock's own token instead (see `notifyFirst`).
        private static let tokenNotified: UInt = 2

        /// Notifies the longest waiter; call with the mutex held.
        ///
        /// The notifier holds the lock, so a woken waiter would only find it held and spin
        /// or sleep again. The waiter is moved to the lock's queue instead (wait morphing,
        /// as parking_lot's requeue): the release that frees the lock wakes it, once.
        ///
        /// - Returns: false if no thread was waiting.
        private func notifyFirst() -> Bool {
            guard let node = waiters.first else { return false }
            waiters.list.remove(node)
            if !baseLock.requeue(node) { node.wake(token: Self.tokenNotified) }
            return true
        }

        /// The non-recursive lock under the condition's lock.
        private var baseLock: Lock {
            switch underlying {
            case .lock(let lock): lock
            case .rlock(let rlock): rlock.lock
            }
        }

        // MARK: Internals

        /// The deadline of `wait(timeout:)`: Python does not wait at all for zero,
        /// negative or NaN timeouts.
        private static func deadline(timeout: Double?) throws -> Deadline? {
            guard let timeout else { return nil }
            if timeout.isNaN || timeout <= 0 { return .now }
            return try .validated(secondsFromNow: timeout)
        }

        /// Python's `_is_owned()`: an `RLock` knows its owner; a `Lock` only whether it is
        /// held.
        private var isOwned: Bool {
            switch underlying {
            case .lock(let lock): lock.locked
            case .rlock(let rlock): rlock.isOwnedByCurrentThread
            }
        }

        @discardableResult
        internal func wait(deadline: Deadline?) throws -> Bool {
            guard isOwned else { throw RuntimeError("cannot wait on un-acquired lock") }
            try Interrupts.check()
#if THREADING_SCHEDULE_POINTS
            let releasesFirst = SchedulePoints.isPlanted(.conditionReleasesBeforeQueueing)
            if releasesFirst, case .lock(let lock) = underlying { try lock.release() }
#endif
            waiters.lock()
            // Queue before releasing the lock: a notifier must hold the lock, so it cannot
            // miss this waiter.
            let saved: Int
            do {
                switch underlying {
#if THREADING_SCHEDULE_POINTS
                case .lock(let lock): if !releasesFirst { try lock.release() }; saved = 1
#else
                case .lock(let lock): try lock.release(); saved = 1
#endif
                case .rlock(let rlock): saved = try rlock.releaseAll()
                }
            } catch {
                waiters.unlock()
                throw error
            }
            let outcome = waiters.list.wait(
                unlocking: waiters.mutex, until: deadline, on: self, interruptible: true)
            // A waiter moved to the lock's queue may have had the lock handed to it.
            let handedOver = if case .woken(Lock.tokenHandoff) = outcome { true } else { false }
            if handedOver { baseLock.tookHandoff() }
            // The lock comes back whatever happened, as Python's `finally` restores it.
            switch underlying {
            case .lock(let lock): if !handedOver { lock.acquire() }
            case .rlock(let rlock): rlock.reacquire(depth: saved, alreadyLocked: handedOver)
            }
            switch outcome {
            case .woken: return true
            case .timedOut: return false
            case .interrupted:
                try Interrupts.check()
                return false
            }
        }

        /// The number of threads waiting to be notified (for tests and thread dumps).
        internal var waitingCount: Int { waiters.withLock { waiters.count } }
    }
}

extension threading.Condition: WaitTarget {
    var waitKind: String { "Condition" }
    var holders: [UInt] { [] }
}

extension threading.Condition: CustomStringConvertible {
    /// Python's repr: `<Condition(<lock repr>, waiters)>`.
    public var description: String {
        let lock: String
        switch underlying {
        case .lock(let l): lock = l.description
        case .rlock(let r): lock = r.description
        }
        return "<Condition(\(lock), \(waitingCount))>"
    }
}
