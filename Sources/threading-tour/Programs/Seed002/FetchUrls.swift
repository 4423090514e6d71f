//===----------------------------------------------------------------------===//
//
// Threading: Python's threading model for Swift on Linux.
//
// Seed 002 (Python Notes, 17. Threading), 17.7 Another Threading module example.
//
//===----------------------------------------------------------------------===//

import Foundation
import Threading

extension Tour {
    /// Two `Thread` subclasses each fetch a list of URLs and write what they fetch to one
    /// output file, holding a `Lock` while they write. The seed's code is garbled: its
    /// `__init__` keeps only the lock and does not call `Thread.__init__`, `main()`
    /// passes one URL string where `run()` pops from a list, and `d` is never defined.
    /// The port keeps the URL lists and the output, calls the base initialiser, fetches
    /// before taking the lock, and joins both threads. Without arguments it fetches four
    /// local `file://` pages; URLs given are shared out between the two threads.
    static let fetchUrls = Program(
        name: "fetch_urls",
        seed: "002",
        summary: "two FetchUrls threads fetch URLs and write them to one file, holding a Lock while writing (the seed's code is garbled: its intent, ported)",
        arguments: "[URL...]",
        check: { urls in
            urls.first { !isURL($0) }.map { "'\($0)' is not a URL" }
        }
    ) { urls in
        let scratch = try ScratchDirectory()
        defer { scratch.remove() }
        let urls = urls.isEmpty
            ? try scratch.pages(for: ["www.yahoo.fr", "www.youtube.fr", "www.google.fr", "www.lemonde.fr"])
            : urls

        let lock = threading.Lock()
        let f = try OutputFile(scratch.file("output.txt"))
        let t1 = FetchUrls(stride(from: 0, to: urls.count, by: 2).map { urls[$0] }, f, lock)
        let t2 = FetchUrls(stride(from: 1, to: urls.count, by: 2).map { urls[$0] }, f, lock)
        try t1.start()
        try t2.start()
        try t1.join()
        try t2.join()
        try f.close()

        print("output.txt:")
        print(try readFile(scratch.file("output.txt")), terminator: "")
    }
}

private final class FetchUrls: threading.Thread, @unchecked Sendable {
    /// Set before `start()`, then used by this thread alone.
    private var urls: [String]
    private let output: OutputFile
    private let lock: threading.Lock

    init(_ urls: [String], _ output: OutputFile, _ lock: threading.Lock) {
        self.urls = urls
        self.output = output
        self.lock = lock
        super.init()
    }

    override func run() throws {
        while !urls.isEmpty {
            let url = urls.removeLast()
            let d = try urlopen(url)
            lock.acquire()
            print("lock acquired by \(name)")
            try output.write(d)
            print("write done by \(name)")
            print("lock released by \(name)")
            try lock.release()
        }
    }
}

/// Python's file object opened with `'w+'`: writes go to the end. It has no lock of its
/// own; its users hold theirs while they write.
private final class OutputFile: @unchecked Sendable {
    private let handle: FileHandle

    init(_ path: String) throws {
        guard FileManager.default.createFile(atPath: path, contents: nil) else {
            throw FileError(reason: "cannot create \(repr(path))")
        }
        handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
    }

    func write(_ data: Data) throws {
        try handle.write(contentsOf: data)
    }

    func close() throws {
        try handle.close()
    }
}
