//===----------------------------------------------------------------------===//
//
// threading-bench: event_pingpong and condition_pingpong: two threads hand control back
// and forth, each hand-off a real wake-up of the other thread.
//
//===----------------------------------------------------------------------===//

import Dispatch
import Foundation
import Glibc
import Threading

enum PingPongNames {
    static let event = "threading.Event"
    static let condition = "threading.Condition"
    static let conditionLock = "threading.Condition(Lock)"
    static let dispatchSemaphore = "DispatchSemaphore"
    static let nsCondition = "NSCondition"
    static let pthreadCond = "pthread_cond_t"
    static let pythonEvent = "CPython threading.Event"
    static let pythonCondition = "CPython threading.Condition"
}

/// Two threads, `a` and `b`, each running its loop `n` times; checks both saw `n` rounds.
private func pingPong(_ n: Int, a: @escaping @Sendable () -> Void, b: @escaping @Sendable () -> Void) -> Timing {
    timeThreads(2) { index in
        if index == 0 {
            for _ in 0..<n { a() }
        } else {
            for _ in 0..<n { b() }
        }
    }
}

/// Round trips counted by the side that answers, checked against `n`.
private final class Rounds: @unchecked Sendable {
    var a = 0
    var b = 0
    func verify(_ n: Int) throws {
        try check(a, n, "round trips seen by the first thread")
        try check(b, n, "round trips seen by the second thread")
    }
}

func eventPingPong(_ n: Int) throws -> Measurement {
    let ping = threading.Event(), pong = threading.Event()
    let rounds = Rounds()
    let timing = pingPong(n, a: {
        ping.set()
        pong.wait()
        pong.clear()
        rounds.a += 1
    }, b: {
        ping.wait()
        ping.clear()
        rounds.b += 1
        pong.set()
    })
    try rounds.verify(n)
    return Measurement(timing: timing)
}

func dispatchSemaphorePingPong(_ n: Int) throws -> Measurement {
    let ping = DispatchSemaphore(value: 0), pong = DispatchSemaphore(value: 0)
    let rounds = Rounds()
    let timing = pingPong(n, a: {
        ping.signal()
        pong.wait()
        rounds.a += 1
    }, b: {
        ping.wait()
        rounds.b += 1
        pong.signal()
    })
    try rounds.verify(n)
    return Measurement(timing: timing)
}

/// A condition variable and a turn flag, written the same way for every implementation:
/// `a` gives the turn to `b` and waits for it back.
protocol TurnCondition: AnyObject, Sendable {
    init()
    func lock()
    func unlock()
    func wait()
    func notify()
}

final class OurCondition: TurnCondition, @unchecked Sendable {
    let condition = threading.Condition()
    init() {}
    func lock() { condition.acquire() }
    func unlock() { try! condition.release() }
    func wait() { try! condition.wait() }
    func notify() { try! condition.notify() }
}

final class OurConditionOverLock: TurnCondition, @unchecked Sendable {
    let condition = threading.Condition(threading.Lock())
    init() {}
    func lock() { condition.acquire() }
    func unlock() { try! condition.release() }
    func wait() { try! condition.wait() }
    func notify() { try! condition.notify() }
}

final class NSConditionBox: TurnCondition, @unchecked Sendable {
    let condition = NSCondition()
    init() {}
    func lock() { condition.lock() }
    func unlock() { condition.unlock() }
    func wait() { condition.wait() }
    func notify() { condition.signal() }
}

final class PthreadCondition: TurnCondition, @unchecked Sendable {
    let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    let cond = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)
    init() {
        pthread_mutex_init(mutex, nil)
        pthread_cond_init(cond, nil)
    }
    deinit {
        pthread_cond_destroy(cond)
        pthread_mutex_destroy(mutex)
        cond.deallocate()
        mutex.deallocate()
    }
    func lock() { pthread_mutex_lock(mutex) }
    func unlock() { pthread_mutex_unlock(mutex) }
    func wait() { pthread_cond_wait(cond, mutex) }
    func notify() { pthread_cond_signal(cond) }
}

private final class Turn: @unchecked Sendable {
    var turn = 0
}

func conditionPingPong<C: TurnCondition>(_ type: C.Type, _ n: Int) throws -> Measurement {
    let condition = C()
    let state = Turn()
    let rounds = Rounds()
    let timing = pingPong(n, a: {
        condition.lock()
        state.turn = 1
        condition.notify()
        while state.turn != 0 { condition.wait() }
        rounds.a += 1
        condition.unlock()
    }, b: {
        condition.lock()
        while state.turn != 1 { condition.wait() }
        state.turn = 0
        rounds.b += 1
        condition.notify()
        condition.unlock()
    })
    try rounds.verify(n)
    return Measurement(timing: timing)
}

func pingPongWorkloads() -> [Workload] {
    [
        Workload(
            name: "event_pingpong",
            summary: "2 threads hand control back and forth with two events",
            unit: .microsecondsPerRoundTrip,
            size: 100_000, quickSize: 2_000,
            primary: PingPongNames.event,
            implementations: [
                Implementation(PingPongNames.event, .ours) { try eventPingPong($0) },
                Implementation(PingPongNames.dispatchSemaphore, .swift) { try dispatchSemaphorePingPong($0) },
                Implementation(PingPongNames.nsCondition, .swift) { try conditionPingPong(NSConditionBox.self, $0) },
                Implementation(PingPongNames.pthreadCond, .swift) { try conditionPingPong(PthreadCondition.self, $0) },
                Python.implementation(PingPongNames.pythonEvent, workload: "event_pingpong"),
            ]
        ),
        Workload(
            name: "condition_pingpong",
            summary: "2 threads hand control back and forth with one condition variable and a turn flag",
            unit: .microsecondsPerRoundTrip,
            size: 100_000, quickSize: 2_000,
            primary: PingPongNames.condition,
            implementations: [
                Implementation(PingPongNames.condition, .ours) { try conditionPingPong(OurCondition.self, $0) },
                Implementation(PingPongNames.conditionLock, .ours) { try conditionPingPong(OurConditionOverLock.self, $0) },
                Implementation(PingPongNames.dispatchSemaphore, .swift) { try dispatchSemaphorePingPong($0) },
                Implementation(PingPongNames.nsCondition, .swift) { try conditionPingPong(NSConditionBox.self, $0) },
                Implementation(PingPongNames.pthreadCond, .swift) { try conditionPingPong(PthreadCondition.self, $0) },
                Python.implementation(PingPongNames.pythonCondition, workload: "condition_pingpong"),
            ]
        ),
    ]
}
