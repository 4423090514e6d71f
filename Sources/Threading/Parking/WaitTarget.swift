//===----------------------------------------------------------------------===//
//
// Threading: Python's threading model for Swift on Linux.
//
//===----------------------------------------------------------------------===//

/// Something a thread can wait on, described for thread dumps and deadlock checks.
///
/// Invariant: `holders` lists only threads that hold the target now, as far as the
/// target knows (an `RLock`'s owner always; a `Lock`'s holder while holder tracking is on;
/// a joined thread).
internal protocol WaitTarget: AnyObject, Sendable {
    /// What kind of wait it is: `"Lock"`, `"Condition"`, `"join"`, ...
    var waitKind: String { get }
    /// The label given at creation, if any.
    var label: String? { get }
    /// The idents of the threads that hold the target (empty when unknown or none).
    var holders: [UInt] { get }
}

extension WaitTarget {
    /// `Lock "db-pool" (0x...)`, as dumps and reports name the target.
    var diagnosticName: String {
        let name = label.map { " \"\($0)\"" } ?? ""
        return "\(waitKind)\(name) (\(objectAddress(self)))"
    }
}

/// Every thread's parker, by thread ident, so a dump can tell what each thread waits on.
internal final class ParkerRegistry: @unchecked Sendable {
    static let shared = ParkerRegistry()

#if THREADING_SCHEDULE_POINTS
    private let mutex = InternalMutex(unobserved: ())
#else
    private let mutex = InternalMutex()
#endif
    private var parkers: [UInt: Weak<Parker>] = [:]

    func add(_ parker: Parker) {
        mutex.lock()
        parkers[parker.threadIdent] = Weak(parker)
        mutex.unlock()
    }

    func remove(_ parker: Parker) {
        mutex.lock()
        if parkers[parker.threadIdent]?.object == nil || parkers[parker.threadIdent]?.object === parker {
            parkers[parker.threadIdent] = nil
        }
        mutex.unlock()
    }

    /// The parker of the thread with `ident`, if it has ever waited.
    func parker(ofThread ident: UInt) -> Parker? {
        mutex.lock()
        defer { mutex.unlock() }
        return parkers[ident]?.object
    }

    /// Every live thread's parker.
    var all: [Parker] {
        mutex.lock()
        defer { mutex.unlock() }
        return parkers.values.compactMap(\.object)
    }
}
