//===----------------------------------------------------------------------===//
//
// Threading: Python's threading model for Swift on Linux.
//
//===----------------------------------------------------------------------===//

extension queue {
    /// Python's `queue.SimpleQueue`: an unbounded first-in, first-out queue without task
    /// tracking, bound or shutdown; `put` never blocks and never fails.
    ///
    /// Invariant: every item put comes out of exactly one `get`, in the order it went in.
    ///
    ///     let results = queue.SimpleQueue<Int>()
    ///     results.put(42)                      // from any thread
    ///     let value = try results.get()        // 42
    ///
    /// Unlike `Queue.get`, `get` checks its timeout before it looks at the queue, as
    /// CPython's C implementation does: NaN, a negative value or one beyond
    /// `threading.TIMEOUT_MAX` throws even when an item is waiting.
    public final class SimpleQueue<Element: Sendable>: Sendable {
        @usableFromInline internal let core: QueueCore<RingStorage<Element>>

        /// Creates an empty queue.
        public init() {
            core = QueueCore(maxsize: 0)
        }

        /// The number of items in the queue (Python's `qsize()`); a snapshot.
        @inlinable
        public var qsize: Int { core.qsize }

        /// True when the queue holds no items (Python's `empty()`); a snapshot.
        @inlinable
        public var empty: Bool { core.qsize == 0 }

        /// Puts `item` at the back of the queue. It never blocks: `block` and `timeout`
        /// are accepted for compatibility with `Queue.put` and ignored, as in Python.
        @inlinable
        public func put(_ item: Element, block: Bool = true, timeout: Double? = nil) {
            core.append(item)
        }

        /// Puts `item` at the back of the queue; `block` and `timeout` are ignored.
        @inlinable
        public func put(_ item: Element, block: Bool = true, timeout: Duration) {
            core.append(item)
        }

        /// Puts `item` at the back of the queue (Python's `put_nowait`).
        @inlinable
        public func putNowait(_ item: Element) {
            core.append(item)
        }

        /// Removes and returns the next item, suspending the task (not blocking a thread)
        /// while the queue is empty: the bridge to Swift concurrency.
        ///
        /// - Throws: `queue.ShutDown` once shut down and empty; `CancellationError` if the
        ///   task is cancelled while waiting (no item is taken).
        public func get() async throws -> Element {
            try await core.getAsync()
        }

        /// Removes and returns the item at the front (Python's `get(block, timeout)`).
        ///
        /// An empty queue makes the call wait for an item: forever with `timeout: nil`, up
        /// to `timeout` seconds otherwise; with `block: false` it does not wait and the
        /// timeout is ignored.
        ///
        /// - Throws: `queue.Empty` if no item comes in time. With `block`, before anything
        ///   else: `ValueError("Invalid value NaN (not a number)")` for NaN,
        ///   `OverflowError` beyond `threading.TIMEOUT_MAX` (either sign), and
        ///   `ValueError("'timeout' must be a non-negative number")` for other negative
        ///   values.
        @inlinable
        @available(*, noasync, message: "get() can block the thread; use getNowait() in async code")
        public func get(block: Bool = true, timeout: Double? = nil) throws -> Element {
            try core.get(deadline: Self.deadline(block: block, timeout: timeout))
        }

        /// Removes and returns the item at the front, waiting at most `timeout` for one.
        @inlinable
        @available(*, noasync, message: "get() can block the thread; use getNowait() in async code")
        public func get(block: Bool = true, timeout: Duration) throws -> Element {
            try core.get(deadline: Self.deadline(block: block, timeout: timeout.seconds))
        }

        /// Removes and returns the front item if there is one (Python's `get_nowait`).
        ///
        /// - Throws: `queue.Empty`.
        @inlinable
        public func getNowait() throws -> Element {
            try core.get(deadline: Deadline(nanoseconds: 0))
        }

        /// C `SimpleQueue.get`'s reading of its arguments: no wait without `block`, the
        /// timeout validated up front otherwise.
        @inlinable
        internal static func deadline(block: Bool, timeout: Double?) throws -> Deadline? {
            guard block else { return Deadline(nanoseconds: 0) }   // already passed: no wait
            guard let timeout else { return nil }
            try checkTimeoutRepresentable(timeout)
            if timeout < 0 { throw ValueError("'timeout' must be a non-negative number") }
            return .after(seconds: timeout)
        }

        /// The number of threads blocked in `get` (for tests and thread dumps).
        internal var waitingGetters: Int { core.waitingGetters }
    }
}

extension queue.SimpleQueue: CustomStringConvertible {
    /// Python's repr: `<_queue.SimpleQueue object at 0x...>`.
    public var description: String {
        "<_queue.SimpleQueue object at \(objectAddress(self))>"
    }
}
