//===----------------------------------------------------------------------===//
//
// Threading: Python's threading model for Swift on Linux.
//
//===----------------------------------------------------------------------===//

import Synchronization

extension threading {
    /// Python's `threading.RLock`: a reentrant lock owned by the thread that acquired it,
    /// which may acquire it again; it is free once released as many times as acquired.
    ///
    /// Invariant: `owner` is the owning thread's ident (0 when free) and `count` its
    /// recursion depth; both change only on the owning thread, and `lock` is held exactly
    /// while `owner` is not 0.
    ///
    ///     let rlock = threading.RLock()
    ///     rlock.withLock { rlock.withLock { print("nested") } }
    public final class RLock: @unchecked Sendable {
        @usableFromInline let lock: Lock
        @usableFromInline let owner = Atomic<UInt>(0)
        @usableFromInline let count = Atomic<Int>(0)

        /// Creates an unowned lock; `label` names it in thread dumps and reports.
        public init(label: String? = nil) {
            lock = Lock(label: label, kind: "RLock")
            lock.reentrantOwner = self
        }

        /// The label given at creation.
        public var label: String? { lock.label }

        /// Acquires the lock, blocking as long as it takes; immediate if the caller
        /// already owns it. Not interrupted by Ctrl-C.
        ///
        /// - Returns: true, as Python's `acquire()` does.
        @inlinable
        @discardableResult
        @available(*, noasync, message: "acquire() blocks the thread; use it outside async code")
        public func acquire() -> Bool {
            let me = currentThreadIdent()
            if owner.load(ordering: .relaxed) == me {
                count.store(count.load(ordering: .relaxed) + 1, ordering: .relaxed)
                return true
            }
            lock.acquire()
            owner.store(me, ordering: .relaxed)
            count.store(1, ordering: .relaxed)
            return true
        }

        /// Acquires the lock, waiting at most `timeout` seconds when `blocking`, with
        /// `Lock.acquire(blocking:timeout:)`'s rules and errors (`KeyboardInterrupt`
        /// included).
        @available(*, noasync, message: "acquire() blocks the thread; use it outside async code")
        public func acquire(blocking: Bool, timeout: Double? = nil) throws -> Bool {
            try acquire(until: Lock.deadline(blocking: blocking, timeout: timeout), interruptible: true)
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

        /// Releases one level of ownership; the lock is free when the count reaches zero.
        ///
        /// - Throws: `RuntimeError("cannot release un-acquired lock")` if the caller does
        ///   not own the lock; nothing changes.
        @inlinable
        public func release() throws {
            guard owner.load(ordering: .relaxed) == currentThreadIdent() else {
                throw RuntimeError("cannot release un-acquired lock")
            }
            let remaining = count.load(ordering: .relaxed) - 1
            count.store(remaining, ordering: .relaxed)
            if remaining == 0 {
                owner.store(0, ordering: .relaxed)
                try lock.release()
            }
        }

        /// True while any thread owns the lock (Python 3.14's `RLock.locked()`).
        public var locked: Bool { lock.locked }

        /// Runs `body` owning the lock, and releases it even if `body` throws.
        @inlinable
        @available(*, noasync, message: "withLock blocks the thread; use it outside async code")
        public func withLock<Result>(_ body: () throws -> Result) rethrows -> Result {
            acquire()
            defer { try? release() }
            return try body()
        }

        // MARK: Internals shared with Condition

        @usableFromInline
        internal func acquire(until deadline: Deadline?, interruptible: Bool) throws -> Bool {
            let me = currentThreadIdent()
            if owner.load(ordering: .relaxed) == me {
                count.store(count.load(ordering: .relaxed) + 1, ordering: .relaxed)
                return true
            }
            guard try lock.acquire(until: deadline, interruptible: interruptible) else { return false }
            owner.store(me, ordering: .relaxed)
            count.store(1, ordering: .relaxed)
            return true
        }

        /// Python's `_is_owned()`: true if the calling thread owns the lock.
        internal var isOwnedByCurrentThread: Bool {
            owner.load(ordering: .relaxed) == currentThreadIdent()
        }

        /// Python's `_recursion_count()`: the depth if the caller owns the lock, else 0.
        internal var recursionCount: Int {
            isOwnedByCurrentThread ? count.load(ordering: .relaxed) : 0
        }

        /// Python's `_release_save()`: releases every level at once, for `Condition.wait`.
        ///
        /// - Returns: the depth to restore.
        internal func releaseAll() throws -> Int {
            guard isOwnedByCurrentThread else {
                throw RuntimeError("cannot release un-acquired lock")
            }
            let depth = count.load(ordering: .relaxed)
            count.store(0, ordering: .relaxed)
            owner.store(0, ordering: .relaxed)
            try lock.release()
            return depth
        }

        /// Python's `_acquire_restore()`: re-acquires the lock at `depth`.
        internal func reacquire(depth: Int, alreadyLocked: Bool = false) {
            if !alreadyLocked { lock.acquire() }
            owner.store(currentThreadIdent(), ordering: .relaxed)
            count.store(depth, ordering: .relaxed)
        }
    }
}

extension threading.RLock: CustomStringConvertible {
    /// Python's repr: `<locked threading.RLock object owner=140... count=2 at 0x...>`.
    public var description: String {
        let owner = owner.load(ordering: .relaxed)
        let count = owner == 0 ? 0 : count.load(ordering: .relaxed)
        return "<\(locked ? "locked" : "unlocked") threading.RLock object owner=\(owner) "
            + "count=\(count) at \(objectAddress(self))>"
    }
}
