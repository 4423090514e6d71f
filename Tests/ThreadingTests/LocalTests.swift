//===----------------------------------------------------------------------===//
//
// Threading: Python's threading model for Swift on Linux.
//
// Ports of CPython's Lib/test/test_threading_local.py (and its module doctest): isolation
// between threads, per-thread initialisation, release on thread exit, many locals, locals
// created and dropped while threads run.
//
//===----------------------------------------------------------------------===//

import Testing

@testable import Threading

extension ThreadObjectTests {
    @Suite("ThreadingLocalTests")
    struct ThreadingLocalTests {
        final class Tracked: @unchecked Sendable {
            let tag: Int
            init(_ tag: Int) { self.tag = tag }
        }

        @Test(arguments: [20, 50, 100])
        func test_local_refs(n: Int) throws {
            // Each thread's value is released when the thread ends.
            let local = threading.local<Tracked>()
            let weakRefs = Locked<[Weak<Tracked>]>([])
            try expectNoThreadLeak {
                for i in 0..<n {
                    let t = threading.Thread {
                        let object = Tracked(i)
                        local.value = object
                        weakRefs.withLock { $0.append(Weak(object)) }
                    }
                    try t.start()
                    try t.join()
                }
            }
            // A thread's value is released by its thread-exit destructor, which may run just
            // after join() returns; all n must go, not n-1 as CPython tolerates.
            waitUntil { weakRefs.snapshot.allSatisfy { $0.object == nil } }
            #expect(weakRefs.snapshot.filter { $0.object != nil }.isEmpty)
            // Still true after this thread sets its own value.
            local.value = Tracked(-1)
            #expect(local.value?.tag == -1)
            local.value = nil
        }

        @Test func test_derived() throws {
            // Issue 3088: a thread switch inside the lazy per-thread initialiser must not
            // mix up values.
            let initialised = Counter()
            let local = threading.local<Locked<Int>> {
                initialised.increment()
                for _ in 0..<Int.random(in: 0...5000) { _ = threading.getIdent() }
                return Locked(-1)
            }
            try expectNoThreadLeak {
                try Bunch.run(count: 10) { i in
                    local.value!.withLock { $0 = i }
                    for _ in 0..<Int.random(in: 0...5000) { _ = threading.getIdent() }
                    let seen = local.value!.snapshot
                    if seen != i { throw RuntimeError("thread \(i) saw \(seen)") }
                }
            }
            #expect(initialised.value == 10)
        }

        @Test func test_arguments() throws {
            // Python's MyLocal(1000): the initialiser captures its arguments and runs again,
            // with them, in each thread.
            func makeLocal(_ start: Int) -> threading.local<Int> { threading.local { start } }
            let local = makeLocal(1000)
            #expect(local.value == 1000)
            local.value! += 1
            let other = Locked<Int?>(nil)
            try expectNoThreadLeak {
                try Bunch.run(count: 1) { _ in other.withLock { $0 = local.value } }
            }
            #expect(other.snapshot == 1000)
            #expect(local.value == 1001)
        }

        @Test func test_threading_local() throws {
            let local = threading.local<String>()
            let ready = threading.Event()
            let done = threading.Event()
            try expectNoThreadLeak {
                let first = Bunch(count: 1) { _ in
                    local.value = "foo"
                    ready.set()
                    done.wait()
                    if local.value != "foo" { throw RuntimeError("lost its own value") }
                }
                ready.wait()
                let seen = Locked<String??>(.none)
                try Bunch.run(count: 1) { _ in seen.withLock { $0 = .some(local.value) } }
                // Absent in the second thread, not the first thread's "foo".
                #expect(seen.snapshot == .some(nil))
                done.set()
                try first.join()
            }
        }

        @Test func test_no_value_yet() {
            // The seed's "No value yet": absent until set, and removable.
            let local = threading.local<Int>()
            #expect(local.value == nil)
            #expect(!local.hasValue)
            local.value = 5
            #expect(local.hasValue)
            local.value = nil
            #expect(local.value == nil)
        }

        @Test func test_initializer_runs_once_per_thread() throws {
            let runs = Counter()
            let local = threading.local<Int> { runs.increment() }
            try expectNoThreadLeak {
                try Bunch.run(count: 4) { _ in
                    let first = local.value
                    let second = local.value
                    if first != second { throw RuntimeError("initialiser ran twice in a thread") }
                }
            }
            #expect(runs.value == 4)
        }

        @Test func test_many_locals() throws {
            // Far beyond the 1024 pthread keys a key-per-local design would run out of.
            let locals = (0..<5000).map { _ in threading.local<Int>() }
            for (i, local) in locals.enumerated() { local.value = i }
            #expect(locals.enumerated().allSatisfy { $0.element.value == $0.offset })
            try expectNoThreadLeak {
                try Bunch.run(count: 2) { t in
                    for (i, local) in locals.enumerated() { local.value = i * 10 + t }
                    for (i, local) in locals.enumerated() where local.value != i * 10 + t {
                        throw RuntimeError("local \(i) mixed up")
                    }
                }
            }
            #expect(locals.enumerated().allSatisfy { $0.element.value == $0.offset })
            for local in locals { local.value = nil }
        }

        @Test func test_local_released_while_threads_run() throws {
            // Locals created and dropped while threads run: a dropped local's values are
            // released in every thread, not only at thread exit.
            let go = threading.Event()
            let stored = threading.Semaphore()
            _ = stored.acquire()
            let weakValue = Locked<Weak<Tracked>?>(nil)
            let tableCount = Locked(0)
            // The thread only borrows the local from the box, so dropping the box's
            // reference releases it.
            let holder = Locked<threading.local<Tracked>?>(threading.local<Tracked>())
            try expectNoThreadLeak {
                @Sendable func storeValue() {
                    let object = Tracked(1)
                    holder.snapshot!.value = object
                    weakValue.withLock { $0 = Weak(object) }
                }
                let bunch = Bunch(count: 1) { _ in
                    storeValue()
                    stored.release()
                    go.wait()
                    tableCount.withLock { $0 = LocalTable.current.count }
                }
                stored.acquire()
                holder.withLock { $0 = nil }
                // The thread is still alive, yet its value of the dropped local is gone.
                waitUntil { weakValue.snapshot?.object == nil }
                #expect(weakValue.snapshot?.object == nil)
                go.set()
                try bunch.join()
                #expect(tableCount.snapshot == 0)
            }
        }
    }
}
