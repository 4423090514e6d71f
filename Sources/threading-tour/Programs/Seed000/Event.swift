//===----------------------------------------------------------------------===//
//
// Threading: Python's threading model for Swift on Linux.
//
// Seed 000 (PyMOTW: threading), threading_event.py.
//
//===----------------------------------------------------------------------===//

import Threading
import ThreadingLogging

extension Tour {
    /// One thread waits for an event with no timeout, one with a 2-second timeout; the
    /// main thread sets the event after 3 seconds. The log keeps the seed's `e.isSet()`
    /// label (Python 3 spells it `is_set()`; Swift, the `isSet` property).
    static let event = Program(
        name: "event",
        seed: "000",
        summary: "an Event waited on with and without a timeout: 'non-block' gives up after 2 s, 'block' sees it set at 3 s"
    ) {
        try logging.basicConfig(
            level: logging.DEBUG,
            format: "%(asctime)s (%(threadName)-10s) %(message)s"
        )

        let e = threading.Event()
        let t1 = threading.Thread(name: "block") {
            waitForEvent(e)
        }
        try t1.start()

        let t2 = threading.Thread(name: "non-block") {
            try waitForEventTimeout(e, seconds(2))
        }
        try t2.start()

        logging.debug("Waiting before calling Event.set()")
        time.sleep(3)
        e.set()
        logging.debug("Event is set")
    }
}

/// Wait for the event to be set before doing anything
private func waitForEvent(_ e: threading.Event) {
    logging.debug("wait_for_event starting")
    e.wait()
    logging.debug("e.isSet()->\(str(e.isSet))")
}

/// Wait t seconds and then timeout
private func waitForEventTimeout(_ e: threading.Event, _ t: Double) throws {
    logging.debug("wait_for_event_timeout starting")
    try e.wait(timeout: t)
    logging.debug("e.isSet()->\(str(e.isSet))")
}
