//===----------------------------------------------------------------------===//
//
// Threading: Python's threading model for Swift on Linux.
//
// The schedule explorer (ScheduleExplorer.swift) run over models of the library's
// algorithms, each step one atomic action of the source it names:
//
// - the parking core: Parker.park/wake and WaitList.wait's timeout path (a waiter that
//   times out re-checks, under the list's mutex, whether a waker dequeued it meanwhile);
// - Lock: the state word (locked and parked bits), the FIFO queue behind its mutex, the
//   fast paths, the retry and hand-off releases, timed acquisitions;
// - Condition: wait (queue under the waiters' mutex before releasing the lock), notify,
//   notifyAll, timed waits;
// - QueueCore: put and get with the hand-off that completes a parked call for it, and
//   a timed get.
//
// Each scenario runs under every interleaving with at most 2 preemptions and under random
// seeds. The lock itself is not seamed into the real code (the library has no scheduler
// seam in its atomics and parks yet); the models follow the sources step for step, and
// deliberately broken variants ("mutants") check that the explorer finds the bugs they
// plant. A failure prints the command that replays it.
//
// THREADING_EXPLORER_SEEDS sets the random seeds per scenario (default 2000, times
// THREADING_STRESS_SCALE when that is set).
//
//===----------------------------------------------------------------------===//

import Foundation
import Testing

// MARK: - The parking core

/// A thread's parker (Parker.swift): its futex word, the token a waker leaves, and
/// whether it is in a wait list (WaitNode.isQueued).
struct ParkerModel: Equatable {
    enum Word: Equatable { case idle, waiting, sleeping, notified }
    var word = Word.idle
    var token = 0
    var queued = false
}

/// One FIFO wait list (WaitList.swift) over the threads' parkers; its owner keeps the
/// mutex that guards it.
struct WaitListModel: Equatable {
    var order: [Int] = []

    /// WaitList.wait: `prepareToPark()`, then `append` (the caller holds the mutex).
    mutating func enqueue(_ thread: Int, _ parkers: inout [ParkerModel]) {
        parkers[thread].word = .waiting
        parkers[thread].queued = true
        order.append(thread)
    }

    /// WaitList.wakeFirst and Parker.wake: dequeue, leave the token, set "notified".
    @discardableResult
    mutating func wakeFirst(token: Int, _ parkers: inout [ParkerModel]) -> Int? {
        guard !order.isEmpty else { return nil }
        let thread = order.removeFirst()
        parkers[thread].queued = false
        parkers[thread].token = token
        parkers[thread].word = .notified
        return thread
    }

    /// WaitList.remove, by a waiter that gave up.
    mutating func remove(_ thread: Int, _ parkers: inout [ParkerModel]) {
        order.removeAll { $0 == thread }
        parkers[thread].queued = false
    }
}

/// Parker.park for a thread whose word says "waiting": notified already, or asleep.
enum ParkStep { case woken, asleep }

func parkStep(_ parker: inout ParkerModel) -> ParkStep {
    // The spin phase and the CAS waiting -> sleeping, which fails only if notified.
    if parker.word == .notified { return .woken }
    parker.word = .sleeping
    return .asleep
}

// MARK: - Lock

/// threading.Lock (Lock.swift): `acquire`, `acquireContended`, `park`, `release`,
/// `releaseContended`, step by step.
struct LockModel: ExplorableModel {
    enum Mutant { case none, enqueueWithoutParkedBit, timeoutIgnoresDequeue, fastReleaseIgnoresParked }

    static let locked: UInt32 = 1
    static let parked: UInt32 = 2
    static let tokenRetry = 0
    static let tokenHandoff = 1

    var threadCount: Int
    var iterations: Int
    /// Threads whose acquisitions have a deadline (which may pass at any moment).
    var timed: Set<Int> = []
    var mutant = Mutant.none

    enum PC: Equatable {
        case start, fastAcquire, load, tryCAS, lockMutex, underMutex, setParked, enqueue, park, sleep
        case timeoutLock, timeoutCheck, woken, enter, leave, fastRelease, releaseLockMutex, releaseStore
        case releaseWake, releaseUnlock, done
    }

    struct State {
        var word: UInt32 = 0
        /// The owner of the waiters' mutex.
        var mutex: Int?
        var waiters = WaitListModel()
        var parkers: [ParkerModel]
        var pc: [PC]
        /// Each thread's last load of `word`.
        var loaded: [UInt32]
        var remaining: [Int]
        var pendingToken = 0
        var inside = 0
        var acquisitions = 0
        var timeouts = 0
        var error: String?
    }

    func initialState() -> State {
        State(
            parkers: Array(repeating: ParkerModel(), count: threadCount),
            pc: Array(repeating: .start, count: threadCount),
            loaded: Array(repeating: 0, count: threadCount),
            remaining: Array(repeating: iterations, count: threadCount)
        )
    }

    func isFinished(_ s: State, _ t: Int) -> Bool { s.pc[t] == .done }

    func isEnabled(_ s: State, _ t: Int) -> Bool {
        switch s.pc[t] {
        case .lockMutex, .timeoutLock, .releaseLockMutex: s.mutex == nil
        case .sleep: s.parkers[t].word == .notified || timed.contains(t)
        default: true
        }
    }

    func branchCount(_ s: State, _ t: Int) -> Int {
        switch s.pc[t] {
        // A held lock: park, or (timed) find the deadline passed.
        case .tryCAS: s.loaded[t] & Self.locked != 0 && timed.contains(t) ? 2 : 1
        // The fairness hand-off (after 1 ms of waiting) or a plain wake.
        case .releaseStore: s.waiters.order.isEmpty ? 1 : 2
        default: 1
        }
    }

    func step(_ s: inout State, _ t: Int, branch: Int) -> String {
        switch s.pc[t] {
        case .start:
            if s.remaining[t] == 0 {
                s.pc[t] = .done
                return "done"
            }
            s.pc[t] = .fastAcquire
            return "acquire"
        case .fastAcquire:
            if s.word == 0 {
                s.word = Self.locked
                s.pc[t] = .enter
                return "fast path CAS 0 -> locked"
            }
            s.pc[t] = .load
            return "fast path CAS fails (word \(s.word))"
        case .load:
            s.loaded[t] = s.word
            s.pc[t] = .tryCAS
            return "load word \(s.word)"
        case .tryCAS:
            let current = s.loaded[t]
            if current & Self.locked == 0 {
                if s.word == current {
                    s.word = current | Self.locked
                    s.pc[t] = .enter
                    return "CAS \(current) -> \(current | Self.locked)"
                }
                s.pc[t] = .load
                return "CAS fails"
            }
            if branch == 1 {
                finishAttempt(&s, t, timedOut: true)
                return "held, deadline passed: timed out"
            }
            s.pc[t] = .lockMutex
            return "held: go park"
        case .lockMutex:
            s.mutex = t
            s.pc[t] = .underMutex
            return "lock waiters' mutex"
        case .underMutex:
            let current = s.word
            s.loaded[t] = current
            if current & Self.locked == 0 {
                s.mutex = nil
                s.pc[t] = .load
                return "free again: unlock mutex, retry"
            }
            if current & Self.parked != 0 || mutant == .enqueueWithoutParkedBit {
                s.pc[t] = .enqueue
                return "parked bit set"
            }
            s.pc[t] = .setParked
            return "parked bit clear"
        case .setParked:
            if s.word == s.loaded[t] {
                s.word |= Self.parked
                s.pc[t] = .enqueue
                return "CAS sets parked bit"
            }
            s.pc[t] = .underMutex
            return "CAS on parked bit fails"
        case .enqueue:
            s.waiters.enqueue(t, &s.parkers)
            s.mutex = nil
            s.pc[t] = .park
            return "queue, unlock mutex"
        case .park:
            switch parkStep(&s.parkers[t]) {
            case .woken:
                s.pc[t] = .woken
                return "notified before sleeping"
            case .asleep:
                s.pc[t] = .sleep
                return "sleep"
            }
        case .sleep:
            if s.parkers[t].word == .notified {
                s.pc[t] = .woken
                return "woken"
            }
            s.pc[t] = .timeoutLock
            return "deadline passed while asleep"
        case .timeoutLock:
            s.mutex = t
            s.pc[t] = .timeoutCheck
            return "lock mutex to leave the queue"
        case .timeoutCheck:
            // WaitList.wait: a waker that dequeued us meanwhile has published its token.
            if !s.parkers[t].queued && mutant != .timeoutIgnoresDequeue {
                s.mutex = nil
                s.pc[t] = .woken
                return "dequeued meanwhile: take the token"
            }
            s.waiters.remove(t, &s.parkers)
            // Lock.park's onLeave.
            if s.waiters.order.isEmpty { s.word &= ~Self.parked }
            s.parkers[t].word = .idle
            s.mutex = nil
            finishAttempt(&s, t, timedOut: true)
            return "leave queue: timed out"
        case .woken:
            if s.parkers[t].token == Self.tokenHandoff {
                s.pc[t] = .enter
                return "handed the lock"
            }
            s.pc[t] = .load
            return "woken to retry"
        case .enter:
            s.inside += 1
            s.acquisitions += 1
            s.pc[t] = .leave
            return "enter critical section"
        case .leave:
            s.inside -= 1
            s.pc[t] = .fastRelease
            return "leave critical section"
        case .fastRelease:
            if s.word == Self.locked || (mutant == .fastReleaseIgnoresParked && s.word & Self.locked != 0) {
                s.word = 0
                finishAttempt(&s, t, timedOut: false)
                return "fast release CAS locked -> 0"
            }
            s.pc[t] = .releaseLockMutex
            return "fast release fails (word \(s.word))"
        case .releaseLockMutex:
            s.mutex = t
            s.pc[t] = .releaseStore
            return "lock waiters' mutex to release"
        case .releaseStore:
            if s.word & Self.locked == 0 { s.error = "release unlocked lock" }
            if s.waiters.order.isEmpty {
                s.word = 0
                s.pc[t] = .releaseUnlock
                return "nobody queued: store 0"
            }
            let others = s.waiters.order.count > 1 ? Self.parked : 0
            if branch == 1 {
                s.word = Self.locked | others
                s.pendingToken = Self.tokenHandoff
                s.pc[t] = .releaseWake
                return "hand-off: store \(Self.locked | others)"
            }
            s.word = others
            s.pendingToken = Self.tokenRetry
            s.pc[t] = .releaseWake
            return "store \(others)"
        case .releaseWake:
            let woken = s.waiters.wakeFirst(token: s.pendingToken, &s.parkers)
            s.pc[t] = .releaseUnlock
            return "wake thread \(woken.map(String.init) ?? "-")"
        case .releaseUnlock:
            s.mutex = nil
            finishAttempt(&s, t, timedOut: false)
            return "unlock mutex"
        case .done:
            return "done"
        }
    }

    private func finishAttempt(_ s: inout State, _ t: Int, timedOut: Bool) {
        if timedOut { s.timeouts += 1 }
        s.remaining[t] -= 1
        s.pc[t] = .start
    }

    func violation(in s: State) -> String? {
        if let error = s.error { return error }
        if s.inside > 1 { return "two threads inside the critical section" }
        if s.mutex == nil, !s.waiters.order.isEmpty, s.word & Self.parked == 0 {
            return "threads \(s.waiters.order) queued while the parked bit is clear"
        }
        return nil
    }

    func finalViolation(in s: State) -> String? {
        if s.word != 0 { return "the lock ends with word \(s.word)" }
        if !s.waiters.order.isEmpty { return "threads \(s.waiters.order) left queued" }
        if s.acquisitions + s.timeouts != threadCount * iterations {
            return "\(s.acquisitions) acquisitions and \(s.timeouts) timeouts for \(threadCount * iterations) attempts"
        }
        if timed.isEmpty, s.timeouts != 0 { return "an untimed acquisition timed out" }
        return nil
    }
}

// MARK: - Condition

/// threading.Condition (Condition.swift) over an abstract lock (the Lock model checks the
/// lock): consumers wait in a predicate loop, one producer sets the flag and notifies.
struct ConditionModel: ExplorableModel {
    enum Mutant { case none, releaseLockBeforeQueueing }

    var consumers: Int
    /// Consumers that wait once with a timeout, then give up if the flag is still clear.
    var timed: Set<Int> = []
    var notifyAll = false
    var mutant = Mutant.none

    var threadCount: Int { consumers + 1 }
    var producer: Int { consumers }

    enum PC: Equatable {
        case acquire, check, waitLockMutex, waitRelease, waitQueue, park, sleep, timeoutLock, timeoutCheck
        case reacquire, release, produceAcquire, produceSet, notifyLockMutex, notifyWake, produceRelease, done
    }

    struct State {
        /// The owner of the condition's lock.
        var lock: Int?
        /// The owner of the waiters' mutex.
        var mutex: Int?
        var waiters = WaitListModel()
        var parkers: [ParkerModel]
        var pc: [PC]
        var flag = false
        var waited: [Bool]
        var wokeByNotify: [Bool]
        var error: String?
    }

    func initialState() -> State {
        var pc = Array(repeating: PC.acquire, count: threadCount)
        pc[producer] = .produceAcquire
        return State(
            parkers: Array(repeating: ParkerModel(), count: threadCount),
            pc: pc,
            waited: Array(repeating: false, count: threadCount),
            wokeByNotify: Array(repeating: false, count: threadCount)
        )
    }

    func isFinished(_ s: State, _ t: Int) -> Bool { s.pc[t] == .done }

    func isEnabled(_ s: State, _ t: Int) -> Bool {
        switch s.pc[t] {
        case .acquire, .reacquire, .produceAcquire: s.lock == nil
        case .waitLockMutex, .timeoutLock, .notifyLockMutex: s.mutex == nil
        case .sleep: s.parkers[t].word == .notified || timed.contains(t)
        default: true
        }
    }

    func step(_ s: inout State, _ t: Int, branch: Int) -> String {
        switch s.pc[t] {
        case .acquire:
            s.lock = t
            s.pc[t] = .check
            return "acquire the lock"
        case .check:
            if s.flag {
                s.pc[t] = .release
                return "predicate true"
            }
            if timed.contains(t), s.waited[t] {
                s.pc[t] = .release
                return "predicate false after the timed wait: give up"
            }
            s.pc[t] = mutant == .releaseLockBeforeQueueing ? .waitRelease : .waitLockMutex
            return "predicate false: wait"
        case .waitLockMutex:
            s.mutex = t
            s.pc[t] = mutant == .releaseLockBeforeQueueing ? .waitQueue : .waitRelease
            return "lock waiters' mutex"
        case .waitRelease:
            // Condition.wait releases the lock holding the waiters' mutex, so a notifier
            // (which needs the lock) cannot come between.
            s.lock = nil
            s.pc[t] = mutant == .releaseLockBeforeQueueing ? .waitLockMutex : .waitQueue
            return "release the lock"
        case .waitQueue:
            s.waiters.enqueue(t, &s.parkers)
            s.mutex = nil
            s.pc[t] = .park
            return "queue, unlock mutex"
        case .park:
            switch parkStep(&s.parkers[t]) {
            case .woken:
                s.wokeByNotify[t] = true
                s.pc[t] = .reacquire
                return "notified before sleeping"
            case .asleep:
                s.pc[t] = .sleep
                return "sleep"
            }
        case .sleep:
            if s.parkers[t].word == .notified {
                s.wokeByNotify[t] = true
                s.pc[t] = .reacquire
                return "woken"
            }
            s.pc[t] = .timeoutLock
            return "deadline passed while asleep"
        case .timeoutLock:
            s.mutex = t
            s.pc[t] = .timeoutCheck
            return "lock mutex to leave the queue"
        case .timeoutCheck:
            if !s.parkers[t].queued {
                s.wokeByNotify[t] = true
                s.mutex = nil
                s.pc[t] = .reacquire
                return "dequeued meanwhile: notified"
            }
            s.waiters.remove(t, &s.parkers)
            s.parkers[t].word = .idle
            s.mutex = nil
            s.pc[t] = .reacquire
            return "leave queue: timed out"
        case .reacquire:
            s.lock = t
            s.waited[t] = true
            // No spurious wake-ups: a wait that says "notified" had a notify behind it,
            // and the producer sets the flag before it notifies.
            if s.wokeByNotify[t], !s.flag { s.error = "thread \(t) woken without a notify" }
            s.wokeByNotify[t] = false
            s.pc[t] = .check
            return "reacquire the lock"
        case .release:
            s.lock = nil
            s.pc[t] = .done
            return "release the lock"
        case .produceAcquire:
            s.lock = t
            s.pc[t] = .produceSet
            return "acquire the lock"
        case .produceSet:
            s.flag = true
            s.pc[t] = .notifyLockMutex
            return "set the flag"
        case .notifyLockMutex:
            s.mutex = t
            s.pc[t] = .notifyWake
            return "lock waiters' mutex"
        case .notifyWake:
            var woken: [Int] = []
            while let thread = s.waiters.wakeFirst(token: 1, &s.parkers) {
                woken.append(thread)
                if !notifyAll { break }
            }
            s.mutex = nil
            s.pc[t] = .produceRelease
            return "\(notifyAll ? "notifyAll" : "notify") wakes \(woken)"
        case .produceRelease:
            s.lock = nil
            s.pc[t] = .done
            return "release the lock"
        case .done:
            return "done"
        }
    }

    func violation(in s: State) -> String? { s.error }

    func finalViolation(in s: State) -> String? {
        if !s.waiters.order.isEmpty { return "threads \(s.waiters.order) left waiting" }
        if s.lock != nil || s.mutex != nil { return "a lock left held" }
        return nil
    }
}

// MARK: - Queue

/// QueueCore (QueueCore.swift): `put`, `get`, `serveGetters`, `servePutters` and a
/// timed get's exit, for one bounded queue. Each critical section under the queue's mutex
/// is one step: whatever other threads do meanwhile either needs the mutex or touches only
/// their own parker, so finer steps would add only equivalent interleavings.
struct QueueCoreModel: ExplorableModel {
    enum Mutant { case none, timeoutIgnoresHandOff }

    var capacity: Int
    /// The items each producer puts, in order.
    var produce: [[Int]]
    /// How many gets each consumer makes.
    var gets: [Int]
    /// Consumers (by index among consumers) whose gets have a deadline.
    var timed: Set<Int> = []
    var mutant = Mutant.none

    var threadCount: Int { produce.count + gets.count }
    func isProducer(_ t: Int) -> Bool { t < produce.count }
    func isTimed(_ t: Int) -> Bool { !isProducer(t) && timed.contains(t - produce.count) }

    enum PC: Equatable { case start, lockMutex, critical, park, sleep, timeoutLock, timeoutCheck, woken, done }

    static let served = 1

    struct State {
        var mutex: Int?
        var items: [Int] = []
        var getters = WaitListModel()
        var putters = WaitListModel()
        var parkers: [ParkerModel]
        var pc: [PC]
        /// A producer's next item index; a consumer's gets made.
        var progress: [Int]
        /// A parked getter's record, filled by the hand-off.
        var record: [Int?]
        var received: [[Int]]
        var emptyCount = 0
    }

    func initialState() -> State {
        State(
            parkers: Array(repeating: ParkerModel(), count: threadCount),
            pc: Array(repeating: .start, count: threadCount),
            progress: Array(repeating: 0, count: threadCount),
            record: Array(repeating: nil, count: threadCount),
            received: Array(repeating: [], count: threadCount)
        )
    }

    func isFinished(_ s: State, _ t: Int) -> Bool { s.pc[t] == .done }

    func isEnabled(_ s: State, _ t: Int) -> Bool {
        switch s.pc[t] {
        case .lockMutex, .timeoutLock: s.mutex == nil
        case .sleep: s.parkers[t].word == .notified || isTimed(t)
        default: true
        }
    }

    private func item(_ s: State, _ t: Int) -> Int { produce[t][s.progress[t]] }

    /// QueueCore.serveGetters: while a getter is parked and an item is there, hand it over.
    private func serveGetters(_ s: inout State) -> [Int] {
        var served: [Int] = []
        while let getter = s.getters.order.first, !s.items.isEmpty {
            s.record[getter] = s.items.removeFirst()
            s.getters.wakeFirst(token: Self.served, &s.parkers)
            served.append(getter)
        }
        return served
    }

    /// QueueCore.servePutters: while a putter is parked and there is room, take its item.
    private func servePutters(_ s: inout State) -> [Int] {
        var served: [Int] = []
        while let putter = s.putters.order.first, s.items.count < capacity {
            s.items.append(item(s, putter))
            s.putters.wakeFirst(token: Self.served, &s.parkers)
            served.append(putter)
        }
        return served
    }

    func step(_ s: inout State, _ t: Int, branch: Int) -> String {
        switch s.pc[t] {
        case .start:
            let more = isProducer(t) ? s.progress[t] < produce[t].count : s.progress[t] < gets[t - produce.count]
            s.pc[t] = more ? .lockMutex : .done
            return more ? (isProducer(t) ? "put \(item(s, t))" : "get") : "done"
        case .lockMutex:
            s.mutex = t
            s.pc[t] = .critical
            return "lock the queue's mutex"
        case .critical:
            defer { s.mutex = nil }
            if isProducer(t) {
                if s.items.count >= capacity {
                    s.putters.enqueue(t, &s.parkers)
                    s.pc[t] = .park
                    return "full: park with \(item(s, t))"
                }
                s.items.append(item(s, t))
                let served = serveGetters(&s)
                s.progress[t] += 1
                s.pc[t] = .start
                return "push, serve getters \(served)"
            }
            if !s.items.isEmpty {
                let got = s.items.removeFirst()
                let served = servePutters(&s)
                s.received[t].append(got)
                s.progress[t] += 1
                s.pc[t] = .start
                return "pop \(got), serve putters \(served)"
            }
            s.getters.enqueue(t, &s.parkers)
            s.pc[t] = .park
            return "empty: park"
        case .park:
            switch parkStep(&s.parkers[t]) {
            case .woken:
                s.pc[t] = .woken
                return "served before sleeping"
            case .asleep:
                s.pc[t] = .sleep
                return "sleep"
            }
        case .sleep:
            if s.parkers[t].word == .notified {
                s.pc[t] = .woken
                return "woken"
            }
            s.pc[t] = .timeoutLock
            return "deadline passed while asleep"
        case .timeoutLock:
            s.mutex = t
            s.pc[t] = .timeoutCheck
            return "lock mutex to leave"
        case .timeoutCheck:
            s.mutex = nil
            if !s.parkers[t].queued {
                if mutant == .timeoutIgnoresHandOff {
                    s.record[t] = nil
                    s.emptyCount += 1
                    s.progress[t] += 1
                    s.pc[t] = .start
                    return "served meanwhile, but reports Empty"
                }
                s.pc[t] = .woken
                return "served meanwhile: take the item"
            }
            // The getter's record leaves the chain with it (the onTimeout closure).
            s.getters.remove(t, &s.parkers)
            s.parkers[t].word = .idle
            s.emptyCount += 1
            s.progress[t] += 1
            s.pc[t] = .start
            return "leave: Empty"
        case .woken:
            if !isProducer(t) {
                guard let got = s.record[t] else { return "woken without an item" }
                s.received[t].append(got)
                s.record[t] = nil
            }
            s.progress[t] += 1
            s.pc[t] = .start
            return isProducer(t) ? "put completed by a getter" : "got \(s.received[t].last!)"
        case .done:
            return "done"
        }
    }

    func violation(in s: State) -> String? {
        if s.items.count > capacity { return "\(s.items.count) items in a queue of \(capacity)" }
        guard s.mutex == nil else { return nil }
        if !s.getters.order.isEmpty, !s.items.isEmpty { return "getters parked while items wait" }
        if !s.putters.order.isEmpty, s.items.count < capacity { return "putters parked while there is room" }
        for t in 0..<threadCount where s.pc[t] == .woken && !isProducer(t) && s.record[t] == nil {
            return "getter \(t) woken without an item"
        }
        return nil
    }

    func finalViolation(in s: State) -> String? {
        let put = produce.flatMap { $0 }
        let out = s.received.flatMap { $0 } + s.items
        if out.sorted() != put.sorted() { return "items put \(put.sorted()), items out \(out.sorted())" }
        // FIFO: each consumer, and what is left, sees a producer's items in order.
        for sequence in s.received + [s.items] {
            for items in produce {
                let seen = sequence.filter(items.contains)
                if seen != items.filter(seen.contains) { return "out of order: \(sequence)" }
            }
        }
        if !s.getters.order.isEmpty || !s.putters.order.isEmpty { return "threads left parked" }
        return nil
    }
}

// MARK: - The tests

// The explorer's tests run one at a time (`.serialized`), each on a thread of its own
// (`onOwnThread`) that the test awaits: the exploration is seconds of CPU-bound work, and
// run inline it would hold threads of the cooperative pool (two on a 2-core machine) that
// async tests elsewhere in the run need to start and resume their tasks.
@Suite("ScheduleExplorerTests", .serialized, .wedgeDetector)
struct ScheduleExplorerTests {
    /// Random schedules per scenario: THREADING_EXPLORER_SEEDS, or 2000 times
    /// THREADING_STRESS_SCALE (default 1).
    static let seeds: Int = {
        let environment = ProcessInfo.processInfo.environment
        if let seeds = environment["THREADING_EXPLORER_SEEDS"].flatMap(Int.init) { return seeds }
        let scale = environment["THREADING_STRESS_SCALE"].flatMap(Double.init) ?? 1
        return max(1, Int((2000 * scale).rounded()))
    }()

    /// Explores `model` exhaustively (preemption bound 2) and under `seeds` random
    /// schedules, unless THREADING_EXPLORER_SCHEDULE or THREADING_EXPLORER_SEED asks to
    /// replay one; records a failure with the command that reproduces it.
    func explore<M: ExplorableModel>(
        _ name: String,
        _ model: M,
        sourceLocation: SourceLocation = #_sourceLocation
    ) async throws {
        let seeds = Self.seeds
        let problem = try await onOwnThread(name: "explorer") { () -> String? in
            Self.exploration(name, model, seeds: seeds)
        }
        if let problem { Issue.record(Comment(rawValue: problem), sourceLocation: sourceLocation) }
    }

    /// What `explore` runs on its thread: the failure to report, or nil.
    private static func exploration<M: ExplorableModel>(_ name: String, _ model: M, seeds: Int) -> String? {
        let explorer = ScheduleExplorer(model: model)
        let environment = ProcessInfo.processInfo.environment
        if let text = environment["THREADING_EXPLORER_SCHEDULE"] {
            let (failure, trace) = explorer.replay(ScheduleChoice.parse(text))
            print("replay \(name):\n" + trace.joined(separator: "\n"))
            return failure.map { "\($0)" }
        }
        if let seed = environment["THREADING_EXPLORER_SEED"].flatMap(UInt64.init) {
            return explorer.runRandom(seed: seed).map { "\($0)" }
        }
        let filter = "--filter 'ScheduleExplorerTests/\(name)'"
        let (executions, failure) = explorer.exploreAll()
        if let failure {
            return "\(failure)\nreproduce: THREADING_EXPLORER_SCHEDULE='\(failure.scheduleText)' swift test \(filter)"
        }
        for seed in 0..<UInt64(seeds) {
            if let failure = explorer.runRandom(seed: seed) {
                return "\(failure)\nreproduce: THREADING_EXPLORER_SEED=\(seed) swift test \(filter)"
            }
        }
        print("explorer \(name): \(executions) interleavings (preemption bound 2), \(seeds) random seeds, 0 failures")
        return nil
    }

    /// The explorer must find a planted bug, and the schedule it names must replay to it.
    func expectCaught<M: ExplorableModel>(
        _ model: M,
        _ expected: String,
        sourceLocation: SourceLocation = #_sourceLocation
    ) async throws {
        let (failure, replayed) = try await onOwnThread(name: "explorer") { () -> (ExplorerFailure?, String?) in
            let explorer = ScheduleExplorer(model: model)
            guard let failure = explorer.exploreAll().failure else { return (nil, nil) }
            return (failure, explorer.replay(failure.schedule).failure?.message)
        }
        guard let failure else {
            Issue.record("the planted bug went unnoticed", sourceLocation: sourceLocation)
            return
        }
        #expect(failure.message.contains(expected), "\(failure)", sourceLocation: sourceLocation)
        #expect(replayed == failure.message, "the schedule replays to the same failure", sourceLocation: sourceLocation)
    }

    // MARK: Lock

    @Test func lock_two_threads() async throws {
        try await explore("lock_two_threads", LockModel(threadCount: 2, iterations: 2))
    }

    @Test func lock_three_threads() async throws {
        try await explore("lock_three_threads", LockModel(threadCount: 3, iterations: 1))
    }

    @Test func lock_three_threads_twice() async throws {
        try await explore("lock_three_threads_twice", LockModel(threadCount: 3, iterations: 2))
    }

    @Test func lock_timed_acquire() async throws {
        try await explore("lock_timed_acquire", LockModel(threadCount: 2, iterations: 2, timed: [1]))
    }

    @Test func lock_timed_acquire_three_threads() async throws {
        try await explore("lock_timed_acquire_three_threads", LockModel(threadCount: 3, iterations: 1, timed: [0, 2]))
    }

    @Test func lock_mutants_are_caught() async throws {
        // Queued without the parked bit: the fast release leaves the waiter asleep.
        try await expectCaught(LockModel(threadCount: 2, iterations: 1, mutant: .enqueueWithoutParkedBit), "parked bit is clear")
        // The fast release ignores the parked bit: a queued waiter is never woken.
        try await expectCaught(LockModel(threadCount: 2, iterations: 1, mutant: .fastReleaseIgnoresParked), "parked bit is clear")
        // A timed-out waiter ignores that it was just handed the lock: it stays locked.
        try await expectCaught(
            LockModel(threadCount: 2, iterations: 1, timed: [1], mutant: .timeoutIgnoresDequeue),
            "the lock ends with word"
        )
    }

    // MARK: Condition

    @Test func condition_notify_one() async throws {
        try await explore("condition_notify_one", ConditionModel(consumers: 1))
    }

    @Test func condition_notify_all_two_consumers() async throws {
        try await explore("condition_notify_all_two_consumers", ConditionModel(consumers: 2, notifyAll: true))
    }

    @Test func condition_timed_and_untimed_consumers() async throws {
        try await explore("condition_timed_and_untimed_consumers", ConditionModel(consumers: 2, timed: [0], notifyAll: true))
    }

    @Test func condition_three_consumers_one_timed() async throws {
        try await explore("condition_three_consumers_one_timed", ConditionModel(consumers: 3, timed: [1], notifyAll: true))
    }

    @Test func condition_mutant_is_caught() async throws {
        // Releasing the lock before queueing: a notify can come between and be lost.
        try await expectCaught(ConditionModel(consumers: 1, mutant: .releaseLockBeforeQueueing), "deadlock or lost wake-up")
    }

    // MARK: Queue

    @Test func queue_two_producers_one_consumer() async throws {
        try await explore("queue_two_producers_one_consumer", QueueCoreModel(capacity: 1, produce: [[1, 2], [101]], gets: [3]))
    }

    @Test func queue_one_producer_two_consumers() async throws {
        try await explore("queue_one_producer_two_consumers", QueueCoreModel(capacity: 1, produce: [[1, 2, 3]], gets: [2, 1]))
    }

    @Test func queue_timed_get() async throws {
        try await explore("queue_timed_get", QueueCoreModel(capacity: 1, produce: [[1, 2]], gets: [1, 1], timed: [0]))
    }

    @Test func queue_two_producers_two_consumers_one_timed() async throws {
        try await explore(
            "queue_two_producers_two_consumers_one_timed",
            QueueCoreModel(capacity: 1, produce: [[1, 2], [101]], gets: [2, 1], timed: [1])
        )
    }

    @Test func queue_mutant_is_caught() async throws {
        // A timed-out getter that ignores the item handed to it loses the item.
        try await expectCaught(
            QueueCoreModel(capacity: 1, produce: [[1]], gets: [1], timed: [0], mutant: .timeoutIgnoresHandOff),
            "items put"
        )
    }

    // MARK: The explorer itself

    @Test func a_failing_seed_and_schedule_reproduce() async throws {
        let explorer = ScheduleExplorer(model: LockModel(threadCount: 2, iterations: 1, mutant: .enqueueWithoutParkedBit))
        let (first, again, replayed) = try await onOwnThread(name: "explorer") {
            () -> (ExplorerFailure?, ExplorerFailure?, String?) in
            guard let seed = (0..<UInt64(10_000)).first(where: { explorer.runRandom(seed: $0) != nil }) else {
                return (nil, nil, nil)
            }
            let first = explorer.runRandom(seed: seed)
            return (first, explorer.runRandom(seed: seed), first.flatMap { explorer.replay($0.schedule).failure?.message })
        }
        let failure = try #require(first, "random schedules find the planted bug")
        #expect(failure.schedule == again?.schedule, "a seed names one schedule")
        #expect(replayed == failure.message)
    }

    @Test func preemption_bound_limits_the_search() async throws {
        let results = try await onOwnThread(name: "explorer") { () -> [(executions: Int, failed: Bool)] in
            (0...2).map { bound in
                var explorer = ScheduleExplorer(model: LockModel(threadCount: 2, iterations: 1))
                explorer.preemptionBound = bound
                let (executions, failure) = explorer.exploreAll()
                return (executions, failure != nil)
            }
        }
        #expect(results.allSatisfy { !$0.failed })
        let counts = results.map(\.executions)
        #expect(counts[0] < counts[1] && counts[1] < counts[2], "\(counts)")
    }
}
