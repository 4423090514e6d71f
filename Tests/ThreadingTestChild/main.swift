//===----------------------------------------------------------------------===//
//
// Threading: Python's threading model for Swift on Linux.
//
// Scenarios the tests run in a child process and judge by its output and exit status:
// what happens when `main` returns or `exit()` is called. Every target closure here is
// written in top-level code, which Swift 6 treats as main-actor isolated: running them on
// other threads proves the library forms its C callbacks in nonisolated code.
//
//===----------------------------------------------------------------------===//

#if canImport(Glibc)
@preconcurrency import Glibc
#endif
@testable import Threading
import ThreadingLogging

/// Prints and flushes at once, so output order across threads is the order of the calls.
func say(_ text: String) {
    print(text)
    fflush(stdout)
}

let scenario = CommandLine.arguments.dropFirst().first ?? ""

switch scenario {
case "join_nondaemon_on_shutdown":
    // A non-daemon thread still running when main returns is waited for.
    let release = threading.Event()
    let worker = threading.Thread {
        _ = try release.wait(timeout: 0.3)
        say("Woke up")
    }
    try worker.start()

case "join_on_shutdown":
    // ThreadJoinOnShutdown.test_1: the exit sequence marks the main thread stopped before
    // joining, so a thread blocked in mainThread().join() goes on.
    let joiner = threading.Thread {
        try threading.mainThread().join()
        say("end of thread")
    }
    try joiner.start()
    say("end of main")

case "daemon_abandoned":
    // A daemon thread still blocked at exit is abandoned, not joined.
    let never = threading.Event()
    let daemon = threading.Thread(daemon: true) {
        never.wait()
        say("daemon exiting")
    }
    try daemon.start()
    say("main done")

case "daemon_inherited":
    // A thread created by a daemon thread is a daemon too, and abandoned with it.
    let never = threading.Event()
    let created = threading.Event()
    let parent = threading.Thread(daemon: true) {
        let child = threading.Thread {
            say("child daemon: \(threading.currentThread().isDaemon)")
            created.set()
            never.wait()
            say("child exiting")
        }
        try child.start()
        never.wait()
    }
    try parent.start()
    created.wait()
    say("main done")

case "daemon_threads_exit":
    // ThreadJoinOnShutdown.test_4: many busy daemon threads; exit(0) is clean.
    let ran = threading.Semaphore()
    _ = ran.acquire()
    let count = 40
    for _ in 0..<count {
        let thread = threading.Thread(daemon: true) {
            ran.release()
            var x = 0
            while true { x &+= 1; if x % 1_000_000 == 0 { sched_yield() } }
        }
        try thread.start()
    }
    for _ in 0..<count { ran.acquire() }
    exit(0)

case "thread_from_thread":
    // ThreadJoinOnShutdown.test_thread_from_thread: threads started during the exit
    // sequence are joined too.
    let gate = threading.Event()
    let first = threading.Thread {
        _ = try gate.wait(timeout: 0.05)
        let second = threading.Thread {
            _ = try gate.wait(timeout: 0.05)
            say("OK")
        }
        try second.start()
    }
    try first.start()

case "excepthook_default":
    let thread = threading.Thread(name: "excepthook thread") {
        throw ValueError("run failed")
    }
    try thread.start()
    try thread.join()
    say("after join")

case "excepthook_swift_error":
    struct DiskFull: Error, CustomStringConvertible {
        var description: String { "no space left" }
    }
    let thread = threading.Thread(name: "writer") { throw DiskFull() }
    try thread.start()
    try thread.join()

case "excepthook_fails":
    threading.excepthook = { _ in throw ValueError("threading_hook failed") }
    let thread = threading.Thread { throw ValueError("run failed") }
    try thread.start()
    try thread.join()

case "excepthook_custom":
    threading.excepthook = { args in
        say("hook: \(args.excValue) in \(args.thread?.name ?? "?")")
    }
    let thread = threading.Thread(name: "T") { throw ValueError("run failed") }
    try thread.start()
    try thread.join()
    threading.excepthook = threading.__excepthook__
    let again = threading.Thread(name: "U") { throw ValueError("again") }
    try again.start()
    try again.join()

case "system_exit":
    let thread = threading.Thread { try _thread.exit() }
    try thread.start()
    try thread.join()
    say("alive: \(thread.isAlive)")

case "raw_thread_error":
    try _thread.startNewThread { throw ValueError("task failed") }
    // Raw threads are never joined: wait until the process is down to its main thread.
    func taskCount() -> Int {
        guard let dir = opendir("/proc/self/task") else { return 0 }
        defer { closedir(dir) }
        var count = 0
        while let entry = readdir(dir) {
            if entry.pointee.d_name.0 != UInt8(ascii: ".") { count += 1 }
        }
        return count
    }
    while taskCount() > 1 { sched_yield() }

case "atexit_output":
    try threading._registerAtexit { say("parrot") }

case "atexit_called_once":
    try threading._registerAtexit { say("called") }
    say("before shutdown")
    threading.shutdown()
    say("after shutdown")

case "atexit_after_shutdown":
    try threading._registerAtexit {
        do {
            try threading._registerAtexit {}
        } catch {
            say("RuntimeError: \(error)")
        }
    }

case "exit_from_worker":
    // exit() called by a worker runs the exit sequence on that worker; it joins the other
    // non-daemon threads and does not try to join itself.
    let release = threading.Event()
    let other = threading.Thread {
        _ = try release.wait(timeout: 0.2)
        say("other finished")
    }
    try other.start()
    let exiter = threading.Thread { exit(3) }
    try exiter.start()
    threading.Event().wait()

case "main_thread":
    // test_main_thread, on the real main thread.
    let main = threading.mainThread()
    say("current is main: \(threading.currentThread() === main)")
    say("ident matches: \(main.ident == threading.getIdent())")
    say("name: \(main.name)")

case "logging_many_threads":
    // Many threads writing long lines to standard error at once.
    try logging.basicConfig(level: logging.DEBUG, format: "[%(levelname)s] (%(threadName)-10s) %(message)s")
    let padding = String(repeating: "x", count: 200)
    let writers = (0..<8).map { n in
        threading.Thread(name: "writer-\(n)") {
            for i in 0..<500 {
                logging.debug("message \(i) from \(threading.currentThread().name) \(padding)")
            }
        }
    }
    for writer in writers { try writer.start() }
    for writer in writers { try writer.join() }

case "pool_interpreter_shutdown":
    // test_interpreter_shutdown: a pool never shut down still runs its work before exit.
    let pool = try concurrent.futures.ThreadPoolExecutor(maxWorkers: 5)
    let gate = threading.Event()
    _ = try pool.submit {
        _ = try gate.wait(timeout: 0.2)
        say("apple")
    }

case "pool_submit_after_interpreter_shutdown":
    let pool = try concurrent.futures.ThreadPoolExecutor(maxWorkers: 2)
    _ = try pool.submit { 1 }.result()
    threading.shutdown()
    do {
        _ = try pool.submit { 2 }
    } catch {
        say("RuntimeError: \(error)")
    }

case "pool_shutdown_no_wait":
    // test_hang_gh83386: shutdown(wait: false), then exit: the work still completes.
    let pool = try concurrent.futures.ThreadPoolExecutor(maxWorkers: 2)
    let gate = threading.Event()
    _ = try pool.submit {
        _ = try gate.wait(timeout: 0.2)
        say("apple")
    }
    pool.shutdown(wait: false)

case "pool_cancel_futures_wait_false":
    let pool = try concurrent.futures.ThreadPoolExecutor(maxWorkers: 2)
    let gate = threading.Event()
    _ = try pool.submit {
        _ = try gate.wait(timeout: 0.1)
        say("apple")
    }
    pool.shutdown(wait: false, cancelFutures: true)

case "interrupt":
    // The main thread blocks in one kind of wait (argument 2) and the test sends SIGINT:
    // the wait throws KeyboardInterrupt and the primitive is left as it was.
    try threading.enableKeyboardInterrupt()
    let kind = CommandLine.arguments.dropFirst(2).first ?? ""
    let release = threading.Event()
    // A bystander thread in a timed wait must not be disturbed by the Ctrl-C.
    let bystander = threading.Thread(name: "bystander") {
        let woke = try release.wait(timeout: 60)
        say("bystander woke: \(woke)")
    }
    try bystander.start()
    let lock = threading.Lock(label: "held")
    let rlock = threading.RLock(label: "held")
    let q = queue.Queue<Int>(maxsize: 1)
    let holder = threading.Thread(name: "holder") {
        lock.acquire()
        rlock.acquire()
        release.wait()
        try lock.release()
        try rlock.release()
    }
    try holder.start()
    while !lock.locked || !rlock.locked { sched_yield() }
    let pool = try concurrent.futures.ThreadPoolExecutor(maxWorkers: 1)
    let slow = try pool.submit { release.wait(); return 1 }
    let cond = threading.Condition()
    let sem = try threading.Semaphore(value: 0)
    let barrier = try threading.Barrier(parties: 2)
    say("ready")
    do {
        switch kind {
        case "join": try holder.join()
        case "lock": _ = try lock.acquire(timeout: 60)
        case "rlock": _ = try rlock.acquire(timeout: 60)
        case "condition": try cond.withLock { _ = try cond.wait(timeout: 60) }
        case "event": _ = try threading.Event().wait(timeout: 60)
        case "semaphore": _ = try sem.acquire(timeout: 60)
        case "barrier": _ = try barrier.wait(timeout: 60)
        case "queue_get": _ = try q.get()
        case "queue_put":
            try q.put(1)
            try q.put(2)
        case "future": _ = try slow.result()
        case "wait": _ = try concurrent.futures.wait([slow])
        default: say("unknown kind \(kind)")
        }
        say("no interrupt")
    } catch is KeyboardInterrupt {
        say("KeyboardInterrupt")
    }
    // The primitive is intact.
    switch kind {
    case "lock": say("lock held by holder: \(lock.locked); acquired by main: \(try lock.acquire(blocking: false))")
    case "rlock": say("rlock owned by main: \(rlock.recursionCount > 0)")
    case "condition": say("condition lock released: \(!cond.locked)")
    case "semaphore": sem.release(); say("semaphore value after one release: \(try sem.acquire(blocking: false))")
    case "barrier": say("barrier broken: \(barrier.broken), waiting: \(barrier.nWaiting)")
    case "queue_put": say("queue holds: \(q.qsize), first: \(try q.get())")
    case "queue_get": try q.put(7); say("queue holds: \(q.qsize)")
    default: break
    }
    release.set()
    try holder.join()
    try bystander.join()
    pool.shutdown()

case "interrupt_busy":
    // A Ctrl-C while the main thread is not waiting stays pending; a second one ends the
    // process as an unhandled Ctrl-C does.
    try threading.enableKeyboardInterrupt()
    say("ready")
    var spins = 0
    var reported = false
    while true {
        spins &+= 1
        if spins % 1_000_000 == 0 { sched_yield() }
        if !reported, Interrupts.isPending {
            say("pending")
            reported = true
        }
    }

case "interrupt_pending":
    // A Ctrl-C that arrives while the main thread is busy is raised by its next wait.
    try threading.enableKeyboardInterrupt()
    say("ready")
    let line = readLine()
    say("got \(line ?? "")")
    do {
        _ = try threading.Event().wait(timeout: 60)
        say("no interrupt")
    } catch is KeyboardInterrupt {
        say("KeyboardInterrupt")
    }

case "interrupt_main":
    // _thread.interruptMain() from another thread interrupts the main thread's join.
    try threading.enableKeyboardInterrupt()
    let gate = threading.Event()
    let interrupter = threading.Thread {
        try _thread.interruptMain()
        _ = try gate.wait(timeout: 60)
    }
    try interrupter.start()
    do {
        try interrupter.join()
        say("no interrupt")
    } catch is KeyboardInterrupt {
        say("KeyboardInterrupt in join")
    }
    gate.set()
    try interrupter.join()
    do {
        try _thread.interruptMain()
        say("no interrupt")
    } catch is KeyboardInterrupt {
        say("KeyboardInterrupt at once")
    }
    do {
        try _thread.interruptMain(-1)
    } catch {
        say("ValueError: \(error)")
    }

case "interrupt_disabled":
    // Without enableKeyboardInterrupt, interruptMain does nothing.
    try _thread.interruptMain()
    _ = try threading.Event().wait(timeout: 0.05)
    say("not interrupted")

case "sigquit_dump":
    try threading.enableThreadDumpOnSIGQUIT()
    let lock = threading.Lock(label: "dumped")
    lock.acquire()
    let blocked = threading.Thread(name: "blocked-worker") { lock.withLock {} }
    try blocked.start()
    while lock.parkedCount == 0 { sched_yield() }
    say("ready")
    while !sigquitDumpsWritten.isSet { sched_yield() }
    say("dumped")
    _ = readLine()
    try lock.release()
    try blocked.join()

case "hang":
    // Never exits, and ignores SIGTERM: only SIGKILL ends it (runChild's timeout).
    var blocked = sigset_t()
    sigemptyset(&blocked)
    sigaddset(&blocked, SIGTERM)
    pthread_sigmask(SIG_BLOCK, &blocked, nil)
    say("hanging with SIGTERM blocked")
    threading.Event().wait()

default:
    print("unknown scenario: \(scenario)")
    exit(2)
}
