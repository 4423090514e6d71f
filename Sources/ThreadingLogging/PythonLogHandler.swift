//===----------------------------------------------------------------------===//
//
// Threading: Python's threading model for Swift on Linux.
//
//===----------------------------------------------------------------------===//

import Logging
import Threading

#if canImport(Glibc)
@preconcurrency import Glibc
#elseif canImport(Musl)
@preconcurrency import Musl
#endif

/// A swift-log `LogHandler` that writes each message as one line in a Python logging
/// format, with the emitting thread's `threading.currentThread().name`:
///
///     let logger = Logger(label: "app") { label in
///         PythonLogHandler(label: label, format: try! PythonLogFormat("(%(threadName)-10s) %(message)s"))
///     }
///
/// Invariant: a line is written whole, by one writer at a time, so lines from many
/// threads never interleave within a line.
public struct PythonLogHandler: LogHandler {
    /// Where finished lines go (each ends with a newline).
    public typealias Output = @Sendable (String) -> Void

    /// The logger's name, `%(name)s`.
    public let label: String
    /// The line format.
    public var format: PythonLogFormat
    /// The lowest level this handler writes.
    public var logLevel: Logger.Level
    /// Metadata added to every line, after the message as `key=value`.
    public var metadata: Logger.Metadata = [:]
    /// Supplies metadata at each log call.
    public var metadataProvider: Logger.MetadataProvider?
    private let output: Output

    /// Creates a handler writing to standard error, as Python's `basicConfig` does.
    public init(
        label: String,
        format: PythonLogFormat,
        level: Logger.Level = .info,
        output: @escaping Output = PythonLogHandler.standardError
    ) {
        self.label = label
        self.format = format
        self.logLevel = level
        self.output = output
    }

    /// One metadata value.
    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    /// Formats `event` as one line and writes it.
    public func log(event: LogEvent) {
        var message = event.message.description
        var merged = metadata
        if let provided = metadataProvider?.get() { merged.merge(provided) { _, new in new } }
        if let extra = event.metadata { merged.merge(extra) { _, new in new } }
        if !merged.isEmpty {
            message += " " + merged.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
        }
        let record = LogRecord(
            name: label,
            levelName: Self.pythonName(of: event.level),
            levelNumber: Self.pythonNumber(of: event.level),
            message: message,
            filename: String(event.file.split(separator: "/").last ?? ""),
            funcName: event.function,
            lineNumber: Int(event.line)
        )
        output(format.format(record) + "\n")
    }

    /// Python's level names; swift-log's `trace` and `notice` keep their own.
    public static func pythonName(of level: Logger.Level) -> String {
        switch level {
        case .trace: "TRACE"
        case .debug: "DEBUG"
        case .info: "INFO"
        case .notice: "NOTICE"
        case .warning: "WARNING"
        case .error: "ERROR"
        case .critical: "CRITICAL"
        }
    }

    /// Python's level numbers (`DEBUG` 10 ... `CRITICAL` 50); `trace` 5, `notice` 25.
    public static func pythonNumber(of level: Logger.Level) -> Int {
        switch level {
        case .trace: 5
        case .debug: 10
        case .info: 20
        case .notice: 25
        case .warning: 30
        case .error: 40
        case .critical: 50
        }
    }

    /// Writes a line to standard error whole: one writer at a time, one loop of `write`.
    public static let standardError: Output = { line in
        outputLock.withLock { writeAll(2, line) }
    }
}

/// Serialises writers, so one line is out before the next starts.
private let outputLock = threading.Lock()

private func writeAll(_ descriptor: Int32, _ text: String) {
    var text = text
    text.withUTF8 { bytes in
        var offset = 0
        while offset < bytes.count {
            let written = write(descriptor, bytes.baseAddress! + offset, bytes.count - offset)
            if written < 0 {
                if errno == EINTR { continue }
                return
            }
            offset += written
        }
    }
}
