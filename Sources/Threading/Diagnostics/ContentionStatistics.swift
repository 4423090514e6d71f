//===----------------------------------------------------------------------===//
//
// Threading: Python's threading model for Swift on Linux.
//
//===----------------------------------------------------------------------===//

import Synchronization

extension threading {
    /// How contended a lock has been since statistics were turned on.
    public struct LockStatistics: Sendable, CustomStringConvertible {
        /// The lock, as dumps name it (`Lock "db-pool" (0x...)`).
        public let lock: String
        /// Acquisitions counted.
        public let acquisitions: Int
        /// Acquisitions that had to wait.
        public let contendedAcquisitions: Int
        /// Total time threads waited for the lock, in seconds.
        public let totalWait: Double
        /// The longest single wait, in seconds.
        public let maximumWait: Double

        /// One line for a person.
        public var description: String {
            "\(lock): \(acquisitions) acquisitions, \(contendedAcquisitions) contended, "
                + "waited \(formatSeconds(totalWait)) in all, at most \(formatSeconds(maximumWait))"
        }
    }
}

extension threading.diagnostics {
    /// The locks threads waited for most (by total waiting time), most contended first.
    public static func mostContendedLocks(limit: Int = 10) -> [threading.LockStatistics] {
        StatisticsRegistry.shared.snapshot()
            .filter { $0.contendedAcquisitions > 0 }
            .sorted { $0.totalWait > $1.totalWait }
            .prefix(limit)
            .map { $0 }
    }

    /// Zeroes every lock's statistics.
    public static func resetStatistics() {
        StatisticsRegistry.shared.reset()
    }
}

/// One lock's counters, created when statistics are on and the lock is first taken.
internal final class LockCounters: Sendable {
    let acquisitions = Atomic<Int>(0)
    let contended = Atomic<Int>(0)
    let totalWaitNanoseconds = Atomic<UInt64>(0)
    let maximumWaitNanoseconds = Atomic<UInt64>(0)

    func record(waitedNanoseconds: UInt64?) {
        acquisitions.add(1, ordering: .relaxed)
        guard let waited = waitedNanoseconds else { return }
        contended.add(1, ordering: .relaxed)
        totalWaitNanoseconds.add(waited, ordering: .relaxed)
        var maximum = maximumWaitNanoseconds.load(ordering: .relaxed)
        while waited > maximum {
            let (exchanged, original) = maximumWaitNanoseconds.compareExchange(
                expected: maximum, desired: waited, ordering: .relaxed)
            if exchanged { break }
            maximum = original
        }
    }

    func reset() {
        acquisitions.store(0, ordering: .relaxed)
        contended.store(0, ordering: .relaxed)
        totalWaitNanoseconds.store(0, ordering: .relaxed)
        maximumWaitNanoseconds.store(0, ordering: .relaxed)
    }
}

/// Every lock with counters, held weakly.
internal final class StatisticsRegistry: @unchecked Sendable {
    static let shared = StatisticsRegistry()

    private let mutex = InternalMutex()
    private var entries: [(lock: Weak<threading.Lock>, counters: LockCounters)] = []

    func add(_ lock: threading.Lock, _ counters: LockCounters) {
        mutex.lock()
        entries.removeAll { $0.lock.object == nil }
        entries.append((Weak(lock), counters))
        mutex.unlock()
    }

    func snapshot() -> [threading.LockStatistics] {
        mutex.lock()
        let live = entries.compactMap { entry in entry.lock.object.map { ($0, entry.counters) } }
        mutex.unlock()
        return live.map { lock, counters in
            threading.LockStatistics(
                lock: lock.diagnosticName,
                acquisitions: counters.acquisitions.load(ordering: .relaxed),
                contendedAcquisitions: counters.contended.load(ordering: .relaxed),
                totalWait: Double(counters.totalWaitNanoseconds.load(ordering: .relaxed)) / 1e9,
                maximumWait: Double(counters.maximumWaitNanoseconds.load(ordering: .relaxed)) / 1e9
            )
        }
    }

    func reset() {
        mutex.lock()
        let all = entries.map(\.counters)
        mutex.unlock()
        for counters in all { counters.reset() }
    }
}

/// `0.0123 s` or `1.5 ms` or `42 µs`, for people.
internal func formatSeconds(_ seconds: Double) -> String {
    if seconds >= 1 { return "\((seconds * 1000).rounded() / 1000) s" }
    if seconds >= 0.001 { return "\((seconds * 1e4).rounded() / 10) ms" }
    return "\(Int((seconds * 1e6).rounded())) µs"
}
