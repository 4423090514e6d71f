//===----------------------------------------------------------------------===//
//
// Threading: Python's threading model for Swift on Linux.
//
// The tour: every program of the seeds' tutorials, ported to Swift.
//
//     swift run threading-tour                  every program, in tutorial order
//     swift run threading-tour --list           their names, with a line on each
//     swift run threading-tour timer rlock      some of them
//     swift run threading-tour --speed 10       every sleep and timeout divided by 10
//
//===----------------------------------------------------------------------===//

#if canImport(Glibc)
@preconcurrency import Glibc
#elseif canImport(Musl)
@preconcurrency import Musl
#endif

/// The usage message, for `--help` and after an argument error.
let usage = """
    usage: threading-tour [--speed N] [--list] [PROGRAM [ARGUMENT...]]...

    Runs the programs of the threading tutorials, ported to Swift: all of them in
    tutorial order, or the PROGRAMs named. --list names them with a line on each.
    --speed N divides every sleep and timeout by N (default 1: the tutorials' timing).
    Programs that take arguments:
    \(Tour.programs.compactMap { p in p.arguments.map { "  \(p.name) \($0)" } }.joined(separator: "\n"))
    """

/// Prints `message` and the usage to standard error and exits with status 2.
func usageError(_ message: String) -> Never {
    writeStandardError("threading-tour: \(message)\n\(usage)\n")
    exit(2)
}

/// Writes `text` to standard error, after what `print` has buffered for standard output.
func writeStandardError(_ text: String) {
    flushStandardOutput()
    fputs(text, stderr)
    fflush(stderr)
}

acceptTerminationSignals()

// MARK: Arguments

var speed = 1.0
var listOnly = false
var selected: [(program: Program, arguments: [String])] = []

var arguments = CommandLine.arguments.dropFirst()[...]
while let argument = arguments.popFirst() {
    switch argument {
    case "-h", "--help":
        print(usage)
        exit(0)
    case "--list":
        listOnly = true
    case "--speed":
        guard let value = arguments.popFirst() else { usageError("--speed needs a number") }
        guard let parsed = Double(value), parsed.isFinite, parsed > 0 else {
            usageError("--speed needs a positive number, not '\(value)'")
        }
        speed = parsed
    case _ where argument.hasPrefix("--speed="):
        let value = String(argument.dropFirst("--speed=".count))
        guard let parsed = Double(value), parsed.isFinite, parsed > 0 else {
            usageError("--speed needs a positive number, not '\(value)'")
        }
        speed = parsed
    case _ where Tour.program(named: argument) != nil:
        selected.append((Tour.program(named: argument)!, []))
    case _ where argument.hasPrefix("-") && Double(argument) == nil:
        usageError("unknown option '\(argument)'")
    default:
        guard let last = selected.last, last.program.arguments != nil else {
            usageError("unknown program '\(argument)' (--list names them)")
        }
        selected[selected.count - 1].arguments.append(argument)
    }
}
for (program, programArguments) in selected {
    if let problem = program.check(programArguments) {
        usageError("\(program.name): \(problem)")
    }
}

// MARK: Running

if listOnly {
    let programs = selected.isEmpty ? Tour.programs : selected.map(\.program)
    let width = programs.map(\.name.count).max() ?? 0
    for program in programs {
        print(program.name + String(repeating: " ", count: width - program.name.count + 2) + program.summary)
    }
    exit(0)
}

Pace.setSpeed(speed)

if selected.count == 1 {
    // One program: run it here. When this file's code ends, the process's exit sequence
    // joins the program's non-daemon threads and abandons its daemon threads, as Python's
    // interpreter does when a script ends.
    let (program, programArguments) = selected[0]
    do {
        try program.run(programArguments)
    } catch {
        writeStandardError("threading-tour: \(program.name): \(error)\n")
        exit(1)
    }
} else {
    // The whole tour, or several programs: each in a fresh process, under a heading.
    let runs = selected.isEmpty ? Tour.programs.map { ($0, [String]()) } : selected
    var failures: [String] = []
    for (index, (program, programArguments)) in runs.enumerated() {
        if index > 0 { print() }
        print("=== \(program.name) (seed \(program.seed)): \(program.summary)")
        flushStandardOutput()
        let ended = runTourChild(["--speed", "\(speed)", program.name] + programArguments)
        flushStandardOutput()
        switch ended {
        case .exited(0):
            break
        case .exited(let status):
            failures.append("\(program.name) exited with status \(status)")
        case .signalled(let signal):
            failures.append("\(program.name) was ended by signal \(signal)")
        case .notStarted(let error):
            failures.append("\(program.name) could not start (errno \(error))")
        }
    }
    if !failures.isEmpty {
        writeStandardError("threading-tour: " + failures.joined(separator: "; ") + "\n")
        exit(1)
    }
}
