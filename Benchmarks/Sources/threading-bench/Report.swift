//===----------------------------------------------------------------------===//
//
// threading-bench: the machine a run ran on, the table, and the JSON.
//
//===----------------------------------------------------------------------===//

import Foundation
import Glibc

struct Machine: Codable {
    var cpuModel: String
    var cores: Int
    var kernel: String
    var loadAverageAtStart: [Double]
    var loadAverageAtEnd: [Double] = []
    var toolchain: String
    var python: String?
    var build: String
    var date: String

    static func current() -> Machine {
        let cpuinfo = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) ?? ""
        let model = cpuinfo.split(separator: "\n")
            .first { $0.hasPrefix("model name") }
            .flatMap { $0.split(separator: ":", maxSplits: 1).last }
            .map { $0.trimmingCharacters(in: .whitespaces) } ?? "unknown"
        var names = utsname()
        uname(&names)
        let kernel = withUnsafeBytes(of: &names.release) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        #if DEBUG
        let build = "debug (timings are not meaningful)"
        #else
        let build = "release"
        #endif
        return Machine(
            cpuModel: model,
            cores: sysconf(Int32(_SC_NPROCESSORS_ONLN)),
            kernel: "Linux \(kernel)",
            loadAverageAtStart: loadAverage(),
            toolchain: toolchainVersion(),
            python: Python.version,
            build: build,
            date: ISO8601DateFormatter().string(from: Date())
        )
    }

    /// `swift --version`'s first line (the toolchain on PATH, which `swift run` built us with).
    private static func toolchainVersion() -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["swift", "--version"]
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        guard (try? process.run()) != nil else { return "unknown" }
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let line = String(decoding: data, as: UTF8.self).split(separator: "\n")
            .first { $0.contains("Swift version") }
        return line.map(String.init) ?? "unknown"
    }

    var summary: String {
        "\(cpuModel), \(cores) cores, \(kernel); load average \(loadText(loadAverageAtStart)) at start, "
            + "\(loadText(loadAverageAtEnd)) at end; \(toolchain); \(python ?? "no python3"); \(build) build; \(date)"
    }
}

func loadText(_ load: [Double]) -> String {
    load.map { String(format: "%.2f", $0) }.joined(separator: " ")
}

struct Report: Codable {
    var machine: Machine
    var mode: String
    var workloads: [WorkloadResult]
    var targets: [TargetResult]
}

// MARK: - The table

/// One row per workload and implementation: the median figure, its spread over the
/// repetitions, wall and CPU time of one repetition, how many times better ours is, and
/// the targets that compare ours with this implementation.
func tableRows(_ report: Report) -> [[String]] {
    var rows: [[String]] = []
    for workload in report.workloads {
        for implementation in workload.implementations {
            var row = [workload.name, implementation.name]
            if let median = implementation.median {
                row.append("\(format(median)) \(workload.unit.rawValue)")
                row.append(implementation.samples.count > 1
                    ? "\(format(implementation.minimum!))–\(format(implementation.maximum!))" : "")
                let wall = implementation.medianWallSeconds ?? 0, cpu = implementation.medianCPUSeconds ?? 0
                row.append(String(format: "%.3f", wall))
                row.append(String(format: "%.3f", cpu))
                if implementation.name == workload.primary {
                    row.append("(ours)")
                } else if let advantage = workload.advantage(of: workload.primary, over: implementation.name) {
                    row.append("\(format(advantage))×")
                } else {
                    row.append("")
                }
            } else {
                row.append(implementation.status.hasPrefix("not available") ? "not available" : "CHECK FAILED")
                row += ["", "", "", ""]
            }
            let judged = report.targets.filter {
                $0.workload == workload.name
                    && ($0.reference == implementation.name || ($0.reference == nil && $0.ours == implementation.name))
            }
            if !implementation.ok {
                // Why it has no figure: the reason, in place of a target.
                row.append(String(implementation.status.drop { $0 != ":" }.dropFirst(2)))
                row.append("")
            } else if report.mode == "quick" {
                row.append(judged.map(\.target).joined(separator: "; "))
                row.append(judged.isEmpty ? "" : "not judged")
            } else {
                row.append(judged.map { "\($0.target): \($0.measuredText)" }.joined(separator: "; "))
                row.append(judged.map(\.verdict).joined(separator: "; "))
            }
            rows.append(row)
        }
    }
    return rows
}

let tableHeader = ["workload", "implementation", "median", "min–max", "wall s", "CPU s", "ours better by", "target: measured", "verdict"]

func plainTable(_ report: Report) -> String {
    let rows = [tableHeader] + tableRows(report)
    let widths = tableHeader.indices.map { column in rows.map { $0[column].count }.max()! }
    var lines: [String] = []
    var previous = ""
    for (index, row) in rows.enumerated() {
        if index == 1 || (index > 1 && row[0] != previous) {
            lines.append(widths.map { String(repeating: "-", count: $0) }.joined(separator: "-+-"))
        }
        previous = row[0]
        let shown = index > 1 && row[0] == rows[index - 1][0] ? [""] + row.dropFirst() : row
        lines.append(zip(shown, widths).map { pad($0, $1) }.joined(separator: " | "))
    }
    return lines.joined(separator: "\n")
}

func markdownTable(_ report: Report) -> String {
    var lines = ["| " + tableHeader.joined(separator: " | ") + " |",
                 "|" + tableHeader.map { _ in "---" }.joined(separator: "|") + "|"]
    var previous = ""
    for row in tableRows(report) {
        var shown = row
        if row[0] == previous { shown[0] = "" } else { shown[0] = "`\(row[0])`" }
        previous = row[0]
        if shown[8].contains("MISSED") { shown[8] = "**\(shown[8])**" }
        lines.append("| " + shown.map { $0.replacingOccurrences(of: "|", with: "\\|") }.joined(separator: " | ") + " |")
    }
    return lines.joined(separator: "\n")
}

/// The Markdown the results page is made from: the machine, the table, the targets.
func markdownReport(_ report: Report) -> String {
    var lines = [
        "Machine: \(report.machine.summary).",
        "",
        "Medians of \(Set(report.workloads.map(\.repetitions)).sorted().map(String.init).joined(separator: "/")) repetitions, "
            + "implementations interleaved within each repetition; \"ours better by\" > 1 means ours is faster "
            + "(or fairer); wall and CPU seconds are one repetition's (CPU: every thread of the process).",
        "",
        markdownTable(report),
        "",
        "| workload | target | measured | verdict |",
        "|---|---|---|---|",
    ]
    for target in report.targets {
        let verdict = target.met == false ? "**MISSED**" : target.verdict
        lines.append("| `\(target.workload)` | \(target.target) | \(target.measuredText) | \(verdict) |")
    }
    return lines.joined(separator: "\n") + "\n"
}

func targetSummary(_ report: Report) -> String {
    let judged = report.targets.filter { $0.met != nil }
    let met = judged.filter { $0.met == true }.count
    var lines = ["Targets met: \(met) of \(judged.count) judged (\(report.targets.count) in all)."]
    for target in report.targets where target.met != true {
        lines.append("  \(target.verdict): \(target.workload): \(target.target): \(target.measuredText)")
    }
    return lines.joined(separator: "\n")
}

func writeJSON(_ report: Report, to path: String) throws {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
    try encoder.encode(report).write(to: URL(fileURLWithPath: path))
}
