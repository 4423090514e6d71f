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

/// Python's interpreter-exit sequence for threads (`threading._shutdown`): run the
/// registered exit callbacks newest first, mark the main thread stopped, then join every
/// non-daemon thread, including threads started meanwhile. Daemon threads are abandoned.
internal enum ShutdownSequence {
    private static let handlerInstalled = Atomic<Bool>(false)
    private static let started = Atomic<Bool>(false)
    private static let callbacks = CallbackList()

    /// Registers the sequence with `atexit` (once), so it runs when `main` returns or
    /// `exit()` is called. The C callback is formed here, in nonisolated library code.
    static func installExitHandler() {
        guard !handlerInstalled.exchange(true, ordering: .acquiringAndReleasing) else { return }
        atexit {
            ShutdownSequence.run()
        }
    }

    /// Python's `_register_atexit`: `body` runs at the start of the sequence, before the
    /// non-daemon threads are joined (thread pools shut down here).
    static func register(_ body: @escaping @Sendable () -> Void) throws {
        guard !started.load(ordering: .acquiring) else {
            throw RuntimeError("can't register atexit after shutdown")
        }
        installExitHandler()
        callbacks.append(body)
    }

    static func run() {
        guard !started.exchange(true, ordering: .acquiringAndReleasing) else { return }
        for body in callbacks.drain().reversed() { body() }
        let registry = ThreadRegistry.shared
        registry.mainThread.markStopped()
        let me = currentThreadIdent()
        while true {
            let pending = registry.snapshot.filter {
                !$0.isDaemon && !($0 is threading._DummyThread) && $0.ident != me
            }
            if pending.isEmpty { break }
            for thread in pending { try? thread.join() }
        }
        // Key destructors never run for the thread that exits the process.
        LocalTable.releaseCurrent()
    }

    private final class CallbackList: @unchecked Sendable {
        private let mutex = InternalMutex()
        private var bodies: [@Sendable () -> Void] = []

        func append(_ body: @escaping @Sendable () -> Void) {
            mutex.lock()
            bodies.append(body)
            mutex.unlock()
        }

        func drain() -> [@Sendable () -> Void] {
            mutex.lock()
            defer { mutex.unlock() }
            let all = bodies
            bodies = []
            return all
        }
    }
}

extension threading {
    /// Runs the exit sequence now, as Python does when the main module finishes: exit
    /// callbacks, main thread marked stopped, every non-daemon thread joined. It runs at
    /// most once; it also runs by itself at process exit once any thread was started.
    @available(*, noasync, message: "shutdown() joins threads; use it outside async code")
    public static func shutdown() {
        ShutdownSequence.run()
    }

    /// Python's `threading._register_atexit`: `body` runs at the start of the exit
    /// sequence, before non-daemon threads are joined, newest registration first. Thread
    /// pools shut down here.
    ///
    /// - Throws: `RuntimeError("can't register atexit after shutdown")` once the sequence
    ///   has begun.
    public static func _registerAtexit(_ body: @escaping @Sendable () -> Void) throws {
        try ShutdownSequence.register(body)
    }
}
