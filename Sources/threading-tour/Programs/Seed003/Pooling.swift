//===----------------------------------------------------------------------===//
//
// Threading: Python's threading model for Swift on Linux.
//
// Seed 003 (Python notes - threads/threading), "simple-ish pooling", the quick and dirty
// variant.
//
//===----------------------------------------------------------------------===//

import Threading
import ThreadingLogging

extension Tour {
    /// Each of 50 jobs gets its own thread, but a new one starts only while
    /// `threading.activeCount()` shows fewer than 5 workers besides the main thread. The
    /// seed writes `target=some_function(jobs.pop())`, which runs the job in the main
    /// thread and starts a thread with no target; the port passes a closure that runs
    /// the job, as meant. It also makes `jobs` a list (Python 3's `range` has no `pop`)
    /// and has the main thread sleep 0.1 s while enough threads are working.
    static let pooling = Program(
        name: "pooling",
        seed: "003",
        summary: "50 jobs, a thread each, started only while threading.activeCount() shows fewer than 5 workers (the seed runs each job in main by mistake)"
    ) {
        try logging.basicConfig(level: logging.DEBUG, format: "(%(threadName)-9s) %(message)s")

        var jobs = Array(0..<50)  // these represent jobs to be started
        let targetThreads = 5
        var fired: [threading.Thread] = []
        while !jobs.isEmpty {  // while there are jobs to be worked on
            if threading.activeCount() < targetThreads + 1 {  // fewer threads working than we want
                let job = jobs.removeLast()
                let t = threading.Thread { someFunction(job) }
                fired.append(t)
                try t.start()
            } else {  // enough threads working
                time.sleep(0.1)
            }
        }
        // Make sure all threads are done before we exit.
        for th in fired {
            try th.join()
        }
        logging.debug("all \(fired.count) jobs done")
    }
}

private func someFunction(_ job: Int) {
    logging.debug("job \(job) starts; threads active: \(threading.activeCount())")
    time.sleep(random.random() / 2)
}
