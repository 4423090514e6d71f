//===----------------------------------------------------------------------===//
//
// threading-bench: runs the workloads, interleaving implementations within a run.
//
//===----------------------------------------------------------------------===//

import Foundation
import Glibc

struct RunOptions {
    var quick = false
    var repetitions: Int?
    var python = true
    var filters: [String] = []
    var implementationFilters: [String] = []
}

func log(_ text: String) {
    FileHandle.standardError.write(Data((text + "\n").utf8))
}

func loadAverage() -> [Double] {
    guard let text = try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8) else { return [] }
    return text.split(separator: " ").prefix(3).compactMap { Double($0) }
}

/// Runs `workload`: in each repetition every implementation runs once, in an order rotated
/// from one repetition to the next, so that drift in the machine's load spreads over all
/// of them. A full run first runs each Swift implementation once, small and untimed.
func run(_ workload: Workload, options: RunOptions) -> WorkloadResult {
    let size = options.quick ? workload.quickSize : workload.size
    let repetitions = options.quick ? 1 : (options.repetitions ?? workload.repetitions)
    var implementations = workload.implementations
    if !options.python { implementations.removeAll { $0.origin == .python } }
    if !options.implementationFilters.isEmpty {
        implementations.removeAll { implementation in
            !options.implementationFilters.contains { implementation.name.contains($0) }
        }
    }
    let names = implementations.map(\.name)
    var samples: [String: [SampleRecord]] = [:]
    var status: [String: String] = [:]

    func record(_ name: String, _ body: () throws -> Measurement) {
        do {
            let measurement = try body()
            let figure = measurement.figure
                ?? workload.unit.figure(wallSeconds: measurement.timing.wallSeconds, operations: size)
            samples[name, default: []].append(SampleRecord(
                figure: figure,
                wallSeconds: measurement.timing.wallSeconds,
                cpuSeconds: measurement.timing.cpuSeconds,
                extras: measurement.extras.isEmpty ? nil : measurement.extras
            ))
            log("  \(workload.name)  \(pad(name, 40)) \(format(figure)) \(workload.unit.rawValue)")
        } catch let error as NotAvailable {
            status[name] = "not available: \(error)"
            log("  \(workload.name)  \(pad(name, 40)) not available: \(error)")
        } catch {
            status[name] = "check failed: \(error)"
            log("  \(workload.name)  \(pad(name, 40)) CHECK FAILED: \(error)")
        }
    }

    let loadAtStart = loadAverage()
    log("\(workload.name): \(workload.summary) [\(size) ops, \(repetitions) repetitions, load \(loadAtStart.map { format($0) }.joined(separator: " "))]")

    let together = workload.runTogether
    let alone = implementations.filter { together == nil || $0.origin == .python }
    let jointly = together == nil ? [] : implementations.filter { $0.origin != .python }.map(\.name)

    if !options.quick, together == nil {
        for implementation in alone where implementation.origin != .python {
            _ = try? implementation.run(max(1, size / 20))
        }
    }
    for repetition in 0..<repetitions {
        if let together, !jointly.isEmpty {
            do {
                let results = try together(size, jointly)
                for name in jointly { record(name) { results[name]! } }
            } catch {
                for name in jointly { status[name] = "check failed: \(error)" }
                log("  \(workload.name)  CHECK FAILED: \(error)")
            }
        }
        let order = alone.indices.map { alone[($0 + repetition) % alone.count] }
        for implementation in order where status[implementation.name] == nil {
            record(implementation.name) { try implementation.run(size) }
        }
    }

    let results = names.map { name -> ImplementationResult in
        let origin = implementations.first { $0.name == name }!.origin
        var result = ImplementationResult(name: name, origin: origin, status: status[name] ?? "ok")
        let taken = samples[name] ?? []
        result.samples = taken
        guard result.ok, !taken.isEmpty else { return result }
        result.median = median(taken.map(\.figure))
        result.minimum = taken.map(\.figure).min()
        result.maximum = taken.map(\.figure).max()
        result.medianWallSeconds = median(taken.map(\.wallSeconds))
        result.medianCPUSeconds = median(taken.map(\.cpuSeconds))
        let extraKeys = Set(taken.flatMap { ($0.extras ?? [:]).keys })
        if !extraKeys.isEmpty {
            result.medianExtras = Dictionary(uniqueKeysWithValues: extraKeys.map { key in
                (key, median(taken.compactMap { $0.extras?[key] }))
            })
        }
        return result
    }
    return WorkloadResult(
        name: workload.name,
        summary: workload.summary,
        unit: workload.unit,
        higherIsBetter: workload.unit.higherIsBetter,
        size: size,
        repetitions: repetitions,
        primary: workload.primary,
        loadAverageAtStart: loadAtStart,
        implementations: results
    )
}

/// Three significant digits, more or less.
func format(_ value: Double) -> String {
    let magnitude = abs(value)
    let digits = magnitude >= 100 ? 0 : magnitude >= 10 ? 1 : magnitude >= 1 ? 2 : 3
    return String(format: "%.\(digits)f", value)
}

func pad(_ text: String, _ width: Int) -> String {
    let count = text.count
    return count >= width ? text : text + String(repeating: " ", count: width - count)
}
