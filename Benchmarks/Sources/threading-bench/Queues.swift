//===----------------------------------------------------------------------===//
//
// threading-bench: queue_spsc and queue_mpmc, bounded queues of capacity 1024.
//
//===----------------------------------------------------------------------===//

import Glibc

enum QueueNames {
    static let ours = "queue.Queue"
    static let ring = "pthread ring (mutex + 2 conds)"
    static let python = "CPython queue.Queue"
}

/// A bounded blocking FIFO of integers, as the workloads use it.
protocol BenchQueue: AnyObject, Sendable {
    init(capacity: Int) throws
    func put(_ item: Int) throws
    func get() throws -> Int
}

/// What a Swift user writes today: a ring guarded by a pthread mutex, with one condition
/// variable for "not empty" and one for "not full", signalled on every put and get.
final class PthreadRing: BenchQueue, @unchecked Sendable {
    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private let notEmpty = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)
    private let notFull = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)
    private let buffer: UnsafeMutablePointer<Int>
    private let capacity: Int
    private var head = 0
    private var count = 0

    init(capacity: Int) {
        self.capacity = capacity
        buffer = .allocate(capacity: capacity)
        pthread_mutex_init(mutex, nil)
        pthread_cond_init(notEmpty, nil)
        pthread_cond_init(notFull, nil)
    }

    deinit {
        pthread_cond_destroy(notFull)
        pthread_cond_destroy(notEmpty)
        pthread_mutex_destroy(mutex)
        notFull.deallocate()
        notEmpty.deallocate()
        mutex.deallocate()
        buffer.deallocate()
    }

    func put(_ item: Int) {
        pthread_mutex_lock(mutex)
        while count == capacity { pthread_cond_wait(notFull, mutex) }
        buffer[(head + count) % capacity] = item
        count += 1
        pthread_cond_signal(notEmpty)
        pthread_mutex_unlock(mutex)
    }

    func get() -> Int {
        pthread_mutex_lock(mutex)
        while count == 0 { pthread_cond_wait(notEmpty, mutex) }
        let item = buffer[head]
        head = (head + 1) % capacity
        count -= 1
        pthread_cond_signal(notFull)
        pthread_mutex_unlock(mutex)
        return item
    }
}

/// `producers` threads put 0..<n between them, `consumers` threads take n items between
/// them; the sum of what was taken is checked.
func queueRun<Q: BenchQueue>(_ type: Q.Type, _ n: Int, producers: Int, consumers: Int) throws -> Measurement {
    let queue = try Q(capacity: 1024)
    let sums = UnsafeMutablePointer<Int>.allocate(capacity: consumers * 16)
    sums.initialize(repeating: 0, count: consumers * 16)
    defer { sums.deallocate() }
    let slots = UncheckedPointer(sums)
    let failures = SharedInt()
    let timing = timeThreads(producers + consumers) { index in
        do {
            if index < producers {
                var item = index
                while item < n {
                    try queue.put(item)
                    item += producers
                }
            } else {
                let consumer = index - producers
                let share = n / consumers + (consumer < n % consumers ? 1 : 0)
                var total = 0
                for _ in 0..<share { total &+= try queue.get() }
                slots.pointer[consumer * 16] = total
            }
        } catch {
            failures.add(1)
        }
    }
    try check(failures.value, 0, "queue operations that threw")
    try check((0..<consumers).reduce(0) { $0 + sums[$1 * 16] }, triangular(n), "sum of the items taken")
    return Measurement(timing: timing)
}

func queueWorkloads() -> [Workload] {
    let shapes = [("queue_spsc", 1, "1 producer puts", "1 consumer takes them"),
                  ("queue_mpmc", 2, "2 producers put", "2 consumers take them")]
    return shapes.map { name, threads, producers, consumers in
        Workload(
            name: name,
            summary: "\(producers) 1,000,000 integers into a bounded queue of capacity 1024, \(consumers); the sum is checked",
            unit: .millionItemsPerSecond,
            size: 1_000_000, quickSize: 20_000,
            primary: QueueNames.ours,
            implementations: [
                OurQueueWorkload.implementation(producers: threads, consumers: threads),
                Implementation(QueueNames.ring, .swift) {
                    try queueRun(PthreadRing.self, $0, producers: threads, consumers: threads)
                },
                Python.implementation(QueueNames.python, workload: name),
            ]
        )
    }
}
