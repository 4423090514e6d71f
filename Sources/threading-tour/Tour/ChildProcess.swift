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
    var pid = pid_t()
    let rc = posix_spawn(&pid, "/proc/self/exe", nil, nil, argv, environ)
    guard rc == 0 else { return .notStarted(rc) }
    runningChild.store(pid, ordering: .sequentiallyConsistent)
    defer { runningChild.store(0, ordering: .sequentiallyConsistent) }
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
