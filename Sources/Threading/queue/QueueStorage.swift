//===----------------------------------------------------------------------===//
//
// Threading: Python's threading model for Swift on Linux.
//
//===----------------------------------------------------------------------===//

/// The container behind a queue: the order items come out in, and nothing else.
///
/// Python's `Queue._put`, `_get` and `_qsize`: `QueueCore` calls these only with its mutex
/// held, and does all locking, waiting and counting itself. A throwing `push` or `pop`
/// must leave the container unchanged; the library's own containers never throw, but a
/// test container may, to check that a failure leaves the queue intact (CPython's
/// `FailingQueueTest`).
@usableFromInline
internal protocol QueueStorage {
    associatedtype Element

    /// Creates an empty container for a queue whose `maxsize` is `maxsize` (a sizing hint).
    init(maxsize: Int)

    /// The number of items held.
    var count: Int { get }

    /// Adds `element`.
    mutating func push(_ element: consuming Element) throws

    /// Removes and returns the next item. Called only when `count > 0`.
    mutating func pop() throws -> Element

    /// Removes every item and returns them, so that the caller can release them after it
    /// has dropped its mutex (an item's `deinit` may use the queue).
    mutating func removeAll() -> [Element]
}

// MARK: - FIFO

/// A first-in, first-out ring that grows by doubling and shrinks by halving, so `push` and
/// `pop` cost amortised O(1) and allocate nothing in the steady state (`Queue` and
/// `SimpleQueue`).
///
/// Invariant: the items are the `count` slots starting at `head` (modulo the capacity, a
/// power of two); every other slot is uninitialised.
@usableFromInline
internal struct RingStorage<Element>: QueueStorage {
    @usableFromInline internal var buffer: RingBuffer<Element>

    @inlinable
    internal init(maxsize: Int) {
        // A bounded queue never needs more than `maxsize` slots; start small regardless,
        // since many queues never fill.
        let initial = RingBuffer<Element>.initialCapacity
        buffer = RingBuffer.create(capacity: maxsize > 0 ? min(maxsize, initial) : initial)
    }

    // The header is reached through `withUnsafeMutablePointerToHeader` rather than
    // `buffer.header`, a class property that would pay a run-time exclusivity check on
    // every access; the queue's mutex already makes access exclusive.

    @inlinable
    internal var count: Int {
        buffer.withUnsafeMutablePointerToHeader { $0.pointee.count }
    }

    @inlinable
    internal mutating func push(_ element: consuming Element) {
        typealias Slot = UnsafeMutablePointer<Element>
        let slot = buffer.withUnsafeMutablePointers { header, slots -> Slot? in
            guard header.pointee.count <= header.pointee.mask else { return nil }
            let index = (header.pointee.head &+ header.pointee.count) & header.pointee.mask
            header.pointee.count &+= 1
            return slots + index
        }
        if let slot {
            slot.initialize(to: element)
        } else {
            grow(appending: element)
        }
    }

    @inlinable
    internal mutating func pop() -> Element {
        let (element, capacity, count) = buffer.withUnsafeMutablePointers { header, slots in
            let element = (slots + header.pointee.head).move()
            header.pointee.head = (header.pointee.head &+ 1) & header.pointee.mask
            header.pointee.count &-= 1
            return (element, header.pointee.mask &+ 1, header.pointee.count)
        }
        if capacity > RingBuffer<Element>.shrinkThreshold, count < capacity / 4 {
            resize(to: capacity / 2)
        }
        return element
    }

    /// Doubles the capacity, then appends `element`.
    @usableFromInline
    internal mutating func grow(appending element: consuming Element) {
        resize(to: (buffer.withUnsafeMutablePointerToHeader { $0.pointee.mask } &+ 1) &* 2)
        push(element)
    }

    @usableFromInline
    internal mutating func removeAll() -> [Element] {
        let all = buffer.withUnsafeMutablePointers { header, slots in
            let count = header.pointee.count
            guard count > 0 else { return [Element]() }
            let head = header.pointee.head
            let firstRun = min(count, header.pointee.mask + 1 - head)
            let all = [Element](unsafeUninitializedCapacity: count) { items, initialized in
                items.baseAddress!.moveInitialize(from: slots + head, count: firstRun)
                (items.baseAddress! + firstRun).moveInitialize(from: slots, count: count - firstRun)
                initialized = count
            }
            header.pointee.count = 0
            header.pointee.head = 0
            return all
        }
        // Give back the memory of a ring that grew large.
        let capacity = buffer.withUnsafeMutablePointerToHeader { $0.pointee.mask } + 1
        if capacity > RingBuffer<Element>.shrinkThreshold {
            buffer = RingBuffer.create(capacity: RingBuffer<Element>.initialCapacity)
        }
        return all
    }

    /// Moves the items, in order, into a new buffer of `capacity` slots (a power of two,
    /// at least `count`).
    @usableFromInline
    internal mutating func resize(to capacity: Int) {
        let resized = RingBuffer<Element>.create(capacity: capacity)
        buffer.withUnsafeMutablePointers { oldHeader, oldSlots in
            resized.withUnsafeMutablePointers { newHeader, newSlots in
                let count = oldHeader.pointee.count
                let head = oldHeader.pointee.head
                let oldCapacity = oldHeader.pointee.mask + 1
                let firstRun = min(count, oldCapacity - head)
                newSlots.moveInitialize(from: oldSlots + head, count: firstRun)
                (newSlots + firstRun).moveInitialize(from: oldSlots, count: count - firstRun)
                newHeader.pointee.count = count
                oldHeader.pointee.count = 0
                oldHeader.pointee.head = 0
            }
        }
        buffer = resized
    }
}

/// The header of a `RingBuffer`: where the items start, how many there are, and the
/// capacity minus one.
@usableFromInline
internal struct RingHeader {
    @usableFromInline internal var head: Int
    @usableFromInline internal var count: Int
    @usableFromInline internal var mask: Int

    @inlinable
    internal init(head: Int, count: Int, mask: Int) {
        self.head = head
        self.count = count
        self.mask = mask
    }
}

/// The slots of a `RingStorage`, allocated inline after the header; releases the items
/// it still holds when it is freed.
@usableFromInline
internal final class RingBuffer<Element>: ManagedBuffer<RingHeader, Element> {
    /// The capacity of a new ring (a power of two).
    @usableFromInline internal static var initialCapacity: Int { 16 }
    /// Rings at most this large never shrink.
    @usableFromInline internal static var shrinkThreshold: Int { 1024 }

    /// A ring with room for `capacity` items, rounded up to a power of two.
    @inlinable
    internal static func create(capacity: Int) -> RingBuffer<Element> {
        var rounded = 1
        while rounded < capacity { rounded &*= 2 }
        let buffer = RingBuffer<Element>.create(minimumCapacity: rounded) { _ in
            RingHeader(head: 0, count: 0, mask: rounded - 1)
        }
        // `create` returns the base class statically; the dynamic type is this class.
        return unsafeDowncast(buffer, to: RingBuffer<Element>.self)
    }

    deinit {
        withUnsafeMutablePointers { header, slots in
            let count = header.pointee.count
            let head = header.pointee.head
            let firstRun = min(count, header.pointee.mask + 1 - head)
            (slots + head).deinitialize(count: firstRun)
            slots.deinitialize(count: count - firstRun)
        }
    }
}

// MARK: - LIFO

/// A last-in, first-out stack (`LifoQueue`); the array keeps its capacity, so the steady
/// state allocates nothing.
///
/// Invariant: the last element of `elements` is the next item out.
@usableFromInline
internal struct StackStorage<Element>: QueueStorage {
    @usableFromInline internal var elements: [Element] = []

    @inlinable
    internal init(maxsize: Int) {}

    @inlinable
    internal var count: Int { elements.count }

    @inlinable
    internal mutating func push(_ element: consuming Element) {
        elements.append(element)
    }

    @inlinable
    internal mutating func pop() -> Element {
        elements.removeLast()
    }

    @usableFromInline
    internal mutating func removeAll() -> [Element] {
        defer { elements.removeAll(keepingCapacity: true) }
        return elements
    }
}

// MARK: - Priority

/// A binary min-heap (`PriorityQueue`): the smallest item comes out first, and equal items
/// in the order they went in.
///
/// Invariant: no entry is ordered before its parent, where entries order by element and
/// then by `sequence`, the number of pushes before this one.
@usableFromInline
internal struct HeapStorage<Element: Comparable>: QueueStorage {
    /// An item and its insertion number, the tie-breaker between equal items.
    @usableFromInline
    internal struct Entry {
        @usableFromInline internal var element: Element
        @usableFromInline internal var sequence: UInt64

        @inlinable
        internal init(element: Element, sequence: UInt64) {
            self.element = element
            self.sequence = sequence
        }

        /// True when `self` comes out before `other`.
        @inlinable
        internal func precedes(_ other: Entry) -> Bool {
            if element < other.element { return true }
            if other.element < element { return false }
            return sequence < other.sequence
        }
    }

    @usableFromInline internal var entries: [Entry] = []
    @usableFromInline internal var nextSequence: UInt64 = 0

    @inlinable
    internal init(maxsize: Int) {}

    @inlinable
    internal var count: Int { entries.count }

    @inlinable
    internal mutating func push(_ element: consuming Element) {
        entries.append(Entry(element: element, sequence: nextSequence))
        nextSequence &+= 1
        siftUp(from: entries.count - 1)
    }

    @inlinable
    internal mutating func pop() -> Element {
        let last = entries.count - 1
        if last > 0 { entries.swapAt(0, last) }
        let smallest = entries.removeLast()
        if last > 1 { siftDown(from: 0) }
        return smallest.element
    }

    @usableFromInline
    internal mutating func removeAll() -> [Element] {
        defer { entries.removeAll(keepingCapacity: true) }
        return entries.map(\.element)
    }

    @inlinable
    internal mutating func siftUp(from start: Int) {
        var child = start
        while child > 0 {
            let parent = (child - 1) / 2
            guard entries[child].precedes(entries[parent]) else { return }
            entries.swapAt(child, parent)
            child = parent
        }
    }

    @inlinable
    internal mutating func siftDown(from start: Int) {
        var parent = start
        let count = entries.count
        while true {
            let left = 2 * parent + 1
            guard left < count else { return }
            let right = left + 1
            var first = left
            if right < count, entries[right].precedes(entries[left]) { first = right }
            guard entries[first].precedes(entries[parent]) else { return }
            entries.swapAt(first, parent)
            parent = first
        }
    }
}
