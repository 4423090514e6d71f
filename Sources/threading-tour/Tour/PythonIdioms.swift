//===----------------------------------------------------------------------===//
//
// Threading: Python's threading model for Swift on Linux.
//
//===----------------------------------------------------------------------===//

#if canImport(Glibc)
@preconcurrency import Glibc
#elseif canImport(Musl)
@preconcurrency import Musl
#endif

// The few pieces of Python outside the thread modules that the seeds' programs use,
// spelled so the ports read like the originals and print what Python prints.

/// Python's `random` module, as far as the seeds use it.
enum random {
    /// Python's `random.random()`: a number in `0 ..< 1`.
    static func random() -> Double {
        Double.random(in: 0..<1)
    }

    /// Python's `random.randint(a, b)`: an integer in `a ... b`, both ends included.
    static func randint(_ a: Int, _ b: Int) -> Int {
        Int.random(in: a...b)
    }
}

/// Python's `str()` of a bool: `True` or `False`.
func str(_ value: Bool) -> String {
    value ? "True" : "False"
}

/// Python's `repr()` of a string: `'text'`.
func repr(_ text: String) -> String {
    "'" + text + "'"
}

/// Python's `repr()` of a list of strings: `['0', '1']`.
func repr(_ list: [String]) -> String {
    "[" + list.map(repr).joined(separator: ", ") + "]"
}

/// Python's `repr()` of a tuple of integers: `(1,)`, `(1, 2)`, `()`.
func repr(tuple: [Int]) -> String {
    tuple.count == 1 ? "(\(tuple[0]),)" : "(" + tuple.map(String.init).joined(separator: ", ") + ")"
}

/// Python's `repr()` of a tuple of two strings: `('a', 'b')`.
func repr(_ pair: (String, String)) -> String {
    "(\(repr(pair.0)), \(repr(pair.1)))"
}

/// Python's `repr()` of a dict of strings, in insertion order: `{'a': 'A', 'b': 'B'}`.
func repr(_ dict: KeyValuePairs<String, String>) -> String {
    "{" + dict.map { "\(repr($0.key)): \(repr($0.value))" }.joined(separator: ", ") + "}"
}

/// Python's `spec % value` for one numeric conversion: `pyFormat("%0.02f", 0.661)` is
/// `"0.66"`, `pyFormat("%f", 2.0)` is `"2.000000"`.
func pyFormat(_ spec: String, _ value: Double) -> String {
    var buffer = [CChar](repeating: 0, count: 64)
    let count = withVaList([value]) { arguments in
        vsnprintf(&buffer, buffer.count, spec, arguments)
    }
    precondition(count >= 0 && count < buffer.count, "bad format \(spec)")
    return String(decoding: buffer.prefix(Int(count)).map { UInt8(bitPattern: $0) }, as: UTF8.self)
}

/// Python's `id(object)`: a number that identifies the object while it lives.
func id(_ object: AnyObject) -> UInt {
    UInt(bitPattern: ObjectIdentifier(object))
}

/// Writes whatever `print` has buffered, so output written so far is out before a child
/// process writes its own, or before a line that must follow it.
func flushStandardOutput() {
    fflush(stdout)
}
