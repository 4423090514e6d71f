//===----------------------------------------------------------------------===//
//
// Threading: Python's threading model for Swift on Linux.
//
//===----------------------------------------------------------------------===//

import Logging
import Synchronization
import Threading

/// Python's `logging` module, as far as the threading tutorials use it: `basicConfig`
/// with a format string, and the module-level functions that log through the root
/// logger.
///
///     try logging.basicConfig(level: logging.DEBUG, format: "[%(levelname)s] (%(threadName)-10s) %(message)s")
///     logging.debug("Starting")     // [DEBUG] (worker    ) Starting
public enum logging {
    /// Python's `logging.DEBUG` (10).
    public static let DEBUG = Logger.Level.debug
    /// Python's `logging.INFO` (20).
    public static let INFO = Logger.Level.info
    /// Python's `logging.WARNING` (30), the default level.
    public static let WARNING = Logger.Level.warning
    /// Python's `logging.ERROR` (40).
    public static let ERROR = Logger.Level.error
    /// Python's `logging.CRITICAL` (50).
    public static let CRITICAL = Logger.Level.critical

    /// Configures logging once per process, as Python's `basicConfig` does: later calls
    /// change nothing. Lines go to standard error.
    ///
    /// - Parameters:
    ///   - level: the lowest level logged (Python's default: `WARNING`).
    ///   - format: a Python `%`-style format (Python's default: `BASIC_FORMAT`).
    ///   - datefmt: a `strftime` format for `%(asctime)s`.
    /// - Throws: `ValueError` for an invalid format.
    public static func basicConfig(
        level: Logger.Level = WARNING,
        format: String = PythonLogFormat.basic,
        datefmt: String? = nil
    ) throws {
        let parsed = try PythonLogFormat(format, dateFormat: datefmt)
        guard !configured.exchange(true, ordering: .acquiringAndReleasing) else { return }
        LoggingSystem.bootstrap { label in
            PythonLogHandler(label: label, format: parsed, level: level)
        }
    }

    /// The logger called `name` (Python's root logger is `"root"`).
    public static func getLogger(_ name: String = "root") -> Logger {
        Logger(label: name)
    }

    /// Logs `message` at `DEBUG` on the root logger.
    public static func debug(
        _ message: @autoclosure () -> Logger.Message,
        file: String = #fileID, function: String = #function, line: UInt = #line
    ) {
        root.debug(message(), file: file, function: function, line: line)
    }

    /// Logs `message` at `INFO` on the root logger.
    public static func info(
        _ message: @autoclosure () -> Logger.Message,
        file: String = #fileID, function: String = #function, line: UInt = #line
    ) {
        root.info(message(), file: file, function: function, line: line)
    }

    /// Logs `message` at `WARNING` on the root logger.
    public static func warning(
        _ message: @autoclosure () -> Logger.Message,
        file: String = #fileID, function: String = #function, line: UInt = #line
    ) {
        root.warning(message(), file: file, function: function, line: line)
    }

    /// Logs `message` at `ERROR` on the root logger.
    public static func error(
        _ message: @autoclosure () -> Logger.Message,
        file: String = #fileID, function: String = #function, line: UInt = #line
    ) {
        root.error(message(), file: file, function: function, line: line)
    }

    /// Logs `message` at `CRITICAL` on the root logger.
    public static func critical(
        _ message: @autoclosure () -> Logger.Message,
        file: String = #fileID, function: String = #function, line: UInt = #line
    ) {
        root.critical(message(), file: file, function: function, line: line)
    }

    /// The root logger, made after `basicConfig` so it has the configured handler.
    private static var root: Logger { Logger(label: "root") }

    private static let configured = Atomic<Bool>(false)
}
