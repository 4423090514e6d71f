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

/// The short-held mutex that guards a primitive's state and its wait queue.
///
/// Never held while a thread parks or runs user code, so a plain `pthread_mutex_t`
/// (which ThreadSanitizer understands) is the right tool; it lives at a stable heap
/// address for the life of its owner.
@usableFromInline
internal struct InternalMutex: ~Copyable {
    @usableFromInline internal let mutex: UnsafeMutablePointer<pthread_mutex_t>
#if THREADING_SCHEDULE_POINTS
    /// False for the mutexes outside the algorithms the schedule explorer checks.
    @usableFromInline internal var isSchedulePoint = true
#endif

    internal init() {
        mutex = .allocate(capacity: 1)
        mutex.initialize(to: pthread_mutex_t())
        // Adaptive: a thread that finds the mutex held spins briefly (glibc's bounded,
        // self-tuning spin) before it sleeps. The mutex is only ever held for a few
        // dozen instructions, so a default mutex's immediate futex sleep turned every
        // brief collision (a notifier reaching a condition's list while the waiter is
        // still queueing itself) into two context switches.
        var attributes = pthread_mutexattr_t()
        pthread_mutexattr_init(&attributes)
        pthread_mutexattr_settype(&attributes, Int32(PTHREAD_MUTEX_ADAPTIVE_NP))
        let rc = pthread_mutex_init(mutex, &attributes)
        pthread_mutexattr_destroy(&attributes)
        precondition(rc == 0, "pthread_mutex_init failed with error \(rc)")
    }

#if THREADING_SCHEDULE_POINTS
    /// A mutex whose lock and unlock are not schedule points: one that only diagnostics
    /// read besides its owner (a parker's wait site, the parker registry).
    internal init(unobserved: Void) {
        self.init()
        isSchedulePoint = false
    }
#endif

    deinit {
        pthread_mutex_destroy(mutex)
        mutex.deinitialize(count: 1)
        mutex.deallocate()
    }

    @inlinable
    internal func lock() {
#if THREADING_SCHEDULE_POINTS
        if isSchedulePoint { SchedulePoints.reach(.mutexLock(UnsafeRawPointer(mutex))) }
#endif
        Self.lock(mutex)
    }

    /// Releases the mutex; if the thread now holds no internal mutex, issues the futex
    /// wakes of the threads it woke meanwhile (see `Parker.wake(token:)`).
    @inlinable
    internal func unlock() {
#if THREADING_SCHEDULE_POINTS
        if isSchedulePoint { SchedulePoints.reach(.mutexUnlock(UnsafeRawPointer(mutex))) }
#endif
        Self.unlock(mutex)
    }

    /// Locks `mutex`, counting it among the internal mutexes the thread holds.
    @inlinable
    internal static func lock(_ mutex: UnsafeMutablePointer<pthread_mutex_t>) {
        let rc = pthread_mutex_lock(mutex)
        assert(rc == 0, "pthread_mutex_lock failed with error \(rc)")
        cshim_mutex_acquired()
    }

    /// Unlocks `mutex`, then, once the thread holds no internal mutex at all, issues its
    /// deferred wakes: a thread woken while its waker still holds an outer mutex (a
    /// condition's, around the release of its lock) would run into that mutex and sleep
    /// again at once.
    @inlinable
    internal static func unlock(_ mutex: UnsafeMutablePointer<pthread_mutex_t>) {
        let rc = pthread_mutex_unlock(mutex)
        assert(rc == 0, "pthread_mutex_unlock failed with error \(rc)")
        if cshim_mutex_released() { Parker.issueDeferredWakes() }
    }
}
