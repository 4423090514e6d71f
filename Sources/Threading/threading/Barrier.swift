//===----------------------------------------------------------------------===//
//
// Threading: Python's threading model for Swift on Linux.
//
//===----------------------------------------------------------------------===//

extension threading {
    /// Python's `threading.Barrier`: `parties` threads wait for each other, then all go on
    /// together; the barrier is then ready for the next round.
    ///
    /// Invariant: a round ends either with every party released (after the last arrival
    /// ran `action`) or with the barrier broken and every waiter thrown
    /// `BrokenBarrierError`; arrivals during the action wait for the next round.
    ///
    ///     let barrier = try threading.Barrier(parties: 3)
    ///     // in each of 3 threads:
    ///     let index = try barrier.wait()    // 0, 1, 2 in arrival order
    public final class Barrier: @unchecked Sendable {
        private enum Phase { case filling, runningAction, broken }
        private static let tokenPassed: UInt = 1
        private static let tokenBroken: UInt = 2

        /// The number of threads that must call `wait()` to release them.
        public let parties: Int
        /// Run by the last thread to arrive, before the others are released.
        public let action: (@Sendable () throws -> Void)?
        /// The default timeout of `wait()`, in seconds (`nil`: none).
        public let timeout: Double?
        /// The label given at creation, used by thread dumps.
        public let label: String?

        private let waiters = WaitQueue()
        // Guarded by `waiters`' mutex.
        private var arrived = 0
        private var phase = Phase.filling

        /// Creates a barrier for `parties` threads.
        ///
        /// - Throws: `ValueError("parties must be > 0")`.
        public init(
            parties: Int,
            action: (@Sendable () throws -> Void)? = nil,
            timeout: Double? = nil,
            label: String? = nil
        ) throws {
            guard parties >= 1 else { throw ValueError("parties must be > 0") }
            self.parties = parties
            self.action = action
            self.timeout = timeout
            self.label = label
        }

        /// Waits until all parties have called `wait()`.
        ///
        /// A timeout (`nil`: the barrier's default) breaks the barrier for everyone; zero or
        /// negative breaks it at once unless the caller is the last party, which never
        /// waits.
        ///
        /// - Returns: the arrival index, `0` for the first thread to arrive up to
        ///   `parties - 1` for the last.
        /// - Throws: `BrokenBarrierError` if the barrier is or becomes broken (or reset)
        ///   while waiting; the action's own error in the thread that ran it;
        ///   `OverflowError` beyond `threading.TIMEOUT_MAX`, leaving the barrier intact.
        @discardableResult
        @available(*, noasync, message: "wait() blocks the thread; use it outside async code")
        public func wait(timeout: Double? = nil) throws -> Int {
            let timeout = timeout ?? self.timeout
            try Interrupts.check()
            waiters.lock()
            waitOutAction()
            guard phase != .broken else {
                waiters.unlock()
                throw BrokenBarrierError()
            }
            let index = arrived
            arrived += 1
            if arrived == parties {
                return try releaseRound(index: index)
            }
            let deadline: Deadline?
            do {
                deadline = try Self.deadline(timeout: timeout)
            } catch {
                arrived -= 1
                waiters.unlock()
                throw error
            }
            let outcome = waiters.list.wait(
                unlocking: waiters.mutex, until: deadline, on: self, interruptible: true
            ) { reason in
                // Python runs the action holding the barrier's lock, so a waiter whose
                // time runs out (or who is interrupted) during it is released with the rest.
                if self.phase == .runningAction { return false }
                switch reason {
                case .timedOut: self.breakBarrier()
                // As in Python, Ctrl-C takes the thread out of the round without breaking it.
                case .interrupted: self.arrived -= 1
                }
                return true
            }
            switch outcome {
            case .woken(Self.tokenPassed): return index
            case .interrupted:
                try Interrupts.check()
                throw BrokenBarrierError()
            default: throw BrokenBarrierError()
            }
        }

        /// Waits until all parties have called `wait()`, for at most `timeout`.
        @discardableResult
        @available(*, noasync, message: "wait() blocks the thread; use it outside async code")
        public func wait(timeout: Duration) throws -> Int {
            try wait(timeout: timeout.seconds)
        }

        /// Returns the barrier to its initial state; threads waiting in it get
        /// `BrokenBarrierError`. Works on a broken barrier too.
        public func reset() {
            waiters.withLock {
                waitOutAction()
                waiters.wakeAll(token: Self.tokenBroken)
                arrived = 0
                phase = .filling
            }
        }

        /// Breaks the barrier: current and future `wait()` calls throw
        /// `BrokenBarrierError` until `reset()`.
        public func abort() {
            waiters.withLock {
                waitOutAction()
                breakBarrier()
            }
        }

        /// True while the barrier is broken.
        public var broken: Bool { waiters.withLock { phase == .broken } }

        /// The number of threads waiting in the current round.
        public var nWaiting: Int { waiters.withLock { phase == .broken ? 0 : arrived } }

        // MARK: Internals (all with the mutex held)

        private static func deadline(timeout: Double?) throws -> Deadline? {
            switch timeout {
            case nil: nil
            // Python re-waits for a NaN remainder until the round ends. (A `.some(.nan)`
            // pattern would never match: patterns compare with ==, and NaN != NaN.)
            case let seconds? where seconds.isNaN: nil
            case let seconds? where seconds <= 0: .now
            case let seconds?: try .validated(secondsFromNow: seconds)
            }
        }

        /// While the last arrival runs the action, parks until the round is over.
        private func waitOutAction() {
            while phase == .runningAction {
                _ = waiters.list.wait(unlocking: waiters.mutex, until: nil, on: self)
                waiters.lock()
            }
        }

        private func breakBarrier() {
            phase = .broken
            waiters.wakeAll(token: Self.tokenBroken)
        }

        /// The last arrival: runs the action (without the mutex), then releases everyone.
        /// Returns with the mutex released.
        private func releaseRound(index: Int) throws -> Int {
            defer { waiters.unlock() }
            if let action {
                phase = .runningAction
                waiters.unlock()
                let failure: (any Error)?
                do {
                    try action()
                    failure = nil
                } catch {
                    failure = error
                }
                waiters.lock()
                if let failure {
                    arrived = 0
                    breakBarrier()
                    throw failure
                }
            }
            arrived = 0
            phase = .filling
            waiters.wakeAll(token: Self.tokenPassed)
            return index
        }
    }
}

extension threading.Barrier: WaitTarget {
    var waitKind: String { "Barrier" }
    var holders: [UInt] { [] }
}

extension threading.Barrier: CustomStringConvertible {
    /// Python's repr: `<threading.Barrier at 0x...: waiters=2/3>` or `...: broken>`.
    public var description: String {
        broken
            ? "<threading.Barrier at \(objectAddress(self)): broken>"
            : "<threading.Barrier at \(objectAddress(self)): waiters=\(nWaiting)/\(parties)>"
    }
}
