//===----------------------------------------------------------------------===//
//
// Threading: Python's threading model for Swift on Linux.
//
// The test support's wedge detector (TestSupport.swift): a test case that runs past its
// limit is reported once, with a thread dump that says what each thread waits on. These
// tests use a detector of their own with a recording action; the `.wedgeDetector` trait on
// every suite uses the shared one, which fails the run and ends the process instead.
//
//===----------------------------------------------------------------------===//

import Testing

@testable import Threading

@Suite("WedgeDetectorTests", .wedgeDetector)
struct WedgeDetectorTests {
    @Test func a_wedged_test_is_reported_with_a_thread_dump() throws {
        let reports = Locked<[Watchdog.Wedged]>([])
        let watchdog = Watchdog(pollInterval: 0.01) { wedged in reports.withLock { $0.append(wedged) } }
        defer { watchdog.stop() }
        let gate = threading.Event(label: "wedge-detector-gate")
        let stuck = Bunch(count: 1) { _ in gate.wait() }
        let id = watchdog.begin("stuck test", limit: 0.05)
        waitUntil { !reports.snapshot.isEmpty }
        let scansAtReport = watchdog.scanCount
        gate.set()
        try stuck.join()
        // Reported once, even though the test was still running at later scans.
        waitUntil { watchdog.scanCount >= scansAtReport + 3 }
        watchdog.end(id)

        #expect(reports.snapshot.count == 1)
        let report = try #require(reports.snapshot.first)
        #expect(report.name == "stuck test")
        #expect(report.seconds > 0.05)
        #expect(report.report.hasPrefix("wedge detector: stuck test still running after "))
        #expect(report.dump.hasPrefix("Thread dump: "))
        #expect(report.dump.contains("\"MainThread\""))
        #expect(
            report.dump.split(separator: "\n").contains { $0.hasPrefix("\"Bunch-0\"") && $0.contains("on Event \"wedge-detector-gate\"") },
            "the dump names the stuck thread and what it waits on:\n\(report.dump)"
        )
    }

    @Test func a_test_that_ends_in_time_is_not_reported() throws {
        let reports = Locked<[Watchdog.Wedged]>([])
        let watchdog = Watchdog(pollInterval: 0.01) { wedged in reports.withLock { $0.append(wedged) } }
        defer { watchdog.stop() }
        let start = Deadline.now
        let id = watchdog.begin("quick test", limit: 0.05)
        watchdog.end(id)
        // Past the limit, and looked at several times since.
        waitUntil { start.secondsSince > 0.1 && watchdog.scanCount >= 5 }
        #expect(reports.snapshot.isEmpty)
    }

    @Test func the_shared_detector_watches_this_test() {
        // The suite's trait registered this test case with the shared detector, whose
        // thread is running (a raw thread: leak checks never count it).
        #expect(wedgeLimit >= 120)
        waitUntil { Watchdog.shared.scanCount > 0 }
    }
}

extension Deadline {
    /// Seconds since this point in time.
    var secondsSince: Double { Double(Deadline.now.nanoseconds - nanoseconds) / 1e9 }
}
