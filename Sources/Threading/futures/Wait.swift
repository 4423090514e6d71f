//===----------------------------------------------------------------------===//
//
// Threading: Python's threading model for Swift on Linux.
//
//===----------------------------------------------------------------------===//

extension concurrent.futures {
    /// What `wait` returns: the futures that are done, and those that are not.
    public struct DoneAndNotDoneFutures<T: Sendable>: Sendable {
        /// Finished futures, and cancelled ones whose cancellation was notified.
        public var done: Set<Future<T>>
        /// The others.
        public var notDone: Set<Future<T>>
    }

    /// Waits until the futures `fs` satisfy `returnWhen`, or `timeout` seconds pass (`nil`:
    /// no limit), and splits them into done and not done. Duplicates count once; a
    /// timeout is not an error.
    ///
    /// - Throws: `OverflowError` beyond `threading.TIMEOUT_MAX` if it has to wait.
    @available(*, noasync, message: "wait() blocks the thread; use it outside async code")
    public static func wait<T>(
        _ fs: some Sequence<Future<T>>,
        timeout: Double? = nil,
        returnWhen: ReturnWhen = .allCompleted
    ) throws -> DoneAndNotDoneFutures<T> {
        var unique: [Future<T>] = []
        var seen = Set<ObjectIdentifier>()
        for future in fs where seen.insert(ObjectIdentifier(future)).inserted { unique.append(future) }

        func split() -> DoneAndNotDoneFutures<T> {
            var result = DoneAndNotDoneFutures<T>(done: [], notDone: [])
            for future in unique {
                if future.isDoneForWaiting { result.done.insert(future) } else { result.notDone.insert(future) }
            }
            return result
        }
        func satisfied(_ split: DoneAndNotDoneFutures<T>) -> Bool {
            switch returnWhen {
            case .firstCompleted: !split.done.isEmpty
            case .firstException: split.done.contains { $0.finishedWithError } || split.notDone.isEmpty
            case .allCompleted: split.notDone.isEmpty
            }
        }

        let observer = CompletionObserver()
        for future in unique { future.addObserver(observer) }
        defer { for future in unique { future.removeObserver(observer) } }

        var current = split()
        if satisfied(current) { return current }
        let deadline = try waitDeadline(timeout)
        while true {
            let reports = observer.reportCount
            current = split()
            if satisfied(current) { return current }
            if try !observer.waitForReport(after: reports, until: deadline) { return split() }
        }
    }

    /// Iterates over futures as they complete: those already done first, then the others
    /// as they finish (Python's `as_completed`). Duplicates are yielded once.
    ///
    ///     var completed = concurrent.futures.asCompleted(futures, timeout: 30)
    ///     while let future = try completed.next() { ... }
    public static func asCompleted<T>(_ fs: some Sequence<Future<T>>, timeout: Double? = nil) -> AsCompleted<T> {
        AsCompleted(fs, timeout: timeout)
    }

    /// The iterator of `asCompleted`: `next()` throws `TimeoutError` once its deadline,
    /// counted from the `asCompleted` call, passes with futures unfinished.
    public struct AsCompleted<T: Sendable>: ~Copyable {
        private let start: Deadline
        private let timeout: Double?
        private let total: Int
        private var ready: [Future<T>] = []
        private var pending: [ObjectIdentifier: Future<T>] = [:]
        private let observer = CompletionObserver()
        private var reportsSeen = 0

        init(_ fs: some Sequence<Future<T>>, timeout: Double?) {
            start = .now
            self.timeout = timeout
            var seen = Set<ObjectIdentifier>()
            var unique: [Future<T>] = []
            for future in fs where seen.insert(ObjectIdentifier(future)).inserted { unique.append(future) }
            total = unique.count
            for future in unique { future.addObserver(observer) }
            for future in unique {
                if future.isDoneForWaiting { ready.append(future) } else { pending[ObjectIdentifier(future)] = future }
            }
        }

        deinit {
            for future in pending.values { future.removeObserver(observer) }
            for future in ready { future.removeObserver(observer) }
        }

        /// The next completed future, or `nil` when all have been yielded.
        ///
        /// - Throws: `TimeoutError("N (of M) futures unfinished")` when the deadline
        ///   passes; `OverflowError` beyond `threading.TIMEOUT_MAX`.
        @available(*, noasync, message: "next() blocks the thread; use it outside async code")
        public mutating func next() throws -> Future<T>? {
            while true {
                if !ready.isEmpty {
                    let future = ready.removeFirst()
                    future.removeObserver(observer)
                    return future
                }
                if pending.isEmpty { return nil }
                for id in observer.reports(from: reportsSeen) {
                    reportsSeen += 1
                    if let future = pending.removeValue(forKey: id) { ready.append(future) }
                }
                if !ready.isEmpty { continue }
                let deadline: Deadline?
                switch timeout {
                case nil: deadline = nil
                // Python's remaining time is then NaN, never below 0: it re-waits until the
                // futures finish, and never raises TimeoutError.
                case let seconds? where seconds.isNaN: deadline = nil
                case let seconds? where seconds <= 0: deadline = start
                case let seconds?:
                    try checkTimeoutRepresentable(seconds)
                    deadline = Deadline(nanoseconds: start.nanoseconds &+ UInt64((seconds * 1e9).rounded(.up)))
                }
                if try !observer.waitForReport(after: reportsSeen, until: deadline) {
                    throw TimeoutError("\(pending.count) (of \(total)) futures unfinished")
                }
            }
        }
    }

    /// Python's reading of `wait`'s timeout: `nil` waits forever; zero, negative or NaN
    /// does not wait.
    private static func waitDeadline(_ timeout: Double?) throws -> Deadline? {
        guard let timeout else { return nil }
        if timeout.isNaN || timeout <= 0 { return .now }
        return try .validated(secondsFromNow: timeout)
    }
}
