//===----------------------------------------------------------------------===//
//
// Threading: Python's threading model for Swift on Linux.
//
// Scenarios over the library's real primitives for the schedule explorer
// (RealCodeExplorer.swift): two or three threads, a few operations each, and what must
// hold during and after every execution.
//
//===----------------------------------------------------------------------===//

#if THREADING_SCHEDULE_POINTS

@testable import Threading

/// A scenario's bookkeeping, touched by one controlled thread at a time (the explorer
/// reads it once the threads have been joined).
final class Tally: @unchecked Sendable {
    var problems: [String] = []
    var inside = 0
    var entries = 0
    var timeouts = 0
    var flag = false
    var received: [[Int]]
    /// Calls turned away by design (`BrokenBarrierError`, `queue.ShutDown`).
    var refusals = 0
    /// Arrivals per barrier round.
    var arrivals: [Int] = []
    /// Events in the order the threads recorded them.
    var log: [String] = []

    init(threads: Int = 0) {
        received = Array(repeating: [], count: threads)
    }

    /// A critical section with a schedule point inside, so that a second thread could
    /// enter it meanwhile if mutual exclusion were broken.
    func critical(_ thread: Int) {
        if inside != 0 { problems.append("mutual exclusion broken: thread \(thread) entered beside another") }
        inside += 1
        SchedulePoints.reach(.memory("scenario: inside the critical section", UnsafeRawPointer(Unmanaged.passUnretained(self).toOpaque())))
        inside -= 1
        entries += 1
    }

    func note(_ problem: String) { problems.append(problem) }
}

enum RealCodeScenarios {
    /// Lock.state with no bits left over once nobody holds or waits for the lock.
    static func lockProblem(_ lock: threading.Lock) -> String? {
        let state = lock.state.load(ordering: .relaxed)
        if state != 0 { return "the lock ends with state \(state)" }
        if lock.parkedCount != 0 { return "\(lock.parkedCount) threads left in the lock's queue" }
        return nil
    }

    /// `threads` threads each acquire and release one `Lock` `iterations` times around a
    /// critical section; those in `timed` acquire with a timeout, which may pass.
    static func lock(
        _ name: String, threads: Int, iterations: Int, timed: Set<Int> = [], plantedBug: PlantedBug? = nil
    ) -> RealScenario {
        RealScenario(name: name, plantedBug: plantedBug) {
            let lock = threading.Lock()
            let tally = Tally()
            let bodies = (0..<threads).map { thread in
                { @Sendable in
                    for _ in 0..<iterations {
                        if timed.contains(thread) {
                            guard (try? lock.acquire(timeout: 0.5)) == true else {
                                tally.timeouts += 1
                                continue
                            }
                        } else {
                            lock.acquire()
                        }
                        tally.critical(thread)
                        do { try lock.release() } catch { tally.note("release failed: \(error)") }
                    }
                }
            }
            return RealScenario.Instance(threads: bodies) {
                if let problem = tally.problems.first { return problem }
                if tally.entries + tally.timeouts != threads * iterations {
                    return "\(tally.entries) entries and \(tally.timeouts) timeouts of \(threads * iterations) acquisitions"
                }
                return lockProblem(lock)
            }
        }
    }

    /// An RLock with no owner and no depth left over, over a clean lock.
    static func rlockProblem(_ rlock: threading.RLock) -> String? {
        let owner = rlock.owner.load(ordering: .relaxed)
        let count = rlock.count.load(ordering: .relaxed)
        if owner != 0 || count != 0 { return "the RLock ends with owner \(owner) and depth \(count)" }
        return lockProblem(rlock.lock)
    }

    /// Two threads each try to release an `RLock` they do not own, then take it twice
    /// (with `timed`, thread 1 first with a timeout that may pass), enter a critical
    /// section at depth 2 and again at depth 1, and release it twice.
    static func rlock(_ name: String, timed: Bool = false) -> RealScenario {
        RealScenario(name: name) {
            let rlock = threading.RLock()
            let tally = Tally()
            let bodies = (0..<2).map { thread in
                { @Sendable in
                    func expectDepth(_ depth: Int) {
                        if rlock.recursionCount != depth {
                            tally.note("thread \(thread) holds the RLock \(rlock.recursionCount) times, not \(depth)")
                        }
                    }
                    if (try? rlock.release()) != nil { tally.note("thread \(thread) released an RLock it did not own") }
                    if timed, thread == 1 {
                        guard (try? rlock.acquire(timeout: 0.5)) == true else {
                            expectDepth(0)
                            tally.timeouts += 1
                            return
                        }
                    } else {
                        rlock.acquire()
                    }
                    rlock.acquire()
                    expectDepth(2)
                    tally.critical(thread)
                    do {
                        try rlock.release()
                        expectDepth(1)
                        tally.critical(thread)
                        try rlock.release()
                    } catch {
                        tally.note("release failed: \(error)")
                    }
                    expectDepth(0)
                }
            }
            return RealScenario.Instance(threads: bodies) {
                if let problem = tally.problems.first { return problem }
                if tally.entries != 2 * (2 - tally.timeouts) {
                    return "\(tally.entries) critical sections with \(tally.timeouts) timeouts"
                }
                return rlockProblem(rlock)
            }
        }
    }

    /// A producer sets a flag and notifies, holding the condition's lock; `consumers`
    /// wait for the flag (those in `timed` for at most a while). The producer notifies
    /// once per consumer, so wait morphing (a notified waiter moved to the lock's queue)
    /// runs whenever a waiter is parked. With `reentrant`, the lock is an `RLock` that
    /// each consumer holds twice: `wait` releases both levels and restores them, also
    /// when the lock is handed to it.
    static func condition(
        _ name: String, consumers: Int, timed: Set<Int> = [], notifyAll: Bool = false, reentrant: Bool = false,
        plantedBug: PlantedBug? = nil
    ) -> RealScenario {
        RealScenario(name: name, plantedBug: plantedBug) {
            let rlock = reentrant ? threading.RLock() : nil
            let lock = rlock?.lock ?? threading.Lock()
            let condition = rlock.map { threading.Condition($0) } ?? threading.Condition(lock)
            let depth = reentrant ? 2 : 1
            let tally = Tally()
            var bodies: [@Sendable () -> Void] = (0..<consumers).map { consumer in
                { @Sendable in
                    for _ in 0..<depth { condition.acquire() }
                    do {
                        if timed.contains(consumer) {
                            if try !condition.waitFor({ tally.flag }, timeout: 0.5) { tally.timeouts += 1 }
                        } else {
                            while !tally.flag { try condition.wait() }
                        }
                    } catch {
                        tally.note("wait failed: \(error)")
                    }
                    if let rlock, rlock.recursionCount != depth {
                        tally.note("consumer \(consumer) holds the RLock \(rlock.recursionCount) times after waiting, not \(depth)")
                    }
                    tally.entries += 1
                    for _ in 0..<depth { try? condition.release() }
                }
            }
            bodies.append {
                do {
                    try condition.withLock {
                        tally.flag = true
                        try notifyAll ? condition.notifyAll() : condition.notify()
                    }
                    if !notifyAll {
                        for _ in 1..<consumers { try condition.withLock { try condition.notify() } }
                    }
                } catch {
                    tally.note("notify failed: \(error)")
                }
            }
            return RealScenario.Instance(threads: bodies) {
                if let problem = tally.problems.first { return problem }
                if tally.entries != consumers { return "\(tally.entries) of \(consumers) consumers returned" }
                if condition.waitingCount != 0 { return "\(condition.waitingCount) waiters left on the condition" }
                if let rlock, let problem = rlockProblem(rlock) { return problem }
                return lockProblem(lock)
            }
        }
    }

    /// One thread waits for an event, another waits with a timeout, a third sets, clears
    /// and sets it again.
    static func event(_ name: String) -> RealScenario {
        RealScenario(name: name) {
            let event = threading.Event()
            let tally = Tally()
            let waiter: @Sendable () -> Void = {
                if event.wait() { tally.entries += 1 } else { tally.note("wait() returned false") }
            }
            let timedWaiter: @Sendable () -> Void = {
                if (try? event.wait(timeout: 0.5)) != true { tally.timeouts += 1 }
            }
            let setter: @Sendable () -> Void = {
                event.set()
                event.clear()
                event.set()
            }
            return RealScenario.Instance(threads: [waiter, timedWaiter, setter]) {
                if let problem = tally.problems.first { return problem }
                if event.waitingCount != 0 { return "\(event.waitingCount) threads left waiting" }
                return event.isSet ? nil : "the event ends clear"
            }
        }
    }

    /// A producer puts `items` into a `Queue(maxsize: 1)`; consumer `c` gets `gets[c]`
    /// items, those in `timed` with a timeout. Every item comes out once, in order.
    static func boundedQueue(
        _ name: String, items: [Int], gets: [Int], timed: Set<Int> = [], plantedBug: PlantedBug? = nil
    ) -> RealScenario {
        RealScenario(name: name, plantedBug: plantedBug) {
            let fifo = queue.Queue<Int>(maxsize: 1)
            let tally = Tally(threads: gets.count)
            var bodies: [@Sendable () -> Void] = [{
                for item in items {
                    do { try fifo.put(item) } catch { tally.note("put failed: \(error)") }
                }
            }]
            for (consumer, count) in gets.enumerated() {
                bodies.append {
                    for _ in 0..<count {
                        do {
                            let item = timed.contains(consumer) ? try fifo.get(timeout: 0.5) : try fifo.get()
                            tally.received[consumer].append(item)
                        } catch is queue.Empty where timed.contains(consumer) {
                            tally.timeouts += 1
                        } catch {
                            tally.note("get failed: \(error)")
                        }
                    }
                }
            }
            return RealScenario.Instance(threads: bodies) {
                if let problem = tally.problems.first { return problem }
                var left: [Int] = []
                while let item = try? fifo.getNowait() { left.append(item) }
                let out = tally.received.flatMap { $0 } + left
                if out.sorted() != items.sorted() { return "items put \(items), items out \(out.sorted())" }
                for sequence in tally.received + [left] where sequence != sequence.sorted() {
                    return "out of order: \(sequence)"
                }
                if fifo.core.waitingGetters + fifo.core.waitingPutters != 0 { return "threads left parked in the queue" }
                return nil
            }
        }
    }

    /// A producer puts two items into a `Queue`, then sets an event; a consumer gets each
    /// and calls `taskDone()`; a joiner waits for the event, then calls `join()`, which
    /// must return only after both `taskDone()` calls.
    static func queueJoin(_ name: String) -> RealScenario {
        RealScenario(name: name) {
            let fifo = queue.Queue<Int>()
            let allPut = threading.Event()
            let tally = Tally(threads: 1)
            let producer: @Sendable () -> Void = {
                do {
                    try fifo.put(1)
                    try fifo.put(2)
                } catch {
                    tally.note("put failed: \(error)")
                }
                allPut.set()
            }
            let consumer: @Sendable () -> Void = {
                for _ in 0..<2 {
                    do {
                        tally.received[0].append(try fifo.get())
                        tally.log.append("taskDone")
                        try fifo.taskDone()
                    } catch {
                        tally.note("get or taskDone failed: \(error)")
                    }
                }
            }
            let joiner: @Sendable () -> Void = {
                allPut.wait()
                fifo.join()
                tally.log.append("joined")
                // Nothing is put any more, so a count above zero now was above zero when
                // join() returned.
                let unfinished = fifo.core.unfinished
                if unfinished != 0 { tally.note("join() returned with \(unfinished) tasks unfinished") }
            }
            return RealScenario.Instance(threads: [producer, consumer, joiner]) {
                if let problem = tally.problems.first { return problem }
                if tally.log != ["taskDone", "taskDone", "joined"] { return "events in the order \(tally.log)" }
                if tally.received[0] != [1, 2] { return "items out \(tally.received[0]) of [1, 2]" }
                if fifo.unfinishedTasks != 0 || fifo.waitingJoiners != 0 { return "the queue ends with tasks or joiners left" }
                return nil
            }
        }
    }

    /// A producer puts `items` into a `Queue(maxsize: 1)`, a getter gets until it is told
    /// `queue.ShutDown`, a third thread shuts the queue down (`immediate` or not). Blocked
    /// calls end with `ShutDown`; no item is lost: each one accepted is got, is still
    /// queued, or (immediate) was discarded and no longer counts as a task.
    static func queueShutdown(_ name: String, items: [Int], immediate: Bool) -> RealScenario {
        RealScenario(name: name) {
            let fifo = queue.Queue<Int>(maxsize: 1)
            // received[0]: the items got; received[1]: the items accepted by `put`.
            let tally = Tally(threads: 2)
            let producer: @Sendable () -> Void = {
                for item in items {
                    do {
                        try fifo.put(item)
                        if tally.refusals > 0 { tally.note("put accepted \(item) after a put was refused") }
                        tally.received[1].append(item)
                    } catch is queue.ShutDown {
                        tally.refusals += 1
                    } catch {
                        tally.note("put failed: \(error)")
                    }
                }
            }
            let getter: @Sendable () -> Void = {
                while true {
                    do {
                        tally.received[0].append(try fifo.get())
                    } catch is queue.ShutDown {
                        return
                    } catch {
                        tally.note("get failed: \(error)")
                        return
                    }
                }
            }
            let closer: @Sendable () -> Void = { fifo.shutdown(immediate: immediate) }
            return RealScenario.Instance(threads: [producer, getter, closer]) {
                if let problem = tally.problems.first { return problem }
                let got = tally.received[0], accepted = tally.received[1]
                if accepted.count + tally.refusals != items.count {
                    return "\(accepted.count) puts accepted and \(tally.refusals) refused of \(items.count)"
                }
                var left: [Int] = []
                while let item = try? fifo.getNowait() { left.append(item) }
                // The getter is told ShutDown only once the queue is shut down and empty,
                // and nothing is accepted after that.
                if !left.isEmpty { return "\(left) still queued after the getter was told ShutDown" }
                if immediate {
                    if !accepted.starts(with: got) { return "items got \(got) of items accepted \(accepted)" }
                    if fifo.unfinishedTasks != got.count {
                        return "\(fifo.unfinishedTasks) unfinished tasks for \(got.count) items got (discarded items no longer count)"
                    }
                } else {
                    if got != accepted { return "items got \(got) of items accepted \(accepted)" }
                    if fifo.unfinishedTasks != accepted.count { return "\(fifo.unfinishedTasks) unfinished tasks of \(accepted.count) put" }
                }
                if fifo.waitingGetters + fifo.waitingPutters != 0 { return "threads left parked in the queue" }
                return nil
            }
        }
    }

    /// `threads` threads each wait `rounds` times on a `Barrier(parties: threads)`, thread
    /// 0 with a timeout if `timed` (its deadline may pass, which breaks the barrier). Each
    /// round lets every thread through once, with distinct indices, and only after all
    /// have arrived; or the barrier breaks, and every thread is told `BrokenBarrierError`
    /// in the same round.
    static func barrier(_ name: String, threads: Int, rounds: Int, timed: Bool = false) -> RealScenario {
        RealScenario(name: name) {
            let barrier = try! threading.Barrier(parties: threads)
            // received[t]: the index thread t got in each round it passed.
            let tally = Tally(threads: threads)
            tally.arrivals = Array(repeating: 0, count: rounds)
            let bodies = (0..<threads).map { thread in
                { @Sendable in
                    for round in 0..<rounds {
                        tally.arrivals[round] += 1
                        do {
                            let index = timed && thread == 0 ? try barrier.wait(timeout: 0.5) : try barrier.wait()
                            if tally.arrivals[round] != threads {
                                tally.note("thread \(thread) passed round \(round) with \(tally.arrivals[round]) of \(threads) arrived")
                            }
                            tally.received[thread].append(index)
                        } catch is threading.BrokenBarrierError {
                            tally.refusals += 1
                            return
                        } catch {
                            tally.note("wait failed: \(error)")
                            return
                        }
                    }
                }
            }
            return RealScenario.Instance(threads: bodies) {
                if let problem = tally.problems.first { return problem }
                let passed = tally.received.map(\.count)
                if tally.refusals != (barrier.broken ? threads : 0) {
                    return "\(tally.refusals) of \(threads) threads told the barrier is broken, which is \(barrier.broken ? "" : "not ")broken"
                }
                if Set(passed).count != 1 || (tally.refusals == 0 && passed[0] != rounds) {
                    return "rounds passed per thread: \(passed)"
                }
                for round in 0..<passed[0] where tally.received.map({ $0[round] }).sorted() != Array(0..<threads) {
                    return "round \(round) gave the indices \(tally.received.map { $0[round] })"
                }
                return barrier.nWaiting == 0 ? nil : "\(barrier.nWaiting) threads left waiting"
            }
        }
    }

    /// A semaphore starting at 0: one thread acquires, one acquires with a timeout, one
    /// releases twice. Permits are conserved.
    static func semaphore(_ name: String) -> RealScenario {
        RealScenario(name: name) {
            let semaphore = try! threading.Semaphore(value: 0)
            let tally = Tally()
            let acquirer: @Sendable () -> Void = {
                if semaphore.acquire() { tally.entries += 1 } else { tally.note("acquire() returned false") }
            }
            let timedAcquirer: @Sendable () -> Void = {
                if (try? semaphore.acquire(timeout: 0.5)) == true { tally.entries += 1 } else { tally.timeouts += 1 }
            }
            let releaser: @Sendable () -> Void = {
                semaphore.release()
                semaphore.release()
            }
            return RealScenario.Instance(threads: [acquirer, timedAcquirer, releaser]) {
                if let problem = tally.problems.first { return problem }
                if tally.entries + semaphore.value != 2 {
                    return "\(tally.entries) permits taken and \(semaphore.value) left of 2 released"
                }
                return semaphore.permits.waitingCount == 0 ? nil : "threads left waiting"
            }
        }
    }
}

#endif
