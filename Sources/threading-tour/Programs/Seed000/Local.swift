//===----------------------------------------------------------------------===//
//
// Threading: Python's threading model for Swift on Linux.
//
// Seed 000 (PyMOTW: threading), threading_local.py and threading_local_defaults.py.
//
//===----------------------------------------------------------------------===//

import Threading

extension Tour {
    /// A `threading.local` value is absent in each thread until that thread sets it.
    /// Python's missing attribute (`AttributeError`) is Swift's `nil`.
    static let local = Program(
        name: "local",
        seed: "000",
        summary: "a threading.local value has 'No value yet' in each thread until that thread sets it"
    ) {
        let localData = threading.local<Int>()
        showValue(localData)
        localData.value = 1000
        showValue(localData)

        for _ in 0..<2 {
            let t = threading.Thread { worker(localData) }
            try t.start()
        }
    }

    /// A `threading.local` whose initialiser (Python's subclass `__init__`) gives every
    /// thread the value 1000 on first use, printing the same object id in each thread.
    static let localDefaults = Program(
        name: "local_defaults",
        seed: "000",
        summary: "a threading.local with an initialiser: each thread starts from 1000, initialised once per thread"
    ) {
        let localData = myLocal(1000)
        showValue(localData)

        for _ in 0..<2 {
            let t = threading.Thread { worker(localData) }
            try t.start()
        }
    }
}

/// Python 2's `print a, b,` leaves the line open for the next `print`; the worker threads
/// print their halves of a line under this lock, so two threads' halves never mix.
private let outputLock = threading.Lock()

private func showValue(_ data: threading.local<Int>) {
    outputLock.withLock {
        print(threading.currentThread().name, ": value=", terminator: " ")
        if let value = data.value {
            print(value)
        } else {
            print("No value yet")
        }
    }
}

private func worker(_ data: threading.local<Int>) {
    showValue(data)
    data.value = random.randint(1, 100)
    showValue(data)
}

/// Python's `class MyLocal(threading.local)` whose `__init__(self, value)` prints a line
/// and sets `self.value`: in Swift, a `threading.local` made with an initialiser, which
/// runs once in each thread, on the thread's first use.
private func myLocal(_ value: Int) -> threading.local<Int> {
    // Python prints `id(self)`; an initialiser cannot name the object it belongs to, so
    // it prints the id of an object made with the local and living as long as it.
    let identity = Identity()
    let local = threading.local<Int> {
        print("(Initializing \(id(identity)) for \(threading.currentThread().name))", terminator: " ")
        return value
    }
    // Python runs `__init__` at construction in the creating thread, then in each other
    // thread the first time it touches the object.
    _ = local.value
    return local
}

private final class Identity: Sendable {}
