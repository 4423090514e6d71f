//===----------------------------------------------------------------------===//
//
// Threading: Python's threading model for Swift on Linux.
//
// Seed 003 (Python notes - threads/threading), "simple-ish pooling", the elegant way.
//
// PENDING: needs the `queue` module (issue 4). Written against its planned API; move to
// Sources/threading-tour/Programs/Seed003/ once `queue.Queue` is in the package.
//
//===----------------------------------------------------------------------===//

import Threading
import ThreadingLogging

extension Tour {
    /// "Start as many threads as you want, and have them source jobs safely from the same
    /// place -- probably a queue.Queue": five workers take the 50 jobs from one queue until
    /// `get(block: false)` throws `queue.Empty`. The seed describes this way in words
    /// only; the program is the port's (the same jobs as `pooling`).
    static let poolingQueue = Program(
        name: "pooling_queue",
        seed: "003",
        summary: "five worker threads take 50 jobs from one queue.Queue until it is empty"
    ) {
        try logging.basicConfig(level: logging.DEBUG, format: "(%(threadName)-9s) %(message)s")

        let jobs = queue.Queue<Int>()
        for job in 0..<50 {
            try jobs.put(job)
        }

        var workers: [threading.Thread] = []
        for _ in 0..<5 {
            let t = threading.Thread {
                while true {
                    let job: Int
                    do {
                        job = try jobs.get(block: false)
                    } catch is queue.Empty {
                        return  // no work left
                    }
                    someJob(job)
                    try jobs.taskDone()
                }
            }
            workers.append(t)
            try t.start()
        }
        jobs.join()  // every job taken and done
        for t in workers {
            try t.join()
        }
        logging.debug("all 50 jobs done")
    }
}

private func someJob(_ job: Int) {
    logging.debug("job \(job) starts")
    time.sleep(random.random() / 2)
}
