//===----------------------------------------------------------------------===//
//
// Threading: Python's threading model for Swift on Linux.
//
//===----------------------------------------------------------------------===//

/// Python's `threading` module: threads, locks, conditions, semaphores, events and
/// barriers, with Python's semantics and error messages.
///
/// The namespace keeps names such as `Thread`, `Timer` and `Semaphore` from colliding with
/// Foundation and Glibc, and makes ported code read like the Python it came from:
///
///     let lock = threading.Lock()
///     lock.withLock { counter += 1 }
public enum threading {
    /// The largest timeout, in seconds, that a blocking call accepts; a larger one throws
    /// `OverflowError`. The same value as CPython's on 64-bit Linux.
    public static let TIMEOUT_MAX: Double = 9_223_372_036.0
}
