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

extension threading {
    /// Python's `threading.local`: a value that each thread sees separately.
    ///
    /// Invariant: a thread sees only the value it set (or its initialiser made, once, on
    /// its first access); the value is released when the thread ends, or when the `local`
    /// itself is released, whichever comes first.
    ///
    ///     let data = threading.local<Int>()            // absent until set
    ///     data.value = 42                             // this thread only
    ///
    ///     let counter = threading.local { 1000 }       // each thread starts at 1000
    ///     counter.value! += 1
    ///
    /// Any number of locals can be alive at once: they share one thread-specific key,
    /// which points at a per-thread table, rather than using a key each.
    public final class local<Value>: @unchecked Sendable {
        private let initializer: (@Sendable () -> Value)?
        /// The tables that hold a value of this local, to clear them when it goes away.
        private let holders = InternalMutex()
        private var holderTables: [ObjectIdentifier: Weak<LocalTable>] = [:]

        /// Creates a local whose value is absent in each thread until set.
        public init() {
            initializer = nil
        }

        /// Creates a local whose value each thread gets from `initializer`, run once in
        /// that thread on its first access (Python's subclass `__init__`).
        public init(_ initializer: @escaping @Sendable () -> Value) {
            self.initializer = initializer
        }

        deinit {
            let key = ObjectIdentifier(self)
            holders.lock()
            let tables = holderTables.values.compactMap(\.object)
            holders.unlock()
            for table in tables { _ = table.removeValue(for: key) }
        }

        /// The calling thread's value: `nil` until set, unless an initialiser provides it.
        /// Setting `nil` removes it.
        @available(*, noasync, message: "the thread running async code can change at any suspension point")
        public var value: Value? {
            get {
                let table = LocalTable.current
                if let box = table.value(for: ObjectIdentifier(self)) as? Box {
                    return box.value
                }
                guard let initializer else { return nil }
                let value = initializer()
                store(value, in: table)
                return value
            }
            set {
                let table = LocalTable.current
                if let newValue {
                    store(newValue, in: table)
                } else {
                    _ = table.removeValue(for: ObjectIdentifier(self))
                }
            }
        }

        /// True when the calling thread has a value (without running the initialiser).
        @available(*, noasync, message: "the thread running async code can change at any suspension point")
        public var hasValue: Bool {
            LocalTable.current.value(for: ObjectIdentifier(self)) != nil
        }

        private func store(_ value: Value, in table: LocalTable) {
            table.setValue(Box(value), for: ObjectIdentifier(self))
            holders.lock()
            holderTables[ObjectIdentifier(table)] = Weak(table)
            // Forget the tables of threads that have ended, at amortised O(1) cost.
            if holderTables.count >= 64, holderTables.count & (holderTables.count - 1) == 0 {
                holderTables = holderTables.filter { $0.value.object != nil }
            }
            holders.unlock()
        }

        private final class Box {
            let value: Value
            init(_ value: Value) { self.value = value }
        }
    }
}

/// One per thread: the values of every `threading.local` the thread has touched, found
/// through one process-wide key. Released, with its values, when the thread ends (the
/// main thread's at the end of the exit sequence).
internal final class LocalTable: @unchecked Sendable {
    private let mutex = InternalMutex()
    private var values: [ObjectIdentifier: AnyObject] = [:]

    /// The calling thread's table, created on first use.
    static var current: LocalTable {
        if let existing = pthread_getspecific(localTableKey) {
            return Unmanaged<LocalTable>.fromOpaque(existing).takeUnretainedValue()
        }
        let table = LocalTable()
        pthread_setspecific(localTableKey, Unmanaged.passRetained(table).toOpaque())
        return table
    }

    /// Releases the calling thread's table and its values now (for the main thread, whose
    /// key destructors never run).
    static func releaseCurrent() {
        guard let existing = pthread_getspecific(localTableKey) else { return }
        pthread_setspecific(localTableKey, nil)
        Unmanaged<LocalTable>.fromOpaque(existing).takeRetainedValue().clear()
    }

    func value(for key: ObjectIdentifier) -> AnyObject? {
        mutex.lock()
        defer { mutex.unlock() }
        return values[key]
    }

    func setValue(_ value: AnyObject, for key: ObjectIdentifier) {
        mutex.lock()
        let old = values.updateValue(value, forKey: key)
        mutex.unlock()
        withExtendedLifetime(old) {}  // released outside the mutex
    }

    func removeValue(for key: ObjectIdentifier) -> AnyObject? {
        mutex.lock()
        defer { mutex.unlock() }
        return values.removeValue(forKey: key)
    }

    /// Drops every value, outside the mutex (a value's deinit may use locals itself).
    func clear() {
        mutex.lock()
        let all = values
        values = [:]
        mutex.unlock()
        withExtendedLifetime(all) {}
    }

    /// The number of values held (for tests).
    var count: Int {
        mutex.lock()
        defer { mutex.unlock() }
        return values.count
    }
}

/// A weak reference, for tables that may die before the locals that point at them.
internal struct Weak<Object: AnyObject> {
    weak var object: Object?
    init(_ object: Object) { self.object = object }
}

private let localTableKey: pthread_key_t = {
    var key = pthread_key_t()
    let rc = pthread_key_create(&key) { pointer in
        guard let pointer else { return }
        let table = Unmanaged<LocalTable>.fromOpaque(pointer).takeRetainedValue()
        table.clear()
    }
    precondition(rc == 0, "pthread_key_create failed with error \(rc)")
    return key
}()
