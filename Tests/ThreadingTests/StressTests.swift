//===----------------------------------------------------------------------===//
//
// Threading: Python's threading model for Swift on Linux.
//
// Stress with invariants, oversubscribed (up to 32 threads on 2 cores), under random
// timing:
//
// - every lock type under 1-32 threads and every way of acquiring it: mutual exclusion
//   (never two threads inside) and no lost update (a plain counter ends exact);
// - Condition, Event, Semaphore, Barrier: no lost wake-up (every thread finishes), nobody
//   left waiting (the primitive's waiting count ends at zero), and each one's own
//   invariant (items conserved, permits conserved, a round all-or-nothing);
// - ThreadPoolExecutor under submit/cancel/shutdown races: every accepted future ends
//   exactly once, cancelled or finished, its call run exactly when it finished.
//
// Queue stress is QueueConservationTests. THREADING_STRESS_SCALE (default 1.0) scales the
// operation counts; each test prints `stress <name>: N operations in T s`.
//
//===----------------------------------------------------------------------===//

#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Synchronization
import Testing

@testable import Threading

/// `count` scaled by THREADING_STRESS_SCALE, at least `minimum`.
func stressScaled(_ count: Int, minimum: Int = 1) -> Int {
    max(minimum, Int(Double(count) * QueueConservationTests.scale))
}

/// A little random delay: a few spins, sometimes a yield of the CPU.
struct Jitter {
    var rng = SystemRandomNumberGenerator()

    mutating func callAsFunction(upTo spins: Int = 64) {
        if Int.random(in: 0..<8, using: &rng) == 0 {
            sched_yield()
            return
        }
        let n = Int.random(in: 0..<spins, using: &rng)
        var sink = 0
        for i in 0..<n { sink &+= i }
        withExtendedLifetime(sink) {}
    }
}

/// An atomic integer that escaping closures can share.
final class Gauge: Sendable {
    private let storage = Atomic<Int>(0)
    var value: Int { storage.load(ordering: .acquiring) }
    /// Adds `n`; returns the value before.
    @discardableResult
    func add(_ n: Int) -> Int { storage.wrappingAdd(n, ordering: .acquiringAndReleasing).oldValue }
    func store(_ n: Int) { storage.store(n, ordering: .releasing) }
}

/// An invariant broken inside a stress thread (rethrown by the Bunch's join).
struct StressFailure: Error, CustomStringConvertible {
    let description: String
}

/// A plain, unsynchronised value: only the primitive under test keeps it consistent.
final class Unguarded<Value>: @unchecked Sendable {
    var value: Value
    init(_ value: Value) { self.value = value }
}

@Suite("StressTests", .serialized, .wedgeDetector)
struct StressTests {
    /// Prints the figures of one stress test.
    static func report(_ name: String, operations: Int, seconds: Double) {
        print("stress \(name): \(operations) operations in \(String(format: "%.2f", seconds)) s")
    }

    // MARK: Locks: mutual exclusion, no lost update

    enum StressedLock: String, CaseIterable, Sendable, CustomTestStringConvertible {
        case lock, rlock, condition, semaphore, boundedSemaphore
        var testDescription: String { rawValue }
    }

    /// How a thread takes the lock on one iteration.
    enum AcquireMode: CaseIterable {
        /// `acquire()` (or `withLock`).
        case blocking
        /// `acquire(timeout:)` with a tiny timeout, retried until it succeeds.
        case timed
        /// `acquire(blocking: false)`, retried (yielding) until it succeeds.
        case trying
    }

    /// The lock under test, reduced to "enter" and "leave".
    struct Guard: Sendable {
        let enter: @Sendable (AcquireMode, Double) throws -> Void
        let leave: @Sendable () throws -> Void
        let isFree: @Sendable () -> Bool
        let waiting: @Sendable () -> Int
    }

    static func makeGuard(_ kind: StressedLock) throws -> Guard {
        func forLock(_ lock: any LockUnderTest, nested: Bool) -> Guard {
            Guard(
                enter: { mode, timeout in
                    switch mode {
                    case .blocking: lock.acquire()
                    case .timed: while try !lock.acquire(blocking: true, timeout: timeout) {}
                    case .trying: while try !lock.acquire(blocking: false, timeout: nil) { sched_yield() }
                    }
                    // An RLock is taken a second time by its owner, at once.
                    if nested, try !lock.acquire(blocking: false, timeout: nil) {
                        throw StressFailure(description: "the owner could not re-acquire its RLock")
                    }
                },
                leave: {
                    if nested { try lock.release() }
                    try lock.release()
                },
                isFree: { !lock.locked },
                waiting: { lock.threadsWaitingToAcquire }
            )
        }
        func forSemaphore(_ semaphore: any SemaphoreUnderTest) -> Guard {
            Guard(
                enter: { mode, timeout in
                    switch mode {
                    case .blocking: semaphore.acquire()
                    case .timed: while try !semaphore.acquire(timeout: timeout) {}
                    case .trying: while try !semaphore.acquire(blocking: false) { sched_yield() }
                    }
                },
                leave: { try semaphore.releaseOne() },
                isFree: { semaphore.value == 1 },
                waiting: { semaphore.permits.waitingCount }
            )
        }
        switch kind {
        case .lock: return forLock(threading.Lock(), nested: false)
        case .rlock: return forLock(threading.RLock(), nested: true)
        case .condition: return forLock(threading.Condition(), nested: false)
        case .semaphore: return forSemaphore(threading.Semaphore())
        case .boundedSemaphore: return forSemaphore(threading.BoundedSemaphore())
        }
    }

    static let threadCounts = [1, 2, 4, 8, 16, 32]

    @Test(arguments: StressedLock.allCases)
    func mutual_exclusion_and_no_lost_update(kind: StressedLock) throws {
        var operations = 0
        let seconds = try elapsed {
            for threads in Self.threadCounts {
                let perThread = stressScaled(20_000) / threads
                let lock = try Self.makeGuard(kind)
                let inside = Gauge()
                let overlaps = Counter()
                let counter = Unguarded(0)
                try Bunch.run(count: threads) { _ in
                    var jitter = Jitter()
                    for i in 0..<perThread {
                        let mode = AcquireMode.allCases[i % 3]
                        try lock.enter(mode, [0, 1e-6, 1e-4][i % 3])
                        if inside.add(1) != 0 { overlaps.increment() }
                        counter.value += 1
                        if i % 16 == 0 { jitter(upTo: 16) }
                        inside.add(-1)
                        try lock.leave()
                        if i % 8 == 0 { jitter() }
                    }
                }
                #expect(overlaps.value == 0, "\(kind) with \(threads) threads: two threads inside at once")
                #expect(counter.value == threads * perThread, "\(kind) with \(threads) threads: lost updates")
                #expect(lock.isFree(), "\(kind) with \(threads) threads: left held")
                #expect(lock.waiting() == 0, "\(kind) with \(threads) threads: a thread left waiting")
                operations += threads * perThread
            }
        }
        Self.report("mutual exclusion \(kind)", operations: operations, seconds: seconds)
    }

    // MARK: Condition: a bounded buffer, no lost wake-up

    /// Producers and consumers move items through a buffer guarded by one lock with two
    /// conditions (Python's Queue's shape), waking each other with notify(), notify(n:) or
    /// notifyAll() and waiting with wait(), wait(timeout:) or waitFor at random. A lost
    /// wake-up leaves a thread waiting forever; a double delivery or a lost item shows in
    /// the multiset received.
    struct BufferConfig: Sendable, CustomTestStringConvertible {
        let producers: Int
        let consumers: Int
        let capacity: Int
        var testDescription: String { "\(producers) producers, \(consumers) consumers, capacity \(capacity)" }
    }

    @Test(arguments: [
        BufferConfig(producers: 2, consumers: 2, capacity: 1),
        BufferConfig(producers: 8, consumers: 8, capacity: 4),
    ])
    func condition_bounded_buffer(config: BufferConfig) throws {
        let perProducer = stressScaled(10_000) / config.producers
        let total = perProducer * config.producers
        let lock = threading.RLock()
        let notEmpty = threading.Condition(lock)
        let notFull = threading.Condition(lock)
        let buffer = Unguarded<[Int]>([])
        let tickets = Gauge()
        let received = Locked<[Int]>([])

        @Sendable func wait(_ cond: threading.Condition, until ready: () -> Bool, _ jitter: inout Jitter) throws {
            while !ready() {
                switch Int.random(in: 0..<3, using: &jitter.rng) {
                case 0: try cond.wait()
                case 1: try cond.wait(timeout: Double.random(in: 0...0.001, using: &jitter.rng))
                default: try cond.waitFor(ready, timeout: Double.random(in: 0...0.001, using: &jitter.rng))
                }
            }
        }
        @Sendable func notify(_ cond: threading.Condition, _ jitter: inout Jitter) throws {
            switch Int.random(in: 0..<4, using: &jitter.rng) {
            case 0: try cond.notifyAll()
            case 1: try cond.notify(n: 2)
            default: try cond.notify()
            }
        }

        let seconds = try elapsed {
            let consumers = Bunch(count: config.consumers) { _ in
                var jitter = Jitter()
                var mine: [Int] = []
                while tickets.add(1) < total {
                    try lock.withLock {
                        try wait(notEmpty, until: { !buffer.value.isEmpty }, &jitter)
                        mine.append(buffer.value.removeFirst())
                        try notify(notFull, &jitter)
                    }
                    jitter()
                }
                received.withLock { $0 += mine }
            }
            let producers = Bunch(count: config.producers) { producer in
                var jitter = Jitter()
                for sequence in 0..<perProducer {
                    try lock.withLock {
                        try wait(notFull, until: { buffer.value.count < config.capacity }, &jitter)
                        buffer.value.append(producer * perProducer + sequence)
                        try notify(notEmpty, &jitter)
                    }
                    jitter()
                }
            }
            try producers.join()
            try consumers.join()
        }
        #expect(received.snapshot.sorted() == Array(0..<total), "items lost or delivered twice")
        #expect(buffer.value.isEmpty)
        #expect(notEmpty.waitingCount == 0 && notFull.waitingCount == 0, "a thread left waiting")
        #expect(!lock.locked)
        Self.report("condition buffer, \(config.testDescription)", operations: 2 * total, seconds: seconds)
    }

    // MARK: Event: set() and clear() in quick succession still wake every waiter

    @Test func event_set_clear_storm() throws {
        let waiters = 8
        let waitsEach = stressScaled(500)
        let event = threading.Event()
        let finished = Counter()
        let falseFromUntimed = Counter()
        let early = Counter()
        let seconds = try elapsed {
            let bunch = Bunch(count: waiters) { index in
                var jitter = Jitter()
                for _ in 0..<waitsEach {
                    if Bool.random(using: &jitter.rng) {
                        // An untimed wait ends only through a set(): a lost wake-up hangs here.
                        if !event.wait() { falseFromUntimed.increment() }
                    } else {
                        while true {
                            let timeout = Double.random(in: 0...0.002, using: &jitter.rng)
                            let start = Deadline.now
                            if try event.wait(timeout: timeout) { break }
                            if Double(Deadline.now.nanoseconds - start.nanoseconds) / 1e9 < timeout { early.increment() }
                        }
                    }
                    jitter()
                }
                finished.increment()
            }
            var jitter = Jitter()
            while finished.value < waiters {
                event.set()
                jitter(upTo: 256)
                event.clear()
                jitter(upTo: 256)
            }
            try bunch.join()
        }
        #expect(falseFromUntimed.value == 0)
        #expect(early.value == 0, "a timed wait returned false before its timeout")
        #expect(event.waitingCount == 0, "a thread left waiting")
        Self.report("event set/clear", operations: waiters * waitsEach, seconds: seconds)
    }

    // MARK: Semaphore: permits conserved

    @Test func semaphore_bounds_the_threads_inside() throws {
        let permits = 3
        let threads = 16
        let perThread = stressScaled(20_000) / threads
        let semaphore = try threading.BoundedSemaphore(value: permits)
        let inside = Gauge()
        let tooMany = Counter()
        let seconds = try elapsed {
            try Bunch.run(count: threads) { _ in
                var jitter = Jitter()
                for i in 0..<perThread {
                    switch i % 3 {
                    case 0: semaphore.acquire()
                    case 1: while try !semaphore.acquire(timeout: 1e-5) {}
                    default: while try !semaphore.acquire(blocking: false) { sched_yield() }
                    }
                    if inside.add(1) >= permits { tooMany.increment() }
                    if i % 8 == 0 { jitter(upTo: 16) }
                    inside.add(-1)
                    try semaphore.release()
                }
            }
        }
        #expect(tooMany.value == 0, "more than \(permits) threads inside")
        #expect(semaphore.value == permits, "permits lost or created")
        #expect(semaphore.permits.waitingCount == 0, "a thread left waiting")
        Self.report("semaphore bound", operations: 2 * threads * perThread, seconds: seconds)
    }

    /// One thread releases permits in random batches (`release(n:)`), many take them one at
    /// a time, untimed or timed: every permit released is taken exactly once.
    @Test func semaphore_batch_release_handoff() throws {
        let consumers = 8
        let total = stressScaled(20_000)
        let semaphore = try threading.Semaphore(value: 0)
        let tickets = Gauge()
        let taken = Counter()
        let seconds = try elapsed {
            let bunch = Bunch(count: consumers) { _ in
                var jitter = Jitter()
                while tickets.add(1) < total {
                    if Bool.random(using: &jitter.rng) {
                        semaphore.acquire()
                    } else {
                        while try !semaphore.acquire(timeout: Double.random(in: 0...0.0005, using: &jitter.rng)) {}
                    }
                    taken.increment()
                }
            }
            var jitter = Jitter()
            var released = 0
            while released < total {
                let n = min(Int.random(in: 1...5, using: &jitter.rng), total - released)
                try semaphore.release(n: n)
                released += n
                jitter()
            }
            try bunch.join()
        }
        #expect(taken.value == total)
        #expect(semaphore.value == 0, "permits lost or created")
        #expect(semaphore.permits.waitingCount == 0, "a thread left waiting")
        Self.report("semaphore batch release", operations: 2 * total, seconds: seconds)
    }

    // MARK: Barrier: rounds, and abort racing the last arrival

    @Test func barrier_rounds() throws {
        let parties = 8
        let rounds = stressScaled(300)
        let actions = Counter()
        let barrier = try threading.Barrier(parties: parties, action: { actions.increment() })
        let indices = Locked<[[Int]]>(Array(repeating: [], count: rounds))
        let seconds = try elapsed {
            try Bunch.run(count: parties) { _ in
                var jitter = Jitter()
                for round in 0..<rounds {
                    jitter(upTo: 256)
                    let index = try barrier.wait(timeout: shortTimeout)
                    indices.withLock { $0[round].append(index) }
                }
            }
        }
        let badRounds = indices.snapshot.indices.filter { indices.snapshot[$0].sorted() != Array(0..<parties) }
        #expect(badRounds.isEmpty, "rounds without one of each index: \(badRounds.prefix(5))")
        #expect(actions.value == rounds, "the action ran \(actions.value) times for \(rounds) rounds")
        #expect(barrier.nWaiting == 0 && !barrier.broken)
        Self.report("barrier rounds", operations: parties * rounds, seconds: seconds)
    }

    /// In each phase every party waits once while a controller may abort at a random
    /// moment: a round either completes for all (one index each, one action) or breaks for
    /// all; then the controller resets it for the next phase.
    @Test func barrier_abort_race() throws {
        let parties = 4
        let phases = stressScaled(200)
        let actions = Counter()
        let barrier = try threading.Barrier(parties: parties, action: { actions.increment() })
        let outcomes = Locked<[[Int?]]>(Array(repeating: [], count: phases))
        let phaseDone = Counter()
        let phaseGo = Gauge()
        let seconds = try elapsed {
            let bunch = Bunch(count: parties) { _ in
                var jitter = Jitter()
                for phase in 0..<phases {
                    while phaseGo.value <= phase { sched_yield() }
                    jitter(upTo: 256)
                    let outcome: Int?
                    do {
                        outcome = try barrier.wait(timeout: shortTimeout)
                    } catch is threading.BrokenBarrierError {
                        outcome = nil
                    }
                    outcomes.withLock { $0[phase].append(outcome) }
                    phaseDone.increment()
                }
            }
            var jitter = Jitter()
            for phase in 0..<phases {
                phaseGo.store(phase + 1)
                if Bool.random(using: &jitter.rng) {
                    jitter(upTo: 2048)
                    barrier.abort()
                }
                while phaseDone.value < (phase + 1) * parties { sched_yield() }
                barrier.reset()
            }
            try bunch.join()
        }
        var completed = 0
        for (phase, results) in outcomes.snapshot.enumerated() {
            let indices = results.compactMap { $0 }
            if indices.isEmpty { continue }
            #expect(indices.sorted() == Array(0..<parties), "phase \(phase) was neither whole nor broken: \(results)")
            completed += 1
        }
        #expect(actions.value == completed, "one action per completed round")
        #expect(barrier.nWaiting == 0 && !barrier.broken)
        Self.report("barrier abort race (\(completed) of \(phases) rounds completed)", operations: parties * phases, seconds: seconds)
    }

    // MARK: ThreadPoolExecutor: submit, cancel and shutdown racing

    @Test func pool_submit_cancel_shutdown_race() throws {
        let hold = ThreadCensus.shared.beginShared()
        defer { ThreadCensus.shared.endShared(hold) }
        let rounds = stressScaled(20)
        let submitters = 4
        let perSubmitter = 100
        var operations = 0
        let seconds = try elapsed {
            for round in 0..<rounds {
                operations += try Self.poolRound(round: round, submitters: submitters, perSubmitter: perSubmitter)
            }
        }
        Self.report("pool submit/cancel/shutdown", operations: operations, seconds: seconds)
    }

    /// One pool, raced by submitters, a canceller and a shutdown; returns the operations.
    static func poolRound(round: Int, submitters: Int, perSubmitter: Int) throws -> Int {
        let pool = try concurrent.futures.ThreadPoolExecutor(maxWorkers: [1, 2, 4][round % 3])
        let attempts = submitters * perSubmitter
        let runs = (0..<attempts).map { _ in Counter() }
        let callbacks = (0..<attempts).map { _ in Counter() }
        let accepted = Locked<[(id: Int, future: Future<Int>)]>([])
        let rejected = Counter()
        let wrongRejection = Counter()
        let cancelAttempts = Counter()
        let submittedCount = Counter()
        let cancelFutures = round % 2 == 0

        let shutDown = Flag()
        let bunch = Bunch(count: submitters + 2) { index in
            var jitter = Jitter()
            switch index {
            case submitters:
                // The canceller: cancels futures at random while submitting goes on.
                while !shutDown.isRaised || submittedCount.value < attempts {
                    let candidates = accepted.snapshot
                    if let pick = candidates.randomElement(using: &jitter.rng) {
                        pick.future.cancel()
                        cancelAttempts.increment()
                    }
                    jitter(upTo: 512)
                    if shutDown.isRaised && submittedCount.value >= attempts { break }
                }
            case submitters + 1:
                // The shutdown, at a random moment.
                let moment = Int.random(in: 0...attempts, using: &jitter.rng)
                while submittedCount.value < moment { sched_yield() }
                pool.shutdown(wait: false, cancelFutures: cancelFutures)
                shutDown.raise()
            default:
                for i in 0..<perSubmitter {
                    let id = index * perSubmitter + i
                    do {
                        let future = try pool.submit { () -> Int in
                            runs[id].increment()
                            return id
                        }
                        future.addDoneCallback { _ in callbacks[id].increment() }
                        accepted.withLock { $0.append((id, future)) }
                    } catch let error as RuntimeError {
                        if error.message != "cannot schedule new futures after shutdown" { wrongRejection.increment() }
                        rejected.increment()
                    }
                    submittedCount.increment()
                    if i % 4 == 0 { jitter() }
                }
            }
        }
        try bunch.join()
        pool.shutdown(wait: true)

        let futures = accepted.snapshot
        #expect(futures.count + rejected.value == attempts)
        #expect(wrongRejection.value == 0)
        var problems: [String] = []
        for (id, future) in futures {
            let ran = runs[id].value
            let called = callbacks[id].value
            if !future.done { problems.append("\(id) not done") }
            if future.cancelled == (ran == 1) { problems.append("\(id) cancelled \(future.cancelled) but ran \(ran) times") }
            if ran > 1 { problems.append("\(id) ran \(ran) times") }
            if called != 1 { problems.append("\(id) callbacks ran \(called) times") }
            if !future.cancelled, (try? future.result(timeout: 0)) != id { problems.append("\(id) wrong result") }
        }
        #expect(problems.isEmpty, "round \(round): \(problems.prefix(5))")
        // Rejected calls never ran.
        let rejectedRan = (0..<attempts).filter { id in !futures.contains { $0.id == id } && runs[id].value != 0 }
        #expect(rejectedRan.isEmpty)
        return attempts + cancelAttempts.value
    }
}
