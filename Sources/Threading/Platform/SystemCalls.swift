//===----------------------------------------------------------------------===//
//
// Threading: Python's threading model for Swift on Linux.
//
//===----------------------------------------------------------------------===//

import CThreadingShims

#if canImport(Glibc)
@preconcurrency import Glibc
#elseif canImport(Musl)
@preconcurrency import Musl
#else
#error("Threading supports Linux only for now; a Darwin port adds a file beside this one.")
#endif

// The thin system-call layer (swift-system's `Internals/Syscalls.swift` is the model).
// Every function returns the errno instead of setting it, and every one can be made to
// fail by `FaultInjection`, so the callers' error paths are testable.

/// Sleeps while `*word == expected`, until woken or until the absolute monotonic `deadline`.
///
/// - Returns: 0 when woken, otherwise the errno (`EAGAIN`, `EINTR`, `ETIMEDOUT`).
///
/// The corresponding system call is `futex(FUTEX_WAIT_BITSET_PRIVATE)`.
@usableFromInline
internal func system_futexWait(
    _ word: UnsafeMutablePointer<UInt32>,
    expected: UInt32,
    deadline: Deadline?
) -> Int32 {
    let forced = cshim_mock_take_forced_errno(CSHIM_SYSCALL_FUTEX_WAIT)
    if forced != 0 { return forced }
    guard let deadline else { return cshim_futex_wait(word, expected, nil) }
    var spec = deadline.absoluteTimespec
    return cshim_futex_wait(word, expected, &spec)
}

/// Wakes up to `count` threads sleeping on `word`.
///
/// The corresponding system call is `futex(FUTEX_WAKE_PRIVATE)`.
@usableFromInline
internal func system_futexWake(_ word: UnsafeMutablePointer<UInt32>, count: Int32) {
    // Waking can fail only for an invalid address, which would be a bug in the caller.
    let woken = cshim_futex_wake(word, count)
    assert(woken >= 0, "futex wake failed with errno \(-woken)")
}

/// Starts a joinable thread running `start(argument)` with the given stack size (0: default).
///
/// - Returns: the new thread, or the errno (`EAGAIN` when the system refuses more threads).
///
/// The corresponding C function is `pthread_create`.
internal func system_threadCreate(
    stackSize: Int,
    start: @convention(c) (UnsafeMutableRawPointer?) -> UnsafeMutableRawPointer?,
    argument: UnsafeMutableRawPointer
) -> Result<pthread_t, SystemError> {
    let forced = cshim_mock_take_forced_errno(CSHIM_SYSCALL_THREAD_CREATE)
    if forced != 0 { return .failure(SystemError(errno: forced)) }

    var attributes = pthread_attr_t()
    pthread_attr_init(&attributes)
    defer { pthread_attr_destroy(&attributes) }
    if stackSize > 0 {
        let rc = pthread_attr_setstacksize(&attributes, stackSize)
        if rc != 0 { return .failure(SystemError(errno: rc)) }
    }
    var thread = pthread_t()
    let rc = pthread_create(&thread, &attributes, start, argument)
    return rc == 0 ? .success(thread) : .failure(SystemError(errno: rc))
}

/// An errno returned by a system call.
internal struct SystemError: Error, Equatable {
    internal var errno: Int32
}
