//===----------------------------------------------------------------------===//
//
// Threading: Python's threading model for Swift on Linux.
//
// Seed 000 (PyMOTW: threading) and seed 001 (PyMOTW 3), threading_lock_noblock.py: two
// versions of a worker that takes a lock without blocking, counting its attempts.
//
//===----------------------------------------------------------------------===//

import Threading
import ThreadingLogging

extension Tour {
    /// Seed 000's version: three workers, each trying `acquire(blocking: false)` after
    /// random pauses until it has held the lock three times.
    static let lockNoblock = Program(
        name: "lock_noblock",
        seed: "000",
        summary: "three workers try acquire(blocking: false) after random pauses until each has held the lock 3 times"
    ) {
        try logging.basicConfig(
            level: logging.DEBUG,
            format: "%(asctime)s (%(threadName)-8s) %(message)s"
        )

        let lock = threading.Lock()
        for _ in 0..<3 {
            let t = threading.Thread { try worker(lock) }
            try t.start()
        }
    }

    /// Seed 001's version: a daemon `lockholder` holds the lock half a second in every
    /// second, and one `worker` tries every half second until it has held it three times.
    /// The seed's code is garbled where its text and output are not: it counts successes
    /// in `num_tries` and logs "Done" inside the loop, which would stop after three tries
    /// whatever happened. The port counts acquisitions and logs "Done" once, as its output
    /// shows, with the format and `Trying to acquire` its output shows (the seed's format
    /// string `'%(threadName)s] %(message)s'` is a typo).
    static let lockNoblockHolder = Program(
        name: "lock_noblock_holder",
        seed: "001",
        summary: "a daemon 'lockholder' holds the lock half the time; 'worker' tries every 0.5 s until it got it 3 times (as the seed's output, not its garbled code)"
    ) {
        try logging.basicConfig(level: logging.DEBUG, format: "(%(threadName)s) %(message)s")

        let lock = threading.Lock()
        let holder = threading.Thread(name: "lockholder") { try lockHolder(lock) }
        try holder.setDaemon(true)
        try holder.start()

        let worker = threading.Thread(name: "worker") { try holderWorker(lock) }
        try worker.start()
    }
}

// MARK: Seed 000

private func randomPause() {
    let pause = random.random()
    time.sleep(pause)
}

private func worker(_ lock: threading.Lock) throws {
    logging.debug("Starting")
    var numTries = 0
    var numAcquires = 0
    while numAcquires < 3 {
        randomPause()
        let haveIt = try lock.acquire(blocking: false)
        defer {  // Python's finally
            if haveIt {
                try? lock.release()
            }
        }
        numTries += 1
        if haveIt {
            logging.debug("Iteration \(numTries): Acquired")
            numAcquires += 1
            randomPause()
        } else {
            logging.debug("Iteration \(numTries): Not acquired")
        }
    }
    logging.debug("Done after \(numTries) iterations")
}

// MARK: Seed 001

private func lockHolder(_ lock: threading.Lock) throws {
    logging.debug("Starting")
    while true {
        lock.acquire()
        logging.debug("Holding")
        time.sleep(0.5)
        logging.debug("Not holding")
        try lock.release()
        time.sleep(0.5)
    }
}

private func holderWorker(_ lock: threading.Lock) throws {
    logging.debug("Starting")
    var numTries = 0
    var numAcquires = 0
    while numAcquires < 3 {
        time.sleep(0.5)
        logging.debug("Trying to acquire")
        let haveIt = try lock.acquire(blocking: false)
        defer {  // Python's finally
            if haveIt {
                try? lock.release()
            }
        }
        numTries += 1
        if haveIt {
            logging.debug("Iteration \(numTries): Acquired")
            numAcquires += 1
        } else {
            logging.debug("Iteration \(numTries): Not acquired")
        }
    }
    logging.debug("Done after \(numTries) iterations")
}
