//===----------------------------------------------------------------------===//
//
// Threading: Python's threading model for Swift on Linux.
//
// Seed 000 (PyMOTW: threading), threading_names.py.
//
//===----------------------------------------------------------------------===//

import Threading

extension Tour {
    /// Threads named at creation, and one left with the default name. Python 3.10 and
    /// later name that one `Thread-1 (worker)`; this library keeps the seed's
    /// `Thread-1` (targets are closures, which have no name to add).
    static let names = Program(
        name: "names",
        seed: "000",
        summary: "threads named 'worker' and 'my_service', and one with the default name Thread-1 (Python 3.10+: 'Thread-1 (worker)')"
    ) {
        let t = threading.Thread(name: "my_service", target: myService)
        let w = threading.Thread(name: "worker", target: worker)
        let w2 = threading.Thread(target: worker)  // use default name

        try w.start()
        try w2.start()
        try t.start()
    }
}

private func worker() {
    print(threading.currentThread().name, "Starting")
    time.sleep(2)
    print(threading.currentThread().name, "Exiting")
}

private func myService() {
    print(threading.currentThread().name, "Starting")
    time.sleep(3)
    print(threading.currentThread().name, "Exiting")
}
