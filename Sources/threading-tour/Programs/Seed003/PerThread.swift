//===----------------------------------------------------------------------===//
//
// Threading: Python's threading model for Swift on Linux.
//
// Seed 003 (Python notes - threads/threading), `local()`.
//
//===----------------------------------------------------------------------===//

import Synchronization
import Threading

extension Tour {
    /// `perthread.num` has three separate values: the main thread's 42, and what each
    /// started thread copies from a global `i`, set to 1 before the first starts and to 2
    /// before the second. As the seed says, this likely prints 1, 2 and 42, but the
    /// threads race with the main thread for `i` (1 and 2 may swap, or both read 2). The
    /// seed elides the thread creation; the unlocked global is an `Atomic` in Swift (a
    /// plain global shared between threads would be a data race).
    static let perThread = Program(
        name: "perthread",
        seed: "003",
        summary: "perthread.num holds a value per thread: likely 1 and 2 in two threads, 42 in the main thread"
    ) {
        let perthread = threading.local<Int>()
        perthread.value = 42

        // create the thread objects
        let t1 = threading.Thread { f(perthread) }
        let t2 = threading.Thread { f(perthread) }
        // start the threads, wait for them to finish
        i.store(1, ordering: .relaxed)
        try t1.start()
        i.store(2, ordering: .relaxed)
        try t2.start()
        try t1.join()
        try t2.join()

        print(perthread.value!)
    }
}

/// The seed's global `i`, which each thread copies into its own `perthread.num`.
private let i = Atomic<Int>(0)

private func f(_ perthread: threading.local<Int>) {
    perthread.value = i.load(ordering: .relaxed)
    print(perthread.value!)
}
