//===----------------------------------------------------------------------===//
//
// Threading: Python's threading model for Swift on Linux.
//
//===----------------------------------------------------------------------===//

import Threading

#if canImport(Glibc)
@preconcurrency import Glibc
#elseif canImport(Musl)
@preconcurrency import Musl
#endif

/// What a log line is made from: Python's `LogRecord` attributes.
public struct LogRecord: Sendable {
    /// The logger's name (`%(name)s`).
    public var name: String
    /// `DEBUG`, `INFO`, `WARNING`, ... (`%(levelname)s`).
    public var levelName: String
    /// The numeric level: 10, 20, 30, ... (`%(levelno)d`).
    public var levelNumber: Int
    /// The message (`%(message)s`).
    public var message: String
    /// Seconds since the epoch, with fractions (`%(created)f`).
    public var created: Double
    /// The emitting thread's name (`%(threadName)s`).
    public var threadName: String
    /// The emitting thread's ident (`%(thread)d`).
    public var thread: UInt
    /// The process id (`%(process)d`).
    public var process: Int
    /// The source file's name (`%(filename)s`).
    public var filename: String
    /// The function (`%(funcName)s`).
    public var funcName: String
    /// The line (`%(lineno)d`).
    public var lineNumber: Int

    /// A record made now, on the calling thread, with its name and ident.
    public init(
        name: String,
        levelName: String,
        levelNumber: Int,
        message: String,
        filename: String = "",
        funcName: String = "",
        lineNumber: Int = 0
    ) {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        self.name = name
        self.levelName = levelName
        self.levelNumber = levelNumber
        self.message = message
        self.created = Double(now.tv_sec) + Double(now.tv_nsec) / 1e9
        self.threadName = threading.currentThread().name
        self.thread = threading.getIdent()
        self.process = Int(getpid())
        self.filename = filename
        self.funcName = funcName
        self.lineNumber = lineNumber
    }
}

/// A Python logging format string (`'%'` style), parsed once and applied to records:
/// `"[%(levelname)s] (%(threadName)-10s) %(message)s"`.
///
/// Invariant: every field names a known record attribute and has a conversion Python
/// accepts (`s`, `r`, `d`, `i`, `f`), with optional `-`/`0` flags, width and precision.
public struct PythonLogFormat: Sendable, CustomStringConvertible {
    /// Python's `logging.BASIC_FORMAT`.
    public static let basic = "%(levelname)s:%(name)s:%(message)s"

    private enum Piece: Sendable {
        case text(String)
        case field(Field)
    }

    private struct Field: Sendable {
        var key: String
        var leftAligned: Bool
        var zeroPadded: Bool
        var width: Int?
        var precision: Int?
        var conversion: Character
    }

    private static let keys: Set<String> = [
        "name", "levelname", "levelno", "message", "asctime", "msecs", "created",
        "threadName", "thread", "process", "filename", "funcName", "lineno",
    ]

    private let pieces: [Piece]
    /// The `strftime` format for `%(asctime)s`; `nil` is Python's default
    /// `%Y-%m-%d %H:%M:%S` followed by `,` and milliseconds.
    private let dateFormat: String?
    /// The format string it was made from.
    public let description: String

    /// Parses `format`.
    ///
    /// - Throws: `ValueError` for a field Python would not accept, with Python's messages.
    public init(_ format: String, dateFormat: String? = nil) throws {
        var pieces: [Piece] = []
        var text = ""
        var index = format.startIndex
        var sawField = false
        func fail() -> ValueError { ValueError("Invalid format '\(format)' for '%' style") }
        while index < format.endIndex {
            let character = format[index]
            guard character == "%" else {
                text.append(character)
                index = format.index(after: index)
                continue
            }
            var cursor = format.index(after: index)
            guard cursor < format.endIndex else { throw fail() }
            if format[cursor] == "%" {
                text.append("%")
                index = format.index(after: cursor)
                continue
            }
            guard format[cursor] == "(", let close = format[cursor...].firstIndex(of: ")") else { throw fail() }
            let key = String(format[format.index(after: cursor)..<close])
            cursor = format.index(after: close)
            var field = Field(key: key, leftAligned: false, zeroPadded: false, width: nil, precision: nil, conversion: "s")
            while cursor < format.endIndex, "-0 +#".contains(format[cursor]) {
                if format[cursor] == "-" { field.leftAligned = true }
                if format[cursor] == "0" { field.zeroPadded = true }
                cursor = format.index(after: cursor)
            }
            var digits = ""
            while cursor < format.endIndex, format[cursor].isASCII, format[cursor].isNumber {
                digits.append(format[cursor])
                cursor = format.index(after: cursor)
            }
            field.width = Int(digits)
            if cursor < format.endIndex, format[cursor] == "." {
                cursor = format.index(after: cursor)
                var precision = ""
                while cursor < format.endIndex, format[cursor].isASCII, format[cursor].isNumber {
                    precision.append(format[cursor])
                    cursor = format.index(after: cursor)
                }
                field.precision = Int(precision) ?? 0
            }
            guard cursor < format.endIndex, "srdif".contains(format[cursor]) else { throw fail() }
            field.conversion = format[cursor]
            guard Self.keys.contains(key) else {
                throw ValueError("Formatting field not found in record: '\(key)'")
            }
            if !text.isEmpty {
                pieces.append(.text(text))
                text = ""
            }
            pieces.append(.field(field))
            sawField = true
            index = format.index(after: cursor)
        }
        guard sawField else { throw fail() }
        if !text.isEmpty { pieces.append(.text(text)) }
        self.pieces = pieces
        self.dateFormat = dateFormat
        self.description = format
    }

    /// The line for `record`, without the trailing newline.
    public func format(_ record: LogRecord) -> String {
        var line = ""
        for piece in pieces {
            switch piece {
            case .text(let text): line += text
            case .field(let field): line += render(field, record)
            }
        }
        return line
    }

    private enum Value {
        case text(String)
        case integer(Int)
        case real(Double)
    }

    private func value(of key: String, _ record: LogRecord) -> Value {
        switch key {
        case "name": .text(record.name)
        case "levelname": .text(record.levelName)
        case "levelno": .integer(record.levelNumber)
        case "message": .text(record.message)
        case "asctime": .text(asctime(record.created))
        case "msecs": .real((record.created - record.created.rounded(.down)) * 1000)
        case "created": .real(record.created)
        case "threadName": .text(record.threadName)
        case "thread": .integer(Int(bitPattern: record.thread))
        case "process": .integer(record.process)
        case "filename": .text(record.filename)
        case "funcName": .text(record.funcName)
        default: .integer(record.lineNumber)  // "lineno": the keys were checked at parse time
        }
    }

    private func render(_ field: Field, _ record: LogRecord) -> String {
        var body: String
        var isNumber = false
        switch (value(of: field.key, record), field.conversion) {
        case (.text(let text), "r"): body = "'" + text + "'"
        case (.text(let text), _): body = text
        case (.integer(let n), "f"): body = fixed(Double(n), field.precision ?? 6); isNumber = true
        case (.integer(let n), _): body = String(n); isNumber = true
        case (.real(let x), "d"), (.real(let x), "i"): body = String(Int(x.rounded(.towardZero))); isNumber = true
        case (.real(let x), "f"): body = fixed(x, field.precision ?? 6); isNumber = true
        case (.real(let x), _): body = String(x)
        }
        if !isNumber, let precision = field.precision, body.count > precision {
            body = String(body.prefix(precision))
        }
        guard let width = field.width, body.count < width else { return body }
        let padding = width - body.count
        if field.leftAligned { return body + String(repeating: " ", count: padding) }
        if field.zeroPadded, isNumber {
            let negative = body.hasPrefix("-")
            let digits = negative ? String(body.dropFirst()) : body
            return (negative ? "-" : "") + String(repeating: "0", count: padding) + digits
        }
        return String(repeating: " ", count: padding) + body
    }

    private func fixed(_ value: Double, _ precision: Int) -> String {
        let scale = (0..<precision).reduce(1.0) { partial, _ in partial * 10 }
        let scaled = (value.magnitude * scale).rounded()
        let whole = Int(scaled / scale)
        var result = (value < 0 ? "-" : "") + String(whole)
        if precision > 0 {
            let fraction = Int(scaled - Double(whole) * scale)
            let digits = String(fraction)
            result += "." + String(repeating: "0", count: precision - digits.count) + digits
        }
        return result
    }

    /// Python's `Formatter.formatTime`: local time, `%Y-%m-%d %H:%M:%S,mmm` by default.
    private func asctime(_ created: Double) -> String {
        var seconds = time_t(created.rounded(.down))
        var parts = tm()
        localtime_r(&seconds, &parts)
        var buffer = [CChar](repeating: 0, count: 128)
        let length = strftime(&buffer, buffer.count, dateFormat ?? "%Y-%m-%d %H:%M:%S", &parts)
        let text = String(decoding: buffer[..<length].map { UInt8(bitPattern: $0) }, as: UTF8.self)
        guard dateFormat == nil else { return text }
        let milliseconds = Int((created - created.rounded(.down)) * 1000)
        return text + "," + (milliseconds < 10 ? "00" : milliseconds < 100 ? "0" : "") + String(milliseconds)
    }
}
