//===----------------------------------------------------------------------===//
//
// Threading: Python's threading model for Swift on Linux.
//
//===----------------------------------------------------------------------===//

// Conservation under contention: several producers and consumers move many items through
// each queue type at capacities 1, 2 and 1024 (SimpleQueue: unbounded); the multiset
// received must equal the multiset sent, and a FIFO queue must keep each producer's order
// as each consumer sees it.
//
// THREADING_STRESS_SCALE (default 1.0) scales the item count.

import Foundation
import Synchronization
import Testing

@testable import Threading

/// One configuration: a queue type and its capacity.
struct ConservationCase: Sendable, CustomTestStringConvertible {
    /// `nil` for SimpleQueue.
    let kind: QueueKind?
    let capacity: Int

    var testDescription: String {
        guard let kind else { return "SimpleQueue" }
        return "\(kind.testDescription)(maxsize: \(capacity))"
    }

    static let all: [ConservationCase] =
        [QueueKind.fifo, .lifo, .priority].flatMap { kind in
            [1, 2, 1024].map { ConservationCase(kind: kind, capacity: $0) }
        } + [ConservationCase(kind: nil, capacity: 0)]
}

extension queue.SimpleQueue: QueueEndpoints {}

/// The two calls the conservation test needs, common to all four queue types.
protocol QueueEndpoints<Element>: Sendable {
    associatedtype Element: Sendable
    func put(_ item: Element, block: Bool, timeout: Double?) throws
    func get(block: Bool, timeout: Double?) throws -> Element
}

extension queue.Queue: QueueEndpoints {}
extension queue.LifoQueue: QueueEndpoints {}
extension queue.PriorityQueue: QueueEndpoints {}

@Suite("QueueConservationTests", .serialized, .wedgeDetector)
struct QueueConservationTests {
    /// THREADING_STRESS_SCALE, default 1.
    static let scale: Double = ProcessInfo.processInfo.environment["THREADING_STRESS_SCALE"]
        .flatMap(Double.init) ?? 1.0
    static let producers = 4
    static let consumers = 4
    /// Items per configuration at scale 1.
    static let baseItems = 1_000_000

    @Test(arguments: ConservationCase.all)
    func conservation(_ config: ConservationCase) throws {
        let perProducer = max(1, Int(Double(Self.baseItems) * Self.scale) / Self.producers)
        let total = perProducer * Self.producers
        let q: any QueueEndpoints<Int>
        switch config.kind {
        case nil: q = queue.SimpleQueue<Int>()
        case .fifo?: q = queue.Queue<Int>(maxsize: config.capacity)
        case .lifo?: q = queue.LifoQueue<Int>(maxsize: config.capacity)
        case .priority?: q = queue.PriorityQueue<Int>(maxsize: config.capacity)
        }
        let fifo = config.kind == nil || config.kind == .fifo

        // Consumers claim a ticket per get, so exactly `total` gets run, whatever the order.
        let tickets = Atomic<Int>(0)
        let received = Locked<[[Int]]>(Array(repeating: [], count: Self.consumers))
        let orderViolations = Counter()
        let seconds = try elapsed {
            let consumers = Bunch(count: Self.consumers, raw: true) { index in
                var mine: [Int] = []
                mine.reserveCapacity(total / Self.consumers * 2)
                var lastSeen = Array(repeating: -1, count: Self.producers)
                while tickets.wrappingAdd(1, ordering: .relaxed).oldValue < total {
                    let item = try q.get(block: true, timeout: nil)
                    if fifo {
                        let producer = item >> 32, sequence = item & 0xFFFF_FFFF
                        if sequence <= lastSeen[producer] { orderViolations.increment() }
                        lastSeen[producer] = sequence
                    }
                    mine.append(item)
                }
                received.withLock { $0[index] = mine }
            }
            let producers = Bunch(count: Self.producers, raw: true) { producer in
                for sequence in 0..<perProducer {
                    try q.put(producer << 32 | sequence, block: true, timeout: nil)
                }
            }
            try producers.join()
            try consumers.join()
        }
        let time = String(format: "%.2f", seconds)
        print("conservation \(config.testDescription): \(total) items in \(time) s")

        // The multiset received equals the multiset sent: every (producer, sequence) once.
        var seen = Array(repeating: [UInt8](repeating: 0, count: perProducer), count: Self.producers)
        var count = 0, duplicates = 0, outOfRange = 0
        for items in received.snapshot {
            for item in items {
                let producer = item >> 32, sequence = item & 0xFFFF_FFFF
                guard producer >= 0, producer < Self.producers, sequence < perProducer else {
                    outOfRange += 1
                    continue
                }
                if seen[producer][sequence] != 0 { duplicates += 1 }
                seen[producer][sequence] = 1
                count += 1
            }
        }
        let missing = seen.reduce(0) { $0 + $1.count { $0 == 0 } }
        #expect(count == total)
        #expect(duplicates == 0)
        #expect(outOfRange == 0)
        #expect(missing == 0)
        #expect(orderViolations.value == 0, "a consumer saw a producer's items out of order")

        // Nothing left behind, and every put counted as a task.
        if let q = q as? any QueueUnderTest<Int> {
            #expect(q.empty)
            #expect(q.unfinishedTasks == total)
            #expect(q.waitingGetters == 0 && q.waitingPutters == 0)
        } else if let q = q as? queue.SimpleQueue<Int> {
            #expect(q.empty)
            #expect(q.waitingGetters == 0)
        }
    }
}
