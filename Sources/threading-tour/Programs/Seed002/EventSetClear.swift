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
    /// its servers and client: two server threads wait for the flag (any number of
    /// threads may wait for the same event); the client sets it, which wakes them both,
    /// and clears it once they are done. The seed shows the calls only; the threads and
    /// their messages are the port's.
    static let eventSetClear = Program(
        name: "event_set_clear",
        seed: "002",
        summary: "Event isSet, set() and clear(); two servers blocked in wait() both wake when the client sets it"
    ) {
        let e = threading.Event()
        print("e.isSet()", str(e.isSet))
        e.set()
        print("e.set(); e.isSet()", str(e.isSet))
        e.clear()
        print("e.clear(); e.isSet()", str(e.isSet))

        var servers: [threading.Thread] = []
        for n in 1...2 {
            let server = threading.Thread(name: "server-\(n)") {
                let name = threading.currentThread().name
                print("\(name): waiting for the event")
                e.wait()
                print("\(name): woke up, e.isSet()", str(e.isSet))
            }
            servers.append(server)
            try server.start()
        }

        time.sleep(1)
        print("client: e.set()")
        e.set()
        for server in servers {
            try server.join()
        }
        e.clear()
        print("client: e.clear(); e.isSet()", str(e.isSet))
    }
}
