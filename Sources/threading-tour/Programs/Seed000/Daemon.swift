//===----------------------------------------------------------------------===//
//
// Threading: Python's threading model for Swift on Linux.
//
// Seed 000 (PyMOTW: threading), threading_daemon.py, threading_daemon_join.py and
// threading_daemon_join_timeout.py: one daemon thread, one non-daemon thread, and three
// ways for the main thread to end.
//
//===----------------------------------------------------------------------===//

import Threading

extension Tour {
    /// The process exits once the non-daemon threads are done, abandoning the daemon in
    /// its sleep: its `Exiting` line never appears.
    static let daemon = Program(
        name: "daemon",
        seed: "000",
        summary: "a daemon thread is abandoned at exit: its 'Exiting' line never appears"
    ) {
        let (d, t) = try makeThreads()
        try d.start()
        try t.start()
    }

    /// Joining the daemon thread waits for it, so its `Exiting` line appears.
    static let daemonJoin = Program(
        name: "daemon_join",
        seed: "000",
        summary: "joining the daemon thread waits for it: its 'Exiting' line appears"
    ) {
        let (d, t) = try makeThreads()
        try d.start()
        try t.start()

        try d.join()
        try t.join()
    }

    /// `join(timeout:)` returns after a second while the daemon sleeps for two, so the
    /// daemon is still alive. Python 3.9 removed `isAlive()` (it is `is_alive()`); the
    /// Swift spelling is the `isAlive` property. The line keeps the seed's label.
    static let daemonJoinTimeout = Program(
        name: "daemon_join_timeout",
        seed: "000",
        summary: "join(timeout: 1) on a daemon sleeping 2 s returns with it still alive ('d.isAlive() True'; Python 3.9 renamed it is_alive())"
    ) {
        let (d, t) = try makeThreads()
        try d.start()
        try t.start()

        try d.join(timeout: seconds(1))
        print("d.isAlive()", str(d.isAlive))
        try t.join()
    }
}

/// The seed's two threads: `daemon` (made a daemon with `setDaemon`) and `non-daemon`.
private func makeThreads() throws -> (daemon: threading.Thread, nonDaemon: threading.Thread) {
    let d = threading.Thread(name: "daemon", target: daemon)
    try d.setDaemon(true)

    let t = threading.Thread(name: "non-daemon", target: nonDaemon)
    return (d, t)
}

private func daemon() {
    print("Starting:", threading.currentThread().name)
    time.sleep(2)
    print("Exiting :", threading.currentThread().name)
}

private func nonDaemon() {
    print("Starting:", threading.currentThread().name)
    print("Exiting :", threading.currentThread().name)
}
