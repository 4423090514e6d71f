//===----------------------------------------------------------------------===//
//
// Threading: Python's threading model for Swift on Linux.
//
//===----------------------------------------------------------------------===//

/// The root of the Python exception classes this library throws.
///
/// Each misuse that Python reports with an exception throws the same class here, with
/// Python's message as its `description`, so a port can catch by class:
///
///     do {
///         try lock.release()
///     } catch let error as RuntimeError {
///         print(error)    // release unlocked lock
///     }
///
/// The classes form Python's hierarchy (`threading.BrokenBarrierError` is a
/// `RuntimeError`), so catching a base class catches its subclasses, as `except` does.
public class BaseException: Error, @unchecked Sendable, CustomStringConvertible {
    /// Python's `str(exception)`: the message, possibly empty.
    public let message: String

    /// Creates the exception with Python's message.
    public init(_ message: String = "") {
        self.message = message
    }

    /// The message, as Python's `str(exception)` prints it.
    public var description: String { message }

    /// The Python class name, as a traceback's last line shows it (`"ValueError"`).
    public var pythonClassName: String {
        String(describing: type(of: self))
    }
}

/// Python's `Exception`: the base of every error a program is expected to handle.
public class Exception: BaseException, @unchecked Sendable {}

/// Python's `RuntimeError` (also `threading.ThreadError` and `_thread.error`).
public class RuntimeError: Exception, @unchecked Sendable {}

/// Python's `ValueError`: an argument of the right type but an invalid value.
public class ValueError: Exception, @unchecked Sendable {}

/// Python's `OverflowError`: a number too large for the platform (a timeout above
/// `threading.TIMEOUT_MAX`).
public class OverflowError: Exception, @unchecked Sendable {}

extension threading {
    /// Raised by `Barrier.wait()` when the barrier is broken, or is reset or broken while
    /// the thread waits. A `RuntimeError`, as in Python.
    public class BrokenBarrierError: RuntimeError, @unchecked Sendable {
        /// As Python's traceback names it.
        public override var pythonClassName: String { "threading.BrokenBarrierError" }
    }

    /// Python's `threading.ThreadError`, which is `RuntimeError` itself.
    public typealias ThreadError = RuntimeError
}

extension BaseException {
    /// True when `other` is of the same class with the same message.
    public func matches(_ other: BaseException) -> Bool {
        type(of: self) == type(of: other) && message == other.message
    }
}
