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

/// Futex wait and wake on a 32-bit word, with every errno of the wait decided here, once.
@usableFromInline
internal enum Futex {
    /// How a wait on a futex word ended.
    @usableFromInline
    internal enum WaitResult: Equatable {
        /// Woken, interrupted by a signal, or the word no longer held the expected value:
        /// the caller re-reads the word and decides whether to wait again.
        case awoke
        /// The deadline has passed, checked on the monotonic clock.
        case timedOut
    }

    /// Sleeps while `*word == expected`, at most until `deadline`.
    ///
    /// `EINTR` and `EAGAIN` are reported as `.awoke` so the caller re-checks its
    /// condition; `ETIMEDOUT` is believed only once the monotonic clock agrees, so a
    /// wait never ends before its deadline.
    @usableFromInline
    internal static func wait(
        _ word: UnsafeMutablePointer<UInt32>,
        expected: UInt32,
        deadline: Deadline?
    ) -> WaitResult {
#if THREADING_SCHEDULE_POINTS
        if let controller = SchedulePoints.controller {
            return controller.futexWait(word, expected: expected, deadline: deadline)
        }
#endif
        let error = system_futexWait(word, expected: expected, deadline: deadline)
        switch error {
        case 0, EINTR, EAGAIN:
            return .awoke
        case ETIMEDOUT:
            guard let deadline, deadline.hasPassed else { return .awoke }
            return .timedOut
        default:
            // EFAULT or EINVAL: the word is not a valid futex, a bug in this library.
            preconditionFailure("futex wait failed with errno \(error)")
        }
    }

    /// Wakes at most `count` threads sleeping on `word`.
    @usableFromInline
    internal static func wake(_ word: UnsafeMutablePointer<UInt32>, count: Int32 = 1) {
#if THREADING_SCHEDULE_POINTS
        SchedulePoints.reach(.futexWake(UnsafeRawPointer(word)))
#endif
        system_futexWake(word, count: count)
    }
}
