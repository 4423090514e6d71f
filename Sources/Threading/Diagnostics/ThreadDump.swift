//===----------------------------------------------------------------------===//
//
// Threading: Python's threading model for Swift on Linux.
//
//===----------------------------------------------------------------------===//

import CThreadingShims

#if canImport(Glibc)
@preconcurrency import Glibc
#elseif canImport(Musl)
@preconcurrency import Musl
#endif

extension threading {
    /// A thread dump: every live thread with its name, ident, native id and daemon flag,
    /// whether it runs or waits, and for a waiting thread what it waits on, for how long,
    /// and which thread holds it when that is known.
    ///
    ///     Thread dump: 2 threads
    ///     "MainThread" ident=140233 native_id=1021 daemon=false: waiting 2.5 s on Lock "db" (0x55...), held by "worker" (ident=140187)
    ///     "worker" ident=140187 native_id=1024 daemon=false: running
    ///
    /// Threads waiting inside the library show what they wait on; a thread running its own
    /// code shows as running. (A `Lock`'s holder is known while
    /// `threading.diagnostics.trackLockHolders` is on; an `RLock`'s always.)
    public static func threadDump() -> String {
        let threads = ThreadRegistry.shared.snapshot
        let known = Set(threads.compactMap(\.ident))
        var lines: [String] = []
        for thread in threads {
            let ident = thread.ident ?? 0
            let header = "\"\(thread.name)\" ident=\(ident) native_id=\(thread.nativeID.map(String.init) ?? "-") "
                + "daemon=\(thread.isDaemon)"
            lines.append(header + ": " + describeState(ofThread: ident))
        }
        // Raw threads (never registered) that are waiting in the library.
        for parker in ParkerRegistry.shared.all where !known.contains(parker.threadIdent) && parker.waitSite != nil {
            lines.append("(unregistered thread) ident=\(parker.threadIdent): " + describeState(ofThread: parker.threadIdent))
        }
        return "Thread dump: \(lines.count) thread\(lines.count == 1 ? "" : "s")\n" + lines.joined(separator: "\n") + "\n"
    }

    /// Writes `threadDump()` to standard error.
    public static func dumpThreads() {
        writeToStandardError(threadDump())
    }

    /// Makes SIGQUIT (Ctrl-\) write a thread dump to standard error instead of ending the
    /// process, as the JVM does. The dump is written by a daemon thread the call starts.
    ///
    /// - Throws: `OSError` if the handler cannot be installed.
    public static func enableThreadDumpOnSIGQUIT() throws {
        let descriptor = cshim_sigquit_pipe_install()
        guard descriptor >= 0 else { throw OSError("cannot install the SIGQUIT handler: errno \(errno)") }
        guard !sigquitReaderStarted.exchange(true) else { return }
        let reader = Thread(name: "threading-sigquit", daemon: true) {
            var byte: UInt8 = 0
            while true {
                let got = read(descriptor, &byte, 1)
                if got == 1 {
                    dumpThreads()
                    sigquitDumpsWritten.exchange(true)
                } else if got < 0, errno != EINTR {
                    return
                }
            }
        }
        try reader.start()
    }

    /// `running`, or `waiting 1.2 s on Lock "x" (0x...), held by "worker" (ident=...)`.
    internal static func describeState(ofThread ident: UInt) -> String {
        guard let site = ParkerRegistry.shared.parker(ofThread: ident)?.waitSite else { return "running" }
        let waited = formatSeconds(Double(Deadline.now.nanoseconds &- site.since.nanoseconds) / 1e9)
        if let joined = site.target as? Thread {
            return "waiting \(waited) to join \"\(joined.name)\""
        }
        var text = "waiting \(waited) on \(site.target.diagnosticName)"
        let holders = site.target.holders
        if !holders.isEmpty {
            text += ", held by " + holders.map { "\"\(ThreadRegistry.shared.nameOfThread($0))\" (ident=\($0))" }
                .joined(separator: ", ")
        }
        return text
    }
}

private let sigquitReaderStarted = AtomicFlag()
/// Set once a SIGQUIT dump has been written (for tests).
internal let sigquitDumpsWritten = AtomicFlag()

/// A flag that flips once.
internal final class AtomicFlag: @unchecked Sendable {
    private let mutex = InternalMutex()
    private var value = false

    /// Sets the flag; returns what it was.
    @discardableResult
    func exchange(_ newValue: Bool) -> Bool {
        mutex.lock()
        defer { mutex.unlock() }
        let old = value
        value = newValue
        return old
    }

    /// The flag's value.
    var isSet: Bool {
        mutex.lock()
        defer { mutex.unlock() }
        return value
    }
}
