//===----------------------------------------------------------------------===//
//
// Threading: Python's threading model for Swift on Linux.
//
// Behaviour at process exit, tested as CPython does with script_helper: run a scenario of
// the `threading-test-child` program in a child process and judge its output and status.
//
//===----------------------------------------------------------------------===//

import Foundation
import Testing

/// What a child process printed and how it ended.
struct ChildResult {
    var stdout: String
    var stderr: String
    /// The exit status, or the signal that ended the child.
    var status: Int32
    /// True when a signal ended the child.
    var signalled = false
}

/// Runs `threading-test-child <scenario>` (built beside the test bundle) and fails instead
/// of hanging if it does not finish within `timeout` seconds: the child is then killed with
/// SIGKILL. (SIGTERM would not do: a child that Foundation's `Process` starts from a test
/// thread inherits that thread's blocked SIGTERM, so `terminate()` cannot stop it.)
func runChild(_ scenario: String, timeout: Double = 60, sourceLocation: SourceLocation = #_sourceLocation) throws -> ChildResult {
    let testBinary = URL(fileURLWithPath: try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"))
    let child = testBinary.deletingLastPathComponent().appendingPathComponent("threading-test-child")
    let process = Process()
    process.executableURL = child
    process.arguments = [scenario]
    let out = Pipe()
    let err = Pipe()
    process.standardOutput = out
    process.standardError = err
    try process.run()
    // Read both pipes to the end before waiting, so a chatty child cannot block on a full
    // pipe; the reads end when the child exits.
    let outData = Locked(Data())
    let errData = Locked(Data())
    let group = DispatchGroup()
    for (pipe, sink) in [(out, outData), (err, errData)] {
        DispatchQueue.global().async(group: group) {
            let data = pipe.fileHandleForReading.readDataToEndOfFile()
            sink.withLock { $0 = data }
        }
    }
    if group.wait(timeout: .now() + timeout) == .timedOut {
        kill(process.processIdentifier, SIGKILL)
        Issue.record("child '\(scenario)' did not exit within \(timeout) s", sourceLocation: sourceLocation)
        // The pipes close as the child dies.
        _ = group.wait(timeout: .now() + shortTimeout)
    }
    process.waitUntilExit()
    return ChildResult(
        stdout: String(decoding: outData.snapshot, as: UTF8.self),
        stderr: String(decoding: errData.snapshot, as: UTF8.self),
        status: process.terminationStatus,
        signalled: process.terminationReason == .uncaughtSignal
    )
}

@Suite("ChildProcessTests", .wedgeDetector)
struct ChildProcessTests {
    @Test func test_join_nondaemon_on_shutdown() throws {
        let result = try runChild("join_nondaemon_on_shutdown")
        #expect(result.stdout == "Woke up\n")
        #expect(result.stderr == "")
        #expect(result.status == 0)
    }

    @Test func test_1_join_on_shutdown() throws {
        let result = try runChild("join_on_shutdown")
        #expect(result.stdout == "end of main\nend of thread\n")
        #expect(result.status == 0)
    }

    @Test func test_daemon_thread_abandoned() throws {
        let result = try runChild("daemon_abandoned")
        #expect(result.stdout == "main done\n")
        #expect(result.status == 0)
    }

    @Test func test_daemon_status_inherited_and_abandoned() throws {
        let result = try runChild("daemon_inherited")
        #expect(result.stdout == "child daemon: true\nmain done\n")
        #expect(result.status == 0)
    }

    @Test func test_4_daemon_threads() throws {
        let result = try runChild("daemon_threads_exit")
        #expect(result.stderr == "")
        #expect(result.status == 0)
    }

    @Test func test_thread_from_thread() throws {
        let result = try runChild("thread_from_thread")
        #expect(result.stdout == "OK\n")
        #expect(result.status == 0)
    }

    @Test func test_exit_from_worker_joins_the_others() throws {
        let result = try runChild("exit_from_worker")
        #expect(result.stdout == "other finished\n")
        #expect(result.status == 3)
    }

    @Test func test_excepthook() throws {
        let result = try runChild("excepthook_default")
        #expect(result.stderr == "Exception in thread excepthook thread:\nValueError: run failed\n")
        #expect(result.stdout == "after join\n", "the process goes on after a thread fails")
        #expect(result.status == 0, "a thread's error does not change the exit status")
    }

    @Test func test_excepthook_swift_error() throws {
        let result = try runChild("excepthook_swift_error")
        #expect(result.stderr == "Exception in thread writer:\nDiskFull: no space left\n")
    }

    @Test func test_custom_excepthook_fail() throws {
        let result = try runChild("excepthook_fails")
        #expect(result.stderr == "Exception in threading.excepthook:\nValueError: threading_hook failed\n")
        #expect(result.status == 0)
    }

    @Test func test_original_excepthook() throws {
        let result = try runChild("excepthook_custom")
        #expect(result.stdout == "hook: run failed in T\n")
        #expect(result.stderr == "Exception in thread U:\nValueError: again\n")
    }

    @Test func test_system_exit() throws {
        let result = try runChild("system_exit")
        #expect(result.stderr == "")
        #expect(result.stdout == "alive: false\n")
    }

    @Test func test_unraisable_exception() throws {
        let result = try runChild("raw_thread_error")
        #expect(result.stderr == "Exception ignored in thread started by <closure>:\nValueError: task failed\n")
        #expect(result.status == 0)
    }

    @Test func test_atexit_output() throws {
        let result = try runChild("atexit_output")
        #expect(result.stdout == "parrot\n")
        #expect(result.stderr == "")
    }

    @Test func test_atexit_called_once() throws {
        let result = try runChild("atexit_called_once")
        #expect(result.stdout == "before shutdown\ncalled\nafter shutdown\n")
    }

    @Test func test_atexit_after_shutdown() throws {
        let result = try runChild("atexit_after_shutdown")
        #expect(result.stdout == "RuntimeError: can't register atexit after shutdown\n")
    }

    @Test func test_main_thread_from_main() throws {
        let result = try runChild("main_thread")
        #expect(result.stdout == "current is main: true\nident matches: true\nname: MainThread\n")
    }

    @Test func test_pool_interpreter_shutdown() throws {
        let result = try runChild("pool_interpreter_shutdown")
        #expect(result.stdout == "apple\n")
        #expect(result.stderr == "")
    }

    @Test func test_submit_after_interpreter_shutdown() throws {
        let result = try runChild("pool_submit_after_interpreter_shutdown")
        #expect(result.stdout == "RuntimeError: cannot schedule new futures after interpreter shutdown\n")
    }

    @Test func test_hang_gh83386() throws {
        let result = try runChild("pool_shutdown_no_wait")
        #expect(result.stdout == "apple\n")
        #expect(result.stderr == "")
    }

    /// A child that never exits is killed once `runChild`'s time is up (the test records
    /// that as an issue, expected here), even with SIGTERM blocked.
    @Test func hung_child_is_killed() throws {
        var result: ChildResult?
        let seconds = elapsed {
            withKnownIssue("runChild reports the hang") {
                result = try runChild("hang", timeout: 1)
            }
        }
        let ended = try #require(result)
        #expect(ended.signalled)
        #expect(ended.status == SIGKILL)
        #expect(ended.stdout == "hanging with SIGTERM blocked\n")
        #expect(seconds >= 1 && seconds < 1 + shortTimeout)
    }

    @Test func test_cancel_futures_wait_false() throws {
        let result = try runChild("pool_cancel_futures_wait_false")
        #expect(result.stdout == "apple\n" || result.stdout == "")
        #expect(result.stderr == "")
    }
}
