//===----------------------------------------------------------------------===//
//
// Threading: Python's threading model for Swift on Linux.
//
//===----------------------------------------------------------------------===//

import CThreadingShims
import Synchronization

#if canImport(Glibc)
@preconcurrency import Glibc
#elseif canImport(Musl)
@preconcurrency import Musl
#endif

/// One per thread: the futex word the thread sleeps on while it waits in a `WaitList`.
///
/// A waiter is notified exactly once per wait, by a waker holding the list's mutex, and a
/// notification carries a `token` that tells the woken thread what happened (the lock was
/// handed over, the barrier broke, ...). Because the record is reused for every wait of
/// its thread, blocking never allocates.
@usableFromInline
internal final class Parker: WaitNode, @unchecked Sendable {
    // States of `word`.
    @usableFromInline static let idle: UInt32 = 0
    /// Queued; the thread may still be spinning.
    @usableFromInline static let waiting: UInt32 = 1
    /// Queued and asleep in the kernel: a waker must issue a futex wake.
    @usableFromInline static let sleeping: UInt32 = 2
    /// A waker has dequeued this thread and set `token`.
    @usableFromInline static let notified: UInt32 = 3

    // Before it sleeps, a waiter polls its word for a while: a thread notified while it
    // polls saves the futex sleep and its waker the futex wake. On a virtual machine with
    // an idle CPU the wake-up alone takes about 30 us (the halted virtual CPU is woken
    // through the hypervisor), so two threads handing control back and forth on two
    // CPUs go from ~60 us per round trip to ~1 us. Polling only pays while the notifier
    // runs on another CPU, though: two threads the scheduler has put on one CPU cannot
    // notify each other while either polls (and yielding the CPU instead hands it to
    // other processes on a loaded machine). So a thread does not poll when the thread
    // that last woke it ran on the CPU it runs on now; and the poll adapts, like glibc's
    // adaptive mutex: a poll that saw its notification sets the next one's length to the
    // maximum; one that ran out halves it, down to nothing; and a thread that no longer
    // polls tries a full poll again every `probeInterval` waits.
    /// The longest poll, in nanoseconds: about what a futex sleep and wake-up cost.
    static let maximumPollNanoseconds: UInt64 = 20_000
    /// Below this a halved poll stops altogether.
    static let minimumPollNanoseconds: UInt64 = 1_000
    /// How many waits without polling pass before a thread polls in full once more.
    static let probeInterval: UInt8 = 16
    /// The most a timed wait's timer is set early (see `timerLateness`), in nanoseconds.
    static let maximumTimerLateness: UInt64 = 500_000
    /// CPU pauses between two readings of the clock while polling.
    static let pausesPerClockReading = 8

    @usableFromInline internal let word: UnsafeMutablePointer<UInt32>
    // Touched by the owning thread only.
    /// How long the next wait polls before sleeping.
    private var pollNanoseconds = Parker.maximumPollNanoseconds
    /// Waits since the poll length fell to zero.
    private var waitsWithoutPolling: UInt8 = 0
    /// How late, in nanoseconds, the futex timers of this thread's timed waits fire (an
    /// estimate, learned from each one that fires). The kernel wakes a sleeper after its
    /// deadline, by its timer slack and the time to get a CPU running it again: on an idle
    /// virtual machine 150 us and more, as the halted virtual CPU is woken through the
    /// hypervisor. A timed wait sets its timer that much early (at most a quarter of the
    /// time left) and polls the rest of the way, so it ends close to its deadline, never
    /// before it.
    private var timerLateness: UInt64 = 0
    /// The CPU the last waker ran on (a hint, so relaxed: written by wakers, read by the
    /// owning thread before it polls).
    private let wakerCPU = Atomic<Int32>(-1)
    /// The owning thread's `threading.getIdent()`.
    internal let threadIdent: UInt

    /// What the thread waits on and since when, for thread dumps and deadlock checks;
    /// guarded by `siteMutex`, as other threads read it.
#if THREADING_SCHEDULE_POINTS
    private let siteMutex = InternalMutex(unobserved: ())
#else
    private let siteMutex = InternalMutex()
#endif
    private var site: (target: any WaitTarget, since: Deadline)?

    private override init() {
        word = .allocate(capacity: 1)
        word.initialize(to: Parker.idle)
        threadIdent = currentThreadIdent()
    }

    deinit {
        ParkerRegistry.shared.remove(self)
        word.deinitialize(count: 1)
        word.deallocate()
    }

    /// The calling thread's parker, created on its first wait and released when it exits.
    @usableFromInline
    internal static var current: Parker {
        if let existing = pthread_getspecific(parkerKey) {
            return Unmanaged<Parker>.fromOpaque(existing).takeUnretainedValue()
        }
        let parker = Parker()
        pthread_setspecific(parkerKey, Unmanaged.passRetained(parker).toOpaque())
        ParkerRegistry.shared.add(parker)
        return parker
    }

    /// How a park ended.
    @usableFromInline
    internal enum ParkResult {
        case notified
        case timedOut
        /// A Ctrl-C is pending for this (main) thread.
        case interrupted
    }

    /// Records what the thread is about to wait on; `nil` when the wait is over.
    internal func setWaitTarget(_ target: (any WaitTarget)?) {
        siteMutex.lock()
        site = target.map { ($0, Deadline.now) }
        siteMutex.unlock()
    }

    /// What the thread waits on, and since when; `nil` while it runs.
    internal var waitSite: (target: any WaitTarget, since: Deadline)? {
        siteMutex.lock()
        defer { siteMutex.unlock() }
        return site
    }

    /// Marks the parker as waiting; called by its own thread just before it is queued.
    @inlinable
    internal func prepareToPark() {
#if THREADING_SCHEDULE_POINTS
        SchedulePoints.reach(.memory("Parker.prepareToPark: store waiting", word))
#endif
        cshim_atomic_store_release(word, Parker.waiting)
    }

    /// Blocks the calling (owning) thread until a waker notifies it, `deadline` passes,
    /// or, if `interruptible` and this is the main thread, a Ctrl-C is pending; polling
    /// first, if `polling`.
    ///
    /// - Returns: `.notified`, or why not: then the thread is still queued and the caller
    ///   must settle that under the queue's mutex.
    @usableFromInline
    internal func park(until deadline: Deadline?, interruptible: Bool, polling: Bool = true) -> ParkResult {
        let interruptible = interruptible && word == cshim_main_parker_word()
#if THREADING_SCHEDULE_POINTS
        // Under the explorer the polling phase is left out: its polls are loads of the word,
        // which the load below stands for.
        SchedulePoints.reach(.memory("Parker.park: load", word))
#else
        if polling, poll(until: deadline) { return .notified }
#endif
        var state = cshim_atomic_load_acquire(word)
        while true {
            switch state {
            case Parker.notified:
                return .notified
            case Parker.waiting:
#if THREADING_SCHEDULE_POINTS
                SchedulePoints.reach(.memory("Parker.park: CAS waiting -> sleeping", word))
#endif
                if !cshim_atomic_compare_exchange_acq_rel(word, Parker.waiting, Parker.sleeping) {
#if THREADING_SCHEDULE_POINTS
                    SchedulePoints.reach(.memory("Parker.park: load after failed CAS", word))
#endif
                    state = cshim_atomic_load_acquire(word)
                    continue
                }
            default:
                break
            }
            // Checked after the word says "sleeping": the signal handler sets the flag,
            // then moves the word back to "waiting", so the wait below cannot miss it.
            if interruptible, cshim_interrupt_pending() { return .interrupted }
#if THREADING_SCHEDULE_POINTS
            let timer = deadline
#else
            let timer = deadline.map(timerDeadline(for:))
#endif
            if Futex.wait(word, expected: Parker.sleeping, deadline: timer) == .timedOut {
#if THREADING_SCHEDULE_POINTS
                SchedulePoints.reach(.memory("Parker.park: load after timeout", word))
#else
                if let deadline, let timer, finishTimedWait(timer: timer, deadline: deadline) {
                    return .notified
                }
#endif
                return cshim_atomic_load_acquire(word) == Parker.notified ? .notified : .timedOut
            }
#if THREADING_SCHEDULE_POINTS
            SchedulePoints.reach(.memory("Parker.park: load after wake-up", word))
#endif
            state = cshim_atomic_load_acquire(word)
            // Woken without a notification (EINTR, EAGAIN, a spurious wake-up): a wait
            // whose futex calls keep failing that way must still end at its deadline.
            if state != Parker.notified, let deadline, deadline.hasPassed { return .timedOut }
        }
    }

    /// When a timed wait's futex timer should fire: early by the thread's estimate of how
    /// late such timers fire, so that the thread is running again at `deadline`, but by
    /// no more than a quarter of the time left, so that polling never takes more than a
    /// quarter of a wait.
    private func timerDeadline(for deadline: Deadline) -> Deadline {
        let now = Deadline.now.nanoseconds
        let left = deadline.nanoseconds &- min(now, deadline.nanoseconds)
        return Deadline(nanoseconds: deadline.nanoseconds &- min(timerLateness, left / 4))
    }

    /// Called when the timer of a timed wait fired: learns how late it fired, then polls
    /// the word until `deadline`.
    ///
    /// - Returns: true if the thread was notified before `deadline`.
    private func finishTimedWait(timer: Deadline, deadline: Deadline) -> Bool {
        var now = Deadline.now.nanoseconds
        let sample = min(now &- min(now, timer.nanoseconds), Parker.maximumTimerLateness)
        // Quick to rise (a late timer makes the next wait late too), slow to fall.
        timerLateness = sample > timerLateness
            ? (timerLateness + sample) / 2
            : timerLateness - timerLateness / 8 + sample / 8
        while now < deadline.nanoseconds {
            for _ in 0..<Parker.pausesPerClockReading {
                if cshim_atomic_load_acquire(word) == Parker.notified { return true }
                cshim_cpu_relax()
            }
            now = Deadline.now.nanoseconds
        }
        return false
    }

#if !THREADING_SCHEDULE_POINTS
    /// Polls the word for the thread's current poll length, or until `deadline` if that
    /// comes first, and adapts the length to the outcome.
    ///
    /// - Returns: true if the thread was notified meanwhile.
    private func poll(until deadline: Deadline?) -> Bool {
        if wakerCPU.load(ordering: .relaxed) == cshim_current_cpu() { return false }
        var length = pollNanoseconds
        if length == 0 {
            waitsWithoutPolling &+= 1
            guard waitsWithoutPolling >= Parker.probeInterval else { return false }
            waitsWithoutPolling = 0
            length = Parker.maximumPollNanoseconds
        }
        var now = Deadline.now.nanoseconds
        var end = now &+ length
        var cutShort = false
        if let deadline, deadline.nanoseconds < end {
            end = deadline.nanoseconds
            cutShort = true
        }
        while now < end {
            for _ in 0..<Parker.pausesPerClockReading {
                if cshim_atomic_load_acquire(word) == Parker.notified {
                    pollNanoseconds = Parker.maximumPollNanoseconds
                    return true
                }
                cshim_cpu_relax()
            }
            now = Deadline.now.nanoseconds
        }
        if !cutShort {
            let halved = length / 2
            pollNanoseconds = halved < Parker.minimumPollNanoseconds ? 0 : halved
        }
        return false
    }
#endif

    /// Delivers `token` and wakes the thread. The caller holds the mutex of the list the
    /// parker was just removed from, so a timing-out waiter sees either "still queued" or
    /// "notified", never anything in between.
    @usableFromInline
    internal override func wake(token: UInt) {
        self.token = token
        wakerCPU.store(cshim_current_cpu(), ordering: .relaxed)
#if THREADING_SCHEDULE_POINTS
        if SchedulePoints.isPlanted(.parkerWakeLoadsThenStores) {
            SchedulePoints.reach(.memory("Parker.wake (planted bug): load", word))
            let previous = cshim_atomic_load_acquire(word)
            SchedulePoints.reach(.memory("Parker.wake (planted bug): store notified", word))
            cshim_atomic_store_release(word, Parker.notified)
            if previous == Parker.sleeping, !cshim_defer_wake(Unmanaged.passRetained(self).toOpaque()) {
                Futex.wake(word)
                Unmanaged.passUnretained(self).release()
            }
            return
        }
        SchedulePoints.reach(.memory("Parker.wake: exchange notified", word))
#endif
        if cshim_atomic_exchange_acq_rel(word, Parker.notified) == Parker.sleeping {
            // The futex wake, a system call, is issued once the waker holds no internal
            // mutex any more (`InternalMutex.unlock`), not while it holds one: a thread
            // woken inside the critical section would often run straight into that mutex
            // (an event's waiter clearing the event, say) and sleep again at once, two
            // more context switches per hand-off. The parker stays retained until then,
            // since a waiter whose deadline passes may leave, and its thread end, before
            // the wake.
            if !cshim_defer_wake(Unmanaged.passRetained(self).toOpaque()) {
                Futex.wake(word)
                Unmanaged.passUnretained(self).release()
            }
        }
    }

    /// Issues the futex wakes the calling thread deferred while it held internal mutexes.
    @usableFromInline
    internal static func issueDeferredWakes() {
        while let item = cshim_take_deferred_wake() {
            let parker = Unmanaged<Parker>.fromOpaque(item).takeRetainedValue()
            Futex.wake(parker.word)
        }
    }

    /// Returns the parker to idle after a wait that ended without a notification.
    @usableFromInline
    internal func resetAfterTimeout() {
#if THREADING_SCHEDULE_POINTS
        SchedulePoints.reach(.memory("Parker.resetAfterTimeout: store idle", word))
#endif
        cshim_atomic_store_release(word, Parker.idle)
    }
}

/// The one process-wide key that finds each thread's parker; its destructor releases the
/// parker when the thread exits. (A thread cannot exit while queued: it is blocked.)
private let parkerKey: pthread_key_t = {
    var key = pthread_key_t()
    let rc = pthread_key_create(&key) { pointer in
        guard let pointer else { return }
        Unmanaged<Parker>.fromOpaque(pointer).release()
    }
    precondition(rc == 0, "pthread_key_create failed with error \(rc)")
    return key
}()
