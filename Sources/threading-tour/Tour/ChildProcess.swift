//===----------------------------------------------------------------------===//
//
// Threading: Python's threading model for Swift on Linux.
//
//===----------------------------------------------------------------------===//

import Synchronization

#if canImport(Glibc)
@preconcurrency import Glibc
#elseif canImport(Musl)
@preconcurrency import Musl
#endif

/// How a child process ended.
enum ChildExit: Equatable {
    /// It exited with this status.
    case exited(Int32)
    /// A signal ended it.
    case signalled(Int32)
    /// It could not be started (an `errno` value).
    case notStarted(Int32)
}

/// Runs this executable again with `arguments`, sharing standard input, output and error,
/// and waits for it: each program of a whole tour runs in a fresh process, as each seed's
/// program ran in its own interpreter (thread names count from `Thread-1`, and the
/// process's exit joins non-daemon threads and abandons daemon threads, program by
/// program).
///
/// A `SIGTERM`, `SIGINT` or `SIGHUP` sent to this process is passed on to the child
/// before this process ends by it, so stopping the tour (a test's timeout, say) never
/// leaves a program running on its own.
func runTourChild(_ arguments: [String]) -> ChildExit {
    forwardTerminationSignals()
    let argv = ([CommandLine.arguments[0]] + arguments).map { strdup($0) } + [nil]
    defer { for argument in argv { free(argument) } }

    // The child starts with no signal blocked, whatever this thread blocks.
    var attributes = posix_spawnattr_t()
    posix_spawnattr_init(&attributes)
    defer { posix_spawnattr_destroy(&attributes) }
    var noSignals = sigset_t()
    sigemptyset(&noSignals)
    posix_spawnattr_setsigmask(&attributes, &noSignals)
    posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK))

    // Termination signals wait until the child's pid is recorded, so that the handler
    // never misses the child.
    var termination = terminationSignals
    var previous = sigset_t()
    pthread_sigmask(SIG_BLOCK, &termination, &previous)
    var pid = pid_t()
    let rc = posix_spawn(&pid, "/proc/self/exe", nil, &attributes, argv, environ)
    if rc == 0 {
        runningChild.store(pid, ordering: .sequentiallyConsistent)
    }
    pthread_sigmask(SIG_SETMASK, &previous, nil)
    guard rc == 0 else { return .notStarted(rc) }

    // Wait for the child to end without reaping it, so that its pid cannot be reused
    // while the handler may still signal it; then forget it, then reap it.
    var info = siginfo_t()
    while waitid(P_PID, id_t(pid), &info, WEXITED | WNOWAIT) != 0 {
        guard errno == EINTR else { break }
    }
    runningChild.store(0, ordering: .sequentiallyConsistent)
    var status: Int32 = 0
    while waitpid(pid, &status, 0) < 0 {
        guard errno == EINTR else { return .notStarted(errno) }
    }
    // The <sys/wait.h> macros, which Swift does not import: WIFEXITED, WEXITSTATUS, WTERMSIG.
    if status & 0x7f == 0 {
        return .exited((status >> 8) & 0xff)
    }
    return .signalled(status & 0x7f)
}

/// The signals that stop the tour, and that it passes on to the program it runs.
private var terminationSignals: sigset_t {
    var signals = sigset_t()
    sigemptyset(&signals)
    for signalNumber in [SIGTERM, SIGINT, SIGHUP] {
        sigaddset(&signals, signalNumber)
    }
    return signals
}

/// The child running now, 0 when none: read by the signal handler.
private let runningChild = Atomic<Int32>(0)

/// Installs, once, the handler that passes termination signals on to the running child,
/// then ends this process by the same signal. The handler is formed here, in nonisolated
/// code, and does only async-signal-safe work (an atomic load, `kill`, `signal`, `raise`).
private func forwardTerminationSignals() {
    guard !forwardingInstalled.exchange(true, ordering: .relaxed) else { return }
    for signalNumber in [SIGTERM, SIGINT, SIGHUP] {
        signal(signalNumber) { received in
            let child = runningChild.load(ordering: .sequentiallyConsistent)
            if child > 0 {
                kill(child, received)
            }
            signal(received, SIG_DFL)
            raise(received)
        }
    }
}

private let forwardingInstalled = Atomic<Bool>(false)

/// Unblocks `SIGTERM`, `SIGINT` and `SIGHUP` in the calling thread, and so in every thread
/// and child process started after it. A process inherits its signal mask from the thread
/// that started it, and a test runner's worker threads often block these signals: the
/// tour unblocks them first thing, so that stopping it works however it was started.
func acceptTerminationSignals() {
    var signals = terminationSignals
    pthread_sigmask(SIG_UNBLOCK, &signals, nil)
}
