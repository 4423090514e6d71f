//===----------------------------------------------------------------------===//
//
// Threading: Python's threading model for Swift on Linux.
//
// The schedule explorer over the library's real code (CHESS and loom are the models):
// a scenario is run from scratch once per schedule, since real state cannot be cloned,
// under every interleaving with at most `preemptionBound` preemptions (a switch away
// from a thread that could have gone on) in depth-first order, then under random
// schedules from numbered seeds. A failure names its schedule, and one command replays
// it with a trace (see `RealCodeExplorerTests`).
//
//===----------------------------------------------------------------------===//

#if THREADING_SCHEDULE_POINTS

@testable import Threading

/// A few threads of real library calls, built afresh for every execution.
struct RealScenario: Sendable {
    /// One execution's threads and what must hold once they have all finished.
    struct Instance {
        var threads: [@Sendable () -> Void]
        /// A broken invariant, or nil; called after the threads have been joined.
        var check: () -> String?
    }

    var name: String
    var plantedBug: PlantedBug?
    /// How many spurious futex wake-ups each thread may be dealt per execution.
    var spuriousWakeups = 0
    var make: @Sendable () -> Instance
}

/// How one execution ended.
struct RealExecution {
    var failure: String?
    var decisions: [ScheduleChooser.Decision]
    var trace: [String]

    var schedule: [ScheduleChoice] { decisions.map(\.choice) }
}

struct RealCodeExplorer {
    var scenario: RealScenario
    var preemptionBound = 2
    var maxSteps = 3_000
    /// A controlled thread that runs this long without reaching a point has hung.
    var hangSeconds = 30.0

    /// Runs the scenario once: along `forced`, then by the first option (or the random
    /// generator seeded with `seed`).
    func execute(forced: [ScheduleChoice] = [], seed: UInt64? = nil, tracing: Bool = false) -> RealExecution {
        let instance = scenario.make()
        let chooser = ScheduleChooser(forced: forced, seed: seed)
        let run = ScheduleRun(
            threads: instance.threads.count, chooser: chooser, plantedBug: scenario.plantedBug,
            spuriousWakeups: scenario.spuriousWakeups, maxSteps: maxSteps, tracing: tracing)
        let finished = run.execute(instance.threads, hangSeconds: hangSeconds)
        let failure = run.failure ?? (finished ? instance.check() : nil)
        return RealExecution(failure: failure, decisions: chooser.decisions, trace: run.trace)
    }

    /// Every schedule within the preemption bound, depth first; stops at the first
    /// failure, which it replays with a trace.
    func exploreAll() -> (executions: Int, failure: ExplorerFailure?) {
        var prefix: [ScheduleChoice] = []
        var executions = 0
        while true {
            let execution = execute(forced: prefix)
            executions += 1
            if execution.failure != nil { return (executions, replayed(execution.schedule)) }
            guard let next = ScheduleChooser.nextPrefix(after: execution.decisions, bound: preemptionBound) else {
                return (executions, nil)
            }
            prefix = next
        }
    }

    /// One random schedule; its failure, replayed with a trace, or nil.
    func runRandom(seed: UInt64) -> ExplorerFailure? {
        let execution = execute(seed: seed)
        return execution.failure == nil ? nil : replayed(execution.schedule)
    }

    /// Runs exactly `schedule` (then the first options) with a trace.
    func replayed(_ schedule: [ScheduleChoice]) -> ExplorerFailure {
        let execution = execute(forced: schedule, tracing: true)
        return ExplorerFailure(
            message: execution.failure ?? "no failure on replay (nondeterminism?)",
            schedule: execution.schedule, trace: execution.trace)
    }
}

#endif
