//===----------------------------------------------------------------------===//
//
// Threading: Python's threading model for Swift on Linux.
//
// ThreadingLogging: every directive and width of the Python format, and many threads
// logging at once without a line ever being cut by another.
//
//===----------------------------------------------------------------------===//

import Logging
import Testing
@testable import Threading
import ThreadingLogging

@Suite("LoggingFormatTests", .wedgeDetector)
struct LoggingFormatTests {
    func record(_ message: String = "hello", level: Logger.Level = .debug) -> LogRecord {
        var record = LogRecord(
            name: "app.db",
            levelName: PythonLogHandler.pythonName(of: level),
            levelNumber: PythonLogHandler.pythonNumber(of: level),
            message: message,
            filename: "main.swift",
            funcName: "worker()",
            lineNumber: 42
        )
        record.threadName = "worker"
        record.thread = 140_000
        record.process = 777
        record.created = 1_700_000_000.125
        return record
    }

    func line(_ format: String, _ record: LogRecord? = nil) throws -> String {
        try PythonLogFormat(format).format(record ?? self.record())
    }

    @Test func test_seed_formats() throws {
        #expect(try line("[%(levelname)s] (%(threadName)-10s) %(message)s") == "[DEBUG] (worker    ) hello")
        #expect(try line("(%(threadName)-9s) %(message)s") == "(worker   ) hello")
        #expect(try line(PythonLogFormat.basic) == "DEBUG:app.db:hello")
    }

    @Test func test_every_directive() throws {
        #expect(try line("%(name)s") == "app.db")
        #expect(try line("%(levelname)s %(levelno)d") == "DEBUG 10")
        #expect(try line("%(message)s") == "hello")
        #expect(try line("%(threadName)s") == "worker")
        #expect(try line("%(thread)d") == "140000")
        #expect(try line("%(process)d") == "777")
        #expect(try line("%(filename)s:%(lineno)d %(funcName)s") == "main.swift:42 worker()")
        #expect(try line("%(msecs)d") == "125")
        #expect(try line("%(created)f") == "1700000000.125000")
        #expect(try line("%(message)r") == "'hello'")
        #expect(try line("100%% %(message)s") == "100% hello")
    }

    @Test func test_widths_and_flags() throws {
        #expect(try line("[%(levelname)8s]") == "[   DEBUG]")
        #expect(try line("[%(levelname)-8s]") == "[DEBUG   ]")
        #expect(try line("[%(levelname)3s]") == "[DEBUG]", "a width never truncates")
        #expect(try line("[%(levelname).3s]") == "[DEB]", "a precision truncates text")
        #expect(try line("[%(lineno)05d]") == "[00042]")
        #expect(try line("[%(lineno)-5d]") == "[42   ]")
        #expect(try line("[%(msecs)03d]") == "[125]")
        #expect(try line("%(created).2f") == "1700000000.13")
    }

    @Test func test_asctime_default_format() throws {
        // Python's default: local time `%Y-%m-%d %H:%M:%S` then `,` and milliseconds.
        let text = try line("%(asctime)s")
        #expect(text.range(of: #"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2},125$"#, options: .regularExpression) != nil, "\(text)")
        let custom = try PythonLogFormat("%(asctime)s", dateFormat: "%Y").format(record())
        #expect(custom.count == 4)
    }

    @Test func test_levels() throws {
        let levels: [(Logger.Level, String, Int)] = [
            (.debug, "DEBUG", 10), (.info, "INFO", 20), (.warning, "WARNING", 30),
            (.error, "ERROR", 40), (.critical, "CRITICAL", 50),
        ]
        for (level, name, number) in levels {
            #expect(try line("%(levelname)s=%(levelno)d", record(level: level)) == "\(name)=\(number)")
        }
    }

    @Test func test_invalid_formats() {
        #expect(throws: ValueError.self) { try PythonLogFormat("no fields here") }
        #expect(throws: ValueError.self) { try PythonLogFormat("%(message)") }
        do {
            _ = try PythonLogFormat("%(colour)s")
            Issue.record("an unknown field was accepted")
        } catch let error as ValueError {
            #expect(error.message == "Formatting field not found in record: 'colour'")
        } catch {
            Issue.record("unexpected \(error)")
        }
    }

    @Test func test_handler_uses_current_thread_name() throws {
        let lines = Locked<[String]>([])
        let format = try PythonLogFormat("(%(threadName)-10s) %(levelname)s %(message)s")
        let logger = Logger(label: "test") { label in
            PythonLogHandler(label: label, format: format, level: .debug) { line in lines.withLock { $0.append(line) } }
        }
        let hold = ThreadCensus.shared.beginShared()
        defer { ThreadCensus.shared.endShared(hold) }
        let thread = threading.Thread(name: "worker-1") { logger.debug("Starting") }
        try thread.start()
        try thread.join()
        logger.trace("hidden below the level")
        #expect(lines.snapshot == ["(worker-1  ) DEBUG Starting\n"])
    }

    @Test func test_many_threads_never_interleave() throws {
        // Real standard-error writes from 8 threads, read back through a pipe: every line
        // arrives whole.
        let result = try runChild("logging_many_threads")
        let lines = result.stderr.split(separator: "\n", omittingEmptySubsequences: false).dropLast()
        #expect(lines.count == 8 * 500)
        let pattern = #"^\[DEBUG\] \(writer-\d  \) message \d+ from writer-\d x{200}$"#
        let broken = lines.filter { $0.range(of: pattern, options: .regularExpression) == nil }
        #expect(broken.isEmpty, "\(broken.prefix(3))")
    }
}
