//===----------------------------------------------------------------------===//
//
// Threading: Python's threading model for Swift on Linux.
//
// Seed 002 (Python Notes, 17. Threading), 17.6.1 Events.
//
//===----------------------------------------------------------------------===//

import Threading

extension Tour {
    /// The seed's interactive session on an `Event` (`isSet`, `set()`, `clear()`), then
    /// its server and client: a server thread waits for the flag; the client sets it and
    /// clears it again at once. The waiter still returns true: `set()` woke it, whatever
    /// the flag says by the time it runs (as in Python 3).
    static let eventSetClear = Program(
        name: "event_set_clear",
        seed: "002",
        summary: "Event set() and clear(); a server waiting in wait() is woken by a set() even if clear() follows at once"
    ) {
        let e = threading.Event()
        print("e.isSet()", str(e.isSet))
        e.set()
        print("e.set(); e.isSet()", str(e.isSet))
        e.clear()
        print("e.clear(); e.isSet()", str(e.isSet))

        let server = threading.Thread(name: "server") {
            print("server: waiting for the event")
            let woken = e.wait()
            print("server: e.wait() returned", str(woken))
        }
        try server.start()

        time.sleep(1)
        print("client: e.set(), then e.clear() at once")
        e.set()
        e.clear()
        try server.join()
        print("e.isSet()", str(e.isSet))
    }
}
