//===----------------------------------------------------------------------===//
//
// Threading: Python's threading model for Swift on Linux.
//
//===----------------------------------------------------------------------===//

import CThreadingShims
import Synchronization

#if canImport(Glibc)
@preconcurrency import Glibc
#elseif canImport(Musl)
@preconcurrency import Musl
#endif

/// Every live thread object, in the order it came alive, and the per-thread slot that
/// finds the calling thread's object: Python's `_active`, `_limbo` and `current_thread()`.
///
/// Invariant: `alive` holds the main thread until the exit sequence, each started thread
/// from `start()` until just before its joiners are released, and each dummy thread while
/// its OS thread lives.
internal final class ThreadRegistry: @unchecked Sendable {
    static let shared = ThreadRegistry()

    private let mutex = InternalMutex()
    // Guarded by `mutex`.
    private var alive: [threading.Thread] = []
    private var storedStackSize = 0

    /// Python's `_counter`: one sequence for `Thread-N` and `Dummy-N` names.
    private let nameCounter = Atomic<Int>(0)

    let mainThread: threading._MainThread

    private init() {
        mainThread = threading._MainThread(
            runningThreadNamed: "MainThread",
            daemon: false,
            ident: UInt(bitPattern: Int(bitPattern: UInt(cshim_main_thread()))),
            nativeID: Int(getpid())
        )
        alive = [mainThread]
    }

    /// The next default name, `"\(prefix)-N"`.
    func nextName(_ prefix: String) -> String {
        "\(prefix)-\(nameCounter.wrappingAdd(1, ordering: .relaxed).newValue)"
    }

    func add(_ thread: threading.Thread) {
        mutex.lock()
        alive.append(thread)
        mutex.unlock()
    }

    func remove(_ thread: threading.Thread) {
        mutex.lock()
        alive.removeAll { $0 === thread }
        mutex.unlock()
    }

    var snapshot: [threading.Thread] {
        mutex.lock()
        defer { mutex.unlock() }
        return alive
    }

    /// The name of the live thread with `ident`, or `ident N` for a thread with no object.
    func nameOfThread(_ ident: UInt) -> String {
        snapshot.first { $0.ident == ident }?.name ?? "ident \(ident)"
    }

    /// The stack size for new threads, 0 for the platform default.
    var stackSize: Int {
        get {
            mutex.lock()
            defer { mutex.unlock() }
            return storedStackSize
        }
        set {
            mutex.lock()
            storedStackSize = newValue
            mutex.unlock()
        }
    }

    /// Records `thread` as the calling thread's object (on its own OS thread).
    func setCurrent(_ thread: threading.Thread) {
        pthread_setspecific(currentThreadKey, Unmanaged.passRetained(thread).toOpaque())
    }

    /// The calling thread's object; a thread the library did not start gets a dummy.
    var current: threading.Thread {
        if let stored = pthread_getspecific(currentThreadKey) {
            return Unmanaged<threading.Thread>.fromOpaque(stored).takeUnretainedValue()
        }
        if pthread_equal(pthread_self(), cshim_main_thread()) != 0 {
            return mainThread
        }
        let dummy = threading._DummyThread(
            runningThreadNamed: nextName("Dummy"),
            daemon: true,
            ident: currentThreadIdent(),
            nativeID: currentNativeThreadID()
        )
        add(dummy)
        setCurrent(dummy)
        return dummy
    }
}

/// The key of each thread's `threading.Thread` object. Its destructor runs when the OS
/// thread exits: a dummy thread leaves the registry then.
private let currentThreadKey: pthread_key_t = {
    var key = pthread_key_t()
    let rc = pthread_key_create(&key) { pointer in
        guard let pointer else { return }
        let thread = Unmanaged<threading.Thread>.fromOpaque(pointer)
        if let dummy = thread.takeUnretainedValue() as? threading._DummyThread {
            dummy.markStopped()
        }
        thread.release()
    }
    precondition(rc == 0, "pthread_key_create failed with error \(rc)")
    return key
}()
