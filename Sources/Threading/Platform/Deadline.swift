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

/// A point in time on `CLOCK_MONOTONIC`, in nanoseconds: immune to wall-clock steps.
///
/// Every timed wait in the library computes one deadline when it starts and re-waits for
/// whatever is left after each wake-up, so a wait never returns early.
@usableFromInline
internal struct Deadline: Comparable, Sendable {
    @usableFromInline internal var nanoseconds: UInt64

    @inlinable
    internal init(nanoseconds: UInt64) {
        self.nanoseconds = nanoseconds
    }

    /// The current monotonic time.
    @inlinable
    internal static var now: Deadline {
#if THREADING_SCHEDULE_POINTS
        if let controller = SchedulePoints.controller { return controller.now }
#endif
        var spec = Glibc.timespec()
        clock_gettime(CLOCK_MONOTONIC, &spec)
        return Deadline(nanoseconds: UInt64(spec.tv_sec) &* 1_000_000_000 &+ UInt64(spec.tv_nsec))
    }

    /// The moment `seconds` from now; a non-positive interval gives now.
    ///
    /// The caller has validated `seconds` (finite, at most `threading.TIMEOUT_MAX`).
    @inlinable
    internal static func after(seconds: Double) -> Deadline {
        let now = Deadline.now
        guard seconds > 0 else { return now }
        let interval = UInt64((seconds * 1e9).rounded(.up))
        let (sum, overflow) = now.nanoseconds.addingReportingOverflow(interval)
        return Deadline(nanoseconds: overflow ? .max : sum)
    }

    /// True once the monotonic clock has reached this deadline.
    @inlinable
    internal var hasPassed: Bool { Deadline.now >= self }

    /// Seconds left until this deadline (negative once it has passed).
    internal var secondsRemaining: Double {
        let now = Deadline.now
        return now >= self
            ? -Double(now.nanoseconds - nanoseconds) / 1e9
            : Double(nanoseconds - now.nanoseconds) / 1e9
    }

    /// The time in seconds since the monotonic clock's epoch (Python's `time.monotonic()`).
    internal var seconds: Double {
        Double(nanoseconds) / 1e9
    }

    /// The deadline as the absolute `timespec` that `futex(FUTEX_WAIT_BITSET)` takes.
    @usableFromInline
    internal var absoluteTimespec: Glibc.timespec {
        Glibc.timespec(
            tv_sec: Int(nanoseconds / 1_000_000_000),
            tv_nsec: Int(nanoseconds % 1_000_000_000)
        )
    }

    @inlinable
    internal static func < (lhs: Deadline, rhs: Deadline) -> Bool {
        lhs.nanoseconds < rhs.nanoseconds
    }
}
