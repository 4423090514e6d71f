//===----------------------------------------------------------------------===//
//
// Threading: Python's threading model for Swift on Linux.
//
//===----------------------------------------------------------------------===//

/// A FIFO of parked threads (and suspended tasks), guarded by a mutex its owner supplies:
/// the one mechanism through which every blocking call in the library waits.
///
/// A primitive keeps its state and one or more lists under one `InternalMutex` (a queue
/// has getters, putters and joiners). The protocol is the same everywhere:
///
///     mutex.lock()
///     // inspect the primitive's state; decide to wait
///     switch list.wait(unlocking: mutex, until: deadline, on: self) { ... }   // unlocks
///     // .woken(token): a waker dequeued us and said what happened
///     // .timedOut / .interrupted: we left the list on our own
///
/// Wakers call `wakeFirst(token:)` or `wakeAll(token:)` with the mutex held. A woken
/// thread never needs the mutex again, and a thread is only ever woken by being dequeued,
/// so there are no spurious wake-ups above this layer.
@usableFromInline
internal final class WaitList: @unchecked Sendable {
    // All guarded by the owner's mutex, so Swift's run-time exclusivity checks (a call
    // into the runtime and a thread-local lookup per access) are turned off for them.
    @usableFromInline @exclusivity(unchecked) internal var head: Unmanaged<WaitNode>?
    @usableFromInline @exclusivity(unchecked) internal var tail: Unmanaged<WaitNode>?
    /// The number of parked threads.
    @usableFromInline @exclusivity(unchecked) internal private(set) var count = 0

    @usableFromInline
    internal init() {}

    deinit {
        assert(head == nil, "a wait list was destroyed with threads still parked in it")
    }

    /// True when no thread is parked.
    @inlinable
    internal var isEmpty: Bool { head == nil }

    /// The longest waiter.
    @inlinable
    internal var first: WaitNode? { head?.takeUnretainedValue() }

    /// Why a waiter left a list without being woken.
    internal enum LeaveReason {
        case timedOut
        /// A Ctrl-C arrived for the (main) thread during an interruptible wait.
        case interrupted
    }

    /// How a wait ended.
    internal enum Outcome {
        /// A waker dequeued the thread with this token.
        case woken(UInt)
        case timedOut
        case interrupted
    }

    /// Appends the calling thread, releases `mutex` and sleeps until a waker dequeues it,
    /// `deadline` passes, or (if `interruptible`, on the main thread) a Ctrl-C arrives.
    ///
    /// Call with `mutex` held; returns with it released.
    ///
    /// - Parameters:
    ///   - mutex: the mutex guarding this list, held by the caller.
    ///   - deadline: when to give up; `nil` waits until woken.
    ///   - target: what the thread waits on, for thread dumps and deadlock checks.
    ///   - interruptible: whether a Ctrl-C ends the wait (only throwing calls are).
    ///   - polling: whether the thread polls before it sleeps (see `Parker`); waits whose
    ///     wakers are busy producers and consumers sleep at once instead.
    ///   - queuedSince: when the caller first started waiting, kept across re-queues so
    ///     fairness hand-off can tell how long it has waited.
    ///   - onLeave: runs with `mutex` held once the caller has left the list without being
    ///     woken; returns true to give up, false to keep waiting with no deadline (for a
    ///     wait that a concurrent operation is about to settle).
    internal func wait(
        unlocking mutex: borrowing InternalMutex,
        until deadline: Deadline?,
        on target: any WaitTarget,
        interruptible: Bool = false,
        polling: Bool = true,
        queuedSince: Deadline? = nil,
        onLeave: (LeaveReason) -> Bool = { _ in true }
    ) -> Outcome {
        let parker = Parker.current
        var deadline = deadline
        var interruptible = interruptible
        parker.queuedSince = queuedSince ?? .now
        parker.requeued = false
        parker.setWaitTarget(target)
        defer { parker.setWaitTarget(nil) }
        while true {
            parker.prepareToPark()
            append(parker)
            mutex.unlock()

            let parked = parker.park(until: deadline, interruptible: interruptible, polling: polling)
            if case .notified = parked { return .woken(parker.token) }

            mutex.lock()
            if parker.requeued {
                // A waker moved us to another list (a condition's lock) as our deadline
                // passed or a Ctrl-C came: we were notified, and now wait, without a
                // deadline and uninterruptibly, for the wake-up that list's waker will send.
                mutex.unlock()
                _ = parker.park(until: nil, interruptible: false)
                return .woken(parker.token)
            }
            guard parker.isQueued else {
                // A waker dequeued us under the mutex just as we gave up: its token is
                // already published, and the mutex orders our read after it.
                mutex.unlock()
#if THREADING_SCHEDULE_POINTS
                if SchedulePoints.isPlanted(.waitListTimeoutIgnoresDequeue) { return .timedOut }
#endif
                return .woken(parker.token)
            }
            remove(parker)
            parker.resetAfterTimeout()
            let reason: LeaveReason = if case .interrupted = parked { .interrupted } else { .timedOut }
            if onLeave(reason) {
                mutex.unlock()
                return reason == .interrupted ? .interrupted : .timedOut
            }
            deadline = nil
            interruptible = false
        }
    }

    /// Dequeues the longest-waiting thread and wakes it with `token`. Call with the mutex
    /// held.
    ///
    /// - Returns: false if no thread was waiting.
    @usableFromInline
    @discardableResult
    internal func wakeFirst(token: UInt) -> Bool {
        guard let node = head?.takeUnretainedValue() else { return false }
        remove(node)
        node.wake(token: token)
        return true
    }

    /// Dequeues and wakes every waiting thread, oldest first, with `token`. Call with the
    /// mutex held.
    ///
    /// - Returns: how many threads were woken.
    @usableFromInline
    @discardableResult
    internal func wakeAll(token: UInt) -> Int {
        var woken = 0
        while wakeFirst(token: token) { woken += 1 }
        return woken
    }

    /// Appends `node`. Call with the mutex held.
    internal func append(_ node: WaitNode) {
        let link = Unmanaged.passUnretained(node)
        node.isQueued = true
        node.next = nil
        node.previous = tail
        if let tail {
            tail.takeUnretainedValue().next = link
        } else {
            head = link
        }
        tail = link
        count += 1
    }

    /// Unlinks `node`, which must be in this list. Call with the mutex held.
    internal func remove(_ node: WaitNode) {
        assert(node.isQueued)
        if let previous = node.previous {
            previous.takeUnretainedValue().next = node.next
        } else {
            head = node.next
        }
        if let next = node.next {
            next.takeUnretainedValue().previous = node.previous
        } else {
            tail = node.previous
        }
        node.next = nil
        node.previous = nil
        node.isQueued = false
        count -= 1
    }
}

