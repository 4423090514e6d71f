//===----------------------------------------------------------------------===//
//
// Threading: Python's threading model for Swift on Linux.
//
//===----------------------------------------------------------------------===//

import CThreadingShims
/// What a waker tells a thread parked in a queue.
@usableFromInline
internal enum QueueWake {
    /// The waker completed the parked call: a getter's item is in its waiter record, a
    /// putter's item is in the container.
    @usableFromInline static let served: UInt = 1
    /// The container threw while the waker completed the call; the error is in the
    /// waiter record and the queue is unchanged.
    @usableFromInline static let failed: UInt = 2
    /// The queue was shut down while the thread waited.
    @usableFromInline static let shutDown: UInt = 3
    /// `join()`: the count of unfinished tasks reached zero.
    @usableFromInline static let allTasksDone: UInt = 4
}

/// A parked `get` or `put`, living on its thread's stack for the length of the wait: the
/// item it delivers or receives, and its links in the queue's chain of waiters.
@usableFromInline
internal struct QueueWaiter<Element> {
    /// A putter's item, or the item a waker hands to a getter.
    @usableFromInline internal var item: Element?
    /// The container's error, when the waker's attempt to complete the call threw.
    @usableFromInline internal var failure: (any Error)?
    @usableFromInline internal var next: UnsafeMutablePointer<QueueWaiter>?
    @usableFromInline internal var previous: UnsafeMutablePointer<QueueWaiter>?

    @inlinable
    internal init(item: Element?) {
        self.item = item
    }
}

/// The waiter records of the threads parked in one `WaitList`, in the same order.
///
/// Invariant: a record is appended in the same critical section as its thread joins the
/// wait list and removed in the same critical section as its thread leaves it (woken, or
/// timed out), so `head` always belongs to the wait list's first thread.
@usableFromInline
internal struct WaiterChain<Element> {
    @usableFromInline internal typealias Node = UnsafeMutablePointer<QueueWaiter<Element>>

    @usableFromInline internal var head: Node?
    @usableFromInline internal var tail: Node?

    @inlinable
    internal init() {}

    @inlinable
    internal mutating func append(_ node: Node) {
        node.pointee.next = nil
        node.pointee.previous = tail
        if let tail {
            tail.pointee.next = node
        } else {
            head = node
        }
        tail = node
    }

    @inlinable
    internal mutating func remove(_ node: Node) {
        if let previous = node.pointee.previous {
            previous.pointee.next = node.pointee.next
        } else {
            head = node.pointee.next
        }
        if let next = node.pointee.next {
            next.pointee.previous = node.pointee.previous
        } else {
            tail = node.pointee.previous
        }
        node.pointee.next = nil
        node.pointee.previous = nil
    }
}

/// The engine of every queue type: Python's `Queue` algorithm over a `QueueStorage`, with
/// all state under one mutex and getters, putters and joiners parked in separate lists.
///
/// Invariant (outside the mutex): threads are parked in `get` only while the container is
/// empty, and in `put` only while it holds at least `capacity > 0` items. A `put` that
/// finds a getter parked completes that getter's `get` on its behalf (the item goes into
/// the container and straight out again, into the getter's waiter record); a `get` that
/// makes room completes the first parked `put` the same way. So a woken thread never
/// competes for the item it was woken for, and a producer and a consumer that both keep
/// running never touch a wait list beyond checking that it is empty.
///
/// Parked getters and putters sleep at once rather than poll first (see `Parker`): their
/// wakers are producers and consumers busy with other items, and a poller holds the CPU
/// one of them needs. Measured on 2 CPUs, polling cut `queue_mpmc`'s throughput (2P/2C)
/// from about 9.5 to 4 M items/s, and `queue_spsc`'s from about 14 to 8.
@usableFromInline
internal final class QueueCore<Storage: QueueStorage>: @unchecked Sendable {
    @usableFromInline internal typealias Element = Storage.Element
    @usableFromInline internal typealias Waiter = QueueWaiter<Element>

    @usableFromInline internal let mutex = InternalMutex()
    @usableFromInline internal let getters = WaitList()
    @usableFromInline internal let putters = WaitList()
    @usableFromInline internal let joiners = WaitList()

    // All guarded by `mutex`, which already makes every access exclusive: the run-time
    // exclusivity checks would only add a thread-local lookup to each `put` and `get`.
    @exclusivity(unchecked) @usableFromInline internal var storage: Storage
    @exclusivity(unchecked) @usableFromInline internal var getterChain = WaiterChain<Element>()
    @exclusivity(unchecked) @usableFromInline internal var putterChain = WaiterChain<Element>()
    /// Python's `maxsize`: zero or less is unbounded.
    @exclusivity(unchecked) @usableFromInline internal var capacity: Int
    /// Python's `unfinished_tasks`.
    @exclusivity(unchecked) @usableFromInline internal var unfinished = 0
    /// Python's `is_shutdown`.
    @exclusivity(unchecked) @usableFromInline internal var isShutdown = false

    @inlinable
    internal init(maxsize: Int) {
        capacity = maxsize
        storage = Storage(maxsize: maxsize)
    }

    /// Builds a core around a given container (for tests that inject one).
    internal init(maxsize: Int, storage: Storage) {
        capacity = maxsize
        self.storage = storage
    }

    // MARK: put

    /// Python's `Queue.put(item, block, timeout)`.
    ///
    /// Order of checks, as in Python: shut down; then, for a bounded queue only, a
    /// negative timeout with `block` (even if there is room); then fullness.
    @inlinable
    internal func put(_ item: consuming Element, block: Bool, timeout: Double?) throws {
        mutex.lock()
        if isShutdown {
            mutex.unlock()
            throw queue.ShutDown()
        }
        if capacity > 0 {
            if block, let timeout, timeout < 0 {
                mutex.unlock()
                throw ValueError("'timeout' must be a non-negative number")
            }
            if storage.count >= capacity {
                return try putWaiting(item, block: block, timeout: timeout)
            }
        }
        do {
            try storage.push(item)
        } catch {
            mutex.unlock()
            throw error
        }
        unfinished &+= 1
        if getterChain.head != nil { serveGetters() }
        mutex.unlock()
    }

    /// `put` on a full queue, with the mutex held; returns with it released.
    @usableFromInline
    internal func putWaiting(_ item: consuming Element, block: Bool, timeout: Double?) throws {
        guard block else {
            mutex.unlock()
            throw queue.Full()
        }
        let deadline: Deadline?
        do {
            deadline = try Self.deadline(timeout: timeout)
        } catch {
            mutex.unlock()
            throw error
        }
        if let deadline, deadline.hasPassed {
            mutex.unlock()
            throw queue.Full()
        }
        if cshim_interrupt_pending() {
            mutex.unlock()
            try Interrupts.check()
            mutex.lock()
        }
        var waiter = Waiter(item: item)
        try withUnsafeMutablePointer(to: &waiter) { node in
            putterChain.append(node)
            let outcome = putters.wait(
                unlocking: mutex, until: deadline, on: self, interruptible: true, polling: false
            ) { _ in
                self.putterChain.remove(node)
                return true
            }
            switch outcome {
            case .woken(QueueWake.served): return
            case .timedOut: throw queue.Full()
            case .interrupted:
                try Interrupts.check()
                throw queue.Full()
            case .woken(QueueWake.failed): throw node.pointee.failure!
            case .woken: throw queue.ShutDown()
            }
        }
    }

    // MARK: get

    /// Python's `Queue.get(block, timeout)`.
    ///
    /// Order of checks, as in Python: with items, only a negative timeout with `block`;
    /// without, shut down, then `block`, then the timeout.
    @inlinable
    internal func get(block: Bool, timeout: Double?) throws -> Element {
        mutex.lock()
        if storage.count > 0 {
            if block, let timeout, timeout < 0 {
                mutex.unlock()
                throw ValueError("'timeout' must be a non-negative number")
            }
            return try take()
        }
        if isShutdown {
            mutex.unlock()
            throw queue.ShutDown()
        }
        guard block else {
            mutex.unlock()
            throw queue.Empty()
        }
        let deadline: Deadline?
        do {
            deadline = try Self.deadline(timeout: timeout)
        } catch {
            mutex.unlock()
            throw error
        }
        return try getWaiting(until: deadline)
    }

    /// `SimpleQueue.get`, whose caller has already turned `block` and `timeout` into a
    /// deadline (`nil`: wait forever).
    @inlinable
    internal func get(deadline: Deadline?) throws -> Element {
        mutex.lock()
        if storage.count > 0 { return try take() }
        return try getWaiting(until: deadline)
    }

    /// Removes the next item and lets in as many parked putters as now fit. Call with the
    /// mutex held; returns with it released.
    @inlinable
    internal func take() throws -> Element {
        let item: Element
        do {
            item = try storage.pop()
        } catch {
            mutex.unlock()
            throw error
        }
        if putterChain.head != nil { servePutters() }
        mutex.unlock()
        return item
    }

    /// `get` on an empty queue, with the mutex held; returns with it released.
    @usableFromInline
    internal func getWaiting(until deadline: Deadline?) throws -> Element {
        if let deadline, deadline.hasPassed {
            mutex.unlock()
            throw queue.Empty()
        }
        if cshim_interrupt_pending() {
            mutex.unlock()
            try Interrupts.check()
            mutex.lock()
        }
        var waiter = Waiter(item: nil)
        return try withUnsafeMutablePointer(to: &waiter) { node in
            getterChain.append(node)
            let outcome = getters.wait(
                unlocking: mutex, until: deadline, on: self, interruptible: true, polling: false
            ) { _ in
                self.getterChain.remove(node)
                return true
            }
            switch outcome {
            case .woken(QueueWake.served): return node.pointee.item.take()!
            case .timedOut: throw queue.Empty()
            case .interrupted:
                try Interrupts.check()
                throw queue.Empty()
            case .woken(QueueWake.failed): throw node.pointee.failure!
            case .woken: throw queue.ShutDown()
            }
        }
    }

    /// `get` without blocking a thread: the bridge to Swift concurrency.
    ///
    /// The task's record lives on the heap (a task's stack does not survive a suspension)
    /// and joins the getters' chain and wait list in one critical section, so hand-offs
    /// keep pairing records with waiters in order.
    internal func getAsync() async throws -> Element {
        let node = UnsafeMutablePointer<Waiter>.allocate(capacity: 1)
        node.initialize(to: Waiter(item: nil))
        defer {
            node.deinitialize(count: 1)
            node.deallocate()
        }
        // Run under the mutex by the cancellation handler.
        let leaveChain = UncheckedSendable { self.getterChain.remove(node) }
        while true {
            mutex.lock()
            if storage.count > 0 { return try take() }
            if isShutdown {
                mutex.unlock()
                throw queue.ShutDown()
            }
            mutex.unlock()
            let outcome = await ContinuationWaiter.wait(in: getters, guardedBy: MutexReference(mutex)) {
                guard self.storage.count == 0, !self.isShutdown else { return false }
                self.getterChain.append(node)
                return true
            } onCancel: {
                leaveChain.value()
            }
            switch outcome {
            case .woken(QueueWake.served): return node.pointee.item.take()!
            case .woken(QueueWake.failed): throw node.pointee.failure!
            case .woken: throw queue.ShutDown()
            case .notNeeded: continue
            case .cancelled: throw CancellationError()
            }
        }
    }

    // MARK: Hand-offs (mutex held)

    /// Completes parked `get`s while there are items: pops one for the first getter, puts
    /// it in the getter's record and wakes it. A throwing `pop` leaves the item queued and
    /// fails that getter's call with the error.
    @usableFromInline
    internal func serveGetters() {
        while let node = getterChain.head, storage.count > 0 {
            getterChain.remove(node)
            let token: UInt
            do {
                node.pointee.item = try storage.pop()
                token = QueueWake.served
            } catch {
                node.pointee.failure = error
                token = QueueWake.failed
            }
            getters.wakeFirst(token: token)
        }
    }

    /// Completes parked `put`s while there is room: pushes the first putter's item and
    /// wakes it. A throwing `push` leaves the queue unchanged and fails that putter's call
    /// with the error.
    @usableFromInline
    internal func servePutters() {
        while let node = putterChain.head, capacity <= 0 || storage.count < capacity {
            putterChain.remove(node)
            let token: UInt
            do {
                try storage.push(node.pointee.item.take()!)
                unfinished &+= 1
                token = QueueWake.served
            } catch {
                node.pointee.failure = error
                token = QueueWake.failed
            }
            putters.wakeFirst(token: token)
        }
    }

    /// The deadline of a blocking call that has to wait: Python's reading of `timeout`
    /// (`nil` and NaN wait forever; Python re-waits for a NaN remainder until the queue
    /// changes), validated only now, as Python validates it on its first wait.
    @usableFromInline
    internal static func deadline(timeout: Double?) throws -> Deadline? {
        switch timeout {
        case nil: return nil
        case let seconds? where seconds.isNaN: return nil
        case let seconds? where seconds < 0:
            throw ValueError("'timeout' must be a non-negative number")
        case let seconds?: return try .validated(secondsFromNow: seconds)
        }
    }

    // MARK: Tasks and shutdown

    /// Python's `task_done()`.
    @usableFromInline
    internal func taskDone() throws {
        mutex.lock()
        defer { mutex.unlock() }
        guard unfinished > 0 else { throw ValueError("task_done() called too many times") }
        unfinished -= 1
        if unfinished == 0 { joiners.wakeAll(token: QueueWake.allTasksDone) }
    }

    /// Python's `join()`: waits until every item put has been matched by `taskDone()`.
    @usableFromInline
    internal func join() {
        mutex.lock()
        if unfinished == 0 {
            mutex.unlock()
            return
        }
        _ = joiners.wait(unlocking: mutex, until: nil, on: self)
    }

    /// Python 3.13's `shutdown(immediate)`.
    @usableFromInline
    internal func shutdown(immediate: Bool) {
        mutex.lock()
        isShutdown = true
        var discarded: [Element] = []
        if immediate {
            discarded = storage.removeAll()
            unfinished = max(0, unfinished - discarded.count)
            if unfinished == 0 { joiners.wakeAll(token: QueueWake.allTasksDone) }
        }
        // Parked getters only exist while the queue is empty, so every one of them now
        // has nothing left to drain; parked putters' items are dropped with their records.
        while let node = getterChain.head {
            getterChain.remove(node)
            getters.wakeFirst(token: QueueWake.shutDown)
        }
        while let node = putterChain.head {
            putterChain.remove(node)
            putters.wakeFirst(token: QueueWake.shutDown)
        }
        mutex.unlock()
        // Swift may end a value's lifetime at its last use: keep the discarded items alive
        // until the mutex is released, so that their `deinit`s run outside it.
        withExtendedLifetime(discarded) {}
    }

    // MARK: Inspection

    /// Runs `body` with the mutex held.
    @inlinable
    internal func withLock<R>(_ body: () throws -> R) rethrows -> R {
        mutex.lock()
        defer { mutex.unlock() }
        return try body()
    }

    @inlinable
    internal var qsize: Int { withLock { storage.count } }

    @inlinable
    internal var full: Bool { withLock { capacity > 0 && storage.count >= capacity } }

    /// Python's `maxsize`; raising it lets in parked putters that now fit, lowering it is
    /// honoured by the next `put`.
    @inlinable
    internal var maxsize: Int {
        get { withLock { capacity } }
        set {
            withLock {
                capacity = newValue
                if putterChain.head != nil { servePutters() }
            }
        }
    }

    internal var unfinishedTasks: Int { withLock { unfinished } }
    internal var shutDown: Bool { withLock { isShutdown } }

    /// The number of threads parked in `get` (for tests and thread dumps).
    internal var waitingGetters: Int { withLock { getters.count } }
    /// The number of threads parked in `put`.
    internal var waitingPutters: Int { withLock { putters.count } }
    /// The number of threads parked in `join()`.
    internal var waitingJoiners: Int { withLock { joiners.count } }
}

extension QueueCore {
    /// `SimpleQueue.put`: unbounded, never blocks, never fails, counts no task.
    @inlinable
    internal func append<E>(_ item: consuming E) where Storage == RingStorage<E> {
        mutex.lock()
        storage.push(item)
        if getterChain.head != nil { serveGetters() }
        mutex.unlock()
    }
}

extension QueueCore: WaitTarget {
    var waitKind: String { "Queue" }
    var label: String? { nil }
    var holders: [UInt] { [] }
}

/// A value the compiler cannot prove sendable, handed across by the code that guards it.
internal struct UncheckedSendable<Value>: @unchecked Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
}
