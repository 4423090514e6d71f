//===----------------------------------------------------------------------===//
//
// Threading: Python's threading model for Swift on Linux.
//
// One execution of a scenario over the library's real code, on real OS threads, under
// the control of the schedule points compiled in with -DTHREADING_SCHEDULE_POINTS
// (Sources/Threading/Platform/SchedulePoints.swift).
//
// Exactly one controlled thread runs at a time. A thread that reaches a schedule point
// records the operation it is about to perform and makes the next decision itself: it
// goes on, or it wakes the chosen thread (each has a semaphore of its own) and sleeps on
// its own semaphore. Blocking is modelled at the points: a mutex held by another thread
// disables its lockers; a futex wait whose word still holds the expected value puts the
// thread to sleep until a futex wake on that word, or until the explorer lets its
// deadline pass (which moves the virtual clock there), or a spurious wake-up if allowed.
//
// When the run goes wrong (no thread can move, too many steps, a schedule that cannot
// be followed) it is let go: every point returns at once and every futex wait times
// out, so the threads finish and are joined, and no thread outlives the run.
//
//===----------------------------------------------------------------------===//

#if THREADING_SCHEDULE_POINTS

import Foundation
import Synchronization
@testable import Threading

/// The threads of one execution and the decisions that interleave them.
///
/// Invariant: outside `letGo`, at most one controlled thread runs; the state below is
/// touched only by the thread that runs (or, before and after, by the explorer), with
/// the semaphores ordering each hand-over.
final class ScheduleRun: @unchecked Sendable {
    /// What a controlled thread waits at its schedule point to do.
    enum Pending {
        case start
        case operation(ScheduleOperation)
        case futexWait(word: UnsafeMutablePointer<UInt32>, expected: UInt32, deadline: Deadline?, asleep: Bool, woken: Bool)
        case finished
    }

    // Branches of a sleeping futex waiter.
    static let branchWoken = 0
    static let branchTimeout = 1
    static let branchSpurious = 2

    private struct Slot {
        var pending = Pending.start
        var result = Futex.WaitResult.awoke
        var spuriousLeft: Int
    }

    let chooser: ScheduleChooser
    let plantedBug: PlantedBug?
    private let maxSteps: Int
    private let tracing: Bool
    private var slots: [Slot]
    /// One semaphore per thread, then `arrived`, then `done`.
    private let semaphores: UnsafeMutablePointer<sem_t>
    private var owners: [UnsafeRawPointer: Int] = [:]
    private var last: Int?
    /// The controlled threads' clock, in nanoseconds.
    private var clock: UInt64 = 1_000_000_000_000
    private(set) var trace: [String] = []
    private(set) var failure: String?
    private var names: [UnsafeRawPointer: Int] = [:]
    private let released = Atomic<Bool>(false)

    init(threads: Int, chooser: ScheduleChooser, plantedBug: PlantedBug?, spuriousWakeups: Int, maxSteps: Int, tracing: Bool) {
        self.chooser = chooser
        self.plantedBug = plantedBug
        self.maxSteps = maxSteps
        self.tracing = tracing
        slots = Array(repeating: Slot(spuriousLeft: spuriousWakeups), count: threads)
        semaphores = .allocate(capacity: threads + 2)
        for index in 0..<(threads + 2) { sem_init(semaphores + index, 0, 0) }
    }

    deinit {
        for index in 0..<(slots.count + 2) { sem_destroy(semaphores + index) }
        semaphores.deallocate()
    }

    private var arrivedSemaphore: UnsafeMutablePointer<sem_t> { semaphores + slots.count }
    private var doneSemaphore: UnsafeMutablePointer<sem_t> { semaphores + slots.count + 1 }

    var now: Deadline { Deadline(nanoseconds: clock) }

    // MARK: Running

    /// Runs `bodies` on threads of their own under this run's control, and joins them.
    ///
    /// - Returns: false if the threads did not finish within `hangSeconds` (they are then
    ///   left running).
    func execute(_ bodies: [@Sendable () -> Void], hangSeconds: Double) -> Bool {
        var threads: [pthread_t] = []
        for (index, body) in bodies.enumerated() {
            let controller = ControlledThread(run: self, index: index)
            let start = ThreadStart {
                SchedulePoints.attach(controller)
                self.begin(index)
                body()
                self.finish(index)
                SchedulePoints.attach(nil)
            }
            var thread = pthread_t()
            let rc = pthread_create(&thread, nil, { raw in
                Unmanaged<ThreadStart>.fromOpaque(raw!).takeRetainedValue().body()
                return nil
            }, Unmanaged.passRetained(start).toOpaque())
            precondition(rc == 0, "pthread_create failed with error \(rc)")
            threads.append(thread)
        }
        for _ in bodies { Self.wait(arrivedSemaphore) }
        _ = schedule(from: nil)
        guard Self.wait(doneSemaphore, seconds: hangSeconds) else {
            failure = failure ?? "hang: a controlled thread ran for \(hangSeconds) s without reaching a schedule point"
            return false
        }
        for thread in threads { pthread_join(thread, nil) }
        return true
    }

    /// A controlled thread's first point: waits to be scheduled.
    private func begin(_ index: Int) {
        sem_post(arrivedSemaphore)
        _ = waitTurn(index)
    }

    /// A controlled thread's last point.
    private func finish(_ index: Int) {
        if released.load(ordering: .acquiring) { return }
        slots[index].pending = .finished
        _ = schedule(from: index)
    }

    /// A schedule point: records what thread `index` is about to do and lets the chosen
    /// thread run; returns when `index` may go on, with the outcome of a futex wait.
    func arrive(_ index: Int, _ pending: Pending) -> Futex.WaitResult {
        if released.load(ordering: .acquiring) { return .timedOut }
        slots[index].pending = pending
        return schedule(from: index)
    }

    // MARK: Deciding

    /// Takes decisions until a thread other than a sleeping `me` is let go on, or `me`.
    private func schedule(from me: Int?) -> Futex.WaitResult {
        while true {
            let lastOptions = last.map(branches) ?? []
            var order = Array(slots.indices)
            if let last, !lastOptions.isEmpty { order = [last] + order.filter { $0 != last } }
            var options: [ScheduleChoice] = []
            var costs: [Int] = []
            for thread in order {
                for branch in branches(thread) {
                    options.append(ScheduleChoice(thread: thread, branch: branch))
                    costs.append(!lastOptions.isEmpty && thread != last ? 1 : 0)
                }
            }
            if options.isEmpty {
                if slots.allSatisfy({ if case .finished = $0.pending { true } else { false } }) {
                    sem_post(doneSemaphore)
                    return .awoke
                }
                return letGo(me, because: "deadlock or lost wake-up: no thread can move; " + stuckThreads())
            }
            if chooser.decisions.count >= maxSteps {
                return letGo(me, because: "no end after \(maxSteps) steps (livelock?)")
            }
            guard let choice = chooser.pick(options, costs: costs) else {
                return letGo(me, because: "the schedule cannot be followed at step \(chooser.decisions.count): "
                    + "open were \(options.map(\.description).joined(separator: " ")) (nondeterminism?)")
            }
            last = choice.thread
            guard apply(choice) else { continue }
            if choice.thread == me { return slots[choice.thread].result }
            sem_post(semaphores + choice.thread)
            guard let me, !isFinished(me) else { return .awoke }
            return waitTurn(me)
        }
    }

    private func isFinished(_ thread: Int) -> Bool {
        if case .finished = slots[thread].pending { true } else { false }
    }

    /// The branches open to `thread` now (empty: it cannot move).
    private func branches(_ thread: Int) -> [Int] {
        let slot = slots[thread]
        switch slot.pending {
        case .finished:
            return []
        case .start, .operation(.memory), .operation(.mutexUnlock), .operation(.futexWake):
            return [0]
        case .operation(.mutexLock(let mutex)):
            return owners[mutex] == nil ? [0] : []
        case .futexWait(_, _, let deadline, let asleep, let woken):
            if !asleep { return [0] }
            if woken { return deadline == nil ? [Self.branchWoken] : [Self.branchWoken, Self.branchTimeout] }
            return (deadline == nil ? [] : [Self.branchTimeout]) + (slot.spuriousLeft > 0 ? [Self.branchSpurious] : [])
        }
    }

    /// Takes `choice`'s step; false if its thread went to sleep instead of going on.
    private func apply(_ choice: ScheduleChoice) -> Bool {
        let thread = choice.thread
        var note: String
        switch slots[thread].pending {
        case .start, .finished:
            note = "start"
        case .operation(.memory(let label, let address)):
            note = "\(label) \(name(address))"
        case .operation(.mutexLock(let mutex)):
            owners[mutex] = thread
            note = "lock mutex \(name(mutex))"
        case .operation(.mutexUnlock(let mutex)):
            owners[mutex] = nil
            note = "unlock mutex \(name(mutex))"
        case .operation(.futexWake(let word)):
            note = "futex wake \(name(word)): " + wakeOne(UnsafeRawPointer(word))
        case .futexWait(let word, let expected, let deadline, let asleep, _):
            if !asleep {
                let value = word.pointee
                if value != expected {
                    slots[thread].result = .awoke
                    note = "futex wait \(name(word)): word is \(value), not \(expected): returns"
                } else {
                    slots[thread].pending = .futexWait(word: word, expected: expected, deadline: deadline, asleep: true, woken: false)
                    record(thread, "futex wait \(name(word)): sleeps")
                    return false
                }
            } else {
                switch choice.branch {
                case Self.branchWoken:
                    slots[thread].result = .awoke
                    note = "futex wait \(name(word)): woken"
                case Self.branchTimeout:
                    clock = max(clock, deadline!.nanoseconds)
                    slots[thread].result = .timedOut
                    note = "futex wait \(name(word)): deadline passes"
                default:
                    slots[thread].spuriousLeft -= 1
                    slots[thread].result = .awoke
                    note = "futex wait \(name(word)): spurious wake-up"
                }
            }
        }
        record(thread, note)
        return true
    }

    /// Wakes the first thread asleep on `word`; says which.
    private func wakeOne(_ word: UnsafeRawPointer) -> String {
        for index in slots.indices {
            if case .futexWait(let waitWord, let expected, let deadline, true, false) = slots[index].pending,
               UnsafeRawPointer(waitWord) == word {
                slots[index].pending = .futexWait(word: waitWord, expected: expected, deadline: deadline, asleep: true, woken: true)
                return "wakes thread \(index)"
            }
        }
        return "nobody asleep"
    }

    private func record(_ thread: Int, _ note: @autoclosure () -> String) {
        if tracing { trace.append("thread \(thread): \(note())") }
    }

    /// A short, run-independent name for a word or mutex: `#n`, in order of first use.
    private func name(_ address: UnsafeRawPointer) -> String {
        guard tracing else { return "" }
        if let known = names[address] { return "#\(known)" }
        names[address] = names.count + 1
        return "#\(names.count)"
    }

    private func name(_ word: UnsafeMutablePointer<UInt32>) -> String { name(UnsafeRawPointer(word)) }

    private func stuckThreads() -> String {
        slots.indices.compactMap { index -> String? in
            switch slots[index].pending {
            case .finished: nil
            case .operation(.mutexLock): "thread \(index) waits for a mutex"
            case .futexWait: "thread \(index) sleeps on its futex word"
            default: "thread \(index) is stuck"
            }
        }.joined(separator: ", ")
    }

    // MARK: Letting go

    /// Records `reason` and lets every thread run free to its end; `me` goes on too.
    private func letGo(_ me: Int?, because reason: String) -> Futex.WaitResult {
        failure = failure ?? reason
        released.store(true, ordering: .releasing)
        for index in slots.indices where !isFinished(index) && index != me { sem_post(semaphores + index) }
        sem_post(doneSemaphore)
        return .timedOut
    }

    /// Sleeps until another thread lets `index` run; returns its futex wait's outcome.
    private func waitTurn(_ index: Int) -> Futex.WaitResult {
        Self.wait(semaphores + index)
        return released.load(ordering: .acquiring) ? .timedOut : slots[index].result
    }

    /// `sem_wait`, through signals, for at most `seconds` if given; false on timeout.
    @discardableResult
    private static func wait(_ semaphore: UnsafeMutablePointer<sem_t>, seconds: Double? = nil) -> Bool {
        guard let seconds else {
            while sem_wait(semaphore) != 0 {}
            return true
        }
        var end = timespec()
        clock_gettime(CLOCK_REALTIME, &end)
        let total = end.tv_nsec + Int(seconds * 1e9)
        end.tv_sec += total / 1_000_000_000
        end.tv_nsec = total % 1_000_000_000
        while sem_timedwait(semaphore, &end) != 0 {
            if errno == ETIMEDOUT { return false }
        }
        return true
    }
}

/// A controlled thread's side of the seam: forwards its schedule points to its run.
final class ControlledThread: ScheduleController, @unchecked Sendable {
    let run: ScheduleRun
    let index: Int

    init(run: ScheduleRun, index: Int) {
        self.run = run
        self.index = index
    }

    func willPerform(_ operation: ScheduleOperation) {
        _ = run.arrive(index, .operation(operation))
    }

    func futexWait(_ word: UnsafeMutablePointer<UInt32>, expected: UInt32, deadline: Deadline?) -> Futex.WaitResult {
        run.arrive(index, .futexWait(word: word, expected: expected, deadline: deadline, asleep: false, woken: false))
    }

    var now: Deadline { run.now }
    var plantedBug: PlantedBug? { run.plantedBug }
}

/// What a controlled thread runs, handed to `pthread_create`.
private final class ThreadStart {
    let body: () -> Void
    init(_ body: @escaping () -> Void) { self.body = body }
}

#endif
