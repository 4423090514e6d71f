//===----------------------------------------------------------------------===//
//
// Threading: Python's threading model for Swift on Linux.
//
//===----------------------------------------------------------------------===//

extension threading {
    /// Python's `threading.Timer`: a thread that runs `function` after `interval` seconds
    /// unless cancelled first.
    ///
    /// Invariant: `function` runs at most once, and never once `cancel()` has been called
    /// before the interval ended.
    ///
    ///     let timer = threading.Timer(interval: 2.0) { print("ding") }
    ///     try timer.start()
    ///     timer.cancel()    // "ding" is never printed
    open class Timer: Thread, @unchecked Sendable {
        /// Seconds to wait before running `function`.
        public let interval: Double
        /// The work to run when the interval ends.
        public let function: @Sendable () throws -> Void
        /// Set when the timer is cancelled or has fired.
        public let finished = Event()

        /// Creates a timer; call `start()` to arm it.
        public init(interval: Double, function: @escaping @Sendable () throws -> Void) {
            self.interval = interval
            self.function = function
            super.init()
        }

        /// Stops the timer if it has not fired yet; harmless after it fired, or twice.
        public func cancel() {
            finished.set()
        }

        /// Waits out the interval, then calls `function` unless cancelled meanwhile.
        open override func run() throws {
            try finished.wait(timeout: interval)
            if !finished.isSet {
                try function()
            }
            finished.set()
        }
    }
}
