//===----------------------------------------------------------------------===//
//
// Threading: Python's threading model for Swift on Linux.
//
//===----------------------------------------------------------------------===//

/// The tour's programs, in tutorial order.
enum Tour {
    /// Every program, seed by seed, in the order each tutorial shows them.
    static let programs: [Program] = [
        // Seed 000 (PyMOTW: threading), with two programs from seed 001 (PyMOTW 3).
        simple, simpleargs, names, namesLog, daemon, daemonJoin, daemonJoinTimeout,
        enumerate, subclass, subclassArgs, timer, event, lock, lockNoblock,
        lockNoblockHolder, lockReacquire, rlock, lockWith, condition, semaphore, local,
        localDefaults,
        // Seed 002 (Python Notes: 17. Threading).
        startNewThread, allocateLock, rlockGetAll, threadExample, boundedSemaphore,
        eventSetClear, conditionProducerConsumer, fetchUrls, squareRoot,
        // Seed 003 (Python notes: threads/threading).
        myThreadData, perThread, pooling, poolingQueue, ctrlC,
        // Seed 004 (bogotobogo: Python Multithread).
        threadArgs, producerConsumerQueue, semaphorePool, executorPool,
    ]

    /// The program called `name`, if there is one.
    static func program(named name: String) -> Program? {
        programs.first { $0.name == name }
    }
}
