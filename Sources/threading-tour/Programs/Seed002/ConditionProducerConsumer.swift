//===----------------------------------------------------------------------===//
//
// Threading: Python's threading model for Swift on Linux.
//
// Seed 002 (Python Notes, 17. Threading), 17.6.2 Conditions.
//
//===----------------------------------------------------------------------===//

import Threading
import ThreadingLogging

extension Tour {
    /// The seed's producer and consumer, written as its outline is: the producer
    /// acquires the condition, adds an item, notifies and releases; the consumer acquires
    /// it and waits until it finds an item. The resource holds at most two items, so the
    /// producer also waits, on a second condition sharing the same `RLock` (the seed's
    /// `condition_1`/`condition_2`). The seed shows the outline only; the items, their
    /// number and the pauses are the port's.
    static let conditionProducerConsumer = Program(
        name: "condition_producer_consumer",
        seed: "002",
        summary: "a producer and a consumer share a 2-item resource through two Conditions on one RLock"
    ) {
        try logging.basicConfig(level: logging.DEBUG, format: "(%(threadName)-8s) %(message)s")

        let resource = Resource()
        let consumer = threading.Thread(name: "consumer") { try consume(resource, count: 5) }
        let producer = threading.Thread(name: "producer") { try produce(resource, count: 5) }
        try consumer.start()
        try producer.start()
        try consumer.join()
        try producer.join()
    }
}

/// Items waiting to be consumed, at most `capacity` of them, and the two conditions that
/// share one lock: one for "an item is available", one for "there is room".
private final class Resource: @unchecked Sendable {
    let capacity = 2
    let lock = threading.RLock()
    let itemAvailable: threading.Condition
    let spaceAvailable: threading.Condition
    /// Guarded by `lock`.
    var items: [Int] = []

    init() {
        itemAvailable = threading.Condition(lock)
        spaceAvailable = threading.Condition(lock)
    }
}

/// producer thread
private func produce(_ resource: Resource, count: Int) throws {
    for item in 1...count {
        time.sleep(0.2)  // generate item
        resource.itemAvailable.acquire()
        while resource.items.count == resource.capacity {
            logging.debug("resource full, waiting for space")
            try resource.spaceAvailable.wait()
        }
        resource.items.append(item)  // add item to resource
        logging.debug("item \(item) added")
        try resource.itemAvailable.notify()  // signal that a new item is available
        try resource.itemAvailable.release()
    }
}

/// consumer thread
private func consume(_ resource: Resource, count: Int) throws {
    for _ in 0..<count {
        resource.itemAvailable.acquire()
        var item: Int?
        while true {
            item = resource.items.isEmpty ? nil : resource.items.removeFirst()  // get item from resource
            if item != nil {
                break
            }
            try resource.itemAvailable.wait()  // sleep until item becomes available
        }
        try resource.spaceAvailable.notify()
        try resource.itemAvailable.release()
        logging.debug("item \(item!) consumed")  // process item
        time.sleep(0.6)
    }
}
