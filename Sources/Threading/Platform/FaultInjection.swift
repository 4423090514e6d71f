//===----------------------------------------------------------------------===//
//
// Threading: Python's threading model for Swift on Linux.
//
//===----------------------------------------------------------------------===//

import CThreadingShims

/// Forces system calls made by the calling thread to fail, so tests can drive the
/// `EINTR`, `ETIMEDOUT`, `EAGAIN` and thread-creation failure paths on demand.
///
/// The setting is per thread and costs one thread-local read on the slow paths that
/// make system calls; the fast paths never consult it.
internal enum FaultInjection {
    /// The system calls a test can make fail.
    internal enum SystemCall {
        case futexWait
        case threadCreate

        fileprivate var shimValue: cshim_syscall {
            switch self {
            case .futexWait: CSHIM_SYSCALL_FUTEX_WAIT
            case .threadCreate: CSHIM_SYSCALL_THREAD_CREATE
            }
        }
    }

    /// Makes the next `count` calls of `call` on this thread fail with `errno` without
    /// reaching the kernel.
    internal static func force(_ errno: Int32, on call: SystemCall, count: Int) {
        cshim_mock_force_errno(call.shimValue, errno, Int32(clamping: count))
    }

    /// How many forced failures of `call` are still pending on this thread.
    internal static func remaining(on call: SystemCall) -> Int {
        Int(cshim_mock_forced_remaining(call.shimValue))
    }

    /// Runs `body` with the next `count` calls of `call` on this thread failing with
    /// `errno`, and clears whatever is left of the setting afterwards.
    internal static func withForced<R>(
        _ errno: Int32,
        on call: SystemCall,
        count: Int,
        _ body: () throws -> R
    ) rethrows -> R {
        force(errno, on: call, count: count)
        defer { force(0, on: call, count: 0) }
        return try body()
    }
}
