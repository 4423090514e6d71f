//===----------------------------------------------------------------------===//
//
// Threading: Python's threading model for Swift on Linux.
//
// Schedule points: the seam through which the tests' schedule explorer drives the real
// parking core and primitives. Compiled only with `-DTHREADING_SCHEDULE_POINTS` (the
// explorer's own build, `.build-explore`); an ordinary build contains none of it.
//
//===----------------------------------------------------------------------===//

#if THREADING_SCHEDULE_POINTS

#if canImport(Glibc)
@preconcurrency import Glibc
#elseif canImport(Musl)
@preconcurrency import Musl
#endif

/// A shared-memory operation that a controlled thread is about to perform.
@usableFromInline
internal enum ScheduleOperation {
    /// An atomic load, store, exchange or compare-exchange of the word at `address`.
    case memory(StaticString, UnsafeRawPointer)
    case mutexLock(UnsafeRawPointer)
    case mutexUnlock(UnsafeRawPointer)
    case futexWake(UnsafeRawPointer)
}

/// A deliberate defect the explorer must find, switched on per controlled thread.
@usableFromInline
internal enum PlantedBug: Sendable {
    /// `Lock.park` queues the thread without setting the `parked` bit.
    case lockParksWithoutParkedBit
    /// `Lock.releaseContended` dequeues the oldest waiter but never wakes it.
    case lockReleaseForgetsWake
    /// `Parker.wake` reads the word, then stores "notified": a waiter that goes to sleep
    /// in between is never woken.
    case parkerWakeLoadsThenStores
    /// `WaitList.wait` reports a timeout even when a waker dequeued it meanwhile.
    case waitListTimeoutIgnoresDequeue
    /// `Condition.wait` releases the lock before it queues the waiter.
    case conditionReleasesBeforeQueueing
}

/// The test side of the seam: decides which controlled thread runs, one at a time.
///
/// Invariant: at most one controlled thread runs between two schedule points; every
/// method is called by the controlled thread it concerns.
@usableFromInline
internal protocol ScheduleController: AnyObject, Sendable {
    /// Blocks the calling thread until the controller lets it perform `operation`.
    func willPerform(_ operation: ScheduleOperation)
    /// Stands in for the futex wait of a controlled thread (the controller decides
    /// whether it is woken, times out, or wakes spuriously).
    func futexWait(_ word: UnsafeMutablePointer<UInt32>, expected: UInt32, deadline: Deadline?) -> Futex.WaitResult
    /// The controlled threads' clock (virtual: it moves only when a timeout fires).
    var now: Deadline { get }
    /// The defect planted in the library for this run, if any.
    var plantedBug: PlantedBug? { get }
}

/// The calling thread's controller, found through a thread-specific key.
@usableFromInline
internal enum SchedulePoints {
    /// The controller of the calling thread; nil for a thread the explorer does not run.
    @usableFromInline
    internal static var controller: (any ScheduleController)? {
        guard let raw = pthread_getspecific(controllerKey) else { return nil }
        return Unmanaged<ControllerBox>.fromOpaque(raw).takeUnretainedValue().controller
    }

    /// Puts the calling thread under `controller` (nil: releases it).
    internal static func attach(_ controller: (any ScheduleController)?) {
        if let old = pthread_getspecific(controllerKey) {
            Unmanaged<ControllerBox>.fromOpaque(old).release()
        }
        let box = controller.map { Unmanaged.passRetained(ControllerBox($0)).toOpaque() }
        pthread_setspecific(controllerKey, box)
    }

    /// A schedule point: waits for the controller's go-ahead if the thread has one.
    @usableFromInline
    internal static func reach(_ operation: ScheduleOperation) {
        controller?.willPerform(operation)
    }

    /// True when the calling thread's run has `bug` planted.
    @usableFromInline
    internal static func isPlanted(_ bug: PlantedBug) -> Bool {
        controller?.plantedBug == bug
    }
}

/// Holds a controller behind the thread-specific key.
private final class ControllerBox {
    let controller: any ScheduleController
    init(_ controller: any ScheduleController) { self.controller = controller }
}

private let controllerKey: pthread_key_t = {
    var key = pthread_key_t()
    let rc = pthread_key_create(&key, nil)
    precondition(rc == 0, "pthread_key_create failed with error \(rc)")
    return key
}()

#endif
