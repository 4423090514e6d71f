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

/// An entry of a `WaitList`: a parked thread (`Parker`) or a suspended task
/// (`ContinuationWaiter`), woken the same way.
///
/// Invariant: a node is in at most one list at a time, its links change only under that
/// list's mutex, and it is woken at most once per time it is queued.
@usableFromInline
internal class WaitNode: @unchecked Sendable {
    // Guarded by the mutex of the list the node is in (hence no run-time exclusivity
    // checks; see `WaitList`).
    @usableFromInline @exclusivity(unchecked) internal var next: Unmanaged<WaitNode>?
    @usableFromInline @exclusivity(unchecked) internal var previous: Unmanaged<WaitNode>?
    @usableFromInline @exclusivity(unchecked) internal var isQueued = false
    /// When the waiter first queued for the current acquisition (for fairness hand-off).
    @usableFromInline @exclusivity(unchecked) internal var queuedSince = Deadline(nanoseconds: 0)
    /// Written by the waker before the waiter can observe the wake-up.
    @usableFromInline @exclusivity(unchecked) internal var token: UInt = 0
    /// Set (under the mutex of the list the waiter parked in) when a waker moved the
    /// waiter to another list instead of waking it: a notified condition waiter moved
    /// to its lock's queue. Such a waiter no longer times out; see `WaitList.wait`.
    @usableFromInline @exclusivity(unchecked) internal var requeued = false

    @usableFromInline
    internal init() {}

    /// Delivers `token` to the waiter, just removed from its list by a waker holding the
    /// list's mutex.
    @usableFromInline
    internal func wake(token: UInt) {
        preconditionFailure("WaitNode.wake(token:) must be overridden")
    }
}

/// A task suspended in a `WaitList`: the async twin of a parked thread, used by the
/// `await` bridges so they never block a cooperative thread.
internal final class ContinuationWaiter: WaitNode, @unchecked Sendable {
    /// How an async wait ended.
    enum Outcome: Equatable {
        /// A waker dequeued the task with this token.
        case woken(UInt)
        /// The condition no longer called for waiting when the task came to queue.
        case notNeeded
        /// The task was cancelled before a waker came.
        case cancelled
    }

    // Guarded by the list's mutex.
    private var continuation: CheckedContinuation<Outcome, Never>?
    private var cancelRequested = false

    override func wake(token: UInt) {
        self.token = token
        continuation.take()?.resume(returning: .woken(token))
    }

    /// Suspends the calling task in `list` while `shouldWait()` holds, until a waker
    /// dequeues it or the task is cancelled.
    ///
    /// Call without the mutex held: `shouldWait` runs under it, right before the task is
    /// queued, so a wake-up cannot slip in between.
    ///
    /// - Parameter onCancel: runs under the mutex when the task is cancelled while queued,
    ///   for an owner that keeps its own record of each waiter.
    static func wait(
        in list: WaitList,
        guardedBy mutex: MutexReference,
        while shouldWait: () -> Bool,
        onCancel: @escaping @Sendable () -> Void = {}
    ) async -> Outcome {
        let node = ContinuationWaiter()
        return await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Outcome, Never>) in
                mutex.lock()
                if node.cancelRequested {
                    mutex.unlock()
                    continuation.resume(returning: .cancelled)
                } else if !shouldWait() {
                    mutex.unlock()
                    continuation.resume(returning: .notNeeded)
                } else {
                    node.continuation = continuation
                    node.queuedSince = .now
                    list.append(node)
                    mutex.unlock()
                }
            }
        } onCancel: {
            // Runs at once, on this thread, if the task is already cancelled; the mutex is
            // not held here then.
            mutex.lock()
            node.cancelRequested = true
            if node.isQueued {
                list.remove(node)
                onCancel()
                let continuation = node.continuation.take()
                mutex.unlock()
                continuation?.resume(returning: .cancelled)
            } else {
                mutex.unlock()
            }
        }
    }
}

/// A sendable handle on an `InternalMutex`, for the cancellation handler of an async wait,
/// which may run on another thread. Valid while the mutex's owner is alive.
internal struct MutexReference: @unchecked Sendable {
    let mutex: UnsafeMutablePointer<pthread_mutex_t>

    init(_ mutex: borrowing InternalMutex) {
        self.mutex = mutex.mutex
    }

    func lock() { InternalMutex.lock(mutex) }
    func unlock() { InternalMutex.unlock(mutex) }
}
