//===----------------------------------------------------------------------===//
//
// threading-bench: the CPython comparison points, run by `python3` on
// Benchmarks/python/threading_bench.py, one child process per measurement.
//
//===----------------------------------------------------------------------===//

import Foundation

enum Python {
    /// What the script prints for one measurement (one JSON object on one line).
    struct Raw: Decodable {
        var wall_ns: UInt64
        var cpu_ns: UInt64
        var ok: Bool
        var error: String?
        var counts: [Int]?
        var overshoots_us: [Double]?
        var python: String?

        var wallSeconds: Double { Double(wall_ns) / 1e9 }
    }

    /// The script, next to this package's sources (override with THREADING_BENCH_PYTHON_SCRIPT).
    static let script: String = {
        if let path = ProcessInfo.processInfo.environment["THREADING_BENCH_PYTHON_SCRIPT"] { return path }
        return URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent()
            .appendingPathComponent("../../python/threading_bench.py")
            .standardized.path
    }()

    /// The interpreter (override with THREADING_BENCH_PYTHON).
    static let interpreter = ProcessInfo.processInfo.environment["THREADING_BENCH_PYTHON"] ?? "python3"

    /// `python3 --version`, or nil when there is no interpreter.
    static let version: String? = {
        guard let output = try? run([interpreter, "-c", "import sys, platform; print(platform.python_implementation(), sys.version.split()[0])"]) else {
            return nil
        }
        let text = output.trimmingCharacters(in: .whitespacesAndNewlines)
        return text.isEmpty ? nil : text
    }()

    /// A CPython implementation of `workload`: the figure comes from the wall time the script
    /// measured, unless `figure` computes it from the raw result.
    static func implementation(
        _ name: String,
        workload: String,
        arguments: [String] = [],
        figure: (@Sendable (Raw) -> Double)? = nil
    ) -> Implementation {
        Implementation(name, .python) { size in
            let raw = try measure(workload, size: size, arguments: arguments)
            var measurement = Measurement(
                timing: Timing(wallNanoseconds: raw.wall_ns, cpuNanoseconds: raw.cpu_ns),
                figure: figure?(raw)
            )
            if let overshoots = raw.overshoots_us, !overshoots.isEmpty {
                measurement.figure = median(overshoots)
                measurement.extras["p99_us"] = percentile(overshoots, 99)
                measurement.extras["min_us"] = overshoots.min()!
            }
            return measurement
        }
    }

    /// Runs one measurement in a fresh interpreter.
    static func measure(_ workload: String, size: Int, arguments: [String]) throws -> Raw {
        guard version != nil else { throw NotAvailable("no \(interpreter) on this machine") }
        let output = try run([interpreter, script, workload, String(size)] + arguments)
        guard let line = output.split(separator: "\n").last,
              let raw = try? JSONDecoder().decode(Raw.self, from: Data(line.utf8)) else {
            throw CheckFailure("unreadable output from \(script): \(output.prefix(300))")
        }
        guard raw.ok else { throw CheckFailure(raw.error ?? "the Python workload failed its check") }
        return raw
    }

    private static func run(_ command: [String]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = command
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe  // a traceback ends up in the error message
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw CheckFailure("\(command.joined(separator: " ")) exited with \(process.terminationStatus): \(String(decoding: data, as: UTF8.self).suffix(500))")
        }
        return String(decoding: data, as: UTF8.self)
    }
}
