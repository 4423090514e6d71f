//===----------------------------------------------------------------------===//
//
// Threading: Python's threading model for Swift on Linux.
//
//===----------------------------------------------------------------------===//

/// Watches many futures for `wait` and `asCompleted` (CPython's `_Waiter`): each future
/// it is added to reports here when it finishes or its cancellation is notified.
///
/// Invariant: `completed` lists the futures that reported, in the order they did, and
/// every report wakes the watching thread.
internal final class CompletionObserver: @unchecked Sendable {
    private let queue = WaitQueue()
    // Guarded by `queue`'s mutex.
    private var completed: [ObjectIdentifier] = []

    /// Called by a future as it completes.
    func notify(_ future: AnyObject) {
        queue.withLock {
            completed.append(ObjectIdentifier(future))
            queue.wakeAll(token: 1)
        }
    }

    /// How many futures have reported so far.
    var reportCount: Int { queue.withLock { completed.count } }

    /// The futures that reported, from the `start`-th report on.
    func reports(from start: Int) -> ArraySlice<ObjectIdentifier> {
        queue.withLock { completed[min(start, completed.count)...] }
    }

    /// Waits until more than `seen` futures have reported, or `deadline` passes.
    ///
    /// - Returns: false on timeout.
    ///
    /// - Throws: `KeyboardInterrupt` on Ctrl-C.
    @discardableResult
    func waitForReport(after seen: Int, until deadline: Deadline?) throws -> Bool {
        try Interrupts.check()
        queue.lock()
        while completed.count <= seen {
            if let deadline, deadline.hasPassed {
                queue.unlock()
                return false
            }
            let outcome = queue.list.wait(unlocking: queue.mutex, until: deadline, on: self, interruptible: true)
            if case .interrupted = outcome { try Interrupts.check() }
            queue.lock()
        }
        queue.unlock()
        return true
    }
}

extension CompletionObserver: WaitTarget {
    var waitKind: String { "concurrent.futures.wait" }
    var label: String? { nil }
    var holders: [UInt] { [] }
}
