//===----------------------------------------------------------------------===//
//
// threading-bench: the workloads of shared/BENCH.md for this library and its comparison
// points, side by side in one run.
//
//===----------------------------------------------------------------------===//

import Foundation

let usage = """
    usage: threading-bench [--quick] [--reps N] [--no-python] [--json PATH] [--svg PATH]
                           [--markdown PATH] [--only TEXT] [--list] [FILTER ...]

    Runs every workload of BENCH.md (or those whose name contains one of the FILTERs) for
    this library and its comparison points, interleaving the implementations within each
    repetition, and prints one table of medians, ratios and target verdicts.

      --quick          smoke run: small sizes, one repetition, correctness checks only
      --reps N         repetitions per workload (default: 5; fairness 3; timeouts 1 pooled run)
      --no-python      skip the CPython comparison points
      --only TEXT      run only the implementations whose name contains TEXT (repeatable)
      --json PATH      write every sample, the machine and the verdicts as JSON
      --svg PATH       write the chart of ratios (default: next to --json, .svg)
      --markdown PATH  write the table as Markdown
      --list           list the workloads and their implementations
      --replot PATH    redraw the chart of an earlier run from its JSON, and exit
    Exit status: 1 if any correctness check failed (a missed target is not a failure).
    """

var options = RunOptions()
var jsonPath: String?
var svgPath: String?
var markdownPath: String?
var listOnly = false
var arguments = CommandLine.arguments.dropFirst()
while let argument = arguments.popFirst() {
    switch argument {
    case "--quick": options.quick = true
    case "--no-python": options.python = false
    case "--list": listOnly = true
    case "--replot":
        // Redraws the chart of an earlier run from its JSON, next to it.
        guard let path = arguments.popFirst(),
              let data = FileManager.default.contents(atPath: path),
              let report = try? JSONDecoder().decode(Report.self, from: data) else {
            fatalError("--replot takes the JSON of an earlier run")
        }
        let svg = (path.hasSuffix(".json") ? String(path.dropLast(5)) : path) + ".svg"
        try! svgChart(report).write(toFile: svg, atomically: true, encoding: .utf8)
        exit(0)
    case "--reps":
        guard let value = arguments.popFirst().flatMap(Int.init), value > 0 else { fatalError("--reps takes a positive number") }
        options.repetitions = value
    case "--only":
        guard let value = arguments.popFirst() else { fatalError("--only takes an implementation name") }
        options.implementationFilters.append(value)
    case "--json": jsonPath = arguments.popFirst()
    case "--svg": svgPath = arguments.popFirst()
    case "--markdown": markdownPath = arguments.popFirst()
    case "-h", "--help":
        print(usage)
        exit(0)
    case let flag where flag.hasPrefix("-"):
        FileHandle.standardError.write(Data("unknown option \(flag)\n\n\(usage)\n".utf8))
        exit(2)
    default: options.filters.append(argument)
    }
}

let allWorkloads = lockWorkloads() + pingPongWorkloads() + queueWorkloads() + threadAndPoolWorkloads() + timeoutWorkloads()
let selected = options.filters.isEmpty
    ? allWorkloads
    : allWorkloads.filter { workload in options.filters.contains { workload.name.contains($0) } }

if listOnly {
    for workload in allWorkloads {
        print("\(workload.name): \(workload.summary) [\(workload.unit.rawValue)]")
        for implementation in workload.implementations {
            print("    \(implementation.name) (\(implementation.origin.rawValue))")
        }
    }
    exit(0)
}
if selected.isEmpty {
    FileHandle.standardError.write(Data("no workload matches \(options.filters)\n".utf8))
    exit(2)
}

precondition(idleThreadStarted)
var machine = Machine.current()
log("threading-bench \(options.quick ? "--quick (correctness only)" : "full run"): \(machine.summary)")
let started = Date()
let results = selected.map { run($0, options: options) }
machine.loadAverageAtEnd = loadAverage()
let verdicts = targets.compactMap { evaluate($0, in: results, decide: !options.quick) }
let report = Report(machine: machine, mode: options.quick ? "quick" : "full", workloads: results, targets: verdicts)

print("Machine: \(machine.summary)")
print("Ratios are medians taken in this run; \"ours better by\" > 1 means ours is faster (or fairer).")
print(plainTable(report))
print()
if options.quick {
    print("Quick run: correctness only, no timing verdicts.")
} else {
    print(targetSummary(report))
}
print(String(format: "Ran in %.0f s.", Date().timeIntervalSince(started)))

do {
    if let jsonPath {
        try writeJSON(report, to: jsonPath)
        if svgPath == nil { svgPath = (jsonPath.hasSuffix(".json") ? String(jsonPath.dropLast(5)) : jsonPath) + ".svg" }
    }
    if let svgPath { try svgChart(report).write(toFile: svgPath, atomically: true, encoding: .utf8) }
    if let markdownPath { try markdownReport(report).write(toFile: markdownPath, atomically: true, encoding: .utf8) }
} catch {
    FileHandle.standardError.write(Data("could not write the results: \(error)\n".utf8))
    exit(1)
}

let failures = results.flatMap { workload in
    workload.implementations.filter { $0.status.hasPrefix("check failed") }.map { "\(workload.name) / \($0.name): \($0.status)" }
}
if !failures.isEmpty {
    print("\nCORRECTNESS FAILURES:")
    for failure in failures { print("  \(failure)") }
    exit(1)
}
print("All correctness checks passed.")
