//===----------------------------------------------------------------------===//
//
// Threading: Python's threading model for Swift on Linux.
//
//===----------------------------------------------------------------------===//

/// A first-in first-out buffer: a ring that grows by doubling, so appending and removing
/// cost O(1) and nothing is allocated in the steady state.
///
/// Invariant: the elements are `storage[head], storage[head + 1], ...` modulo the
/// capacity, `count` of them; the other slots are `nil`.
internal struct FIFO<Element> {
    private var storage: [Element?] = []
    private var head = 0
    private(set) var count = 0

    var isEmpty: Bool { count == 0 }

    mutating func append(_ element: Element) {
        if count == storage.count { grow() }
        storage[(head + count) % storage.count] = element
        count += 1
    }

    mutating func popFirst() -> Element? {
        guard count > 0 else { return nil }
        let element = storage[head].take()
        head = (head + 1) % storage.count
        count -= 1
        return element
    }

    /// Removes and returns every element, oldest first.
    mutating func removeAll() -> [Element] {
        var all: [Element] = []
        all.reserveCapacity(count)
        while let element = popFirst() { all.append(element) }
        return all
    }

    private mutating func grow() {
        var bigger = [Element?](repeating: nil, count: max(16, storage.count * 2))
        for index in 0..<count {
            bigger[index] = storage[(head + index) % storage.count].take()
        }
        storage = bigger
        head = 0
    }
}
