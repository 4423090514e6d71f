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

/// Python's `get_ident()` of the calling thread: its `pthread_t`, never zero, unique
/// among live threads (and reused after a thread exits).
@inlinable
internal func currentThreadIdent() -> UInt {
    UInt(bitPattern: Int(bitPattern: UInt(pthread_self())))
}

/// Python's `get_native_id()` of the calling thread: the kernel's thread id.
internal func currentNativeThreadID() -> Int {
    Int(cshim_gettid())
}
