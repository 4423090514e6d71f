//===----------------------------------------------------------------------===//
//
// Threading: Python's threading model for Swift on Linux.
//
// The tour (`threading-tour`), run as a child process as a user runs it: its command
// line, the golden output of every program whose output is fixed, and the properties of
// the others (what the seeds' tutorials say their programs show). Programs run with a
// high `--speed`, which divides every sleep and timeout alike, so the suite stays fast;
// the few checks that rest on a program's timing run slower, with margins of a quarter
// of a second or more, in a serialized suite.
//
//===----------------------------------------------------------------------===//

import Foundation
import Testing

/// Ends `process`: `SIGTERM` first (the tour passes it on to the program it runs), then
/// `SIGKILL` if it is still running after five seconds.
func stop(_ process: Process) {
    process.terminate()
    // Monotonic (system uptime), so a wall-clock step cannot stretch or cut the grace.
    let deadline = ProcessInfo.processInfo.systemUptime + 5
    while process.isRunning, ProcessInfo.processInfo.systemUptime < deadline {
        usleep(10_000)
    }
    if process.isRunning {
        kill(process.processIdentifier, SIGKILL)
    }
}

/// The `threading-tour` executable, built beside the test bundle.
func tourExecutable() throws -> URL {
    let testBinary = URL(fileURLWithPath: try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"))
    return testBinary.deletingLastPathComponent().appendingPathComponent("threading-tour")
}

/// The command lines of the live child processes of `pid`, by process id.
func childProcesses(of pid: Int32) -> [Int32: String] {
    guard let list = try? String(contentsOfFile: "/proc/\(pid)/task/\(pid)/children", encoding: .utf8) else { return [:] }
    var children: [Int32: String] = [:]
    for child in list.split(separator: " ").compactMap({ Int32($0) }) {
        let commandLine = (try? Data(contentsOf: URL(fileURLWithPath: "/proc/\(child)/cmdline"))) ?? Data()
        children[child] = String(decoding: commandLine.map { $0 == 0 ? 32 : $0 }, as: UTF8.self)
    }
    return children
}

/// True while process `pid` exists and is not a zombie.
func isRunning(_ pid: Int32) -> Bool {
    guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
        let afterName = stat.range(of: ") ", options: .backwards)
    else { return false }
    return stat[afterName.upperBound...].first != "Z"
}

/// Runs `threading-tour` (built beside the test bundle) with `arguments`, and fails
/// instead of hanging if it does not finish within `timeout` seconds.
func runTour(
    _ arguments: [String],
    timeout: Double = 60,
    sourceLocation: SourceLocation = #_sourceLocation
) throws -> ChildResult {
    let process = Process()
    process.executableURL = try tourExecutable()
    process.arguments = arguments
    let out = Pipe()
    let err = Pipe()
    process.standardOutput = out
    process.standardError = err
    try process.run()
    // Read both pipes to the end before waiting, so a chatty child cannot block on a full
    // pipe; the reads end when the child (and any child of its own) exits.
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
        Issue.record("threading-tour \(arguments) did not exit within \(timeout) s", sourceLocation: sourceLocation)
        stop(process)
    }
    process.waitUntilExit()
    return ChildResult(
        stdout: String(decoding: outData.snapshot, as: UTF8.self),
        stderr: String(decoding: errData.snapshot, as: UTF8.self),
        status: process.terminationStatus
    )
}

/// Runs one program at `speed` and checks that it ended cleanly: status 0, and nothing on
/// standard error unless the program logs there.
func runProgram(
    _ name: String,
    _ arguments: [String] = [],
    speed: Double = TourTests.fast,
    logs: Bool = false,
    sourceLocation: SourceLocation = #_sourceLocation
) throws -> (out: [String], err: [String]) {
    let result = try runTour(["--speed", "\(speed)", name] + arguments, sourceLocation: sourceLocation)
    #expect(result.status == 0, "\(name) exited with \(result.status): \(result.stderr)", sourceLocation: sourceLocation)
    if !logs {
        #expect(result.stderr == "", sourceLocation: sourceLocation)
    }
    return (lines(result.stdout), lines(result.stderr))
}

/// The lines of `text`, without their newlines.
func lines(_ text: String) -> [String] {
    var all = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    if all.last == "" { all.removeLast() }
    return all
}

/// A log line of the formats that start with `%(asctime)s`, without its timestamp.
func withoutTimestamp(_ line: String, sourceLocation: SourceLocation = #_sourceLocation) -> String {
    let stamp = #"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} "#
    #expect(matches(line, stamp), "no timestamp: \(line)", sourceLocation: sourceLocation)
    return line.replacingOccurrences(of: stamp, with: "", options: .regularExpression)
}

/// The index of `line` in `lines`, recording a failure if it is missing.
func position(of line: String, in lines: [String], sourceLocation: SourceLocation = #_sourceLocation) -> Int {
    guard let index = lines.firstIndex(of: line) else {
        Issue.record("missing line '\(line)' in \(lines)", sourceLocation: sourceLocation)
        return -1
    }
    return index
}

/// The quoted names in a Python list of strings: `['0', '1']` gives `["0", "1"]`.
func pythonList(_ text: Substring) -> [String] {
    text.dropFirst().dropLast().split(separator: ", ").map { String($0.dropFirst().dropLast()) }
}

@Suite("TourTests", .wedgeDetector)
struct TourTests {
    /// The speed for checks that hold at any speed.
    static let fast = 50.0

    /// Every program, in tutorial order.
    static let names = [
        "simple", "simpleargs", "names", "names_log", "daemon", "daemon_join",
        "daemon_join_timeout", "enumerate", "subclass", "subclass_args", "timer", "event",
        "lock", "lock_noblock", "lock_noblock_holder", "lock_reacquire", "rlock", "lock_with",
        "condition", "semaphore", "local", "local_defaults",
        "start_new_thread", "allocate_lock", "rlock_getall", "thread_example",
        "bounded_semaphore", "event_set_clear", "condition_producer_consumer", "fetch_urls",
        "square_root",
        "mythread_data", "perthread", "pooling", "pooling_queue", "ctrl_c",
        "thread_args", "producer_consumer_queue", "semaphore_pool", "executor_pool",
    ]

    // MARK: Command line

    @Test func list() throws {
        let result = try runTour(["--list"])
        #expect(result.status == 0)
        #expect(result.stderr == "")
        let listed = lines(result.stdout)
        #expect(listed.map { String($0.prefix { $0 != " " }) } == Self.names)
        for line in listed {
            let description = line.drop { $0 != " " }.trimmingCharacters(in: .whitespaces)
            #expect(description.count > 10, "no description: \(line)")
        }
    }

    @Test func list_of_named_programs() throws {
        let result = try runTour(["--list", "timer", "rlock"])
        #expect(result.status == 0)
        #expect(lines(result.stdout).map { String($0.prefix { $0 != " " }) } == ["timer", "rlock"])
    }

    @Test func help() throws {
        let result = try runTour(["--help"])
        #expect(result.status == 0)
        #expect(result.stdout.hasPrefix("usage: threading-tour"))
        #expect(result.stderr == "")
    }

    @Test(arguments: [
        (["--bogus"], "unknown option '--bogus'"),
        (["nosuchprogram"], "unknown program 'nosuchprogram' (--list names them)"),
        (["--speed"], "--speed needs a number"),
        (["--speed", "0"], "--speed needs a positive number, not '0'"),
        (["--speed", "-2"], "--speed needs a positive number, not '-2'"),
        (["--speed", "fast"], "--speed needs a positive number, not 'fast'"),
        (["--speed=inf"], "--speed needs a positive number, not 'inf'"),
        (["simple", "extra"], "unknown program 'extra' (--list names them)"),
        (["timer", "simple", "7"], "unknown program '7' (--list names them)"),
        (["square_root", "10", "20"], "square_root: takes at most one argument, the number of square roots to calculate"),
        (["square_root", "many"], "square_root: 'many' is not a positive integer"),
        (["square_root", "0"], "square_root: '0' is not a positive integer"),
        (["allocate_lock", "not-a-url"], "allocate_lock: 'not-a-url' is not a URL"),
    ])
    func usage_errors(arguments: [String], message: String) throws {
        let result = try runTour(arguments)
        #expect(result.status == 2)
        #expect(result.stdout == "", "nothing runs after a usage error")
        let errors = lines(result.stderr)
        #expect(errors.first == "threading-tour: \(message)")
        #expect(errors.dropFirst().first?.hasPrefix("usage: threading-tour") == true)
    }

    @Test func one_program_runs_without_a_heading() throws {
        let (out, _) = try runProgram("lock_reacquire")
        #expect(out == ["First try: True", "Second try: False"])
    }

    @Test func named_programs_run_in_the_order_given_under_headings() throws {
        let result = try runTour(["--speed", "\(Self.fast)", "rlock", "lock_reacquire", "rlock"])
        #expect(result.status == 0)
        let out = lines(result.stdout)
        #expect(out.count == 11)
        guard out.count == 11 else { return }
        #expect(out[0].hasPrefix("=== rlock (seed 000): the same with an RLock"))
        #expect(Array(out[1...2]) == ["First try: True", "Second try: True"])
        #expect(out[3] == "")
        #expect(out[4].hasPrefix("=== lock_reacquire (seed 000): a Lock taken twice"))
        #expect(Array(out[5...6]) == ["First try: True", "Second try: False"])
        #expect(out[8].hasPrefix("=== rlock (seed 000)"))
        #expect(Array(out[9...10]) == ["First try: True", "Second try: True"])
    }

    @Test func program_arguments_follow_the_program_name() throws {
        let (out, _) = try runProgram("square_root", ["1000"])
        #expect(out.first == "Turning on the calculator thread...")
        #expect(out.last == "Calculated 1000 square root(s); the last one is sqrt(1000)=31.622777")
    }

    /// The whole tour: every program once, in order, each under its heading, each in a
    /// fresh process (so each names its first thread `Thread-1`).
    @Test func whole_tour() throws {
        let result = try runTour(["--speed", "\(Self.fast)"], timeout: 120)
        #expect(result.status == 0, "\(result.stderr)")
        let headings = lines(result.stdout).filter { $0.hasPrefix("=== ") }
        #expect(headings.map { String($0.dropFirst(4).prefix { $0 != " " }) } == Self.names)
        #expect(result.stdout.contains("\nMyThread: Thread-1\n"))
        #expect(result.stdout.contains("\nthr1.stuff: [1, 4, 9, 16, 25]\ngathered by: Thread-1\n"))
        #expect(result.stderr.contains("(MainThread) Counter: 15\n"))
        #expect(!result.stderr.contains("Exception"))
    }

    /// Stopping the tour (as `runTour` does when a program hangs) stops the program it is
    /// running, rather than leaving it running on its own.
    @Test func terminating_the_tour_ends_the_running_program() throws {
        let process = Process()
        process.executableURL = try tourExecutable()
        process.arguments = ["--speed", "0.05", "rlock", "names"]  // names: 60 s at this speed
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        let tour = process.processIdentifier
        var program: Int32 = 0
        waitUntil {
            program = childProcesses(of: tour).first { $0.value.hasSuffix(" --speed 0.05 names ") }?.key ?? 0
            return program != 0
        }
        kill(tour, SIGTERM)
        waitUntil { !isRunning(program) }
        if program != 0, isRunning(program) {
            kill(program, SIGKILL)  // leave nothing behind, even when failing
        }
        process.waitUntilExit()
        #expect(process.terminationReason == .uncaughtSignal)
        #expect(process.terminationStatus == SIGTERM)
    }

    // MARK: Golden output

    @Test func simple() throws {
        let (out, _) = try runProgram("simple")
        #expect(out == Array(repeating: "Worker", count: 5))
    }

    /// The threads print in the order they run, which only usually is the order they
    /// started: these compare the lines, not their order.
    @Test func simpleargs() throws {
        let (out, _) = try runProgram("simpleargs")
        #expect(out.sorted() == (0..<5).map { "Worker: \($0)" })
    }

    @Test func subclass() throws {
        let (out, _) = try runProgram("subclass")
        #expect(out.sorted() == (1...5).map { "MyThread: Thread-\($0)" })
    }

    @Test func subclass_args() throws {
        let (_, err) = try runProgram("subclass_args", logs: true)
        #expect(err.sorted() == (1...5).map { "(Thread-\($0)) running with (1,) and {'a': 'A', 'b': 'B'}" })
    }

    @Test func thread_args() throws {
        let (out, _) = try runProgram("thread_args")
        #expect(out.sorted() == ["thread function 0", "thread function 1", "thread function 2"])
    }

    @Test func lock_reacquire() throws {
        let (out, _) = try runProgram("lock_reacquire")
        #expect(out == ["First try: True", "Second try: False"])
    }

    @Test func rlock() throws {
        let (out, _) = try runProgram("rlock")
        #expect(out == ["First try: True", "Second try: True"])
    }

    @Test func lock_with() throws {
        let (out, _) = try runProgram("lock_with")
        #expect(out.sorted() == ["Lock acquired directly", "Lock acquired via with"])
    }

    @Test func mythread_data() throws {
        let (out, _) = try runProgram("mythread_data")
        #expect(out == ["thr1.stuff: [1, 4, 9, 16, 25]", "gathered by: Thread-1"])
    }

    @Test func bounded_semaphore() throws {
        let (out, err) = try runProgram("bounded_semaphore", logs: true)
        #expect(out == [
            "12 threads connected; more than 3 connections at once: False",
            "one release() too many: ValueError: Semaphore released too many times",
            "the same with a Semaphore(3): no error, and then 4 acquire(blocking: false) calls succeed",
        ])
        #expect(err.count == 12)
        for line in err {
            #expect(matches(line, #"^\(Thread-\d+ *\) connected, [123] connection\(s\) open$"#), "\(line)")
        }
    }

    @Test func executor_pool() throws {
        let (out, err) = try runProgram("executor_pool", logs: true)
        #expect(out == ["results: [0, 1, 4, 9, 16, 25, 36, 49, 64, 81]"])
        var jobs: [Int] = []
        for line in err {
            guard let match = line.firstMatch(of: /^\((ThreadPoolExecutor-0_[012]) *\) job (\d+) running; pool: (\[.*\])$/) else {
                Issue.record("unexpected line: \(line)")
                continue
            }
            jobs.append(Int(match.2)!)
            let pool = pythonList(match.3)
            #expect(pool.count <= 3, "\(line)")
            #expect(pool.contains(String(match.1)))
        }
        #expect(jobs.sorted() == Array(0..<10))
    }

    // MARK: Properties of the non-deterministic programs

    @Test func names() throws {
        let (out, _) = try runProgram("names")
        #expect(out.sorted() == [
            "Thread-1 Exiting", "Thread-1 Starting", "my_service Exiting", "my_service Starting",
            "worker Exiting", "worker Starting",
        ])
        for name in ["worker", "Thread-1", "my_service"] {
            #expect(position(of: "\(name) Starting", in: out) < position(of: "\(name) Exiting", in: out))
        }
    }

    @Test func names_log() throws {
        let (out, err) = try runProgram("names_log", logs: true)
        #expect(out == [])
        for name in ["worker    ", "Thread-1  ", "my_service"] {
            let starting = position(of: "[DEBUG] (\(name)) Starting", in: err)
            #expect(starting < position(of: "[DEBUG] (\(name)) Exiting", in: err))
        }
        #expect(err.count == 6)
    }

    @Test func daemon_join() throws {
        let (out, _) = try runProgram("daemon_join")
        #expect(out.sorted() == ["Exiting : daemon", "Exiting : non-daemon", "Starting: daemon", "Starting: non-daemon"])
        #expect(position(of: "Starting: daemon", in: out) < position(of: "Exiting : daemon", in: out))
    }

    /// The main thread joins every worker, found through `threading.enumerate()`, in the
    /// order they started; each has ended before the next is joined.
    @Test func enumerate() throws {
        let (out, _) = try runProgram("enumerate", speed: 5)
        #expect(out.count == 9)
        for k in 1...3 {
            #expect(out.contains { matches($0, "^Starting: Thread-\(k) sleeping [1-5]$") }, "\(out)")
            let joining = position(of: "Joining : Thread-\(k)", in: out)
            let ending = position(of: "Ending : Thread-\(k)", in: out)
            #expect(ending >= 0)
            if k < 3 {
                #expect(ending < position(of: "Joining : Thread-\(k + 1)", in: out))
                #expect(joining < position(of: "Joining : Thread-\(k + 1)", in: out))
            }
        }
    }

    @Test func lock() throws {
        let (_, err) = try runProgram("lock", logs: true)
        #expect(err.last == "(MainThread) Counter: 15")
        #expect(err.filter { $0.hasSuffix(") Acquired lock") }.count == 15)
        #expect(err.filter { $0.hasSuffix(") Done") }.count == 5)
        #expect(err.filter { matches($0, #"^\(Thread-[1-5] *\) Sleeping [01]\.\d\d$"#) }.count == 15)
        for k in 1...5 {
            #expect(err.filter { $0 == "(Thread-\(k)  ) Acquired lock" }.count == 3)
        }
    }

    /// Every worker holds the lock three times, and reports how many tries that took.
    @Test func lock_noblock() throws {
        let (_, err) = try runProgram("lock_noblock", logs: true)
        let lines = err.map { withoutTimestamp($0) }
        for k in 1...3 {
            let mine = lines.filter { $0.hasPrefix("(Thread-\(k)) ") }
            let tries = mine.filter { $0.contains(" Iteration ") }
            #expect(mine.first == "(Thread-\(k)) Starting")
            #expect(tries.filter { $0.hasSuffix(": Acquired") }.count == 3)
            #expect(mine.last == "(Thread-\(k)) Done after \(tries.count) iterations")
            for (n, line) in tries.enumerated() {
                #expect(line.hasPrefix("(Thread-\(k)) Iteration \(n + 1): "))
            }
        }
    }

    @Test func lock_noblock_holder() throws {
        let (_, err) = try runProgram("lock_noblock_holder", speed: 10, logs: true)
        let worker = err.filter { $0.hasPrefix("(worker) ") }
        let tries = worker.filter { $0.contains(" Iteration ") }
        #expect(tries.filter { $0.hasSuffix(": Acquired") }.count == 3)
        #expect(worker.filter { $0 == "(worker) Trying to acquire" }.count == tries.count)
        #expect(worker.last == "(worker) Done after \(tries.count) iterations")
        let holder = err.filter { $0.hasPrefix("(lockholder) ") }.dropFirst()
        for (n, line) in holder.enumerated() {
            #expect(line == (n.isMultiple(of: 2) ? "(lockholder) Holding" : "(lockholder) Not holding"))
        }
    }

    @Test func condition() throws {
        let (_, err) = try runProgram("condition", speed: 10, logs: true)
        let lines = err.map { withoutTimestamp($0) }
        #expect(lines.sorted() == [
            "(c1) Resource is available to consumer", "(c1) Starting consumer thread",
            "(c2) Resource is available to consumer", "(c2) Starting consumer thread",
            "(p ) Making resource available", "(p ) Starting producer thread",
        ])
        let making = position(of: "(p ) Making resource available", in: lines)
        #expect(making < position(of: "(c1) Resource is available to consumer", in: lines))
        #expect(making < position(of: "(c2) Resource is available to consumer", in: lines))
    }

    /// Never more than five threads hold the semaphore; each logs the pool with itself in
    /// it.
    @Test func semaphore() throws {
        let (_, err) = try runProgram("semaphore", logs: true)
        #expect(err.count == 20)
        var seen: Set<String> = []
        for line in err {
            guard let match = withoutTimestamp(line).firstMatch(of: /^\((\d+) *\) Running: (\[.*\])$/) else {
                Issue.record("unexpected line: \(line)")
                continue
            }
            let active = pythonList(match.2)
            #expect(active.count <= 5, "\(line)")
            #expect(active.contains(String(match.1)))
            seen.insert(String(match.1))
        }
        #expect(seen == Set((0..<20).map(String.init)))
    }

    @Test func local() throws {
        let (out, _) = try runProgram("local")
        #expect(Array(out.prefix(2)) == ["MainThread : value= No value yet", "MainThread : value= 1000"])
        #expect(out.count == 6)
        for k in 1...2 {
            let mine = out.filter { $0.hasPrefix("Thread-\(k) : ") }
            #expect(mine.count == 2)
            #expect(mine.first == "Thread-\(k) : value= No value yet")
            let value = mine.last.flatMap { Int($0.dropFirst("Thread-1 : value= ".count)) }
            #expect(value.map { 1...100 ~= $0 } == true, "\(mine)")
        }
    }

    /// The initialiser runs once per thread, on the same object, and gives 1000 each time.
    @Test func local_defaults() throws {
        let (out, _) = try runProgram("local_defaults")
        #expect(out.count == 5)
        guard let first = out.first?.firstMatch(of: /^\(Initializing (\d+) for MainThread\) MainThread : value= 1000$/) else {
            Issue.record("unexpected first line: \(out)")
            return
        }
        let id = first.1
        for k in 1...2 {
            let mine = out.filter { $0.hasPrefix("Thread-\(k) : ") }
            #expect(mine.first == "Thread-\(k) : value= (Initializing \(id) for Thread-\(k)) 1000")
            #expect(mine.last.map { matches($0, "^Thread-\(k) : value= [0-9]+$") } == true)
        }
    }

    @Test func start_new_thread() throws {
        let (out, _) = try runProgram("start_new_thread", speed: 10)
        #expect(out.filter { $0 == "Inside func1" }.count == 3)
        #expect(out.filter { $0 == "Inside func2" }.count == 3)
        #expect(out.count == 6)
    }

    /// Each raw thread reports its URL and appends its line to the shared file once.
    @Test func allocate_lock() throws {
        let (out, _) = try runProgram("allocate_lock")
        #expect(out.count == 7)
        let requested = out.prefix(3).compactMap { $0.firstMatch(of: /^(file:\/\/.+) was requested and returned$/)?.1 }
        #expect(Set(requested.map { String($0.split(separator: "/").last!) })
            == ["www.yahoo.fr.html", "www.lemonde.fr.html", "www.youtube.fr.html"])
        #expect(out.dropFirst(3).first == "test.txt:")
        #expect(Set(out.dropFirst(4)) == Set(requested.map { "Data from \($0) fetched" }))
    }

    @Test func allocate_lock_fetches_the_urls_given() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("tour-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let page = directory.appendingPathComponent("page.html")
        try "<p>hello</p>".write(to: page, atomically: true, encoding: .utf8)
        let missing = directory.appendingPathComponent("missing.html")

        let (out, _) = try runProgram("allocate_lock", [page.absoluteString, missing.absoluteString])
        #expect(Set(out.prefix(2)) == ["\(page.absoluteString) was requested and returned", "\(missing.absoluteString) was requested and returned"])
        #expect(out.dropFirst(2).first == "test.txt:")
        #expect(Set(out.dropFirst(3)) == ["Data from \(page.absoluteString) fetched", "Data from \(missing.absoluteString) fetched"])
    }

    /// `getAll()` never sees the halves of two different versions.
    @Test func rlock_getall() throws {
        let (out, _) = try runProgram("rlock_getall")
        #expect(out.count == 4)
        for line in out {
            let match = line.firstMatch(of: /^getAll\(\) -> \('part 1 of version (\d)', 'part 2 of version (\d)'\)$/)
            #expect(match != nil && match?.1 == match?.2, "\(line)")
        }
    }

    @Test func thread_example() throws {
        let (out, _) = try runProgram("thread_example", speed: 10)
        #expect(out.filter { $0 == "Inside func 1" }.count == 3)
        #expect(out.filter { $0 == "Inside func 2" }.count == 3)
        #expect(out.count == 6)
    }

    /// Both servers wait, and both wake when the client sets the event, before it clears it.
    @Test func event_set_clear() throws {
        let (out, _) = try runProgram("event_set_clear")
        #expect(Array(out.prefix(3)) == ["e.isSet() False", "e.set(); e.isSet() True", "e.clear(); e.isSet() False"])
        #expect(out.count == 9)
        let set = position(of: "client: e.set()", in: out)
        for n in 1...2 {
            let woken = position(of: "server-\(n): woke up, e.isSet() True", in: out)
            #expect(position(of: "server-\(n): waiting for the event", in: out) < woken)
            #expect(set < woken)
        }
        #expect(out.last == "client: e.clear(); e.isSet() False")
    }

    /// Items are consumed once each, in the order they were added, never before.
    @Test func condition_producer_consumer() throws {
        let (_, err) = try runProgram("condition_producer_consumer", logs: true)
        let added = err.compactMap { $0.firstMatch(of: /^\(producer\) item (\d) added$/).map { Int($0.1)! } }
        let consumed = err.compactMap { $0.firstMatch(of: /^\(consumer\) item (\d) consumed$/).map { Int($0.1)! } }
        #expect(added == [1, 2, 3, 4, 5])
        #expect(consumed == [1, 2, 3, 4, 5])
        for item in 1...5 {
            #expect(position(of: "(producer) item \(item) added", in: err) < position(of: "(consumer) item \(item) consumed", in: err))
        }
        #expect(err.allSatisfy { $0.hasSuffix(" added") || $0.hasSuffix(" consumed") || $0 == "(producer) resource full, waiting for space" })
    }

    /// What a thread prints while it holds the lock comes out as one block, and every
    /// page fetched is written once.
    @Test func fetch_urls() throws {
        let (out, _) = try runProgram("fetch_urls")
        #expect(out.count == 12 + 1 + 4)
        var index = 0
        var blocks: [String: Int] = [:]
        while index + 2 < out.count, let match = out[index].firstMatch(of: /^lock acquired by (Thread-[12])$/) {
            let name = String(match.1)
            #expect(out[index + 1] == "write done by \(name)")
            #expect(out[index + 2] == "lock released by \(name)")
            blocks[name, default: 0] += 1
            index += 3
        }
        #expect(blocks == ["Thread-1": 2, "Thread-2": 2])
        #expect(out.dropFirst(12).first == "output.txt:")
        #expect(Set(out.dropFirst(13)) == Set(["www.yahoo.fr", "www.youtube.fr", "www.google.fr", "www.lemonde.fr"].map {
            "<html><body>\($0)</body></html>"
        }))
    }

    @Test func square_root() throws {
        let (out, _) = try runProgram("square_root", ["2000000"], speed: 20)
        #expect(out.first == "Turning on the calculator thread...")
        #expect(out.last == "Calculated 2000000 square root(s); the last one is sqrt(2000000)=1414.213562")
        let progress = out.dropFirst().dropLast().map { line in
            line.firstMatch(of: /^(\d+) square roots calculated so far\.$/).map { Int($0.1)! } ?? -1
        }
        #expect(!progress.isEmpty)
        #expect(progress.allSatisfy { 0..<2_000_000 ~= $0 }, "\(progress)")
        #expect(progress == progress.sorted())
    }

    @Test func perthread() throws {
        let (out, _) = try runProgram("perthread")
        #expect(out.count == 3)
        #expect(out.last == "42", "the main thread keeps its own value")
        #expect(out.dropLast().allSatisfy { $0 == "1" || $0 == "2" })
    }

    /// Each job runs once, never with more than five workers alive besides the main thread.
    @Test func pooling() throws {
        let (_, err) = try runProgram("pooling", logs: true)
        var jobs: [Int] = []
        for line in err.dropLast() {
            guard let match = line.firstMatch(of: /^\(Thread-\d+ *\) job (\d+) starts; threads active: (\d+)$/) else {
                Issue.record("unexpected line: \(line)")
                continue
            }
            jobs.append(Int(match.1)!)
            #expect(2...6 ~= Int(match.2)!, "\(line)")
        }
        #expect(jobs.sorted() == Array(0..<50))
        #expect(err.last == "(MainThread) all 50 jobs done")
    }

    @Test func semaphore_pool() throws {
        let (_, err) = try runProgram("semaphore_pool", logs: true)
        #expect(err.count == 20)
        var running: Set<String> = []
        for line in err where line.contains(" Running: ") {
            guard let match = line.firstMatch(of: /^\((thread_\d) *\) Running: (\[.*\])$/) else {
                Issue.record("unexpected line: \(line)")
                continue
            }
            let pool = pythonList(match.2)
            #expect(pool.count <= 3, "\(line)")
            #expect(pool.contains(String(match.1)))
            #expect(position(of: "(\(match.1) ) Waiting to join the pool", in: err) < position(of: line, in: err))
            running.insert(String(match.1))
        }
        #expect(running == Set((0..<10).map { "thread_\($0)" }))
    }
}

/// The checks that rest on a program's timing, not only on its synchronisation: run at
/// low speeds, so each margin is a quarter of a second or more, one at a time.
@Suite("TourTimingTests", .serialized, .wedgeDetector)
struct TourTimingTests {
    /// The timer `t2` is cancelled (at 2 s of seed time) before its interval (3 s) ends,
    /// and never runs; `t1` runs after the main thread is done.
    @Test func timer() throws {
        let (out, _) = try runProgram("timer", speed: 2)
        #expect(out == [
            "Starting timers", "Waiting before canceling t2", "Canceling t2", "Main thread done",
            "Worker running t1",
        ])
    }

    /// The process exits while the daemon sleeps (2 s of seed time): its `Exiting` line
    /// never appears. The non-daemon thread is joined at exit.
    @Test func daemon_exiting_line_absent_without_join() throws {
        let (out, _) = try runProgram("daemon", speed: 4)
        #expect(out.sorted() == ["Exiting : non-daemon", "Starting: daemon", "Starting: non-daemon"])
    }

    /// `join(timeout: 1)` on a daemon sleeping 2 s of seed time returns with it alive.
    @Test func daemon_join_timeout_leaves_it_alive() throws {
        let (out, _) = try runProgram("daemon_join_timeout", speed: 4)
        #expect(out.contains("d.isAlive() True"), "\(out)")
        #expect(out.contains("Exiting : non-daemon"))
    }

    /// `join()` waits for the daemon, so its `Exiting` line appears, after the
    /// non-daemon's.
    @Test func daemon_join_exiting_line_present() throws {
        let (out, _) = try runProgram("daemon_join", speed: 4)
        #expect(out.last == "Exiting : daemon")
        #expect(out.count == 4)
    }

    /// `non-block` gives up (2 s) before the main thread sets the event (3 s), which wakes
    /// `block`.
    @Test func event() throws {
        let (_, err) = try runProgram("event", speed: 4, logs: true)
        let lines = err.map { withoutTimestamp($0) }
        #expect(lines.sorted() == [
            "(MainThread) Event is set",
            "(MainThread) Waiting before calling Event.set()",
            "(block     ) e.isSet()->True",
            "(block     ) wait_for_event starting",
            "(non-block ) e.isSet()->False",
            "(non-block ) wait_for_event_timeout starting",
        ])
        #expect(position(of: "(non-block ) e.isSet()->False", in: lines) < position(of: "(MainThread) Event is set", in: lines))
    }

    /// func2 (three lines a second apart) is done well before func1's last line (at 4 s).
    @Test func start_new_thread_func1_ends_last() throws {
        let (out, _) = try runProgram("start_new_thread", speed: 4)
        #expect(out.last == "Inside func1")
        #expect(out.count == 6)
    }
}

// The queue programs' tests.
extension TourTests {
    /// Every item put is got once, in the order put (one consumer, FIFO), and the main
    /// thread's `q.join()` returns only after the last one was processed.
    @Test func producer_consumer_queue() throws {
        let (_, err) = try runProgram("producer_consumer_queue", logs: true)
        let put = err.compactMap { $0.firstMatch(of: /^\(producer *\) Putting (\d+) : \d+ items in queue$/).map { Int($0.1)! } }
        let got = err.compactMap { $0.firstMatch(of: /^\(consumer *\) Getting (\d+) : \d+ items in queue$/).map { Int($0.1)! } }
        #expect(put.count == 10)
        #expect(got == put)
        #expect(put.allSatisfy { 1...10 ~= $0 })
        #expect(err.last == "(MainThread) every item processed")
    }

    /// Each job is taken by exactly one of the five workers.
    @Test func pooling_queue() throws {
        let (_, err) = try runProgram("pooling_queue", logs: true)
        var jobs: [Int] = []
        var workers: Set<String> = []
        for line in err.dropLast() {
            guard let match = line.firstMatch(of: /^\((Thread-[1-5]) *\) job (\d+) starts$/) else {
                Issue.record("unexpected line: \(line)")
                continue
            }
            workers.insert(String(match.1))
            jobs.append(Int(match.2)!)
        }
        #expect(jobs.sorted() == Array(0..<50))
        #expect(workers.count <= 5)
        #expect(err.last == "(MainThread) all 50 jobs done")
    }
}

extension TourTests {
    /// The worker loops until the interrupt; the main thread reports the Ctrl-C once,
    /// then joins the stopped worker.
    @Test func ctrl_c() throws {
        let (out, _) = try runProgram("ctrl_c")
        #expect(out.contains("child thread sleeping"))
        #expect(out.contains("parent thread watching"))
        #expect(out.filter { $0 == "Ctrl-C signal arrived in main thread, asking threads to stop" }.count == 1, "\(out)")
        #expect(out.last == "all threads stopped")
        let interrupt = try #require(out.firstIndex(of: "Ctrl-C signal arrived in main thread, asking threads to stop"))
        #expect(out[..<interrupt].contains("child thread sleeping"))
    }
}
