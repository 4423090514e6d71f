//===----------------------------------------------------------------------===//
//
// Threading: Python's threading model for Swift on Linux.
//
//===----------------------------------------------------------------------===//

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
func runTourChild(_ arguments: [String]) -> ChildExit {
    let argv = ([CommandLine.arguments[0]] + arguments).map { strdup($0) } + [nil]
    defer { for argument in argv { free(argument) } }
    var pid = pid_t()
    let rc = posix_spawn(&pid, "/proc/self/exe", nil, nil, argv, environ)
    guard rc == 0 else { return .notStarted(rc) }
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
