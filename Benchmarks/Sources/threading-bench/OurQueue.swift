//===----------------------------------------------------------------------===//
//
// threading-bench: our `queue.Queue` in the queue workloads.
//
// PLACEHOLDER until the `queue` module (issue 4) lands in the library: Package.swift
// compiles the real rows in (THREADING_HAS_QUEUE) once `Sources/Threading/queue` exists, or
// with THREADING_BENCH_QUEUE=1. Until then the rows report "not available" and the pthread
// ring and CPython rows of the same workloads still run.
//
//===----------------------------------------------------------------------===//

import Threading

#if THREADING_HAS_QUEUE

/// `queue.Queue<Int>(maxsize:)` with `put(_:) throws` and `get() throws -> Int`.
final class OurQueue: BenchQueue, @unchecked Sendable {
    let queue: queue.Queue<Int>
    init(capacity: Int) throws { queue = try .init(maxsize: capacity) }
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

#else

enum OurQueueWorkload {
    static func implementation(producers: Int, consumers: Int) -> Implementation {
        Implementation(QueueNames.ours, .ours) { _ in
            throw NotAvailable("queue.Queue is not in the library yet (issue 4)")
        }
    }
}

#endif
