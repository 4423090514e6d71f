//===----------------------------------------------------------------------===//
//
// Threading: Python's threading model for Swift on Linux.
//
//===----------------------------------------------------------------------===//

import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

// What seed 002's URL-fetching programs need besides threads: Python's `urlopen`, files
// to append to, and local `file://` pages to fetch when no URL is given.

/// Python's `urllib.error.URLError`: a URL that could not be fetched. The excepthook
/// prints it as `URLError: <reason>`.
struct URLError: Error, CustomStringConvertible {
    /// Why the fetch failed.
    let reason: String
    var description: String { reason }
}

/// Python's `urllib.request.urlopen(url).read()`: the body at `url` (`file:`, `http:` or
/// `https:`), fetched while the calling thread waits.
///
/// - Throws: `URLError` when it cannot be fetched.
func urlopen(_ url: String) throws -> Data {
    guard let parsed = URL(string: url), parsed.scheme != nil else {
        throw URLError(reason: "unknown url type: \(repr(url))")
    }
    if parsed.isFileURL, !FileManager.default.fileExists(atPath: parsed.path) {
        throw URLError(reason: "[Errno 2] No such file or directory: \(repr(parsed.path))")
    }
    do {
        return try Data(contentsOf: parsed)
    } catch {
        let underlying = (error as NSError).userInfo[NSUnderlyingErrorKey] as? NSError
        throw URLError(reason: underlying?.localizedDescription ?? error.localizedDescription)
    }
}

/// True when `text` is a URL with a scheme, which `urlopen` can be asked for.
func isURL(_ text: String) -> Bool {
    URL(string: text)?.scheme != nil
}

/// A directory of its own under the system's temporary directory, for a program's files;
/// `remove()` deletes it with everything in it.
struct ScratchDirectory: Sendable {
    /// The directory's path.
    let path: String

    /// Creates the directory.
    init() throws {
        let base = FileManager.default.temporaryDirectory.path
        path = base + "/threading-tour-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    /// The path of the file called `name` in the directory.
    func file(_ name: String) -> String {
        path + "/" + name
    }

    /// Writes one small page per site name and returns their `file://` URLs: the local
    /// stand-ins for the web sites a seed fetches.
    func pages(for sites: [String]) throws -> [String] {
        try sites.map { site in
            let page = file(site + ".html")
            try "<html><body>\(site)</body></html>\n".write(toFile: page, atomically: true, encoding: .utf8)
            return URL(fileURLWithPath: page).absoluteString
        }
    }

    /// Deletes the directory and its files.
    func remove() {
        try? FileManager.default.removeItem(atPath: path)
    }
}

/// A file that could not be created (Python's `OSError`).
struct FileError: Error, CustomStringConvertible {
    /// What went wrong.
    let reason: String
    var description: String { reason }
}

/// Python's `open(filename, "a").write(text)`, then `close()`.
func append(_ text: String, toFile filename: String) throws {
    if !FileManager.default.fileExists(atPath: filename),
        !FileManager.default.createFile(atPath: filename, contents: nil)
    {
        throw FileError(reason: "cannot create \(repr(filename))")
    }
    let file = try FileHandle(forWritingTo: URL(fileURLWithPath: filename))
    defer { try? file.close() }
    try file.seekToEnd()
    try file.write(contentsOf: Data(text.utf8))
}

/// Python's `open(filename).read()`.
func readFile(_ filename: String) throws -> String {
    try String(contentsOfFile: filename, encoding: .utf8)
}
