//===----------------------------------------------------------------------===//
//
// Threading: Python's threading model for Swift on Linux.
//
// Ctrl-C as KeyboardInterrupt (child processes that receive a real SIGINT), thread dumps,
// lock-order checking, the wait-for deadlock check and its watchdog, and contention
// statistics.
//
//===----------------------------------------------------------------------===//

import Foundation
import Synchronization
import Testing

@testable import Threading

/// Starts `threading-test-child` with `arguments`, waits for it to print `ready`, then
/// sends it `signals`, one after another, each after the child has printed the matching
/// line of `awaiting` (if given), and, optionally, a line on its standard input;
/// returns everything it printed and how it ended. A child still running after
/// `timeout` seconds is killed with SIGKILL and the test fails, rather than hanging.
func runChildSignalled(
    _ arguments: [String],
    signals: [Int32],
    awaiting: [String?] = [],
    input: String? = nil,
    inputAfter: String? = nil,
    timeout: Double = 60,
    sourceLocation: SourceLocation = #_sourceLocation
) throws -> (stdout: [String], stderr: String, status: Int32, signalled: Bool) {
    let testBinary = URL(fileURLWithPath: try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"))
    let process = Process()
    process.executableURL = testBinary.deletingLastPathComponent().appendingPathComponent("threading-test-child")
    process.arguments = arguments
    let out = Pipe()
    let err = Pipe()
    let inp = Pipe()
    process.standardOutput = out
    process.standardError = err
    process.standardInput = inp
    try process.run()
    // The reads below block until the child exits: make sure it does.
    let pid = process.processIdentifier
    let exited = Flag()
    let killed = Flag()
    DispatchQueue.global().asyncAfter(deadline: .now() + timeout) {
        if !exited.isRaised {
            killed.raise()
            kill(pid, SIGKILL)
        }
    }
    defer {
        if killed.isRaised {
            Issue.record("child \(arguments) did not exit within \(timeout) s", sourceLocation: sourceLocation)
        }
    }
    var collected = Data()
    let deadline = Deadline.after(seconds: timeout)
    func readUntil(_ line: String) {
        while !String(decoding: collected, as: UTF8.self).contains(line + "\n") {
            let chunk = out.fileHandleForReading.availableData
            if chunk.isEmpty || deadline.hasPassed {
                kill(process.processIdentifier, SIGKILL)
                Issue.record("child never printed \(line)", sourceLocation: sourceLocation)
                return
            }
            collected.append(chunk)
        }
    }
    readUntil("ready")
    for (index, signal) in signals.enumerated() {
        if index < awaiting.count, let line = awaiting[index] { readUntil(line) }
        kill(process.processIdentifier, signal)
    }
    if let inputAfter { readUntil(inputAfter) }
    if let input { inp.fileHandleForWriting.write(Data(input.utf8)) }
    try? inp.fileHandleForWriting.close()
    let rest = out.fileHandleForReading.readDataToEndOfFile()
    let errors = err.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    exited.raise()
    collected.append(rest)
    let lines = String(decoding: collected, as: UTF8.self).split(separator: "\n").map(String.init)
    return (lines, String(decoding: errors, as: UTF8.self), process.terminationStatus,
            process.terminationReason == .uncaughtSignal)
}

@Suite("KeyboardInterruptTests", .wedgeDetector)
struct KeyboardInterruptTests {
    /// For each kind of wait: the line that shows the primitive intact afterwards.
    static let kinds: [(String, String?)] = [
        ("join", nil),
        ("lock", "lock held by holder: true; acquired by main: false"),
        ("rlock", "rlock owned by main: false"),
        ("condition", "condition lock released: true"),
        ("event", nil),
        ("semaphore", "semaphore value after one release: true"),
        ("barrier", "barrier broken: false, waiting: 0"),
        ("queue_get", "queue holds: 1"),
        ("queue_put", "queue holds: 1, first: 1"),
        ("future", nil),
        ("wait", nil),
    ]

    @Test(arguments: kinds.map(\.0))
    func test_sigint_interrupts_main_thread_wait(kind: String) throws {
        let result = try runChildSignalled(["interrupt", kind], signals: [SIGINT])
        #expect(result.stdout.contains("KeyboardInterrupt"), "\(result.stdout)")
        #expect(!result.stdout.contains("no interrupt"))
        if let intact = Self.kinds.first(where: { $0.0 == kind })?.1 {
            #expect(result.stdout.contains(intact), "\(result.stdout)")
        }
        // The other thread's timed wait was not disturbed: it returned when released.
        #expect(result.stdout.contains("bystander woke: true"), "\(result.stdout)")
        #expect(result.status == 0)
    }

    @Test func test_second_ctrl_c_ends_a_busy_process() throws {
        // The second SIGINT goes once the child shows the first is pending, so the two are
        // never merged into one by the kernel.
        let result = try runChildSignalled(["interrupt_busy"], signals: [SIGINT, SIGINT], awaiting: [nil, "pending"])
        #expect(result.signalled)
        #expect(result.status == SIGINT)
    }

    @Test func test_pending_ctrl_c_is_raised_by_the_next_wait() throws {
        let result = try runChildSignalled(["interrupt_pending"], signals: [SIGINT], input: "go\n")
        #expect(result.stdout.suffix(2) == ["got go", "KeyboardInterrupt"], "\(result.stdout)")
    }

    @Test func test_interrupt_main() throws {
        let result = try runChild("interrupt_main")
        #expect(result.stdout == "KeyboardInterrupt in join\nKeyboardInterrupt at once\nValueError: signal number out of range\n")
    }

    @Test func test_interrupt_main_without_handler_does_nothing() throws {
        let result = try runChild("interrupt_disabled")
        #expect(result.stdout == "not interrupted\n")
    }

    @Test func test_sigquit_writes_a_thread_dump() throws {
        let result = try runChildSignalled(["sigquit_dump"], signals: [SIGQUIT], input: "done\n", inputAfter: "dumped")
        #expect(result.stderr.contains("Thread dump:"), "\(result.stderr)")
        #expect(result.stderr.contains("\"blocked-worker\""))
        #expect(result.stderr.contains("on Lock \"dumped\""))
        #expect(result.status == 0)
    }

    @Test func test_enable_off_main_thread_is_an_error() {
        // Tests run off the main thread.
        expectPythonError(ValueError.self, "signal only works in main thread of the main interpreter") {
            try threading.enableKeyboardInterrupt()
        }
    }
}

extension ThreadObjectTests {
    /// In-process diagnostics; they flip process-wide switches, so they run serialized.
    @Suite("DiagnosticsTests")
    struct DiagnosticsTests {
        /// Runs `body` with the given switches on and deadlock reports collected, then
        /// restores the defaults.
        func withDiagnostics(
            lockOrder: Bool = false,
            statistics: Bool = false,
            _ body: (Locked<[threading.DeadlockReport]>) throws -> Void
        ) rethrows {
            let reports = Locked<[threading.DeadlockReport]>([])
            // Restored afterwards, so a run under THREADING_DIAGNOSTICS keeps its settings.
            let saved = (
                threading.diagnostics.trackLockHolders,
                threading.diagnostics.lockOrderChecking,
                threading.diagnostics.contentionStatistics
            )
            threading.diagnostics.reportPolicy = .callback { report in reports.withLock { $0.append(report) } }
            threading.diagnostics.trackLockHolders = true
            threading.diagnostics.lockOrderChecking = lockOrder || saved.1
            threading.diagnostics.contentionStatistics = statistics || saved.2
            defer {
                threading.diagnostics.lockOrderChecking = saved.1
                threading.diagnostics.contentionStatistics = saved.2
                threading.diagnostics.trackLockHolders = saved.0
                threading.diagnostics.reportPolicy = .print
            }
            try body(reports)
        }

        @Test func test_thread_dump_shows_waiter_and_holder() throws {
            try withDiagnostics { _ in
                try expectNoThreadLeak {
                    let lock = threading.Lock(label: "db-pool")
                    let go = threading.Event()
                    let holder = threading.Thread(name: "holder-thread") {
                        lock.acquire()
                        go.wait()
                        try lock.release()
                    }
                    try holder.start()
                    // Waiting on `go`, the holder has finished acquiring, bookkeeping included
                    // (`locked` turns true before the holder is recorded).
                    waitUntil { go.waitingCount == 1 }
                    let waiter = threading.Thread(name: "blocked-thread") { lock.withLock {} }
                    try waiter.start()
                    waitUntil { lock.parkedCount == 1 }
                    let dump = threading.threadDump()
                    let line = dump.split(separator: "\n").first { $0.hasPrefix("\"blocked-thread\"") }
                    let waiting = try #require(line, "\(dump)")
                    #expect(matches(String(waiting), #"^"blocked-thread" ident=\d+ native_id=\d+ daemon=\w+: waiting .* on Lock "db-pool" \(0x[0-9a-f]+\), held by "holder-thread" \(ident=\d+\)$"#), "\(waiting)")
                    #expect(dump.contains("\"holder-thread\" ident="))
                    #expect(dump.contains("waiting"))
                    #expect(matches(dump, #"\n"holder-thread" .*: waiting .* on Event"#), "\(dump)")
                    go.set()
                    try waiter.join()
                    try holder.join()
                    #expect(threading.threadDump().contains("\"blocked-thread\"") == false)
                }
            }
        }

        @Test func test_lock_order_inversion_is_reported_before_any_hang() throws {
            try withDiagnostics(lockOrder: true) { reports in
                try expectNoThreadLeak {
                    let first = threading.Lock(label: "first")
                    let second = threading.Lock(label: "second")
                    // At different times, so nothing hangs: A then B, later B then A.
                    let t1 = threading.Thread(name: "orderly") { first.withLock { second.withLock {} } }
                    try t1.start()
                    try t1.join()
                    #expect(reports.snapshot.isEmpty)
                    let t2 = threading.Thread(name: "inverted") { second.withLock { first.withLock {} } }
                    try t2.start()
                    try t2.join()
                }
                let ours = reports.snapshot.filter { $0.locks.contains { $0.contains("\"first\"") } }
                let report = try #require(ours.first)
                #expect(ours.count == 1)
                #expect(report.kind == .lockOrderInversion)
                #expect(report.threads == ["inverted", "orderly"])
                #expect(report.description.contains("thread \"inverted\" acquires Lock \"first\""))
                #expect(report.description.contains("while holding Lock \"second\""))
                #expect(report.description.contains("thread \"orderly\" earlier acquired Lock \"second\""))
            }
        }

        @Test func test_lock_used_as_a_signal_is_not_reported() throws {
            // A Lock released by another thread is a signal (legal in Python): taking it in
            // both orders with a mutex is not an inversion.
            try withDiagnostics(lockOrder: true) { reports in
                let mutex = threading.Lock(label: "mutex")
                let signal = threading.Lock(label: "signal")
                signal.acquire()
                try Bunch.run(count: 1) { _ in try signal.release() }
                mutex.withLock { signal.withLock {} }
                try signal.withLock { try Bunch.run(count: 1) { _ in mutex.withLock {} } }
                signal.acquire()
                mutex.withLock {}
                try signal.release()
                #expect(reports.snapshot.filter { $0.locks.contains { $0.contains("\"signal\"") } }.isEmpty)
            }
        }

        @Test func test_consistent_order_is_never_reported() throws {
            try withDiagnostics(lockOrder: true) { reports in
                let locks = (0..<4).map { threading.Lock(label: "ordered-\($0)") }
                try Bunch.run(count: 4) { _ in
                    for _ in 0..<200 {
                        for lock in locks { lock.acquire() }
                        for lock in locks.reversed() { try lock.release() }
                    }
                }
                #expect(reports.snapshot.filter { $0.locks.contains { $0.contains("ordered-") } }.isEmpty)
            }
        }

        @Test func test_wait_for_graph_finds_a_real_deadlock() throws {
            try withDiagnostics { _ in
                try expectNoThreadLeak {
                    let a = threading.Lock(label: "A")
                    let b = threading.Lock(label: "B")
                    let bothHeld = try threading.Barrier(parties: 2)
                    let t1 = threading.Thread(name: "left") {
                        a.acquire()
                        try bothHeld.wait()
                        b.acquire()          // deadlocks until the test releases A
                        try b.release()
                    }
                    let t2 = threading.Thread(name: "right") {
                        b.acquire()
                        try bothHeld.wait()
                        a.acquire()
                        try a.release()
                        try b.release()
                    }
                    try t1.start()
                    try t2.start()
                    waitUntil { a.parkedCount == 1 && b.parkedCount == 1 }
                    let found = threading.diagnostics.findDeadlocks()
                    #expect(found.count == 1)
                    let report = try #require(found.first)
                    #expect(report.kind == .deadlock)
                    #expect(Set(report.threads) == ["left", "right"])
                    #expect(report.description.contains("thread \"left\""))
                    #expect(report.description.contains("waits on Lock \"B\""))
                    #expect(report.description.contains("held by \"right\""))
                    #expect(report.description.contains("waits on Lock \"A\""))
                    // Python's Lock may be released by any thread: break the cycle.
                    try a.release()
                    try t2.join()
                    try t1.join()
                    #expect(threading.diagnostics.findDeadlocks().isEmpty)
                }
            }
        }

        @Test func test_join_cycle_is_found_by_the_watchdog() throws {
            try withDiagnostics { reports in
                try expectNoThreadLeak {
                    try threading.diagnostics.startWatchdog(interval: 0.05)
                    defer { threading.diagnostics.stopWatchdog() }
                    // "joiner" holds L and joins "victim", which waits for L: a cycle
                    // through a join.
                    let lock = threading.Lock(label: "L")
                    let victim = threading.Thread(name: "victim") { lock.withLock {} }
                    let joiner = threading.Thread(name: "joiner") {
                        lock.acquire()
                        try victim.start()
                        try victim.join()
                    }
                    try joiner.start()
                    waitUntil { reports.snapshot.contains { $0.kind == .deadlock } }
                    let report = try #require(reports.snapshot.first { $0.kind == .deadlock })
                    #expect(Set(report.threads) == ["joiner", "victim"])
                    #expect(report.description.contains("thread \"joiner\""))
                    #expect(report.description.contains("joins \"victim\""))
                    #expect(report.description.contains("waits on Lock \"L\""))
                    #expect(reports.snapshot.filter { $0.kind == .deadlock }.count == 1, "reported once")
                    try lock.release()
                    try joiner.join()
                }
            }
        }

        @Test func test_rlock_owner_is_known_without_tracking() throws {
            try expectNoThreadLeak {
                let rlock = threading.RLock(label: "owned")
                let go = threading.Event()
                let owner = threading.Thread(name: "rlock-owner") {
                    rlock.acquire()
                    go.wait()
                    try rlock.release()
                }
                try owner.start()
                // Waiting on `go`, the owner has finished acquiring, its ident stored
                // (`locked` turns true a moment before).
                waitUntil { go.waitingCount == 1 }
                let waiter = threading.Thread(name: "rlock-waiter") { rlock.withLock {} }
                try waiter.start()
                waitUntil { rlock.lock.parkedCount == 1 }
                let dump = threading.threadDump()
                #expect(matches(dump, #""rlock-waiter" .*: waiting .* on RLock "owned" \(0x[0-9a-f]+\), held by "rlock-owner""#), "\(dump)")
                go.set()
                try waiter.join()
                try owner.join()
            }
        }

        @Test func test_contention_statistics() throws {
            try withDiagnostics(statistics: true) { _ in
                threading.diagnostics.resetStatistics()
                let hot = threading.Lock(label: "hot")
                // Four threads parked behind the held lock: four contended acquisitions.
                hot.acquire()
                let bunch = Bunch(count: 4) { _ in hot.withLock {} }
                waitUntil { hot.parkedCount == 4 }
                try hot.release()
                try bunch.join()
                let stats = threading.diagnostics.mostContendedLocks(limit: 50)
                let entry = try #require(stats.first { $0.lock.contains("\"hot\"") })
                #expect(entry.acquisitions == 5)
                #expect(entry.contendedAcquisitions >= 4)
                #expect(entry.totalWait > 0)
                #expect(entry.maximumWait > 0 && entry.maximumWait <= entry.totalWait)
                threading.diagnostics.resetStatistics()
                let cleared = threading.diagnostics.mostContendedLocks(limit: 50)
                #expect(!cleared.contains { $0.lock.contains("\"hot\"") })
            }
        }
    }
}
