//===----------------------------------------------------------------------===//
//
// threading-bench: lock_uncontended, lock_contended_T, rlock_uncontended and the two
// fairness workloads.
//
//===----------------------------------------------------------------------===//

import Foundation
import Glibc
import NIOConcurrencyHelpers
import Synchronization
import Threading

/// A lock as the workloads use it: run a closure holding it. Each conformance is a thin,
/// inlined wrapper, and the loops below are generic over it, so each lock gets its own
/// specialised loop with no closure or protocol call left in it.
protocol BenchLock: AnyObject, Sendable {
    init()
    func locked(_ body: () -> Void)
}

final class OurLock: BenchLock, @unchecked Sendable {
    let lock = threading.Lock()
    init() {}
    @inline(__always) func locked(_ body: () -> Void) {
        lock.acquire()
        body()
        try! lock.release()
    }
}

final class OurRLock: BenchLock, @unchecked Sendable {
    let lock = threading.RLock()
    init() {}
    @inline(__always) func locked(_ body: () -> Void) {
        lock.acquire()
        body()
        try! lock.release()
    }
}

final class PthreadMutex: BenchLock, @unchecked Sendable {
    let mutex: UnsafeMutablePointer<pthread_mutex_t>
    convenience init() { self.init(recursive: false) }
    init(recursive: Bool) {
        mutex = .allocate(capacity: 1)
        var attributes = pthread_mutexattr_t()
        pthread_mutexattr_init(&attributes)
        if recursive { pthread_mutexattr_settype(&attributes, Int32(PTHREAD_MUTEX_RECURSIVE)) }
        pthread_mutex_init(mutex, &attributes)
        pthread_mutexattr_destroy(&attributes)
    }
    deinit {
        pthread_mutex_destroy(mutex)
        mutex.deallocate()
    }
    @inline(__always) func locked(_ body: () -> Void) {
        pthread_mutex_lock(mutex)
        body()
        pthread_mutex_unlock(mutex)
    }
}

final class PthreadRecursiveMutex: BenchLock, @unchecked Sendable {
    let inner = PthreadMutex(recursive: true)
    init() {}
    @inline(__always) func locked(_ body: () -> Void) { inner.locked(body) }
}

final class SyncMutex: BenchLock, Sendable {
    let mutex = Mutex<Void>(())
    init() {}
    @inline(__always) func locked(_ body: () -> Void) {
        mutex.withLock { _ in body() }
    }
}

final class NIOLockBox: BenchLock, @unchecked Sendable {
    let lock = NIOLock()
    init() {}
    @inline(__always) func locked(_ body: () -> Void) {
        lock.lock()
        body()
        lock.unlock()
    }
}

final class NSLockBox: BenchLock, @unchecked Sendable {
    let lock = NSLock()
    init() {}
    @inline(__always) func locked(_ body: () -> Void) {
        lock.lock()
        body()
        lock.unlock()
    }
}

final class NSRecursiveLockBox: BenchLock, @unchecked Sendable {
    let lock = NSRecursiveLock()
    init() {}
    @inline(__always) func locked(_ body: () -> Void) {
        lock.lock()
        body()
        lock.unlock()
    }
}

// MARK: - Loops

@inline(never)
func lockLoop<L: BenchLock>(_ lock: L, _ iterations: Int, _ counter: Counter) {
    let value = counter.pointer
    for _ in 0..<iterations {
        lock.locked { value.pointee &+= 1 }
    }
}

func uncontended<L: BenchLock>(_ type: L.Type, size: Int) throws -> Measurement {
    let lock = L()
    let counter = Counter()
    let timing = Timing.measure { lockLoop(lock, size, counter) }
    try check(counter.value, size, "counter")
    return Measurement(timing: timing)
}

/// Longest a contended run may take: a lock that collapses under contention
/// (Synchronization.Mutex with 8 threads on 2 cores runs at tens of thousands of
/// acquisitions a second) is measured on the operations done by then.
let contendedBudgetNanoseconds: UInt64 = 3_000_000_000

func contended<L: BenchLock>(_ type: L.Type, threads: Int, size: Int) throws -> Measurement {
    let lock = L()
    let counter = Counter()
    let done = SharedInt()
    let deadline = Clock.wall() + contendedBudgetNanoseconds
    let timing = timeThreads(threads) { index in
        let share = size / threads + (index < size % threads ? 1 : 0)
        var finished = 0
        while finished < share {
            let chunk = min(512, share - finished)
            lockLoop(lock, chunk, counter)
            finished += chunk
            if Clock.wall() > deadline { break }
        }
        done.add(finished)
    }
    try check(counter.value, done.value, "shared counter against the acquisitions made")
    if done.value == size { return Measurement(timing: timing) }
    return Measurement(
        timing: timing,
        figure: Double(done.value) / timing.wallSeconds / 1e6,
        extras: ["stopped_after_ops": Double(done.value)]
    )
}

/// `threads` threads take the lock as fast as they can for `size` milliseconds; the
/// figure is the slowest thread's acquisitions over the mean (1.0: equal shares).
func fairnessShare<L: BenchLock>(_ type: L.Type, threads: Int, milliseconds: Int) throws -> Measurement {
    let lock = L()
    let counter = Counter()
    let stop = Flag()
    let counts = UnsafeMutablePointer<Int>.allocate(capacity: threads * 16)
    counts.initialize(repeating: 0, count: threads * 16)
    defer { counts.deallocate() }
    let slots = UncheckedPointer(counts)
    let gate = StartGate()
    let workers = (0..<threads).map { index in
        RawThread.spawn {
            let mine = slots.pointer + index * 16  // one cache line each
            let value = counter.pointer
            gate.arriveAndWait()
            while !stop.isRaised {
                lock.locked { value.pointee &+= 1 }
                mine.pointee &+= 1
            }
        }
    }
    gate.waitUntilReady(threads)
    let timing = Timing.measure {
        gate.release()
        sleepMicroseconds(milliseconds * 1000)
        stop.raise()
        for worker in workers { worker.join() }
    }
    let perThread = (0..<threads).map { counts[$0 * 16] }
    let total = perThread.reduce(0, +)
    try check(counter.value, total, "shared counter against per-thread counts")
    let mean = Double(total) / Double(threads)
    let share = mean > 0 ? Double(perThread.min()!) / mean : 0
    return Measurement(
        timing: timing,
        figure: share,
        extras: ["throughput_Mops": Double(total) / timing.wallSeconds / 1e6]
    )
}

/// Go's `TestMutexFairness`: one thread loops {lock; sleep 100 µs; unlock}; another does
/// 10 × {sleep 100 µs; lock; unlock}. The figure is how long the second one took. The hog
/// gives up after `capMilliseconds`, so a starving lock shows as about that long.
func fairnessGo<L: BenchLock>(_ type: L.Type, capMilliseconds: Int) throws -> Measurement {
    let lock = L()
    let done = Flag()
    let hogStart = Clock.wall()
    let hog = RawThread.spawn {
        let cap = UInt64(capMilliseconds) * 1_000_000
        while !done.isRaised, Clock.wall() - hogStart < cap {
            lock.locked { sleepMicroseconds(100) }
        }
    }
    sleepMicroseconds(1000)  // let the hog get going
    var acquired = 0
    let timing = Timing.measure {
        for _ in 0..<10 {
            sleepMicroseconds(100)
            lock.locked { acquired += 1 }
        }
    }
    done.raise()
    hog.join()
    try check(acquired, 10, "acquisitions by the waiter")
    return Measurement(timing: timing, figure: timing.wallSeconds * 1e3)
}

/// A pointer passed to threads the harness starts and joins itself.
struct UncheckedPointer: @unchecked Sendable {
    let pointer: UnsafeMutablePointer<Int>
    init(_ pointer: UnsafeMutablePointer<Int>) { self.pointer = pointer }
}

// MARK: - Workloads

enum LockNames {
    static let ours = "threading.Lock"
    static let oursRLock = "threading.RLock"
    static let pthread = "pthread_mutex_t"
    static let pthreadRecursive = "pthread_mutex_t (recursive)"
    static let mutex = "Synchronization.Mutex"
    static let nio = "NIOLock"
    static let nslock = "NSLock"
    static let nsrecursive = "NSRecursiveLock"
    static let python = "CPython threading.Lock"
    static let pythonRLock = "CPython threading.RLock"
}

/// Something to do with each lock type; a protocol with a generic method, so that every
/// lock gets a loop specialised for it (a closure over `any BenchLock.Type` would not).
protocol LockRunner: Sendable {
    func run<L: BenchLock>(_ type: L.Type, size: Int) throws -> Measurement
}

/// The non-recursive locks, ours first.
private func lockImplementations(_ runner: some LockRunner) -> [Implementation] {
    [
        Implementation(LockNames.ours, .ours) { try runner.run(OurLock.self, size: $0) },
        Implementation(LockNames.pthread, .swift) { try runner.run(PthreadMutex.self, size: $0) },
        Implementation(LockNames.mutex, .swift) { try runner.run(SyncMutex.self, size: $0) },
        Implementation(LockNames.nio, .swift) { try runner.run(NIOLockBox.self, size: $0) },
        Implementation(LockNames.nslock, .swift) { try runner.run(NSLockBox.self, size: $0) },
    ]
}

private struct Uncontended: LockRunner {
    func run<L: BenchLock>(_ type: L.Type, size: Int) throws -> Measurement { try uncontended(type, size: size) }
}

private struct Contended: LockRunner {
    let threads: Int
    func run<L: BenchLock>(_ type: L.Type, size: Int) throws -> Measurement {
        try contended(type, threads: threads, size: size)
    }
}

private struct FairnessShare: LockRunner {
    func run<L: BenchLock>(_ type: L.Type, size: Int) throws -> Measurement {
        try fairnessShare(type, threads: 4, milliseconds: size)
    }
}

private struct FairnessGo: LockRunner {
    func run<L: BenchLock>(_ type: L.Type, size: Int) throws -> Measurement {
        try fairnessGo(type, capMilliseconds: size)
    }
}

func lockWorkloads() -> [Workload] {
    var workloads: [Workload] = []
    workloads.append(Workload(
        name: "lock_uncontended",
        summary: "1 thread, acquire+release of a non-recursive lock, one more thread alive and idle",
        unit: .nanosecondsPerOperation,
        size: 10_000_000, quickSize: 100_000,
        primary: LockNames.ours,
        implementations: lockImplementations(Uncontended())
            + [Python.implementation(LockNames.python, workload: "lock_uncontended")]
    ))
    for threads in [2, 4, 8] {
        workloads.append(Workload(
            name: "lock_contended_\(threads)",
            summary: "\(threads) threads, each {acquire; counter += 1; release}, 4,000,000 in total",
            unit: .millionOperationsPerSecond,
            size: 4_000_000, quickSize: 40_000,
            primary: LockNames.ours,
            implementations: lockImplementations(Contended(threads: threads)) + [Python.implementation(LockNames.python, workload: "lock_contended", arguments: ["\(threads)"])]
        ))
    }
    workloads.append(Workload(
        name: "lock_fairness_share",
        summary: "4 threads take the lock back to back for 200 ms; slowest thread's acquisitions / mean",
        unit: .slowestShare,
        size: 200, quickSize: 20,
        repetitions: 3,
        primary: LockNames.ours,
        implementations: lockImplementations(FairnessShare()) + [Python.implementation(LockNames.python, workload: "lock_fairness_share", arguments: ["4"]) { raw in
            let counts = raw.counts ?? []
            let mean = Double(counts.reduce(0, +)) / Double(max(counts.count, 1))
            return mean > 0 ? Double(counts.min() ?? 0) / mean : 0
        }]
    ))
    workloads.append(Workload(
        name: "lock_fairness_go",
        summary: "Go's TestMutexFairness: a hog loops {lock; sleep 100 µs; unlock}, another thread takes the lock 10 times; hog gives up after 2 s",
        unit: .millisecondsToFinish,
        size: 2000, quickSize: 300,
        repetitions: 3,
        primary: LockNames.ours,
        implementations: lockImplementations(FairnessGo())
            + [Python.implementation(LockNames.python, workload: "lock_fairness_go") { raw in raw.wallSeconds * 1e3 }]
    ))
    workloads.append(Workload(
        name: "rlock_uncontended",
        summary: "1 thread, recursive acquire+release at depth 1, one more thread alive and idle",
        unit: .nanosecondsPerOperation,
        size: 5_000_000, quickSize: 50_000,
        primary: LockNames.oursRLock,
        implementations: [
            Implementation(LockNames.oursRLock, .ours) { try uncontended(OurRLock.self, size: $0) },
            Implementation(LockNames.ours, .ours) { try uncontended(OurLock.self, size: $0) },
            Implementation(LockNames.pthreadRecursive, .swift) { try uncontended(PthreadRecursiveMutex.self, size: $0) },
            Implementation(LockNames.nsrecursive, .swift) { try uncontended(NSRecursiveLockBox.self, size: $0) },
            Python.implementation(LockNames.pythonRLock, workload: "rlock_uncontended"),
        ]
    ))
    return workloads
}
