//===----------------------------------------------------------------------===//
//
// Threading: Python's threading model for Swift on Linux.
//
// Seed 000 (PyMOTW: threading), threading_enumerate.py.
//
//===----------------------------------------------------------------------===//

import Threading

extension Tour {
    /// Three daemon threads sleep for 1 to 5 seconds; the main thread joins every thread
    /// `threading.enumerate()` lists except itself, without having kept a handle to any.
    static let enumerate = Program(
        name: "enumerate",
        seed: "000",
        summary: "three daemon workers sleep 1-5 s; main joins all of them through threading.enumerate()"
    ) {
        for _ in 0..<3 {
            let t = threading.Thread(target: worker)
            try t.setDaemon(true)
            try t.start()
        }

        let mainThread = threading.currentThread()
        for t in threading.enumerate() {
            if t === mainThread {
                continue
            }
            print("Joining :", t.name)
            try t.join()
        }
    }
}

/// thread worker function
private func worker() {
    let t = threading.currentThread()
    let pause = random.randint(1, 5)
    print("Starting:", t.name, "sleeping", pause)
    time.sleep(Double(pause))
    print("Ending :", t.name)
}
