//===----------------------------------------------------------------------===//
//
// Threading: Python's threading model for Swift on Linux.
//
//===----------------------------------------------------------------------===//

extension threading.diagnostics {
    /// Finds threads that are deadlocked now: cycles of threads, each waiting (inside the
    /// library) for something another of them holds — a lock, or a thread it joins.
    ///
    /// A `Lock`'s holder is known only while `trackLockHolders` is on (the watchdog and
    /// lock-order checking turn it on); `RLock` owners and joins are always known. Each
    /// edge of a cycle is checked twice, so a wait that ends meanwhile is not reported.
    public static func findDeadlocks() -> [threading.DeadlockReport] {
        struct Wait {
            let waiter: UInt
            let target: any WaitTarget
            let since: Deadline
            let holders: [UInt]
        }
        var waits: [UInt: Wait] = [:]
        for parker in ParkerRegistry.shared.all {
            guard let site = parker.waitSite else { continue }
            waits[parker.threadIdent] = Wait(
                waiter: parker.threadIdent, target: site.target, since: site.since, holders: site.target.holders)
        }
        var reports: [threading.DeadlockReport] = []
        var reported: Set<UInt> = []
        for start in waits.keys.sorted() where !reported.contains(start) {
            // Follow the first holder of each wait; a cycle back to a thread on the path is
            // a deadlock.
            var path: [UInt] = []
            var position: [UInt: Int] = [:]
            var current = start
            while let wait = waits[current], let next = wait.holders.first, !reported.contains(current) {
                if let index = position[current] {
                    let cycle = Array(path[index...])
                    if stillDeadlocked(cycle.map { waits[$0]! }) {
                        reports.append(report(cycle.map { waits[$0]! }))
                        reported.formUnion(cycle)
                    }
                    break
                }
                position[current] = path.count
                path.append(current)
                current = next
            }
        }
        return reports

        func stillDeadlocked(_ cycle: [Wait]) -> Bool {
            cycle.indices.allSatisfy { i in
                let wait = cycle[i]
                let next = cycle[(i + 1) % cycle.count].waiter
                guard let site = ParkerRegistry.shared.parker(ofThread: wait.waiter)?.waitSite else { return false }
                return site.target === wait.target && site.since == wait.since && site.target.holders.contains(next)
            }
        }

        func report(_ cycle: [Wait]) -> threading.DeadlockReport {
            let names = cycle.map { ThreadRegistry.shared.nameOfThread($0.waiter) }
            var lines = ["Deadlock: \(cycle.count) thread\(cycle.count == 1 ? " waits for itself" : "s wait for each other")"]
            for (i, wait) in cycle.enumerated() {
                let next = names[(i + 1) % cycle.count]
                let what = (wait.target as? threading.Thread).map { "joins \"\($0.name)\"" }
                    ?? "waits on \(wait.target.diagnosticName), held by \"\(next)\""
                lines.append("  thread \"\(names[i])\" (ident=\(wait.waiter)) \(what)")
            }
            return threading.DeadlockReport(
                kind: .deadlock,
                threads: names,
                locks: cycle.map { $0.target.diagnosticName },
                description: lines.joined(separator: "\n")
            )
        }
    }

    /// Starts a daemon thread that looks for deadlocks every `interval` seconds and hands
    /// each new one to `reportPolicy`; turns on `trackLockHolders`. Calling it again
    /// changes nothing while the watchdog runs.
    public static func startWatchdog(interval: Double = 1.0) throws {
        trackLockHolders = true
        try Watchdog.shared.start(interval: interval)
    }

    /// Stops the watchdog thread, if it runs.
    public static func stopWatchdog() {
        Watchdog.shared.stop()
    }
}

/// The deadlock watchdog's thread and what it has already reported.
private final class Watchdog: @unchecked Sendable {
    static let shared = Watchdog()

    private let mutex = InternalMutex()
    private var stopEvent: threading.Event?

    func start(interval: Double) throws {
        mutex.lock()
        guard stopEvent == nil else {
            mutex.unlock()
            return
        }
        let stop = threading.Event()
        stopEvent = stop
        mutex.unlock()
        let thread = threading.Thread(name: "threading-watchdog", daemon: true) {
            var seen: Set<String> = []
            while try !stop.wait(timeout: interval) {
                for report in threading.diagnostics.findDeadlocks() {
                    let key = report.description.split(separator: "\n").dropFirst().sorted().joined()
                    if seen.insert(key).inserted { threading.diagnostics.deliver(report) }
                }
            }
        }
        try thread.start()
    }

    func stop() {
        mutex.lock()
        let stop = stopEvent
        stopEvent = nil
        mutex.unlock()
        stop?.set()
    }
}
