//===----------------------------------------------------------------------===//
//
// Threading: Python's threading model for Swift on Linux.
//
//===----------------------------------------------------------------------===//

/// Python's `queue` module: blocking producer/consumer queues with Python's semantics and
/// error messages, built for throughput.
///
/// `Queue` (first in, first out), `LifoQueue` (last in, first out) and `PriorityQueue`
/// (smallest first) may be bounded, track unfinished tasks for `join()`, and can be shut
/// down; `SimpleQueue` is an unbounded FIFO without any of that.
///
///     let q = queue.Queue<Int>(maxsize: 16)
///     // producer:
///     try q.put(42)
///     // consumer:
///     let item = try q.get()
///     try q.taskDone()
///
/// Misuse throws Python's exception classes (`queue.Empty`, `queue.Full`,
/// `queue.ShutDown`, `ValueError`, `OverflowError`), and a failed or timed-out call leaves
/// the queue exactly as it was.
public enum queue {}

extension queue {
    /// Raised by a non-blocking or timed `get` when the queue is empty. Its message is
    /// empty, as in Python.
    public class Empty: Exception, @unchecked Sendable {
        /// Python's qualified name, as a traceback shows it: `_queue.Empty`.
        public override var pythonClassName: String { "_queue.Empty" }
    }

    /// Raised by a non-blocking or timed `put` when a bounded queue is full. Its message
    /// is empty, as in Python.
    public class Full: Exception, @unchecked Sendable {
        /// Python's qualified name, as a traceback shows it: `queue.Full`.
        public override var pythonClassName: String { "queue.Full" }
    }

    /// Raised by `put` on a queue that has been shut down, and by `get` once such a queue
    /// is empty (Python 3.13). Its message is empty, as in Python.
    public class ShutDown: Exception, @unchecked Sendable {
        /// Python's qualified name, as a traceback shows it: `queue.ShutDown`.
        public override var pythonClassName: String { "queue.ShutDown" }
    }
}
