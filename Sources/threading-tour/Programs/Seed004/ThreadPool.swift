//===----------------------------------------------------------------------===//
//
// Threading: Python's threading model for Swift on Linux.
//
// Seed 004 (bogotobogo: Python Multithread), "Semaphore objects & thread pool", and the
// same pool as a `ThreadPoolExecutor`.
//
//===----------------------------------------------------------------------===//

import Threading
import ThreadingLogging

extension Tour {
    /// Ten threads share a `Semaphore(3)`: each waits to join the pool, and at most three
    /// are in it at once. The seed has the section's title only; the program is the
    /// port's.
    static let semaphorePool = Program(
        name: "semaphore_pool",
        seed: "004",
        summary: "ten threads wait to join a pool that a Semaphore(3) keeps to three at a time"
    ) {
        try logging.basicConfig(level: logging.DEBUG, format: "(%(threadName)-9s) %(message)s")

        let pool = ThreadPool()
        let s = try threading.Semaphore(value: 3)
        for i in 0..<10 {
            let t = threading.Thread(name: "thread_\(i)") { f(s, pool) }
            try t.start()
        }
    }

    /// The same ten jobs on a `ThreadPoolExecutor` with three workers, which does the
    /// semaphore's work itself: the results come back as futures, in submission order.
    static let executorPool = Program(
        name: "executor_pool",
        seed: "004",
        summary: "the same ten jobs on a ThreadPoolExecutor(maxWorkers: 3), with results from futures"
    ) {
        try logging.basicConfig(level: logging.DEBUG, format: "(%(threadName)-24s) %(message)s")

        let pool = ThreadPool()
        let executor = try concurrent.futures.ThreadPoolExecutor(maxWorkers: 3)
        let squares = try executor.withExecutor { executor in
            let futures = try (0..<10).map { i in
                try executor.submit { () -> Int in
                    let name = threading.currentThread().name
                    pool.makeActive(name)
                    logging.debug("job \(i) running; pool: \(pool)")
                    time.sleep(0.2)
                    pool.makeInactive(name)
                    return i * i
                }
            }
            return try futures.map { try $0.result() }
        }
        print("results:", squares)
    }
}

/// The names of the threads in the pool, guarded by a lock.
private final class ThreadPool: @unchecked Sendable, CustomStringConvertible {
    /// Guarded by `lock`.
    private var active: [String] = []
    private let lock = threading.Lock()

    func makeActive(_ name: String) {
        lock.withLock { active.append(name) }
    }

    func makeInactive(_ name: String) {
        lock.withLock { _ = active.remove(at: active.firstIndex(of: name)!) }
    }

    var description: String {
        lock.withLock { repr(active) }
    }
}

private func f(_ s: threading.Semaphore, _ pool: ThreadPool) {
    logging.debug("Waiting to join the pool")
    s.withLock {
        let name = threading.currentThread().name
        pool.makeActive(name)
        logging.debug("Running: \(pool)")
        time.sleep(0.5)
        pool.makeInactive(name)
    }
}
