//===----------------------------------------------------------------------===//
//
// Threading: Python's threading model for Swift on Linux.
//
// Seed 000 (PyMOTW: threading), threading_subclass.py, and seed 001 (PyMOTW 3),
// threading_subclass_args.py.
//
//===----------------------------------------------------------------------===//

import Threading
import ThreadingLogging

extension Tour {
    /// A `Thread` subclass overriding `run()`.
    static let subclass = Program(
        name: "subclass",
        seed: "000",
        summary: "a Thread subclass overriding run(), started five times ('MyThread: Thread-1' ...)"
    ) {
        for _ in 0..<5 {
            let t = MyThread()
            try t.start()
        }
    }

    /// A subclass that keeps its constructor's arguments to use in `run()`. The seed's
    /// output shows `(0,)` to `(4,)`, but its code passes `args=(1,)` to every thread, so
    /// Python prints `(1,)` five times, as this port does. The seed's format string
    /// `'%(threadName)s] %(message)s'` is a typo for the `(%(threadName)s) %(message)s`
    /// its output shows.
    static let subclassArgs = Program(
        name: "subclass_args",
        seed: "001",
        summary: "a subclass keeping args and kwargs for run() (the seed shows (0,)..(4,); its code, and Python, give (1,))"
    ) {
        try logging.basicConfig(level: logging.DEBUG, format: "(%(threadName)s) %(message)s")

        for _ in 0..<5 {
            let t = MyThreadWithArgs(args: [1], kwargs: ["a": "A", "b": "B"])
            try t.start()
        }
    }
}

private final class MyThread: threading.Thread, @unchecked Sendable {
    override func run() {
        print("MyThread:", name)
    }
}

/// Python's `Thread` keeps `args` and `kwargs` private, so the subclass stores its own
/// copies. Swift targets are closures, so the arguments here are the subclass's own:
/// a tuple of integers and an ordered dictionary of strings.
private final class MyThreadWithArgs: threading.Thread, @unchecked Sendable {
    let args: [Int]
    let kwargs: KeyValuePairs<String, String>

    init(
        name: String? = nil,
        args: [Int] = [],
        kwargs: KeyValuePairs<String, String> = [:],
        target: (@Sendable () throws -> Void)? = nil
    ) {
        self.args = args
        self.kwargs = kwargs
        super.init(name: name, target: target)
    }

    override func run() {
        logging.debug("running with \(repr(tuple: args)) and \(repr(kwargs))")
    }
}
