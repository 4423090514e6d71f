//===----------------------------------------------------------------------===//
//
// threading-bench: clocks, raw threads and the start gate every workload shares.
//
//===----------------------------------------------------------------------===//

import Glibc
import Synchronization

/// Monotonic wall time and process CPU time (every thread of the process), in nanoseconds.
enum Clock {
    static func wall() -> UInt64 { read(CLOCK_MONOTONIC) }
    static func cpu() -> UInt64 { read(CLOCK_PROCESS_CPUTIME_ID) }

    private static func read(_ clock: clockid_t) -> UInt64 {
        var spec = timespec()
        clock_gettime(clock, &spec)
        return UInt64(spec.tv_sec) &* 1_000_000_000 &+ UInt64(spec.tv_nsec)
    }
}

/// Wall and CPU time of one timed section.
struct Timing {
    var wallNanoseconds: UInt64
    var cpuNanoseconds: UInt64

    var wallSeconds: Double { Double(wallNanoseconds) / 1e9 }
    var cpuSeconds: Double { Double(cpuNanoseconds) / 1e9 }

    /// Times `body` on the calling thread (CPU time still counts every thread).
    static func measure(_ body: () throws -> Void) rethrows -> Timing {
        let wall0 = Clock.wall(), cpu0 = Clock.cpu()
        try body()
        let wall1 = Clock.wall(), cpu1 = Clock.cpu()
        return Timing(wallNanoseconds: wall1 - wall0, cpuNanoseconds: cpu1 - cpu0)
    }
}

/// A joinable pthread running a closure: the harness's own threads, the same for every
/// implementation measured, so no library's thread type is in the timed path.
struct RawThread: @unchecked Sendable {
    let handle: pthread_t

    private final class Box {
        let body: @Sendable () -> Void
        init(_ body: @escaping @Sendable () -> Void) { self.body = body }
    }

    static func spawn(_ body: @escaping @Sendable () -> Void) -> RawThread {
        let box = Unmanaged.passRetained(Box(body)).toOpaque()
        var handle = pthread_t()
        let rc = pthread_create(&handle, nil, { argument in
            Unmanaged<Box>.fromOpaque(argument!).takeRetainedValue().body()
            return nil
        }, box)
        precondition(rc == 0, "pthread_create failed: \(rc)")
        return RawThread(handle: handle)
    }

    func join() {
        let rc = pthread_join(handle, nil)
        precondition(rc == 0, "pthread_join failed: \(rc)")
    }
}

/// Holds worker threads until every one is ready, then releases them at once, so the timed
/// section starts with all threads created and none of them running yet.
final class StartGate: @unchecked Sendable {
    private var mutex = pthread_mutex_t()
    private var cond = pthread_cond_t()
    private var ready = 0
    private var open = false

    init() {
        pthread_mutex_init(&mutex, nil)
        pthread_cond_init(&cond, nil)
    }

    deinit {
        pthread_cond_destroy(&cond)
        pthread_mutex_destroy(&mutex)
    }

    func arriveAndWait() {
        pthread_mutex_lock(&mutex)
        ready += 1
        pthread_cond_broadcast(&cond)
        while !open { pthread_cond_wait(&cond, &mutex) }
        pthread_mutex_unlock(&mutex)
    }

    func waitUntilReady(_ count: Int) {
        pthread_mutex_lock(&mutex)
        while ready < count { pthread_cond_wait(&cond, &mutex) }
        pthread_mutex_unlock(&mutex)
    }

    func release() {
        pthread_mutex_lock(&mutex)
        open = true
        pthread_cond_broadcast(&cond)
        pthread_mutex_unlock(&mutex)
    }
}

/// Runs `body(i)` on `count` new threads released together; times from the release until
/// the last one is joined.
func timeThreads(_ count: Int, _ body: @escaping @Sendable (Int) -> Void) -> Timing {
    let gate = StartGate()
    let threads = (0..<count).map { index in
        RawThread.spawn {
            gate.arriveAndWait()
            body(index)
        }
    }
    gate.waitUntilReady(count)
    return Timing.measure {
        gate.release()
        for thread in threads { thread.join() }
    }
}

/// glibc skips atomic instructions in its locks while a process has only one thread, so
/// the uncontended workloads keep one more thread alive, idle, as BENCH.md asks. Started
/// once, before any workload; it sleeps in the kernel for the life of the process.
let idleThreadStarted: Bool = {
    let thread = RawThread.spawn {
        while true { pause() }
    }
    pthread_detach(thread.handle)
    return true
}()

/// A plain shared counter, mutated only under the lock being measured.
final class Counter: @unchecked Sendable {
    let pointer: UnsafeMutablePointer<Int>
    init() {
        pointer = .allocate(capacity: 16)  // its own cache line, more or less
        pointer.initialize(repeating: 0, count: 16)
    }
    deinit { pointer.deallocate() }
    var value: Int {
        get { pointer.pointee }
        set { pointer.pointee = newValue }
    }
}

/// A failed correctness check: the workload's result is wrong, whatever its speed.
struct CheckFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// Throws a `CheckFailure` unless `actual == expected`.
func check<T: Equatable>(_ actual: T, _ expected: T, _ what: String) throws {
    if actual != expected { throw CheckFailure("\(what): got \(actual), expected \(expected)") }
}

/// Sum of 0..<n.
func triangular(_ n: Int) -> Int { n * (n - 1) / 2 }

/// An atomic integer in a class, shared across threads.
final class SharedInt: Sendable {
    let atomic = Atomic<Int>(0)
    init(_ value: Int = 0) { atomic.store(value, ordering: .relaxed) }
    func add(_ n: Int) { atomic.add(n, ordering: .relaxed) }
    var value: Int { atomic.load(ordering: .acquiring) }
}

/// A flag one thread raises and others poll.
final class Flag: Sendable {
    let atomic = Atomic<Bool>(false)
    func raise() { atomic.store(true, ordering: .releasing) }
    var isRaised: Bool { atomic.load(ordering: .acquiring) }
}

func sleepMicroseconds(_ us: Int) {
    var request = timespec(tv_sec: us / 1_000_000, tv_nsec: (us % 1_000_000) * 1000)
    var remaining = timespec()
    while nanosleep(&request, &remaining) != 0 && errno == EINTR { request = remaining }
}
