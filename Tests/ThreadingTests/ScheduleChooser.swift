//===----------------------------------------------------------------------===//
//
// Threading: Python's threading model for Swift on Linux.
//
//===----------------------------------------------------------------------===//

#if THREADING_SCHEDULE_POINTS

/// Makes each decision of one controlled execution (`ScheduleRun`): the forced choices
/// first, then the first option (depth-first search) or a random one (`rng`).
///
/// Invariant: `decisions` lists every decision taken, with the options that were open
/// then, so a depth-first search can pick the next schedule from it.
final class ScheduleChooser {
    /// One decision: the options open (the running thread's first), what each costs in
    /// preemptions, and which was taken.
    struct Decision {
        var options: [ScheduleChoice]
        var costs: [Int]
        var chosen: Int
        var preemptionsBefore: Int

        var choice: ScheduleChoice { options[chosen] }
    }

    private let forced: [ScheduleChoice]
    private var rng: SplitMix64?
    private(set) var decisions: [Decision] = []
    private(set) var preemptions = 0

    init(forced: [ScheduleChoice], seed: UInt64? = nil) {
        self.forced = forced
        rng = seed.map { SplitMix64(seed: $0) }
    }

    /// The choices taken so far.
    var schedule: [ScheduleChoice] { decisions.map(\.choice) }

    /// Picks one of `options` (non-empty); nil if a forced choice is not among them (the
    /// run diverged from the schedule it was to follow).
    func pick(_ options: [ScheduleChoice], costs: [Int]) -> ScheduleChoice? {
        let index: Int
        if decisions.count < forced.count {
            guard let found = options.firstIndex(of: forced[decisions.count]) else { return nil }
            index = found
        } else if var generator = rng {
            // The running thread goes on with probability 3/4 when it can.
            let free = options.indices.filter { costs[$0] == 0 }
            if free.count < options.count, !free.isEmpty, Int.random(in: 0..<4, using: &generator) != 0 {
                index = free.randomElement(using: &generator)!
            } else {
                index = Int.random(in: 0..<options.count, using: &generator)
            }
            rng = generator
        } else {
            index = 0
        }
        decisions.append(Decision(options: options, costs: costs, chosen: index, preemptionsBefore: preemptions))
        preemptions += costs[index]
        return options[index]
    }

    /// The schedule prefix the depth-first search runs next after `decisions`: the deepest
    /// decision with an untried option within `bound` preemptions, switched to it; nil
    /// once every such schedule has run.
    static func nextPrefix(after decisions: [Decision], bound: Int) -> [ScheduleChoice]? {
        for depth in decisions.indices.reversed() {
            let decision = decisions[depth]
            for option in (decision.chosen + 1)..<decision.options.count
            where decision.preemptionsBefore + decision.costs[option] <= bound {
                return decisions[..<depth].map(\.choice) + [decision.options[option]]
            }
        }
        return nil
    }
}

#endif
