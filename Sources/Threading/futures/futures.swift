//===----------------------------------------------------------------------===//
//
// Threading: Python's threading model for Swift on Linux.
//
//===----------------------------------------------------------------------===//

/// Python's `concurrent` package; only `concurrent.futures` (its thread-pool half) lives
/// here.
public enum concurrent {
    /// Python's `concurrent.futures`: `Future`, `ThreadPoolExecutor`, `wait` and
    /// `asCompleted`.
    ///
    ///     let pool = try concurrent.futures.ThreadPoolExecutor(maxWorkers: 4)
    ///     let square = try pool.submit { 7 * 7 }
    ///     print(try square.result())     // 49
    ///     pool.shutdown()
    public enum futures {
        /// `wait` returns as soon as any future finishes or is cancelled.
        public static let FIRST_COMPLETED = ReturnWhen.firstCompleted
        /// `wait` returns when any future finishes by raising, or all are done.
        public static let FIRST_EXCEPTION = ReturnWhen.firstException
        /// `wait` returns when every future is done.
        public static let ALL_COMPLETED = ReturnWhen.allCompleted

        /// When `wait(_:timeout:returnWhen:)` returns.
        public enum ReturnWhen: String, Sendable {
            case firstCompleted = "FIRST_COMPLETED"
            case firstException = "FIRST_EXCEPTION"
            case allCompleted = "ALL_COMPLETED"
        }

        /// Python's `concurrent.futures.TimeoutError`, the builtin `TimeoutError`.
        public typealias TimeoutError = Threading.TimeoutError

        /// Raised by `result()` and `exception()` of a cancelled future (message `""`).
        public class CancelledError: Exception, @unchecked Sendable {
            /// As Python's traceback names it.
            public override var pythonClassName: String { "concurrent.futures._base.CancelledError" }
        }

        /// Raised when a future is completed twice, or given a result after it was
        /// cancelled.
        public class InvalidStateError: Exception, @unchecked Sendable {
            /// As Python's traceback names it.
            public override var pythonClassName: String { "concurrent.futures._base.InvalidStateError" }
        }

        /// Raised when an executor can no longer run work. A `RuntimeError`.
        public class BrokenExecutor: RuntimeError, @unchecked Sendable {
            /// As Python's traceback names it.
            public override var pythonClassName: String { "concurrent.futures._base.BrokenExecutor" }
        }

        /// Raised when a thread pool's initializer failed: the pool is not usable anymore.
        public class BrokenThreadPool: BrokenExecutor, @unchecked Sendable {
            /// As Python's traceback names it.
            public override var pythonClassName: String { "concurrent.futures.thread.BrokenThreadPool" }
        }
    }
}

/// Python's `OSError`.
public class OSError: Exception, @unchecked Sendable {}

/// Python's builtin `TimeoutError`: a wait ran out of time.
public class TimeoutError: OSError, @unchecked Sendable {}
