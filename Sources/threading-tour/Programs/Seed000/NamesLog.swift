//===----------------------------------------------------------------------===//
//
// Threading: Python's threading model for Swift on Linux.
//
// Seed 000 (PyMOTW: threading), threading_names_log.py.
//
//===----------------------------------------------------------------------===//

import Threading
import ThreadingLogging

extension Tour {
    /// The `names` program logging instead of printing: `%(threadName)s` puts the thread's
    /// name on every line. Log lines go to standard error, as with Python's `basicConfig`.
    static let namesLog = Program(
        name: "names_log",
        seed: "000",
        summary: "the names program through logging: '[DEBUG] (worker    ) Starting'"
    ) {
        try logging.basicConfig(
            level: logging.DEBUG,
            format: "[%(levelname)s] (%(threadName)-10s) %(message)s"
        )

        let t = threading.Thread(name: "my_service", target: myService)
        let w = threading.Thread(name: "worker", target: worker)
        let w2 = threading.Thread(target: worker)  // use default name

        try w.start()
        try w2.start()
        try t.start()
    }
}

private func worker() {
    logging.debug("Starting")
    time.sleep(2)
    logging.debug("Exiting")
}

private func myService() {
    logging.debug("Starting")
    time.sleep(3)
    logging.debug("Exiting")
}
