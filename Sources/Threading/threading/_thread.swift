//===----------------------------------------------------------------------===//
//
// Threading: Python's threading model for Swift on Linux.
//
//===----------------------------------------------------------------------===//

/// Python's low-level `_thread` module: raw threads and the basic lock.
public enum _thread {
    /// Python's `_thread.LockType`: the type of `allocateLock()`'s locks.
    public typealias LockType = threading.Lock

    /// Python's `_thread.error`, which is `RuntimeError`.
    public typealias error = RuntimeError

    /// The largest timeout a blocking call accepts.
    public static let TIMEOUT_MAX = threading.TIMEOUT_MAX

    /// A new unlocked lock.
    public static func allocateLock() -> threading.Lock {
        threading.Lock()
    }

    /// Starts a raw thread running `function`: not registered in `threading` (until it
    /// calls `currentThread()`), never joined at exit. An error it throws is printed as
    /// `Exception ignored in thread started by ...`.
    ///
    /// - Returns: the thread's ident.
    /// - Throws: `RuntimeError("can't start new thread")`.
    @discardableResult
    public static func startNewThread(_ function: @escaping @Sendable () throws -> Void) throws -> UInt {
        let thread: PlatformThread
        do {
            thread = try PlatformThread.spawn(stackSize: ThreadRegistry.shared.stackSize) {
                do {
                    try function()
                } catch is SystemExit {
                } catch {
                    writeToStandardError("Exception ignored in thread started by <closure>:\n\(pythonFormat(error))\n")
                }
            }
        } catch {
            throw RuntimeError("can't start new thread")
        }
        thread.detach()
        return UInt(bitPattern: Int(bitPattern: UInt(thread.handle)))
    }

    /// The calling thread's identifier.
    public static func getIdent() -> UInt { threading.getIdent() }

    /// The calling thread's kernel thread id.
    public static func getNativeID() -> Int { threading.getNativeID() }

    /// The stack size for new threads.
    public static func stackSize() -> Int { threading.stackSize() }

    /// Sets the stack size for new threads, with `threading.stackSize(_:)`'s errors.
    @discardableResult
    public static func stackSize(_ size: Int) throws -> Int { try threading.stackSize(size) }

    /// Ends the calling thread: throws `SystemExit`, which a thread's machinery swallows.
    public static func exit() throws -> Never {
        throw SystemExit()
    }
}
