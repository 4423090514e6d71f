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
#endif

/// Python's `KeyboardInterrupt`: Ctrl-C, raised in the main thread once
/// `threading.enableKeyboardInterrupt()` has been called.
public class KeyboardInterrupt: BaseException, @unchecked Sendable {}

extension threading {
    /// Turns Ctrl-C (SIGINT) into `KeyboardInterrupt` in the main thread, as Python does.
    ///
    /// Afterwards, a main thread blocked in a throwing library wait — `join`, the throwing
    /// `acquire(blocking:timeout:)`/`acquire(timeout:)`, `Condition.wait`,
    /// `Event.wait(timeout:)`, `Semaphore.acquire(blocking:timeout:)`, `Barrier.wait`,
    /// `Future.result`, `concurrent.futures.wait`, queue `get`/`put` — wakes at once and
    /// the call throws `KeyboardInterrupt`, leaving the primitive as it was (a lock not
    /// taken, a queue item not removed). A Ctrl-C that comes while the main thread is not
    /// waiting is raised by its next throwing wait. The non-throwing conveniences
    /// (`acquire()`, `withLock`, `Event.wait()`) are not interrupted. Other threads are
    /// never disturbed.
    ///
    /// A second Ctrl-C before the first has been raised ends the process, as an
    /// unhandled Ctrl-C does: the way out of a main thread busy outside any wait.
    ///
    /// Call it once, from the main thread, at start-up.
    ///
    /// - Throws: `ValueError("signal only works in main thread of the main interpreter")`
    ///   from another thread.
    public static func enableKeyboardInterrupt() throws {
        guard pthread_equal(pthread_self(), cshim_main_thread()) != 0 else {
            throw ValueError("signal only works in main thread of the main interpreter")
        }
        let rc = cshim_interrupts_install(Parker.current.word)
        if rc != 0 { throw OSError("sigaction failed with errno \(rc)") }
    }
}

/// The main thread's pending Ctrl-C, raised by throwing waits.
internal enum Interrupts {
    /// Throws `KeyboardInterrupt` if one is pending and this is the main thread.
    @inlinable
    static func check() throws {
        if cshim_interrupt_pending() { try raisePending() }
    }

    /// True while a Ctrl-C waits to be raised in the main thread.
    static var isPending: Bool { cshim_interrupt_pending() }

    @usableFromInline
    static func raisePending() throws {
        guard pthread_equal(pthread_self(), cshim_main_thread()) != 0, cshim_interrupt_take() else { return }
        throw KeyboardInterrupt()
    }
}

extension _thread {
    /// Python's `_thread.interrupt_main`: raises `KeyboardInterrupt` in the main thread as
    /// a Ctrl-C would, from any thread. Called from the main thread itself, it throws at
    /// once. Without `threading.enableKeyboardInterrupt()`, or for a signal other than
    /// `SIGINT`, nothing happens (as in Python when the signal has no Python handler).
    ///
    /// - Throws: `ValueError("signal number out of range")`; `KeyboardInterrupt` when
    ///   called from the main thread with interrupts enabled.
    public static func interruptMain(_ signum: Int32 = SIGINT) throws {
        guard signum >= 1, signum < 65 else { throw ValueError("signal number out of range") }
        guard signum == SIGINT, cshim_interrupts_installed() else { return }
        cshim_interrupt_main()
        try Interrupts.check()
    }
}
