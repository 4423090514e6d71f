//===----------------------------------------------------------------------===//
//
// Threading: Python's threading model for Swift on Linux.
//
//===----------------------------------------------------------------------===//

/// A `WaitList` with a mutex of its own, for the primitives that need exactly one list:
/// the mutex also guards the owning primitive's state.
@usableFromInline
internal final class WaitQueue: @unchecked Sendable {
    @usableFromInline internal let mutex = InternalMutex()
    @usableFromInline internal let list = WaitList()

    @usableFromInline
    internal init() {}

    @inlinable
    internal func lock() { mutex.lock() }

    @inlinable
    internal func unlock() { mutex.unlock() }

    /// Runs `body` with the mutex held.
    @inlinable
    internal func withLock<R>(_ body: () throws -> R) rethrows -> R {
        mutex.lock()
        defer { mutex.unlock() }
        return try body()
    }

    /// True when no thread is parked. Guarded by the mutex.
    @inlinable
    internal var isEmpty: Bool { list.isEmpty }

    /// The number of parked threads. Guarded by the mutex.
    @inlinable
    internal var count: Int { list.count }

    /// The longest waiter. Guarded by the mutex.
    @inlinable
    internal var first: WaitNode? { list.first }

    /// Wakes the longest-waiting thread with `token`. Call with the mutex held.
    @usableFromInline
    @discardableResult
    internal func wakeFirst(token: UInt) -> Bool { list.wakeFirst(token: token) }

    /// Wakes every waiting thread with `token`. Call with the mutex held.
    @usableFromInline
    @discardableResult
    internal func wakeAll(token: UInt) -> Int { list.wakeAll(token: token) }
}
