//===----------------------------------------------------------------------===//
//
// Threading: Python's threading model for Swift on Linux.
//
//===----------------------------------------------------------------------===//

extension threading {
    /// Python's `threading.Semaphore`: a counter of permits; `acquire` takes one, waiting
    /// while there are none, and `release` adds them back, without an upper bound.
    ///
    /// Invariant: the value never goes below zero, and a release wakes waiting threads
    /// (oldest first) by handing them its permits, so no waiter is overtaken.
    ///
    ///     let slots = try threading.Semaphore(value: 5)
    ///     slots.withLock { download() }     // at most 5 at a time
    public final class Semaphore: @unchecked Sendable {
        @usableFromInline let permits: Permits

        /// Creates a semaphore holding one permit; `label` names it in thread dumps.
        public init(label: String? = nil) {
            permits = try! Permits(value: 1, bounded: false, label: label)
        }

        /// Creates a semaphore holding `value` permits.
        ///
        /// - Throws: `ValueError("semaphore initial value must be >= 0")`.
        public init(value: Int, label: String? = nil) throws {
            permits = try Permits(value: value, bounded: false, label: label)
        }

        /// Takes a permit, waiting as long as it takes.
        ///
        /// - Returns: true, as Python's `acquire()` does.
        @discardableResult
        @available(*, noasync, message: "acquire() blocks the thread; use it outside async code")
        public func acquire() -> Bool {
            (try? permits.acquire(deadline: nil)) ?? false
        }

        /// Takes a permit; with `blocking: false` only if one is free, otherwise waiting at
        /// most `timeout` seconds (`nil`: forever; zero or negative: no wait).
        ///
        /// - Returns: true if a permit was taken.
        /// - Throws: `ValueError("can't specify timeout for non-blocking acquire")`;
        ///   `OverflowError` beyond `threading.TIMEOUT_MAX` when it has to wait.
        @available(*, noasync, message: "acquire() blocks the thread; use it outside async code")
        public func acquire(blocking: Bool, timeout: Double? = nil) throws -> Bool {
            try permits.acquire(blocking: blocking, timeout: timeout)
        }

        /// Takes a permit, waiting at most `timeout` seconds.
        @available(*, noasync, message: "acquire() blocks the thread; use it outside async code")
        public func acquire(timeout: Double?) throws -> Bool {
            try permits.acquire(blocking: true, timeout: timeout)
        }

        /// Takes a permit, waiting at most `timeout`.
        @available(*, noasync, message: "acquire() blocks the thread; use it outside async code")
        public func acquire(timeout: Duration) throws -> Bool {
            try permits.acquire(blocking: true, timeout: timeout.seconds)
        }

        /// Adds one permit, waking the oldest waiting thread if there is one. (The value
        /// saturates at `Int.max`.)
        public func release() {
            try? permits.release(1)
        }

        /// Adds `n` permits, waking up to `n` waiting threads.
        ///
        /// - Throws: `ValueError("n must be one or more")`.
        public func release(n: Int) throws {
            try permits.release(n)
        }

        /// Runs `body` holding a permit, and gives it back even if `body` throws.
        @available(*, noasync, message: "withLock blocks the thread; use it outside async code")
        public func withLock<Result>(_ body: () throws -> Result) rethrows -> Result {
            acquire()
            defer { release() }
            return try body()
        }

        /// The number of free permits.
        internal var value: Int { permits.value }
    }

    /// Python's `threading.BoundedSemaphore`: a `Semaphore` whose value may never exceed
    /// its initial value, which catches a release without a matching acquire.
    ///
    /// Invariant: `0 <= value <= initial value`; a release that would break it throws and
    /// changes nothing.
    public final class BoundedSemaphore: @unchecked Sendable {
        @usableFromInline let permits: Permits

        /// Creates a bounded semaphore holding (and bounded by) one permit.
        public init(label: String? = nil) {
            permits = try! Permits(value: 1, bounded: true, label: label)
        }

        /// Creates a bounded semaphore holding (and bounded by) `value` permits.
        ///
        /// - Throws: `ValueError("semaphore initial value must be >= 0")`.
        public init(value: Int, label: String? = nil) throws {
            permits = try Permits(value: value, bounded: true, label: label)
        }

        /// Takes a permit, waiting as long as it takes.
        @discardableResult
        @available(*, noasync, message: "acquire() blocks the thread; use it outside async code")
        public func acquire() -> Bool {
            (try? permits.acquire(deadline: nil)) ?? false
        }

        /// Takes a permit, with `Semaphore.acquire(blocking:timeout:)`'s rules and errors.
        @available(*, noasync, message: "acquire() blocks the thread; use it outside async code")
        public func acquire(blocking: Bool, timeout: Double? = nil) throws -> Bool {
            try permits.acquire(blocking: blocking, timeout: timeout)
        }

        /// Takes a permit, waiting at most `timeout` seconds.
        @available(*, noasync, message: "acquire() blocks the thread; use it outside async code")
        public func acquire(timeout: Double?) throws -> Bool {
            try permits.acquire(blocking: true, timeout: timeout)
        }

        /// Takes a permit, waiting at most `timeout`.
        @available(*, noasync, message: "acquire() blocks the thread; use it outside async code")
        public func acquire(timeout: Duration) throws -> Bool {
            try permits.acquire(blocking: true, timeout: timeout.seconds)
        }

        /// Gives back `n` permits, waking up to `n` waiting threads.
        ///
        /// - Throws: `ValueError("Semaphore released too many times")` if the value would
        ///   exceed the initial value, `ValueError("n must be one or more")`; either way
        ///   nothing changes.
        public func release(n: Int = 1) throws {
            try permits.release(n)
        }

        /// Runs `body` holding a permit, and gives it back even if `body` throws.
        @available(*, noasync, message: "withLock blocks the thread; use it outside async code")
        public func withLock<Result>(_ body: () throws -> Result) rethrows -> Result {
            acquire()
            defer { try? release() }
            return try body()
        }

        /// The number of free permits.
        internal var value: Int { permits.value }
    }
}

extension threading.Semaphore: CustomStringConvertible {
    /// Python's repr: `<threading.Semaphore at 0x...: value=3>`.
    public var description: String {
        "<threading.Semaphore at \(objectAddress(self)): value=\(value)>"
    }
}

extension threading.BoundedSemaphore: CustomStringConvertible {
    /// Python's repr: `<threading.BoundedSemaphore at 0x...: value=2/3>`.
    public var description: String {
        "<threading.BoundedSemaphore at \(objectAddress(self)): value=\(value)/\(permits.bound ?? 0)>"
    }
}
