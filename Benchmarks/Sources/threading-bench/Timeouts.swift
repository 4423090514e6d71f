//===----------------------------------------------------------------------===//
//
// threading-bench: timeout_accuracy: a wait that nobody ends, with a 10 ms timeout.
//
//===----------------------------------------------------------------------===//

import Dispatch
import Foundation
import Glibc
import Threading

enum TimeoutNames {
    static let ours = "threading.Event"
    static let nsCondition = "NSCondition"
    static let dispatchSemaphore = "DispatchSemaphore"
    static let pthreadCond = "pthread_cond_t (monotonic)"
    static let python = "CPython threading.Event"
}

/// One 10 ms wait of each kind; returns the overshoot in microseconds.
private final class TimedWaits: @unchecked Sendable {
    let event = threading.Event()
    let nsCondition = NSCondition()
    let semaphore = DispatchSemaphore(value: 0)
    let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    let cond = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)

    init() {
        pthread_mutex_init(mutex, nil)
        var attributes = pthread_condattr_t()
        pthread_condattr_init(&attributes)
        pthread_condattr_setclock(&attributes, CLOCK_MONOTONIC)
        pthread_cond_init(cond, &attributes)
        pthread_condattr_destroy(&attributes)
    }

    deinit {
        pthread_cond_destroy(cond)
        pthread_mutex_destroy(mutex)
        cond.deallocate()
        mutex.deallocate()
    }

    func wait(_ name: String) throws -> Double {
        let start = Clock.wall()
        switch name {
        case TimeoutNames.ours:
            if try event.wait(timeout: 0.01) { throw CheckFailure("an event nobody sets was set") }
        case TimeoutNames.nsCondition:
            nsCondition.lock()
            let signalled = nsCondition.wait(until: Date(timeIntervalSinceNow: 0.01))
            nsCondition.unlock()
            if signalled { throw CheckFailure("an NSCondition nobody signals was signalled") }
        case TimeoutNames.dispatchSemaphore:
            if semaphore.wait(timeout: .now() + .milliseconds(10)) == .success {
                throw CheckFailure("a semaphore nobody signals was signalled")
            }
        case TimeoutNames.pthreadCond:
            let deadline = start + 10_000_000
            var spec = timespec(tv_sec: Int(deadline / 1_000_000_000), tv_nsec: Int(deadline % 1_000_000_000))
            pthread_mutex_lock(mutex)
            var rc: Int32 = 0
            repeat { rc = pthread_cond_timedwait(cond, mutex, &spec) } while rc == 0
            pthread_mutex_unlock(mutex)
            if rc != ETIMEDOUT { throw CheckFailure("pthread_cond_timedwait returned \(rc)") }
        default:
            preconditionFailure(name)
        }
        return (Double(Clock.wall()) - Double(start) - 10_000_000) / 1000
    }
}

/// Every Swift implementation waits `n` times, the implementations taking turns wait by
/// wait (rotating who goes first), so that they share the machine's state.
func timeoutsTogether(_ n: Int, _ names: [String]) throws -> [String: Measurement] {
    let waits = TimedWaits()
    var overshoots: [String: [Double]] = [:]
    var timings: [String: Timing] = [:]
    for round in 0..<n {
        for k in 0..<names.count {
            let name = names[(round + k) % names.count]
            var overshoot = 0.0
            let timing = try Timing.measure { overshoot = try waits.wait(name) }
            overshoots[name, default: []].append(overshoot)
            timings[name, default: Timing(wallNanoseconds: 0, cpuNanoseconds: 0)].wallNanoseconds += timing.wallNanoseconds
            timings[name]!.cpuNanoseconds += timing.cpuNanoseconds
        }
    }
    var result: [String: Measurement] = [:]
    for name in names {
        let values = overshoots[name]!
        result[name] = Measurement(
            timing: timings[name]!,
            figure: median(values),
            extras: ["p99_us": percentile(values, 99), "min_us": values.min()!]
        )
    }
    return result
}

func timeoutWorkloads() -> [Workload] {
    let notAlone: @Sendable (Int) throws -> Measurement = { _ in
        preconditionFailure("timeout_accuracy runs its Swift implementations together")
    }
    return [
        Workload(
            name: "timeout_accuracy",
            summary: "an event that is never set, waited on with a 10 ms timeout; overshoot median and p99",
            unit: .microsecondsOvershoot,
            size: 200, quickSize: 5,
            repetitions: 1,
            primary: TimeoutNames.ours,
            implementations: [
                Implementation(TimeoutNames.ours, .ours, notAlone),
                Implementation(TimeoutNames.nsCondition, .swift, notAlone),
                Implementation(TimeoutNames.dispatchSemaphore, .swift, notAlone),
                Implementation(TimeoutNames.pthreadCond, .swift, notAlone),
                Python.implementation(TimeoutNames.python, workload: "timeout_accuracy"),
            ],
            runTogether: { size, names in try timeoutsTogether(size, names) }
        ),
    ]
}
