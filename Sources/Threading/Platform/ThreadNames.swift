//===----------------------------------------------------------------------===//
//
// Threading: Python's threading model for Swift on Linux.
//
//===----------------------------------------------------------------------===//

import CThreadingShims

#if canImport(Glibc)
@preconcurrency import Glibc
#elseif canImport(Musl)
@preconcurrency import Musl
#endif

/// OS thread names: what `ps`, `top`, debuggers and crash backtraces show.
internal enum ThreadNames {
    /// Linux keeps at most 15 bytes of a thread's name (plus the NUL).
    static let maximumBytes = 15

    /// `name` cut to at most 15 UTF-8 bytes, never inside a character.
    static func osName(for name: String) -> String {
        var result = ""
        var bytes = 0
        for character in name {
            let size = character.utf8.count
            if bytes + size > maximumBytes { break }
            result.append(character)
            bytes += size
        }
        return result
    }

    /// Sets the calling thread's OS name; failures (some containers forbid it) are ignored,
    /// as the name is only a label.
    static func setCurrentOSName(_ name: String) {
        _ = cshim_pthread_setname_np(pthread_self(), osName(for: name))
    }

    /// The calling thread's OS name.
    static func currentOSName() -> String {
        var buffer = [CChar](repeating: 0, count: 64)
        guard cshim_pthread_getname_np(pthread_self(), &buffer, buffer.count) == 0 else { return "" }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
