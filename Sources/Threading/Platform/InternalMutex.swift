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

    internal init() {
        mutex = .allocate(capacity: 1)
        mutex.initialize(to: pthread_mutex_t())
        let rc = pthread_mutex_init(mutex, nil)
        precondition(rc == 0, "pthread_mutex_init failed with error \(rc)")
    }

    deinit {
        pthread_mutex_destroy(mutex)
        mutex.deinitialize(count: 1)
        mutex.deallocate()
    }

    @inlinable
    internal func lock() {
        let rc = pthread_mutex_lock(mutex)
        assert(rc == 0, "pthread_mutex_lock failed with error \(rc)")
    }

    /// Releases the mutex, then issues the futex wakes of the threads this thread woke
    /// while holding it (see `Parker.wake(token:)`).
    @inlinable
    internal func unlock() {
        let rc = pthread_mutex_unlock(mutex)
        assert(rc == 0, "pthread_mutex_unlock failed with error \(rc)")
        if cshim_has_deferred_wakes() { Parker.issueDeferredWakes() }
    }
}
