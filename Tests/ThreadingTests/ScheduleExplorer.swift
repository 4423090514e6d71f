//===----------------------------------------------------------------------===//
//
// Threading: Python's threading model for Swift on Linux.
//
// A deterministic schedule explorer in the manner of CHESS and loom: a model of concurrent
// code is a set of threads, each a state machine whose steps are atomic actions on one
// value-typed state; the explorer runs the model under every interleaving with at most
// `preemptionBound` preemptions (a switch away from a thread that could have gone on), and
// under random schedules from numbered seeds. Blocked threads are not scheduled; when no
// thread can move and some have not finished, that is a deadlock or a lost wake-up.
//
// A failure names the schedule that produced it, and one command replays it with a trace:
//
//     THREADING_EXPLORER_SCHEDULE='0 1 0 0 0 0 1' swift test --filter 'ScheduleExplorerTests/lock_two_threads'
//     THREADING_EXPLORER_SEED=1234 swift test --filter 'ScheduleExplorerTests/lock_two_threads'
//
//===----------------------------------------------------------------------===//

import Foundation

/// Concurrent code as threads of atomic steps over one value-typed state. Sendable, so an
/// exploration can run on a thread of its own.
protocol ExplorableModel: Sendable {
    associatedtype State
    var threadCount: Int { get }
    func initialState() -> State
    func isFinished(_ state: State, _ thread: Int) -> Bool
    /// False while the thread is blocked (waiting for a mutex, asleep in a park).
    func isEnabled(_ state: State, _ thread: Int) -> Bool
    /// How many outcomes the thread's next step can have (a timeout firing or not, a
    /// fairness hand-off or not); at least 1.
    func branchCount(_ state: State, _ thread: Int) -> Int
    /// Takes the thread's next step with outcome `branch`; returns what it did, for traces.
    func step(_ state: inout State, _ thread: Int, branch: Int) -> String
    /// An invariant broken in `state`, or nil.
    func violation(in state: State) -> String?
    /// What must hold once every thread has finished, or nil.
    func finalViolation(in state: State) -> String?
}

extension ExplorableModel {
    func branchCount(_ state: State, _ thread: Int) -> Int { 1 }
}

/// One scheduling decision: which thread steps, with which outcome.
struct ScheduleChoice: Equatable, CustomStringConvertible {
    var thread: Int
    var branch: Int

    /// `2` or `2.1` (thread 2, outcome 1).
    var description: String { branch == 0 ? "\(thread)" : "\(thread).\(branch)" }

    /// Parses `ScheduleChoice.description`s separated by spaces.
    static func parse(_ text: String) -> [ScheduleChoice] {
        text.split(separator: " ").compactMap { word in
            let parts = word.split(separator: ".").compactMap { Int($0) }
            guard let thread = parts.first else { return nil }
            return ScheduleChoice(thread: thread, branch: parts.count > 1 ? parts[1] : 0)
        }
    }
}

/// A schedule that broke the model.
struct ExplorerFailure: CustomStringConvertible {
    var message: String
    var schedule: [ScheduleChoice]
    var trace: [String]

    var scheduleText: String { schedule.map(\.description).joined(separator: " ") }

    var description: String {
        "\(message)\nschedule: \(scheduleText)\ntrace:\n" + trace.enumerated().map { "  \($0.offset): \($0.element)" }.joined(separator: "\n")
    }
}

/// SplitMix64: a small, fast, seedable generator, so a seed names one schedule for good.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

struct ScheduleExplorer<Model: ExplorableModel> {
    var model: Model
    var preemptionBound = 2
    /// A run longer than this is reported (a livelock in the model).
    var maxSteps = 2_000

    /// Threads that can step in `state`.
    private func enabledThreads(_ state: Model.State) -> [Int] {
        (0..<model.threadCount).filter { !model.isFinished(state, $0) && model.isEnabled(state, $0) }
    }

    /// What is wrong once no thread can move, or nil if every thread finished cleanly.
    private func endViolation(_ state: Model.State) -> String? {
        let stuck = (0..<model.threadCount).filter { !model.isFinished(state, $0) }
        if !stuck.isEmpty { return "deadlock or lost wake-up: threads \(stuck) can never go on" }
        return model.finalViolation(in: state)
    }

    // MARK: Every interleaving, preemption-bounded

    /// Runs every schedule with at most `preemptionBound` preemptions; stops at the first
    /// failure. Returns how many complete executions ran.
    func exploreAll() -> (executions: Int, failure: ExplorerFailure?) {
        var executions = 0
        var path: [ScheduleChoice] = []
        var trace: [String] = []
        let failure = search(
            state: model.initialState(), last: nil, preemptions: 0,
            path: &path, trace: &trace, executions: &executions
        )
        return (executions, failure)
    }

    private func search(
        state: Model.State,
        last: Int?,
        preemptions: Int,
        path: inout [ScheduleChoice],
        trace: inout [String],
        executions: inout Int
    ) -> ExplorerFailure? {
        let enabled = enabledThreads(state)
        if enabled.isEmpty {
            executions += 1
            return endViolation(state).map { ExplorerFailure(message: $0, schedule: path, trace: trace) }
        }
        if path.count >= maxSteps {
            return ExplorerFailure(message: "no end after \(maxSteps) steps (livelock?)", schedule: path, trace: trace)
        }
        // The running thread first, so the preemption-free schedules come first.
        let order = last.map { last in enabled.contains(last) ? [last] + enabled.filter { $0 != last } : enabled } ?? enabled
        for thread in order {
            let preempts = last != nil && thread != last! && enabled.contains(last!)
            let spent = preemptions + (preempts ? 1 : 0)
            if spent > preemptionBound { continue }
            for branch in 0..<model.branchCount(state, thread) {
                var next = state
                let label = model.step(&next, thread, branch: branch)
                path.append(ScheduleChoice(thread: thread, branch: branch))
                trace.append("thread \(thread): \(label)")
                defer {
                    path.removeLast()
                    trace.removeLast()
                }
                if let broken = model.violation(in: next) {
                    return ExplorerFailure(message: broken, schedule: path, trace: trace)
                }
                if let failure = search(
                    state: next, last: thread, preemptions: spent,
                    path: &path, trace: &trace, executions: &executions
                ) {
                    return failure
                }
            }
        }
        return nil
    }

    // MARK: Random schedules

    /// One random schedule from `seed`: at each step the running thread goes on with
    /// probability 3/4 if it can, otherwise a random thread steps, with a random outcome.
    func runRandom(seed: UInt64) -> ExplorerFailure? {
        var rng = SplitMix64(seed: seed)
        var state = model.initialState()
        var path: [ScheduleChoice] = []
        var trace: [String] = []
        var last: Int?
        while true {
            let enabled = enabledThreads(state)
            if enabled.isEmpty {
                return endViolation(state).map { ExplorerFailure(message: $0, schedule: path, trace: trace) }
            }
            if path.count >= maxSteps {
                return ExplorerFailure(message: "no end after \(maxSteps) steps (livelock?)", schedule: path, trace: trace)
            }
            let thread: Int
            if let last, enabled.contains(last), Int.random(in: 0..<4, using: &rng) != 0 {
                thread = last
            } else {
                thread = enabled.randomElement(using: &rng)!
            }
            let branch = Int.random(in: 0..<model.branchCount(state, thread), using: &rng)
            let label = model.step(&state, thread, branch: branch)
            path.append(ScheduleChoice(thread: thread, branch: branch))
            trace.append("thread \(thread): \(label)")
            if let broken = model.violation(in: state) {
                return ExplorerFailure(message: broken, schedule: path, trace: trace)
            }
            last = thread
        }
    }

    // MARK: Replay

    /// Runs exactly `schedule`; returns the failure it leads to (nil if none) and the
    /// trace of the steps taken.
    func replay(_ schedule: [ScheduleChoice]) -> (failure: ExplorerFailure?, trace: [String]) {
        var state = model.initialState()
        var path: [ScheduleChoice] = []
        var trace: [String] = []
        for choice in schedule {
            guard choice.thread < model.threadCount, !model.isFinished(state, choice.thread),
                  model.isEnabled(state, choice.thread),
                  choice.branch < model.branchCount(state, choice.thread) else {
                return (ExplorerFailure(message: "the schedule cannot be followed at \(choice)", schedule: path, trace: trace), trace)
            }
            trace.append("thread \(choice.thread): \(model.step(&state, choice.thread, branch: choice.branch))")
            path.append(choice)
            if let broken = model.violation(in: state) {
                return (ExplorerFailure(message: broken, schedule: path, trace: trace), trace)
            }
        }
        if enabledThreads(state).isEmpty, let broken = endViolation(state) {
            return (ExplorerFailure(message: broken, schedule: path, trace: trace), trace)
        }
        return (nil, trace)
    }
}
