//===----------------------------------------------------------------------===//
//
// Threading: Python's threading model for Swift on Linux.
//
// Seed 004 (bogotobogo: Python Multithread), "Producer and Consumer with Queue".
//
// PENDING: needs the `queue` module (issue 4). Written against its planned API; move to
// Sources/threading-tour/Programs/Seed004/ once `queue.Queue` is in the package.
//
//===----------------------------------------------------------------------===//

import Threading
import ThreadingLogging

extension Tour {
    /// A producer puts ten random numbers into a `Queue(maxsize: 10)`; a daemon consumer
    /// gets them one by one and marks each done; the main thread's `join()` on the queue
    /// returns once every item has been got and processed. The seed has the section's
    /// title only; the program is the port's.
    static let producerConsumerQueue = Program(
        name: "producer_consumer_queue",
        seed: "004",
        summary: "a producer puts 10 items in a Queue(maxsize: 10); a daemon consumer gets them; q.join() waits for all"
    ) {
        try logging.basicConfig(level: logging.DEBUG, format: "(%(threadName)-9s) %(message)s")

        let q = queue.Queue<Int>(maxsize: 10)

        let producer = threading.Thread(name: "producer") {
            for _ in 0..<10 {
                let item = random.randint(1, 10)
                try q.put(item)
                logging.debug("Putting \(item) : \(q.qsize) items in queue")
                time.sleep(random.random())
            }
        }

        // A daemon: it waits in get() forever once the items run out, and the process
        // may exit without it.
        let consumer = threading.Thread(name: "consumer", daemon: true) {
            while true {
                let item = try q.get()
                logging.debug("Getting \(item) : \(q.qsize) items in queue")
                time.sleep(random.random())
                try q.taskDone()
            }
        }

        try producer.start()
        try consumer.start()
        try producer.join()
        q.join()  // until every item put has been got and marked done
        logging.debug("every item processed")
    }
}
