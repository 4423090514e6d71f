//===----------------------------------------------------------------------===//
//
// Threading: Python's threading model for Swift on Linux.
//
//===----------------------------------------------------------------------===//

import CThreadingShims

extension threading {
    /// Diagnostics Python never had: lock holders in thread dumps, lock-order checking,
    /// a wait-for deadlock check with a watchdog, and contention statistics.
    ///
    /// All are off by default; a lock's fast path then only tests one word that says so.
    /// The environment variable `THREADING_DIAGNOSTICS` (`lock-order`, `statistics`,
    /// `holders`, comma-separated) turns them on from the start, without changing the
    /// program.
    ///
    ///     threading.diagnostics.lockOrderChecking = true      // in debug runs
    ///     threading.diagnostics.reportPolicy = .callback { report in log(report) }
    ///     for cycle in threading.diagnostics.findDeadlocks() { print(cycle) }
    public enum diagnostics {
        /// Records which thread holds each `Lock`, so dumps and the deadlock check can
        /// name it. (An `RLock` always knows its owner.) Turned on by the other checks.
        public static var trackLockHolders: Bool {
            get { flags & UInt32(CSHIM_DIAG_TRACK_HOLDERS) != 0 }
            set { setFlag(UInt32(CSHIM_DIAG_TRACK_HOLDERS), newValue) }
        }

        /// Reports a potential deadlock when a thread takes two locks in the opposite order
        /// to an order seen before, before any thread actually hangs (as Abseil and
        /// Linux lockdep do). For debug runs: it keeps a graph of lock orders.
        public static var lockOrderChecking: Bool {
            get { flags & UInt32(CSHIM_DIAG_LOCK_ORDER) != 0 }
            set {
                setFlag(UInt32(CSHIM_DIAG_LOCK_ORDER), newValue)
                if newValue { trackLockHolders = true }
            }
        }

        /// Counts, per lock, acquisitions, contended acquisitions and time spent waiting;
        /// see `mostContendedLocks(limit:)`.
        public static var contentionStatistics: Bool {
            get { flags & UInt32(CSHIM_DIAG_STATISTICS) != 0 }
            set { setFlag(UInt32(CSHIM_DIAG_STATISTICS), newValue) }
        }

        /// What happens to a deadlock report: printed to standard error (the default),
        /// handed to a callback, or a trap.
        public static var reportPolicy: ReportPolicy {
            get { policyStorage.withLock { $0 } }
            set { policyStorage.withLock { $0 = newValue } }
        }

        /// What to do with a `DeadlockReport`.
        public enum ReportPolicy: Sendable {
            /// Write the report to standard error.
            case print
            /// Write the report to standard error, then stop the process.
            case trap
            /// Call the closure with the report (on the thread that found it).
            case callback(@Sendable (DeadlockReport) -> Void)
        }

        private static var flags: UInt32 { cshim_diagnostics_flags() }

        private static func setFlag(_ flag: UInt32, _ on: Bool) {
            flagsMutex.withLock { _ in
                let current = cshim_diagnostics_flags()
                cshim_diagnostics_set_flags(on ? current | flag : current & ~flag)
            }
        }

        /// Hands `report` to the policy.
        internal static func deliver(_ report: DeadlockReport) {
            switch reportPolicy {
            case .print:
                writeToStandardError(report.description + "\n")
            case .trap:
                writeToStandardError(report.description + "\n")
                fatalError("deadlock detected")
            case .callback(let body):
                body(report)
            }
        }
    }

    /// A potential or actual deadlock found by `threading.diagnostics`.
    public struct DeadlockReport: Sendable, CustomStringConvertible {
        /// Which check found it.
        public enum Kind: Sendable {
            /// Two locks taken in both orders, by threads that may one day interleave.
            case lockOrderInversion
            /// Threads each waiting for something another of them holds.
            case deadlock
        }

        /// Which check found it.
        public let kind: Kind
        /// The threads involved, by name.
        public let threads: [String]
        /// The locks involved, as dumps name them (`Lock "db-pool" (0x...)`).
        public let locks: [String]
        /// The report, for a person.
        public let description: String
    }
}

/// Guards the diagnostics switches' read-modify-write.
private let flagsMutex = Locked(())
private let policyStorage = Locked(threading.diagnostics.ReportPolicy.print)

/// A value behind an internal mutex.
internal final class Locked<Value>: @unchecked Sendable {
    private let mutex = InternalMutex()
    private var value: Value

    init(_ value: Value) { self.value = value }

    func withLock<R>(_ body: (inout Value) throws -> R) rethrows -> R {
        mutex.lock()
        defer { mutex.unlock() }
        return try body(&value)
    }
}
