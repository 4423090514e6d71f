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

/// A joinable OS thread running a Swift closure: the bare `pthread_create`/`pthread_join`
/// that `threading.Thread` and the tests' thread helpers are built on.
///
/// The start routine is formed here, in nonisolated library code, so a closure written in
/// `main.swift` runs on the new thread without tripping Swift 6's isolation checks.
internal struct PlatformThread: @unchecked Sendable {
    internal let handle: pthread_t

    /// Starts a thread running `body`.
    ///
    /// - Parameter stackSize: the stack size in bytes, 0 for the platform default.
    /// - Throws: the errno of `pthread_create` (`EAGAIN` when the system refuses).
    internal static func spawn(
        stackSize: Int = 0,
        _ body: @escaping @Sendable () -> Void
    ) throws(SystemError) -> PlatformThread {
        let box = Unmanaged.passRetained(StartBox(body))
        let result = system_threadCreate(stackSize: stackSize, start: platformThreadStart, argument: box.toOpaque())
        switch result {
        case .success(let handle):
            return PlatformThread(handle: handle)
        case .failure(let error):
            box.release()
            throw error
        }
    }

    /// Waits for the thread to exit and releases its resources.
    internal func join() {
        let rc = pthread_join(handle, nil)
        precondition(rc == 0, "pthread_join failed with error \(rc)")
    }

    /// Lets the thread release its resources by itself when it exits; it cannot be joined.
    internal func detach() {
        let rc = pthread_detach(handle)
        precondition(rc == 0, "pthread_detach failed with error \(rc)")
    }
}

private final class StartBox {
    let body: @Sendable () -> Void
    init(_ body: @escaping @Sendable () -> Void) { self.body = body }
}

private func platformThreadStart(_ argument: UnsafeMutableRawPointer?) -> UnsafeMutableRawPointer? {
    let box = Unmanaged<StartBox>.fromOpaque(argument!).takeRetainedValue()
    box.body()
    return nil
}
