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

    /// A producer sets a flag and notifies, holding the condition's lock; `consumers`
    /// wait for the flag (those in `timed` for at most a while). The producer notifies
    /// once per consumer, so wait morphing (a notified waiter moved to the lock's queue)
    /// runs whenever a waiter is parked.
    static func condition(
        _ name: String, consumers: Int, timed: Set<Int> = [], notifyAll: Bool = false, plantedBug: PlantedBug? = nil
    ) -> RealScenario {
        RealScenario(name: name, plantedBug: plantedBug) {
            let lock = threading.Lock()
            let condition = threading.Condition(lock)
            let tally = Tally()
            var bodies: [@Sendable () -> Void] = (0..<consumers).map { consumer in
                { @Sendable in
                    condition.withLock {
                        do {
                            if timed.contains(consumer) {
                                if try !condition.waitFor({ tally.flag }, timeout: 0.5) { tally.timeouts += 1 }
                            } else {
                                while !tally.flag { try condition.wait() }
                            }
                        } catch {
                            tally.note("wait failed: \(error)")
                        }
                        tally.entries += 1
                    }
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
