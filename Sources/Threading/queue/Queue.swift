//===----------------------------------------------------------------------===//
//
// Threading: Python's threading model for Swift on Linux.
//
//===----------------------------------------------------------------------===//

extension queue {
    /// Python's `queue.Queue`: a first-in, first-out queue for passing items between
    /// threads, optionally bounded, with task tracking and shutdown.
    ///
    /// Invariant: every item put comes out of exactly one `get`, in the order it went in;
    /// a call that throws (full, empty, timed out, shut down) leaves the queue exactly as
    /// it was.
    ///
    ///     let tasks = queue.Queue<String>(maxsize: 8)
    ///     // consumer:
    ///     while let job = try? tasks.get() {
    ///         print(job)
    ///         try tasks.taskDone()
    ///     }
    ///     // producer:
    ///     try tasks.put("one")
    ///     tasks.join()         // until the consumer has called taskDone() for each
    ///     tasks.shutdown()     // the consumer's get() now throws ShutDown
    ///
    /// `put` and `get` cost one short mutex hold when they need not wait; a thread that
    /// has to wait parks, and the call that lets it go on completes its `put` or `get` for
    /// it before waking it.
    public final class Queue<Element: Sendable>: Sendable {
        @usableFromInline internal let core: QueueCore<RingStorage<Element>>

        /// Creates a queue holding at most `maxsize` items; zero or less is unbounded.
        public init(maxsize: Int = 0) {
            core = QueueCore(maxsize: maxsize)
        }

        /// The bound (zero or less: unbounded). It may be changed while the queue is in
        /// use: a lower bound is honoured by the next `put`, and a higher one lets blocked
        /// putters in at once.
        @inlinable
        public var maxsize: Int {
            get { core.maxsize }
            set { core.maxsize = newValue }
        }

        /// The number of items in the queue (Python's `qsize()`); only a snapshot while
        /// other threads use it.
        @inlinable
        public var qsize: Int { core.qsize }

        /// True when the queue holds no items (Python's `empty()`); a snapshot.
        @inlinable
        public var empty: Bool { core.qsize == 0 }

        /// True when a bounded queue holds `maxsize` items or more (Python's `full()`);
        /// always false when unbounded; a snapshot.
        @inlinable
        public var full: Bool { core.full }

        /// Items put but not yet matched by `taskDone()` (Python's `unfinished_tasks`).
        public var unfinishedTasks: Int { core.unfinishedTasks }

        /// True once `shutdown` has been called (Python's `is_shutdown`).
        public var isShutdown: Bool { core.shutDown }

        /// Puts `item` at the back of the queue (Python's `put(item, block, timeout)`).
        ///
        /// A bounded, full queue makes the call wait for room: forever with `timeout: nil`,
        /// up to `timeout` seconds otherwise; with `block: false` it does not wait and the
        /// timeout is ignored. An unbounded queue never waits and ignores both.
        ///
        /// - Throws: `queue.ShutDown` if the queue is shut down (before or while waiting);
        ///   `queue.Full` if there is no room in time; `ValueError("'timeout' must be a
        ///   non-negative number")` for a negative timeout with `block` on a bounded queue,
        ///   even one with room; `OverflowError` for a timeout beyond
        ///   `threading.TIMEOUT_MAX` when the call has to wait.
        @inlinable
        @available(*, noasync, message: "put() can block the thread; use putNowait() in async code")
        public func put(_ item: Element, block: Bool = true, timeout: Double? = nil) throws {
            try core.put(item, block: block, timeout: timeout)
        }

        /// Puts `item` at the back of the queue, waiting at most `timeout` for room.
        @inlinable
        @available(*, noasync, message: "put() can block the thread; use putNowait() in async code")
        public func put(_ item: Element, block: Bool = true, timeout: Duration) throws {
            try core.put(item, block: block, timeout: timeout.seconds)
        }

        /// Puts `item` if there is room at once (Python's `put_nowait`).
        ///
        /// - Throws: `queue.Full`, or `queue.ShutDown`.
        @inlinable
        public func putNowait(_ item: Element) throws {
            try core.put(item, block: false, timeout: nil)
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
        /// timeout is ignored. After `shutdown()`, the remaining items are still returned.
        ///
        /// - Throws: `queue.Empty` if no item comes in time; `queue.ShutDown` if the queue
        ///   is shut down and empty (before or while waiting); `ValueError("'timeout' must
        ///   be a non-negative number")` for a negative timeout with `block`, even when an
        ///   item is there; `OverflowError` for a timeout beyond `threading.TIMEOUT_MAX`
        ///   when the call has to wait.
        @inlinable
        @available(*, noasync, message: "get() can block the thread; use getNowait() in async code")
        public func get(block: Bool = true, timeout: Double? = nil) throws -> Element {
            try core.get(block: block, timeout: timeout)
        }

        /// Removes and returns the item at the front, waiting at most `timeout` for one.
        @inlinable
        @available(*, noasync, message: "get() can block the thread; use getNowait() in async code")
        public func get(block: Bool = true, timeout: Duration) throws -> Element {
            try core.get(block: block, timeout: timeout.seconds)
        }

        /// Removes and returns the front item if there is one (Python's `get_nowait`).
        ///
        /// - Throws: `queue.Empty`, or `queue.ShutDown` once shut down and empty.
        @inlinable
        public func getNowait() throws -> Element {
            try core.get(block: false, timeout: nil)
        }

        /// Marks one item taken by `get` as processed (Python's `task_done()`); when every
        /// item put has been marked, `join()` returns.
        ///
        /// - Throws: `ValueError("task_done() called too many times")`.
        public func taskDone() throws {
            try core.taskDone()
        }

        /// Waits until every item put has been marked by `taskDone()` (or discarded by
        /// `shutdown(immediate: true)`). Never throws `ShutDown`.
        @available(*, noasync, message: "join() blocks the thread; use it outside async code")
        public func join() {
            core.join()
        }

        /// Shuts the queue down (Python 3.13): `put` throws `queue.ShutDown` from now on,
        /// and `get` does once the queue is empty. Threads blocked in `put` or in `get` on
        /// an empty queue are woken and throw `queue.ShutDown`.
        ///
        /// With `immediate: true` the remaining items are discarded, each counting as a
        /// finished task (the count never goes below zero), so `join()` can return. May be
        /// called again, in either mode.
        public func shutdown(immediate: Bool = false) {
            core.shutdown(immediate: immediate)
        }

        /// The number of threads blocked in `get` (for tests and thread dumps).
        internal var waitingGetters: Int { core.waitingGetters }
        /// The number of threads blocked in `put`.
        internal var waitingPutters: Int { core.waitingPutters }
        /// The number of threads blocked in `join()`.
        internal var waitingJoiners: Int { core.waitingJoiners }
    }
}

extension queue.Queue: CustomStringConvertible {
    /// Python's repr: `<queue.Queue object at 0x...>`.
    public var description: String {
        "<queue.Queue object at \(objectAddress(self))>"
    }
}
