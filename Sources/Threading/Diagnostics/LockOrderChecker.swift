//===----------------------------------------------------------------------===//
//
// Threading: Python's threading model for Swift on Linux.
//
//===----------------------------------------------------------------------===//

/// Lock-order checking (lockdep): the orders in which threads have taken locks, and the
/// locks each thread holds now.
///
/// Invariant: the graph has an edge A → B once some thread took B while holding A; taking
/// B while holding A when a path B → ... → A exists is an inversion, reported once per
/// pair of locks. A lock once released by a thread other than the one that took it is
/// used as a signal (Python allows it), not for mutual exclusion, and is left out.
internal final class LockOrderChecker: @unchecked Sendable {
    static let shared = LockOrderChecker()

    private struct Edge: Hashable {
        var from: UInt64
        var to: UInt64
    }

    /// How an edge was first seen, to tell the user both orders.
    private struct Witness {
        var thread: String
        var held: String
        var acquired: String
    }

    private let mutex = InternalMutex()
    // Guarded by `mutex`.
    private var successors: [UInt64: Set<UInt64>] = [:]
    private var witnesses: [Edge: Witness] = [:]
    private var held: [UInt: [(id: UInt64, name: String)]] = [:]
    private var reported: Set<Edge> = []
    /// Locks seen released by another thread than the one that took them.
    private var signalling: Set<UInt64> = []

    /// Records that the calling thread took lock `id`.
    func acquired(_ id: UInt64, name: String) {
        let me = currentThreadIdent()
        var reports: [threading.DeadlockReport] = []
        let threadName = ThreadRegistry.shared.nameOfThread(me)
        mutex.lock()
        if signalling.contains(id) {
            mutex.unlock()
            return
        }
        for (heldID, heldName) in held[me] ?? [] where heldID != id {
            let edge = Edge(from: heldID, to: id)
            guard witnesses[edge] == nil else { continue }
            if let path = path(from: id, to: heldID), reported.insert(Edge(from: min(id, heldID), to: max(id, heldID))).inserted {
                let earlier = witnesses[Edge(from: path[0], to: path[1])]!
                reports.append(threading.DeadlockReport(
                    kind: .lockOrderInversion,
                    threads: [threadName, earlier.thread],
                    locks: [heldName, name],
                    description: """
                        Potential deadlock: lock order inversion
                          thread "\(threadName)" acquires \(name) while holding \(heldName)
                          thread "\(earlier.thread)" earlier acquired \(earlier.acquired) while holding \(earlier.held)
                        Two threads taking them in these orders at the same time would wait for each other forever.
                        """
                ))
            }
            witnesses[edge] = Witness(thread: threadName, held: heldName, acquired: name)
            successors[heldID, default: []].insert(id)
        }
        held[me, default: []].append((id, name))
        mutex.unlock()
        for report in reports { threading.diagnostics.deliver(report) }
    }

    /// Records that lock `id`, held by thread `holder`, is being released by the calling
    /// thread.
    func released(_ id: UInt64, heldBy holder: UInt) {
        mutex.lock()
        if var locks = held[holder], let index = locks.lastIndex(where: { $0.id == id }) {
            locks.remove(at: index)
            held[holder] = locks.isEmpty ? nil : locks
        }
        if holder != currentThreadIdent(), signalling.insert(id).inserted {
            removeEdges(of: id)
        }
        mutex.unlock()
    }

    /// Forgets a lock that no longer exists.
    func forget(_ id: UInt64) {
        mutex.lock()
        removeEdges(of: id)
        signalling.remove(id)
        mutex.unlock()
    }

    /// Drops every edge into or out of `id`. Call with the mutex held.
    private func removeEdges(of id: UInt64) {
        successors.removeValue(forKey: id)
        for key in Array(successors.keys) { successors[key]?.remove(id) }
        witnesses = witnesses.filter { $0.key.from != id && $0.key.to != id }
        for (thread, locks) in held {
            let kept = locks.filter { $0.id != id }
            held[thread] = kept.isEmpty ? nil : kept
        }
    }

    /// A path of edges `from` → ... → `to`, as the list of its nodes.
    private func path(from start: UInt64, to goal: UInt64) -> [UInt64]? {
        var previous: [UInt64: UInt64] = [:]
        var frontier = [start]
        var seen: Set<UInt64> = [start]
        while let node = frontier.popLast() {
            if node == goal {
                var path = [goal]
                while let step = previous[path[0]] { path.insert(step, at: 0) }
                return path
            }
            for next in successors[node] ?? [] where seen.insert(next).inserted {
                previous[next] = node
                frontier.append(next)
            }
        }
        return nil
    }
}
