//===----------------------------------------------------------------------===//
//
// Threading: Python's threading model for Swift on Linux.
//
// The schedule explorer over the library's real code: Lock, RLock, Condition (with wait
// morphing, over a Lock or an RLock), Event, Barrier, Queue (with join and shutdown) and
// Semaphore, with the parking core and the internal mutex underneath, each scenario
// under every interleaving with at most 2 preemptions and under random seeds. Planted
// bugs (`PlantedBug`, switched on in the library for one run) show the explorer finds
// what it is for.
//
// Built only with the schedule points compiled in:
//
//     swift test -Xswiftc -DTHREADING_SCHEDULE_POINTS --scratch-path .build-explore --filter RealCodeExplorerTests
//
// A failure prints the command that replays it with a trace, e.g.
//
//     THREADING_EXPLORER_SCHEDULE='0 0 1 1 0 ...' swift test -Xswiftc -DTHREADING_SCHEDULE_POINTS \
//         --scratch-path .build-explore --filter 'RealCodeExplorerTests/lock_two_threads'
//
// (a choice `t.b` is thread t with branch b: 1 lets a sleeping thread's deadline pass,
// 2 is a spurious wake-up). THREADING_EXPLORER_SEED replays a random seed the same way.
// THREADING_EXPLORER_SEEDS sets the random seeds per scenario (default 200, times
// THREADING_STRESS_SCALE).
//
//===----------------------------------------------------------------------===//

#if THREADING_SCHEDULE_POINTS

import Foundation
import Testing
@testable import Threading

@Suite("RealCodeExplorerTests", .serialized, .wedgeDetector)
struct RealCodeExplorerTests {
    static let seeds: Int = {
        let environment = ProcessInfo.processInfo.environment
        if let seeds = environment["THREADING_EXPLORER_SEEDS"].flatMap(Int.init) { return seeds }
        let scale = environment["THREADING_STRESS_SCALE"].flatMap(Double.init) ?? 1
        return max(1, Int((200 * scale).rounded()))
    }()

    /// Explores `scenario` (preemption bound 2, then `seeds` random schedules), or replays
    /// THREADING_EXPLORER_SCHEDULE / THREADING_EXPLORER_SEED; records a failure with the
    /// command that reproduces it.
    func explore(_ scenario: RealScenario, sourceLocation: SourceLocation = #_sourceLocation) async throws {
        let seeds = Self.seeds
        let problem = try await onOwnThread(name: "explorer") { Self.exploration(scenario, seeds: seeds) }
        if let problem { Issue.record(Comment(rawValue: problem), sourceLocation: sourceLocation) }
    }

    /// The replay THREADING_EXPLORER_SCHEDULE or THREADING_EXPLORER_SEED asks for, printed
    /// with its trace: nil if none is asked for, else the failure it ends in (or nil).
    private static func replay(_ explorer: RealCodeExplorer) -> String?? {
        let environment = ProcessInfo.processInfo.environment
        let execution: RealExecution
        if let text = environment["THREADING_EXPLORER_SCHEDULE"] {
            execution = explorer.execute(forced: ScheduleChoice.parse(text), tracing: true)
        } else if let seed = environment["THREADING_EXPLORER_SEED"].flatMap(UInt64.init) {
            execution = explorer.execute(seed: seed, tracing: true)
        } else {
            return nil
        }
        print("replay \(explorer.scenario.name):\n" + execution.trace.joined(separator: "\n")
            + "\nschedule: " + execution.schedule.map(\.description).joined(separator: " ")
            + "\noutcome: " + (execution.failure ?? "no failure"))
        return .some(execution.failure)
    }

    private static func exploration(_ scenario: RealScenario, seeds: Int) -> String? {
        let explorer = RealCodeExplorer(scenario: scenario)
        if let replayed = replay(explorer) { return replayed }
        let command = "swift test -Xswiftc -DTHREADING_SCHEDULE_POINTS --scratch-path .build-explore "
            + "--filter 'RealCodeExplorerTests/\(scenario.name)'"
        let start = Deadline.now
        let (executions, failure) = explorer.exploreAll()
        if let failure {
            return "\(failure)\nreproduce: THREADING_EXPLORER_SCHEDULE='\(failure.scheduleText)' \(command)"
        }
        for seed in 0..<UInt64(seeds) {
            if let failure = explorer.runRandom(seed: seed) {
                return "\(failure)\nreproduce: THREADING_EXPLORER_SEED=\(seed) \(command)"
            }
        }
        let seconds = String(format: "%.1f", -start.secondsRemaining)
        print("explorer \(scenario.name): \(executions) schedules (preemption bound 2), \(seeds) random seeds, 0 failures, \(seconds) s")
        return nil
    }

    /// The explorer must find the bug `scenario` plants (within `preemptionBound`
    /// preemptions, or else under `seeds` random schedules), and the schedule it names
    /// must replay to the same failure.
    func expectCaught(
        _ scenario: RealScenario,
        _ expected: String,
        preemptionBound: Int = 2,
        sourceLocation: SourceLocation = #_sourceLocation
    ) async throws {
        let seeds = Self.seeds
        let replayRequested = try await onOwnThread(name: "explorer") { Self.replay(RealCodeExplorer(scenario: scenario)) != nil }
        if replayRequested { return }
        let (failure, replayed) = try await onOwnThread(name: "explorer") { () -> (ExplorerFailure?, String?) in
            var explorer = RealCodeExplorer(scenario: scenario)
            explorer.preemptionBound = preemptionBound
            let (executions, bounded) = explorer.exploreAll()
            var found = bounded.map { ($0, "within \(preemptionBound) preemptions, at schedule \(executions)") }
            for seed in 0..<UInt64(seeds) where found == nil {
                found = explorer.runRandom(seed: seed).map { ($0, "beyond the preemption bound, by random seed \(seed)") }
            }
            guard let (failure, how) = found else { return (nil, nil) }
            print("planted bug in \(scenario.name) caught \(how): \(failure.message)\n"
                + "replay: THREADING_EXPLORER_SCHEDULE='\(failure.scheduleText)' swift test -Xswiftc -DTHREADING_SCHEDULE_POINTS "
                + "--scratch-path .build-explore --filter 'RealCodeExplorerTests/\(scenario.name)'")
            return (failure, explorer.execute(forced: failure.schedule).failure)
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
        try await explore(RealCodeScenarios.lock("lock_two_threads", threads: 2, iterations: 2))
    }

    @Test func lock_three_threads() async throws {
        try await explore(RealCodeScenarios.lock("lock_three_threads", threads: 3, iterations: 1))
    }

    @Test func lock_timed_acquire() async throws {
        try await explore(RealCodeScenarios.lock("lock_timed_acquire", threads: 2, iterations: 2, timed: [1]))
    }

    @Test func lock_three_threads_one_timed() async throws {
        try await explore(RealCodeScenarios.lock("lock_three_threads_one_timed", threads: 3, iterations: 1, timed: [2]))
    }

    @Test func lock_spurious_wakeups() async throws {
        var scenario = RealCodeScenarios.lock("lock_spurious_wakeups", threads: 2, iterations: 1, timed: [1])
        scenario.spuriousWakeups = 1
        try await explore(scenario)
    }

    // MARK: RLock

    @Test func rlock_recursive() async throws {
        try await explore(RealCodeScenarios.rlock("rlock_recursive"))
    }

    @Test func rlock_timed_acquire() async throws {
        try await explore(RealCodeScenarios.rlock("rlock_timed_acquire", timed: true))
    }

    // MARK: Condition

    @Test func condition_notify() async throws {
        try await explore(RealCodeScenarios.condition("condition_notify", consumers: 1))
    }

    @Test func condition_two_consumers_one_timed() async throws {
        try await explore(RealCodeScenarios.condition("condition_two_consumers_one_timed", consumers: 2, timed: [1]))
    }

    @Test func condition_notify_all() async throws {
        try await explore(RealCodeScenarios.condition("condition_notify_all", consumers: 2, notifyAll: true))
    }

    @Test func condition_rlock_notify() async throws {
        try await explore(RealCodeScenarios.condition("condition_rlock_notify", consumers: 1, reentrant: true))
    }

    @Test func condition_rlock_timed_wait() async throws {
        try await explore(RealCodeScenarios.condition("condition_rlock_timed_wait", consumers: 1, timed: [0], reentrant: true))
    }

    // MARK: Barrier

    @Test func barrier_two_rounds() async throws {
        try await explore(RealCodeScenarios.barrier("barrier_two_rounds", threads: 2, rounds: 2))
    }

    @Test func barrier_three_parties() async throws {
        try await explore(RealCodeScenarios.barrier("barrier_three_parties", threads: 3, rounds: 1))
    }

    @Test func barrier_timed_wait_breaks() async throws {
        try await explore(RealCodeScenarios.barrier("barrier_timed_wait_breaks", threads: 3, rounds: 1, timed: true))
    }

    // MARK: Event, Queue, Semaphore

    @Test func event_set_clear_wait() async throws {
        try await explore(RealCodeScenarios.event("event_set_clear_wait"))
    }

    @Test func queue_producer_two_consumers() async throws {
        try await explore(RealCodeScenarios.boundedQueue("queue_producer_two_consumers", items: [1, 2, 3], gets: [2, 1]))
    }

    @Test func queue_timed_get() async throws {
        try await explore(RealCodeScenarios.boundedQueue("queue_timed_get", items: [1, 2], gets: [1, 1], timed: [1]))
    }

    @Test func queue_join_task_done() async throws {
        try await explore(RealCodeScenarios.queueJoin("queue_join_task_done"))
    }

    @Test func queue_shutdown() async throws {
        try await explore(RealCodeScenarios.queueShutdown("queue_shutdown", items: [1, 2], immediate: false))
    }

    @Test func queue_shutdown_immediate() async throws {
        try await explore(RealCodeScenarios.queueShutdown("queue_shutdown_immediate", items: [1, 2], immediate: true))
    }

    @Test func semaphore_acquire_release() async throws {
        try await explore(RealCodeScenarios.semaphore("semaphore_acquire_release"))
    }

    // MARK: Planted bugs

    @Test func planted_lock_parks_without_parked_bit() async throws {
        try await expectCaught(
            RealCodeScenarios.lock("planted_lock_parks_without_parked_bit", threads: 2, iterations: 1, plantedBug: .lockParksWithoutParkedBit),
            "deadlock or lost wake-up")
    }

    @Test func planted_lock_release_forgets_wake() async throws {
        try await expectCaught(
            RealCodeScenarios.lock("planted_lock_release_forgets_wake", threads: 2, iterations: 1, plantedBug: .lockReleaseForgetsWake),
            "deadlock or lost wake-up")
    }

    @Test func planted_parker_wake_loads_then_stores() async throws {
        // The waiter must sleep between the waker's load and store, and the waker must be
        // mid-release while the waiter parks: three preemptions.
        try await expectCaught(
            RealCodeScenarios.lock("planted_parker_wake_loads_then_stores", threads: 2, iterations: 1, plantedBug: .parkerWakeLoadsThenStores),
            "deadlock or lost wake-up", preemptionBound: 3)
    }

    @Test func planted_wait_list_timeout_ignores_dequeue() async throws {
        try await expectCaught(
            RealCodeScenarios.boundedQueue("planted_wait_list_timeout_ignores_dequeue", items: [1, 2], gets: [1, 1], timed: [1], plantedBug: .waitListTimeoutIgnoresDequeue),
            "items put")
    }

    @Test func planted_condition_releases_before_queueing() async throws {
        try await expectCaught(
            RealCodeScenarios.condition("planted_condition_releases_before_queueing", consumers: 1, plantedBug: .conditionReleasesBeforeQueueing),
            "deadlock or lost wake-up")
    }

    // MARK: The explorer itself

    @Test func a_failing_schedule_replays_with_its_trace() async throws {
        let scenario = RealCodeScenarios.lock("planted", threads: 2, iterations: 1, plantedBug: .lockParksWithoutParkedBit)
        let (first, again) = try await onOwnThread(name: "explorer") { () -> (RealExecution?, RealExecution?) in
            let explorer = RealCodeExplorer(scenario: scenario)
            guard let seed = (0..<UInt64(500)).first(where: { explorer.execute(seed: $0).failure != nil }) else {
                return (nil, nil)
            }
            let first = explorer.execute(seed: seed, tracing: true)
            return (first, explorer.execute(forced: first.schedule, tracing: true))
        }
        let failure = try #require(first, "random schedules find the planted bug")
        #expect(failure.failure != nil)
        #expect(again?.failure == failure.failure)
        #expect(again?.trace == failure.trace, "a schedule names one execution of the real code")
    }
}

#endif
