//===----------------------------------------------------------------------===//
//
// Threading: Python's threading model for Swift on Linux.
//
//===----------------------------------------------------------------------===//

/// The counter behind `Semaphore` and `BoundedSemaphore`: permits, and the threads
/// waiting for one.
///
/// Invariant: `value > 0` only while no thread is queued, because a release hands its
/// permits to queued threads (oldest first) before it adds any to `value`.
@usableFromInline
internal final class Permits: @unchecked Sendable {
    private let waiters = WaitQueue()
    /// `"Semaphore"` or `"BoundedSemaphore"`, for dumps.
    let kind: String
    /// The label given at creation.
    let label: String?
    /// Guarded by `waiters`' mutex.
    private var available: Int
    /// The value a `BoundedSemaphore` may not exceed.
    internal let bound: Int?

    internal init(value: Int, bounded: Bool, label: String?) throws {
        guard value >= 0 else { throw ValueError("semaphore initial value must be >= 0") }
        available = value
        bound = bounded ? value : nil
        kind = bounded ? "BoundedSemaphore" : "Semaphore"
        self.label = label
    }

    internal var value: Int { waiters.withLock { available } }

    /// Python's argument rules for `Semaphore.acquire`, then the acquisition.
    internal func acquire(blocking: Bool, timeout: Double?) throws -> Bool {
        if !blocking {
            if timeout != nil { throw ValueError("can't specify timeout for non-blocking acquire") }
            return try acquire(deadline: .now)
        }
        try Interrupts.check()
        switch timeout {
        case nil: return try acquire(deadline: nil, interruptible: true)
        // Python re-waits for a NaN remainder until a permit comes. (A `.some(.nan)`
        // pattern would never match: patterns compare with ==, and NaN != NaN.)
        case let seconds? where seconds.isNaN: return try acquire(deadline: nil, interruptible: true)
        case let seconds? where seconds <= 0: return try acquire(deadline: .now)
        case let seconds?:
            return try acquire(deadline: nil, timeoutSeconds: seconds, interruptible: true)
        }
    }

    /// Takes a permit, waiting until `deadline` (or `timeoutSeconds` from the moment it
    /// has to wait, validated only then, as Python does).
    internal func acquire(
        deadline: Deadline?,
        timeoutSeconds: Double? = nil,
        interruptible: Bool = false
    ) throws -> Bool {
        waiters.lock()
        if available > 0 {
            available -= 1
            waiters.unlock()
            return true
        }
        var deadline = deadline
        if let timeoutSeconds {
            do {
                deadline = try .validated(secondsFromNow: timeoutSeconds)
            } catch {
                waiters.unlock()
                throw error
            }
        }
        if let deadline, deadline.hasPassed {
            waiters.unlock()
            return false
        }
        // A token means a releaser handed us its permit.
        switch waiters.list.wait(unlocking: waiters.mutex, until: deadline, on: self, interruptible: interruptible) {
        case .woken: return true
        case .timedOut: return false
        case .interrupted:
            try Interrupts.check()
            return false
        }
    }

    /// Adds `n` permits, handing them to waiting threads first.
    internal func release(_ n: Int) throws {
        guard n >= 1 else { throw ValueError("n must be one or more") }
        try waiters.withLock {
            if let bound, available > bound - n {
                throw ValueError("Semaphore released too many times")
            }
            var remaining = n
            while remaining > 0, waiters.wakeFirst(token: 1) { remaining -= 1 }
            let (sum, overflow) = available.addingReportingOverflow(remaining)
            if overflow {
                throw OverflowError("semaphore value is too large")
            }
            available = sum
        }
    }

    /// The number of threads waiting for a permit (for tests and thread dumps).
    internal var waitingCount: Int { waiters.withLock { waiters.count } }
}

extension Permits: WaitTarget {
    var waitKind: String { kind }
    var holders: [UInt] { [] }
}
