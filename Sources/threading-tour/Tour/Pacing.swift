//===----------------------------------------------------------------------===//
//
// Threading: Python's threading model for Swift on Linux.
//
//===----------------------------------------------------------------------===//

import Synchronization

#if canImport(Glibc)
@preconcurrency import Glibc
#elseif canImport(Musl)
@preconcurrency import Musl
#endif

/// The tour's `--speed`: every sleep and every timeout of the seeds is divided by it, so
/// the programs keep their proportions (a `join(1)` still ends before a `sleep(2)`) at
/// any speed. Set once, before any program starts a thread.
enum Pace {
    private static let speedBits = Atomic<UInt64>(1.0.bitPattern)

    /// The divisor; 1 runs the seeds' own timing.
    static var speed: Double {
        Double(bitPattern: speedBits.load(ordering: .relaxed))
    }

    /// Sets the divisor (a finite number above zero).
    static func setSpeed(_ speed: Double) {
        precondition(speed.isFinite && speed > 0, "the speed must be a positive number")
        speedBits.store(speed.bitPattern, ordering: .relaxed)
    }
}

/// `seed` seconds of a seed's time at the tour's speed: for the timeouts (`join`, `wait`,
/// `Timer` intervals) that must keep their proportion to the sleeps.
func seconds(_ seed: Double) -> Double {
    seed / Pace.speed
}

/// Python's `time` module, as far as the seeds use it.
enum time {
    /// Python's `time.sleep(secs)`, divided by `--speed`: the only way the tour's programs
    /// sleep. Sleeps the whole time even when a signal interrupts it, as Python does.
    static func sleep(_ secs: Double) {
        let scaled = seconds(secs)
        guard scaled > 0 else { return }
        let whole = scaled.rounded(.down)
        var request = timespec(tv_sec: Int(whole), tv_nsec: Int((scaled - whole) * 1e9))
        var remaining = timespec()
        while nanosleep(&request, &remaining) != 0 && errno == EINTR {
            request = remaining
        }
    }
}
