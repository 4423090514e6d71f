//===----------------------------------------------------------------------===//
//
// Threading: Python's threading model for Swift on Linux.
//
// Seed 002 (Python Notes, 17. Threading), 17.2 Locking.
//
//===----------------------------------------------------------------------===//

import Threading

extension Tour {
    /// Raw threads fetch URLs and append a line for each to one shared file, under a lock
    /// from `_thread.allocateLock()`. Without arguments it fetches three local `file://`
    /// pages named after the seed's sites; it fetches the URLs given instead, if any. The
    /// port waits for its raw threads (see `start_new_thread`), then prints the file.
    static let allocateLock = Program(
        name: "allocate_lock",
        seed: "002",
        summary: "raw threads fetch URLs and append to a shared file under an allocate_lock() lock; main waits for them, as a script must",
        arguments: "[URL...]",
        check: { urls in
            urls.first { !isURL($0) }.map { "'\($0)' is not a URL" }
        }
    ) { urls in
        let scratch = try ScratchDirectory()
        defer { scratch.remove() }
        let urls = urls.isEmpty
            ? try scratch.pages(for: ["www.yahoo.fr", "www.lemonde.fr", "www.youtube.fr"])
            : urls
        let filename = scratch.file("test.txt")

        let lock = _thread.allocateLock()
        try startAndWait(
            urls.map { url in
                { _ = try fetchURL(url, filename, lock) }
            }
        )

        print("test.txt:")
        print(try readFile(filename), terminator: "")
    }
}

/// This function fetch the data from a URL
private func getData(_ url: String) -> String {
    do {
        return String(decoding: try urlopen(url), as: UTF8.self)
    } catch is URLError {
        return "Not found. URLError"
    } catch {
        return "Not found. \(error)"
    }
}

/// This one tries to save the data from a URL into a file. It is a common function to
/// a shared resource (the file) and therefore requires a lock.
private func fetchURL(_ url: String, _ filename: String, _ lock: _thread.LockType) throws -> String {
    let data = getData(url)
    print("\(url) was requested and returned")
    lock.acquire()
    defer { try? lock.release() }  // Python's try/finally
    try append("Data from \(url) fetched\n", toFile: filename)
    return data
}
