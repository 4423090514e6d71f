//===----------------------------------------------------------------------===//
//
// Threading: Python's threading model for Swift on Linux.
//
// Seed 002 (Python Notes, 17. Threading), 17.3 Re-Entrant locks.
//
//===----------------------------------------------------------------------===//

import Threading

extension Tour {
    /// A file read in two parts, each under the lock, and `getAll()`, which holds the
    /// lock across both reads so a writer cannot change the file in between. With a
    /// `Lock`, `getAll()` would block forever on its own lock in `getPart1()`; an `RLock`
    /// lets its owner take it again. The seed's `getAll()` releases the lock in an
    /// `except:` clause, so a successful call would keep it; the port releases it always,
    /// as the `finally:` the seed means.
    static let rlockGetAll = Program(
        name: "rlock_getall",
        seed: "002",
        summary: "getAll() holds an RLock across getPart1() and getPart2(), which take it again: parts always match (released in finally, not the seed's except)"
    ) {
        let file = SharedFile()

        let writer = threading.Thread(name: "writer") {
            for version in 1...3 {
                time.sleep(0.5)
                file.update(to: version)
            }
        }
        try writer.start()

        for _ in 0..<4 {
            let (first, second) = file.getAll()
            print("getAll() ->", repr((first, second)))
            time.sleep(0.5)
        }
        try writer.join()
    }
}

/// A file in two parts, which a writer changes one part at a time.
private final class SharedFile: @unchecked Sendable {
    private let lock = threading.RLock()
    /// Guarded by `lock`.
    private var parts = ["part 1 of version 0", "part 2 of version 0"]

    func getPart1() -> String {
        lock.acquire()
        defer { try? lock.release() }  // Python's try/finally
        return parts[0]  // get first part of the data
    }

    func getPart2() -> String {
        lock.acquire()
        defer { try? lock.release() }
        return parts[1]  // get second part of the data
    }

    func getAll() -> (String, String) {
        lock.acquire()
        defer { try? lock.release() }
        let first = getPart1()
        let second = getPart2()
        return (first, second)
    }

    /// Rewrites the file part by part, holding the lock throughout.
    func update(to version: Int) {
        lock.withLock {
            parts[0] = "part 1 of version \(version)"
            time.sleep(0.25)  // a slow write: a reader between the parts would see a mix
            parts[1] = "part 2 of version \(version)"
        }
    }
}
