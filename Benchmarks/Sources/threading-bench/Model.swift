//===----------------------------------------------------------------------===//
//
// threading-bench: workloads, implementations and what one run of them yields.
//
//===----------------------------------------------------------------------===//

/// The figure a workload reports, and which way is better.
enum FigureUnit: String, Codable, Sendable {
    case nanosecondsPerOperation = "ns/op"
    case millionOperationsPerSecond = "M ops/s"
    case microsecondsPerRoundTrip = "µs/round trip"
    case millionItemsPerSecond = "M items/s"
    case microsecondsPerThread = "µs/thread"
    case microsecondsPerTask = "µs/task"
    case microsecondsOvershoot = "µs overshoot (median)"
    case millisecondsToFinish = "ms to finish"
    case slowestShare = "slowest/mean share"

    var higherIsBetter: Bool {
        switch self {
        case .millionOperationsPerSecond, .millionItemsPerSecond, .slowestShare: true
        default: false
        }
    }

    /// The figure from the wall time of `operations` operations.
    func figure(wallSeconds: Double, operations: Int) -> Double {
        let n = Double(operations)
        switch self {
        case .nanosecondsPerOperation: return wallSeconds * 1e9 / n
        case .millionOperationsPerSecond, .millionItemsPerSecond: return n / wallSeconds / 1e6
        case .microsecondsPerRoundTrip, .microsecondsPerThread, .microsecondsPerTask:
            return wallSeconds * 1e6 / n
        case .millisecondsToFinish: return wallSeconds * 1e3
        case .microsecondsOvershoot, .slowestShare:
            preconditionFailure("\(self) figures are computed by the workload")
        }
    }
}

/// Who wrote an implementation.
enum Origin: String, Codable, Sendable {
    /// This library.
    case ours
    /// Swift on Linux: pthread, Synchronization, Foundation, Dispatch, swift-nio.
    case swift
    /// CPython, run by `python3` in a child process.
    case python
}

/// What one run of one implementation gave.
struct Measurement: Sendable {
    var timing: Timing
    /// Set by workloads whose figure is not a plain function of the wall time.
    var figure: Double?
    /// Secondary figures (p99 overshoot, per-thread shares, ...).
    var extras: [String: Double] = [:]
}

/// Why an implementation could not run at all (as opposed to running wrongly).
struct NotAvailable: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// One implementation of a workload.
struct Implementation: Sendable {
    let name: String
    let origin: Origin
    /// Runs the workload at `size` operations; throws `CheckFailure` if its result is
    /// wrong, `NotAvailable` if it cannot run here.
    let run: @Sendable (_ size: Int) throws -> Measurement

    init(_ name: String, _ origin: Origin, _ run: @escaping @Sendable (_ size: Int) throws -> Measurement) {
        self.name = name
        self.origin = origin
        self.run = run
    }
}

/// One row of BENCH.md's workload table, with every implementation of it.
struct Workload: Sendable {
    let name: String
    let summary: String
    let unit: FigureUnit
    /// Operations in a full run, as BENCH.md gives them.
    let size: Int
    /// Operations in a `--quick` run.
    let quickSize: Int
    /// Timed repetitions in a full run (each one runs every implementation once).
    var repetitions = 5
    /// Our implementation the others are compared with.
    let primary: String
    var implementations: [Implementation]
    /// For workloads that interleave implementations inside one repetition (timeouts):
    /// runs every Swift implementation at once and returns one measurement for each.
    var runTogether: (@Sendable (_ size: Int, _ implementations: [String]) throws -> [String: Measurement])?
}

// MARK: - Results

struct SampleRecord: Codable {
    var figure: Double
    var wallSeconds: Double
    var cpuSeconds: Double
    var extras: [String: Double]?
}

struct ImplementationResult: Codable {
    var name: String
    var origin: Origin
    /// "ok", "check failed: ...", or "not available: ...".
    var status: String
    var samples: [SampleRecord] = []
    var median: Double?
    var minimum: Double?
    var maximum: Double?
    var medianWallSeconds: Double?
    var medianCPUSeconds: Double?
    var medianExtras: [String: Double]?

    var ok: Bool { status == "ok" }
}

struct WorkloadResult: Codable {
    var name: String
    var summary: String
    var unit: FigureUnit
    var higherIsBetter: Bool
    var size: Int
    var repetitions: Int
    var primary: String
    var loadAverageAtStart: [Double]
    var implementations: [ImplementationResult]

    func result(_ name: String) -> ImplementationResult? {
        implementations.first { $0.name == name && $0.ok && $0.median != nil }
    }

    /// How many times better `primary` is than `other` on this workload's figure (> 1:
    /// ours is faster), from the medians.
    func advantage(of primary: String, over other: String) -> Double? {
        guard let ours = result(primary)?.median, let theirs = result(other)?.median,
              ours > 0, theirs > 0 else { return nil }
        return higherIsBetter ? ours / theirs : theirs / ours
    }
}

func median(_ values: [Double]) -> Double {
    let sorted = values.sorted()
    let mid = sorted.count / 2
    return sorted.count % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2
}

/// The `p`-th percentile (0...100), nearest rank.
func percentile(_ values: [Double], _ p: Double) -> Double {
    let sorted = values.sorted()
    let rank = Int((p / 100 * Double(sorted.count)).rounded(.up)) - 1
    return sorted[max(0, min(sorted.count - 1, rank))]
}
