//===----------------------------------------------------------------------===//
//
// threading-bench: thread_spawn_join, pool_submit and pool_roundtrip.
//
//===----------------------------------------------------------------------===//

import Dispatch
import Glibc
import NIOPosix
import Threading

enum PoolNames {
    static let ourThread = "threading.Thread"
    static let rawThread = "pthread_create/join"
    static let pythonThread = "CPython threading.Thread"
    static let ours = "ThreadPoolExecutor"
    static let dispatch = "DispatchQueue.global()+DispatchGroup"
    static let dispatchAsync = "DispatchQueue.global()+DispatchSemaphore"
    static let nio = "NIOThreadPool"
    static let semaphorePingPong = "DispatchSemaphore ping-pong"
    static let python = "CPython ThreadPoolExecutor"
}

// MARK: - Threads

func ourSpawnJoin(_ n: Int) throws -> Measurement {
    let ran = SharedInt()
    let timing = try Timing.measure {
        for _ in 0..<n {
            let thread = threading.Thread { ran.add(1) }
            try thread.start()
            try thread.join()
        }
    }
    try check(ran.value, n, "threads that ran")
    return Measurement(timing: timing)
}

func rawSpawnJoin(_ n: Int) throws -> Measurement {
    let ran = SharedInt()
    let timing = Timing.measure {
        for _ in 0..<n {
            RawThread.spawn { ran.add(1) }.join()
        }
    }
    try check(ran.value, n, "threads that ran")
    return Measurement(timing: timing)
}

// MARK: - Pools

/// One slot per task, written by the task that owns it: how the Dispatch and NIO versions
/// hand results back without a lock.
final class ResultSlots: @unchecked Sendable {
    let slots: UnsafeMutablePointer<Int>
    let count: Int
    init(_ count: Int) {
        self.count = count
        slots = .allocate(capacity: count)
        slots.initialize(repeating: -1, count: count)
    }
    deinit { slots.deallocate() }
    var sum: Int { (0..<count).reduce(0) { $0 &+ slots[$1] } }
}

func ourPoolSubmit(_ n: Int) throws -> Measurement {
    let pool = try concurrent.futures.ThreadPoolExecutor(maxWorkers: 4)
    defer { pool.shutdown(wait: true) }
    var total = 0
    let timing = try Timing.measure {
        var futures: [concurrent.futures.Future<Int>] = []
        futures.reserveCapacity(n)
        for i in 0..<n { futures.append(try pool.submit { i }) }
        for future in futures { total &+= try future.result() }
    }
    try check(total, triangular(n), "sum of the results")
    return Measurement(timing: timing)
}

func dispatchPoolSubmit(_ n: Int) throws -> Measurement {
    let results = ResultSlots(n)
    let group = DispatchGroup()
    let queue = DispatchQueue.global()
    let timing = Timing.measure {
        for i in 0..<n {
            queue.async(group: group) { results.slots[i] = i }
        }
        group.wait()
    }
    try check(results.sum, triangular(n), "sum of the results")
    return Measurement(timing: timing)
}

func nioPoolSubmit(_ n: Int) throws -> Measurement {
    let pool = NIOThreadPool(numberOfThreads: 4)
    pool.start()
    defer { try? pool.syncShutdownGracefully() }
    let results = ResultSlots(n)
    let remaining = SharedInt(n)
    let finished = DispatchSemaphore(value: 0)
    let timing = Timing.measure {
        for i in 0..<n {
            pool.submit { state in
                if case .active = state { results.slots[i] = i }
                if remaining.atomic.subtract(1, ordering: .acquiringAndReleasing).newValue == 0 {
                    finished.signal()
                }
            }
        }
        finished.wait()
    }
    try check(results.sum, triangular(n), "sum of the results")
    return Measurement(timing: timing)
}

func ourPoolRoundTrip(_ n: Int) throws -> Measurement {
    let pool = try concurrent.futures.ThreadPoolExecutor(maxWorkers: 4)
    defer { pool.shutdown(wait: true) }
    _ = try pool.submit { 0 }.result()  // a worker is running, as in the other pools
    var total = 0
    let timing = try Timing.measure {
        for i in 0..<n { total &+= try pool.submit { i }.result() }
    }
    try check(total, triangular(n), "sum of the results")
    return Measurement(timing: timing)
}

func dispatchRoundTrip(_ n: Int) throws -> Measurement {
    let queue = DispatchQueue.global()
    let done = DispatchSemaphore(value: 0)
    let slot = ResultSlots(1)
    var total = 0
    let timing = Timing.measure {
        for i in 0..<n {
            queue.async {
                slot.slots[0] = i
                done.signal()
            }
            done.wait()
            total &+= slot.slots[0]
        }
    }
    try check(total, triangular(n), "sum of the results")
    return Measurement(timing: timing)
}

func nioRoundTrip(_ n: Int) throws -> Measurement {
    let pool = NIOThreadPool(numberOfThreads: 4)
    pool.start()
    defer { try? pool.syncShutdownGracefully() }
    let done = DispatchSemaphore(value: 0)
    let slot = ResultSlots(1)
    var total = 0
    let timing = Timing.measure {
        for i in 0..<n {
            pool.submit { _ in
                slot.slots[0] = i
                done.signal()
            }
            done.wait()
            total &+= slot.slots[0]
        }
    }
    try check(total, triangular(n), "sum of the results")
    return Measurement(timing: timing)
}

func threadAndPoolWorkloads() -> [Workload] {
    [
        Workload(
            name: "thread_spawn_join",
            summary: "start and join threads one after another, each running an empty body",
            unit: .microsecondsPerThread,
            size: 10_000, quickSize: 200,
            primary: PoolNames.ourThread,
            implementations: [
                Implementation(PoolNames.ourThread, .ours) { try ourSpawnJoin($0) },
                Implementation(PoolNames.rawThread, .swift) { try rawSpawnJoin($0) },
                Python.implementation(PoolNames.pythonThread, workload: "thread_spawn_join"),
            ]
        ),
        Workload(
            name: "pool_submit",
            summary: "a pool of 4 workers, trivial tasks submitted, every result awaited",
            unit: .microsecondsPerTask,
            size: 200_000, quickSize: 5_000,
            primary: PoolNames.ours,
            implementations: [
                Implementation(PoolNames.ours, .ours) { try ourPoolSubmit($0) },
                Implementation(PoolNames.dispatch, .swift) { try dispatchPoolSubmit($0) },
                Implementation(PoolNames.nio, .swift) { try nioPoolSubmit($0) },
                Python.implementation(PoolNames.python, workload: "pool_submit"),
            ]
        ),
        Workload(
            name: "pool_roundtrip",
            summary: "one submit(...).result() at a time",
            unit: .microsecondsPerRoundTrip,
            size: 20_000, quickSize: 1_000,
            primary: PoolNames.ours,
            implementations: [
                Implementation(PoolNames.ours, .ours) { try ourPoolRoundTrip($0) },
                Implementation(PoolNames.semaphorePingPong, .swift) { try dispatchSemaphorePingPong($0) },
                Implementation(PoolNames.dispatchAsync, .swift) { try dispatchRoundTrip($0) },
                Implementation(PoolNames.nio, .swift) { try nioRoundTrip($0) },
                Python.implementation(PoolNames.python, workload: "pool_roundtrip"),
            ]
        ),
    ]
}
