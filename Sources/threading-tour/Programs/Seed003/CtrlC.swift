//===----------------------------------------------------------------------===//
//
// Threading: Python's threading model for Swift on Linux.
//
// Seed 003 (Python notes - threads/threading), "Timely thread cleanup, and getting Ctrl-C
// to work".
//
//===----------------------------------------------------------------------===//

import Synchronization
import Threading

extension Tour {
    /// The seed's clean-shutdown pattern: workers loop until a shared `stop_now` flag is
    /// set; the main thread watches them with short `join(0.2)` timeouts and, on
    /// `KeyboardInterrupt`, sets the flag and keeps joining until they have stopped.
    ///
    /// Python delivers Ctrl-C to the main thread as `KeyboardInterrupt` by default; here
    /// `threading.enableKeyboardInterrupt()` asks for it. So that the tour ends by itself, a
    /// thread calls `_thread.interruptMain()` after about two seconds, as the seed suggests
    /// for passing an interrupt along (press Ctrl-C sooner to do it yourself). With the
    /// library, the polling is optional: a plain `join()` also wakes on Ctrl-C.
    static let ctrlC = Program(
        name: "ctrl_c",
        seed: "003",
        summary: "workers stop cleanly on Ctrl-C (KeyboardInterrupt in the main thread); "
            + "an interruptMain() after 2 s stands in for the key press"
    ) {
        try threading.enableKeyboardInterrupt()

        let threadfunc: @Sendable () -> Void = {
            while !stopNow.load(ordering: .relaxed) {
                print("child thread sleeping")
                time.sleep(0.5)
            }
        }
        var firedThreads: [threading.Thread] = []
        let f = threading.Thread(target: threadfunc)
        firedThreads.append(f)
        try f.start()

        // The stand-in for the user's Ctrl-C.
        let presser = threading.Thread(name: "ctrl-c", daemon: true) {
            time.sleep(2)
            try _thread.interruptMain()
        }
        try presser.start()

        // The main loop: wait for each thread to finish, watching for Ctrl-C.
        while !firedThreads.isEmpty {
            do {
                for th in firedThreads {
                    print("parent thread watching")
                    try th.join(timeout: seconds(0.2))  // timeout quickly
                    if !th.isAlive {
                        firedThreads.removeAll { $0 === th }
                    }
                }
            } catch is KeyboardInterrupt {
                print("\nCtrl-C signal arrived in main thread, asking threads to stop")
                // Some mechanism to get worker threads to stop, such as a flag they listen
                // to within reasonable time.
                stopNow.store(true, ordering: .relaxed)
            }
        }
        print("all threads stopped")
    }
}

/// The seed's global `stop_now`.
private let stopNow = Atomic<Bool>(false)
