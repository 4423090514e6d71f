//===----------------------------------------------------------------------===//
//
// threading-bench: our `queue.Queue` in the queue workloads.
//
//===----------------------------------------------------------------------===//

import Threading

/// `queue.Queue<Int>(maxsize:)` with `put(_:) throws` and `get() throws -> Int`.
final class OurQueue: BenchQueue, @unchecked Sendable {
    let queue: queue.Queue<Int>
    init(capacity: Int) throws { queue = .init(maxsize: capacity) }
    @inline(__always) func put(_ item: Int) throws { try queue.put(item) }
    @inline(__always) func get() throws -> Int { try queue.get() }
}

enum OurQueueWorkload {
    static func implementation(producers: Int, consumers: Int) -> Implementation {
        Implementation(QueueNames.ours, .ours) {
            try queueRun(OurQueue.self, $0, producers: producers, consumers: consumers)
        }
    }
}
