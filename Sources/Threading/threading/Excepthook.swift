//===----------------------------------------------------------------------===//
//
// Threading: Python's threading model for Swift on Linux.
//
//===----------------------------------------------------------------------===//

#if canImport(Glibc)
@preconcurrency import Glibc
#elseif canImport(Musl)
@preconcurrency import Musl
#endif

/// Python's `SystemExit`: ends a thread silently (`_thread.exit()` throws it).
public class SystemExit: BaseException, @unchecked Sendable {}

extension threading {
    /// Python's `threading.ExceptHookArgs`: what `excepthook` learns of an error that
    /// escaped a thread's `run()`.
    public struct ExceptHookArgs: Sendable {
        /// The error's type.
        public let excType: any Error.Type
        /// The error.
        public let excValue: any Error
        /// The thread it escaped from.
        public let thread: Thread?
    }

    /// The type of `threading.excepthook`.
    public typealias ExceptHook = @Sendable (ExceptHookArgs) throws -> Void

    /// Called, on the dying thread, with each error that escapes a thread's `run()`
    /// (`SystemExit` excepted). Settable; restore the default from `__excepthook__`.
    public static var excepthook: ExceptHook {
        get { hookStorage.value }
        set { hookStorage.value = newValue }
    }

    /// The default `excepthook`: prints `Exception in thread NAME:` and the error to
    /// standard error, as Python does (without a traceback: Swift errors carry none).
    public static let __excepthook__: ExceptHook = { args in
        let name = args.thread?.name ?? String(currentThreadIdent())
        writeToStandardError("Exception in thread \(name):\n\(pythonFormat(args.excValue))\n")
    }

    /// Hands an error that escaped `run()` to the hook; an error in the hook itself is
    /// printed as Python prints it.
    internal static func reportUncaught(_ error: any Error, in thread: Thread) {
        if error is SystemExit { return }
        let args = ExceptHookArgs(excType: type(of: error), excValue: error, thread: thread)
        do {
            try excepthook(args)
        } catch {
            writeToStandardError("Exception in threading.excepthook:\n\(pythonFormat(error))\n")
        }
    }
}

/// An error as the last line of a Python traceback shows it: `ValueError: bad value`, or
/// `MyError: description` for a Swift error.
internal func pythonFormat(_ error: any Error) -> String {
    let name: String
    let message: String
    if let exception = error as? BaseException {
        name = exception.pythonClassName
        message = exception.message
    } else {
        name = String(describing: type(of: error))
        message = (error as? CustomStringConvertible)?.description ?? ""
    }
    return message.isEmpty ? name : "\(name): \(message)"
}

/// Writes `text` to standard error in one system call, so lines from several threads do
/// not interleave.
internal func writeToStandardError(_ text: String) {
    var text = text
    text.withUTF8 { bytes in
        var offset = 0
        while offset < bytes.count {
            let written = write(2, bytes.baseAddress! + offset, bytes.count - offset)
            if written < 0 {
                if errno == EINTR { continue }
                return
            }
            offset += written
        }
    }
}

/// The current `excepthook`, behind a mutex.
private let hookStorage = HookStorage()

private final class HookStorage: @unchecked Sendable {
    private let mutex = InternalMutex()
    private var hook: threading.ExceptHook = threading.__excepthook__

    var value: threading.ExceptHook {
        get {
            mutex.lock()
            defer { mutex.unlock() }
            return hook
        }
        set {
            mutex.lock()
            hook = newValue
            mutex.unlock()
        }
    }
}
