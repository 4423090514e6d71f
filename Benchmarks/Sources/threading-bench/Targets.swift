//===----------------------------------------------------------------------===//
//
// threading-bench: the targets of BENCH.md, each a ratio taken in one run.
//
//===----------------------------------------------------------------------===//

struct Target: Sendable {
    enum Kind: Sendable {
        /// Ours costs at most `k` times the reference (BENCH.md's "≤ k× X").
        case atMostTimes(Double)
        /// Ours is at least `k` times better than the reference ("≥ k× faster", "≥ k× X"
        /// for throughput).
        case atLeastTimesBetter(Double)
        /// Ours' p99 extra is at most `k` times the reference's.
        case p99AtMostTimes(Double)
        /// Ours' figure is below `limit` (an absolute bound, not a ratio).
        case below(Double)
        /// No timed wait of ours returned before its timeout.
        case neverEarly
    }

    let workload: String
    let ours: String
    /// The comparison point; nil for absolute targets.
    let reference: String?
    let kind: Kind
    let text: String
}

let targets: [Target] = {
    var list: [Target] = [
        Target(workload: "lock_uncontended", ours: LockNames.ours, reference: LockNames.pthread,
               kind: .atMostTimes(1.0), text: "≤ 1.0× pthread_mutex_t"),
        Target(workload: "lock_uncontended", ours: LockNames.ours, reference: LockNames.python,
               kind: .atLeastTimesBetter(15), text: "≥ 15× faster than CPython"),
    ]
    for threads in [2, 4, 8] {
        list.append(Target(workload: "lock_contended_\(threads)", ours: LockNames.ours, reference: LockNames.pthread,
                           kind: .atLeastTimesBetter(2), text: "≥ 2× pthread_mutex_t"))
    }
    list += [
        Target(workload: "lock_fairness_go", ours: LockNames.ours, reference: nil,
               kind: .below(100), text: "Go's TestMutexFairness shape finishes in < 100 ms"),
        Target(workload: "rlock_uncontended", ours: LockNames.oursRLock, reference: LockNames.ours,
               kind: .atMostTimes(1.5), text: "≤ 1.5× our Lock"),
        Target(workload: "rlock_uncontended", ours: LockNames.oursRLock, reference: LockNames.pythonRLock,
               kind: .atLeastTimesBetter(10), text: "≥ 10× faster than CPython"),
        Target(workload: "event_pingpong", ours: PingPongNames.event, reference: PingPongNames.dispatchSemaphore,
               kind: .atMostTimes(0.5), text: "≤ 0.5× DispatchSemaphore round trip"),
        Target(workload: "event_pingpong", ours: PingPongNames.event, reference: PingPongNames.pythonEvent,
               kind: .atLeastTimesBetter(8), text: "≥ 8× faster than CPython"),
        Target(workload: "condition_pingpong", ours: PingPongNames.condition, reference: PingPongNames.dispatchSemaphore,
               kind: .atMostTimes(0.5), text: "≤ 0.5× DispatchSemaphore round trip"),
        Target(workload: "condition_pingpong", ours: PingPongNames.condition, reference: PingPongNames.pythonCondition,
               kind: .atLeastTimesBetter(8), text: "≥ 8× faster than CPython"),
    ]
    for name in ["queue_spsc", "queue_mpmc"] {
        list.append(Target(workload: name, ours: QueueNames.ours, reference: QueueNames.ring,
                           kind: .atLeastTimesBetter(8), text: "≥ 8× the pthread ring"))
        list.append(Target(workload: name, ours: QueueNames.ours, reference: QueueNames.python,
                           kind: .atLeastTimesBetter(60), text: "≥ 60× CPython queue.Queue"))
    }
    list += [
        Target(workload: "thread_spawn_join", ours: PoolNames.ourThread, reference: PoolNames.rawThread,
               kind: .atMostTimes(1.1), text: "≤ 1.1× raw pthread_create/pthread_join"),
        Target(workload: "pool_submit", ours: PoolNames.ours, reference: PoolNames.dispatch,
               kind: .atMostTimes(0.5), text: "≤ 0.5× DispatchQueue.global() + DispatchGroup"),
        Target(workload: "pool_submit", ours: PoolNames.ours, reference: PoolNames.python,
               kind: .atLeastTimesBetter(50), text: "≥ 50× faster than CPython"),
        Target(workload: "pool_roundtrip", ours: PoolNames.ours, reference: PoolNames.semaphorePingPong,
               kind: .atMostTimes(1.0), text: "≤ 1.0× a DispatchSemaphore ping-pong round trip"),
        Target(workload: "timeout_accuracy", ours: TimeoutNames.ours, reference: nil,
               kind: .neverEarly, text: "never early"),
        Target(workload: "timeout_accuracy", ours: TimeoutNames.ours, reference: TimeoutNames.nsCondition,
               kind: .atMostTimes(0.5), text: "median overshoot ≤ 0.5× NSCondition.wait(until:)"),
        Target(workload: "timeout_accuracy", ours: TimeoutNames.ours, reference: TimeoutNames.nsCondition,
               kind: .p99AtMostTimes(0.5), text: "p99 overshoot ≤ 0.5× NSCondition.wait(until:)"),
    ]
    return list
}()

/// A target checked against one run.
struct TargetResult: Codable {
    var workload: String
    var target: String
    var ours: String
    var reference: String?
    /// The measured ratio in the target's own terms (ours/reference cost for "≤ k×", the
    /// advantage for "≥ k×"), or the absolute figure.
    var measured: Double?
    /// What the target asks of `measured`.
    var required: Double?
    /// How many times better ours is than the reference (> 1: ours is better), and how many
    /// times better the target asks it to be: the chart's two numbers.
    var advantage: Double?
    var requiredAdvantage: Double?
    /// nil when it could not be decided (a missing implementation, a quick run).
    var met: Bool?
    var note: String?

    var verdict: String {
        switch met {
        case true?: "met"
        case false?: "MISSED"
        case nil: note ?? "n/a"
        }
    }

    /// The measured figure as the table prints it.
    var measuredText = "—"
}

func evaluate(_ target: Target, in workloads: [WorkloadResult], decide: Bool) -> TargetResult? {
    guard let workload = workloads.first(where: { $0.name == target.workload }) else { return nil }
    var result = TargetResult(workload: target.workload, target: target.text, ours: target.ours, reference: target.reference)
    guard let ours = workload.result(target.ours) else {
        result.note = "ours not available"
        return result
    }
    switch target.kind {
    case .atMostTimes(let k):
        guard let reference = target.reference, let advantage = workload.advantage(of: target.ours, over: reference) else {
            result.note = "comparison point not available"
            return result
        }
        result.measured = 1 / advantage
        result.required = k
        result.advantage = advantage
        result.requiredAdvantage = 1 / k
        result.met = 1 / advantage <= k
        result.measuredText = "\(format(1 / advantage))×"
    case .atLeastTimesBetter(let k):
        guard let reference = target.reference, let advantage = workload.advantage(of: target.ours, over: reference) else {
            result.note = "comparison point not available"
            return result
        }
        result.measured = advantage
        result.required = k
        result.advantage = advantage
        result.requiredAdvantage = k
        result.met = advantage >= k
        result.measuredText = "\(format(advantage))×"
    case .p99AtMostTimes(let k):
        guard let reference = target.reference,
              let ourP99 = ours.medianExtras?["p99_us"],
              let theirP99 = workload.result(reference)?.medianExtras?["p99_us"], ourP99 > 0, theirP99 > 0 else {
            result.note = "comparison point not available"
            return result
        }
        result.measured = ourP99 / theirP99
        result.required = k
        result.advantage = theirP99 / ourP99
        result.requiredAdvantage = 1 / k
        result.met = ourP99 / theirP99 <= k
        result.measuredText = "\(format(ourP99 / theirP99))×"
    case .below(let limit):
        result.measured = ours.median
        result.required = limit
        if let median = ours.median, median > 0 {
            result.advantage = limit / median
            result.requiredAdvantage = 1
        }
        // The worst repetition must be in time too: one starved waiter is one too many.
        result.met = (ours.maximum ?? .infinity) < limit
        result.measuredText = "\(format(ours.median ?? 0)) ms (worst \(format(ours.maximum ?? 0)))"
    case .neverEarly:
        let earliest = ours.samples.compactMap { $0.extras?["min_us"] }.min()
        result.measured = earliest
        result.met = earliest.map { $0 >= 0 }
        result.measuredText = earliest.map { "earliest +\(format($0)) µs" } ?? "—"
    }
    if !decide {
        result.met = nil
        result.note = "not judged (--quick)"
    }
    return result
}
