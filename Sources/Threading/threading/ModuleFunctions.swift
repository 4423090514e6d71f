//===----------------------------------------------------------------------===//
//
// Threading: Python's threading model for Swift on Linux.
//
//===----------------------------------------------------------------------===//

import CThreadingShims

extension threading {
    /// The calling thread's `Thread` object. A thread the library did not start (a
    /// Dispatch worker, a raw pthread) gets a dummy object named `Dummy-N`.
    @available(*, noasync, message: "the thread running async code can change at any suspension point")
    public static func currentThread() -> Thread {
        ThreadRegistry.shared.current
    }

    /// The process's main thread (`MainThread`).
    public static func mainThread() -> Thread {
        ThreadRegistry.shared.mainThread
    }

    /// Every live thread: started and not yet finished ones, the main thread, and dummy
    /// threads.
    public static func enumerate() -> [Thread] {
        ThreadRegistry.shared.snapshot
    }

    /// The number of live threads: `enumerate().count`.
    public static func activeCount() -> Int {
        ThreadRegistry.shared.snapshot.count
    }

    /// The calling thread's identifier (its `pthread_t`): non-zero, reused after a thread
    /// ends.
    public static func getIdent() -> UInt {
        currentThreadIdent()
    }

    /// The calling thread's kernel thread id.
    public static func getNativeID() -> Int {
        currentNativeThreadID()
    }

    /// The number of CPUs this process may run on (Python's `os.process_cpu_count()`).
    public static var processCPUCount: Int {
        Int(cshim_process_cpu_count())
    }

    /// The stack size, in bytes, for threads started from now on (0: the platform
    /// default).
    public static func stackSize() -> Int {
        ThreadRegistry.shared.stackSize
    }

    /// Sets the stack size for threads started from now on (0: the platform default).
    ///
    /// - Returns: the previous setting.
    /// - Throws: `ValueError("size must be 0 or a positive value")`,
    ///   `ValueError("size not valid: N bytes")` below 32 KiB.
    @discardableResult
    public static func stackSize(_ size: Int) throws -> Int {
        if size < 0 { throw ValueError("size must be 0 or a positive value") }
        if size != 0, size < 32_768 { throw ValueError("size not valid: \(size) bytes") }
        let previous = ThreadRegistry.shared.stackSize
        ThreadRegistry.shared.stackSize = size
        return previous
    }
}
