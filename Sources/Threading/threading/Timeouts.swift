//===----------------------------------------------------------------------===//
//
// Threading: Python's threading model for Swift on Linux.
//
//===----------------------------------------------------------------------===//

// Python gives each primitive its own reading of zero, negative and huge timeouts
// (reference/cpython-api.md §15); the primitives apply those rules and share only the
// conversion below, which is Python's conversion of seconds to its clock type.

extension Deadline {
    /// The deadline `seconds` from now for a call that is about to block.
    ///
    /// - Throws: `ValueError` for NaN and `OverflowError` beyond `threading.TIMEOUT_MAX`
    ///   (infinity included), with Python's messages.
    @usableFromInline
    internal static func validated(secondsFromNow seconds: Double) throws -> Deadline {
        try checkTimeoutRepresentable(seconds)
        return .after(seconds: seconds)
    }
}

/// Python's conversion of a timeout to its clock type: NaN is a `ValueError`, a magnitude
/// beyond `threading.TIMEOUT_MAX` (infinity included) an `OverflowError`.
@usableFromInline
internal func checkTimeoutRepresentable(_ seconds: Double) throws {
    if seconds.isNaN {
        throw ValueError("Invalid value NaN (not a number)")
    }
    if seconds.magnitude > threading.TIMEOUT_MAX {
        throw OverflowError("timestamp out of range for platform time_t")
    }
}

extension Duration {
    /// The duration in seconds, as the `Double` the Python-shaped API takes.
    @usableFromInline
    internal var seconds: Double {
        let (seconds, attoseconds) = components
        return Double(seconds) + Double(attoseconds) / 1e18
    }
}
