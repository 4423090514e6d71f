//===----------------------------------------------------------------------===//
//
// threading-bench: an SVG chart of the ratios. One bar per workload and comparison point:
// how many times better ours is (log scale; right of the 1× line: ours is better). Bars
// that carry a target are green when it is met and red when it is not, with a black tick
// where the target lies; grey bars carry no target.
//
//===----------------------------------------------------------------------===//

import Foundation

private struct ChartRow {
    var label: String
    var advantage: Double
    var required: Double?
    var met: Bool?
}

private func chartRows(_ report: Report) -> [(workload: String, rows: [ChartRow])] {
    report.workloads.compactMap { workload in
        var rows: [ChartRow] = []
        for implementation in workload.implementations where implementation.name != workload.primary {
            guard let advantage = workload.advantage(of: workload.primary, over: implementation.name) else { continue }
            let target = report.targets.first {
                $0.workload == workload.name && $0.reference == implementation.name && $0.requiredAdvantage != nil
                    && !$0.target.hasPrefix("p99")
            }
            rows.append(ChartRow(label: "vs \(implementation.name)", advantage: advantage,
                                 required: target?.requiredAdvantage, met: target?.met))
        }
        for target in report.targets where target.workload == workload.name {
            guard let advantage = target.advantage, let required = target.requiredAdvantage else { continue }
            if target.target.hasPrefix("p99") {
                rows.append(ChartRow(label: "p99 vs \(target.reference ?? "")", advantage: advantage,
                                     required: required, met: target.met))
            } else if target.reference == nil {
                rows.append(ChartRow(label: "budget / time taken", advantage: advantage,
                                     required: required, met: target.met))
            }
        }
        return rows.isEmpty ? nil : (workload.name, rows)
    }
}

private func escape(_ text: String) -> String {
    text.replacingOccurrences(of: "&", with: "&amp;")
        .replacingOccurrences(of: "<", with: "&lt;")
        .replacingOccurrences(of: ">", with: "&gt;")
}

func svgChart(_ report: Report) -> String {
    let groups = chartRows(report)
    let labelWidth = 330.0, plotWidth = 560.0, margin = 20.0, rowHeight = 20.0, headerHeight = 24.0
    let top = 102.0
    let minLog = -1.0, maxLog = 3.0  // 0.1× ... 1000×
    func x(_ value: Double) -> Double {
        let clamped = min(max(log10(value), minLog), maxLog)
        return margin + labelWidth + (clamped - minLog) / (maxLog - minLog) * plotWidth
    }
    // The machine line, in two: hardware and load, then the software.
    let summary = report.machine.summary
    let cut = summary.range(of: "; Swift")?.lowerBound ?? summary.endIndex
    let machineLines = (String(summary[..<cut]), String(summary[cut...].dropFirst(2)))
    let rowCount = groups.reduce(0) { $0 + $1.rows.count }
    let height = top + Double(groups.count) * headerHeight + Double(rowCount) * rowHeight + 40
    let width = margin * 2 + labelWidth + plotWidth + 70
    var svg = """
    <svg xmlns="http://www.w3.org/2000/svg" width="\(Int(width))" height="\(Int(height))" font-family="Helvetica, Arial, sans-serif" font-size="12">
    <rect width="100%" height="100%" fill="white"/>
    <text x="\(margin)" y="24" font-size="16" font-weight="bold">threading-bench: how many times better ours is than each comparison point</text>
    <text x="\(margin)" y="42" fill="#444">Right of the 1× line ours is better (log scale). Green: target met; red: missed (tick = target); grey: no target.</text>
    <text x="\(margin)" y="58" fill="#444" font-size="10">\(escape(machineLines.0))</text>
    <text x="\(margin)" y="71" fill="#444" font-size="10">\(escape(machineLines.1))</text>

    """
    for decade in stride(from: minLog, through: maxLog, by: 1) {
        let value = pow(10, decade)
        let px = x(value)
        svg += "<line x1=\"\(px)\" y1=\"\(top - 8)\" x2=\"\(px)\" y2=\"\(height - 30)\" stroke=\"\(decade == 0 ? "#000" : "#ccc")\" stroke-width=\"\(decade == 0 ? 1.5 : 1)\"/>\n"
        svg += "<text x=\"\(px)\" y=\"\(top - 12)\" text-anchor=\"middle\" fill=\"#444\">\(format(value))×</text>\n"
    }
    var y = top
    for group in groups {
        svg += "<text x=\"\(margin)\" y=\"\(y + 16)\" font-weight=\"bold\">\(escape(group.workload))</text>\n"
        y += headerHeight
        for row in group.rows {
            let color = row.met == true ? "#2e7d32" : row.met == false ? "#c62828" : "#9e9e9e"
            let x0 = x(1), x1 = x(row.advantage)
            svg += "<text x=\"\(margin + 12)\" y=\"\(y + 14)\" fill=\"#222\">\(escape(row.label))</text>\n"
            svg += "<rect x=\"\(min(x0, x1))\" y=\"\(y + 4)\" width=\"\(max(abs(x1 - x0), 1))\" height=\"\(rowHeight - 8)\" fill=\"\(color)\"/>\n"
            if let required = row.required {
                let tx = x(required)
                svg += "<line x1=\"\(tx)\" y1=\"\(y + 1)\" x2=\"\(tx)\" y2=\"\(y + rowHeight - 1)\" stroke=\"#000\" stroke-width=\"2\"/>\n"
            }
            let textX = max(x0, x1, row.required.map(x) ?? 0) + 6
            svg += "<text x=\"\(textX)\" y=\"\(y + 14)\" fill=\"#222\">\(format(row.advantage))×\(row.required.map { " (target \(format($0))×)" } ?? "")</text>\n"
            y += rowHeight
        }
    }
    svg += "</svg>\n"
    return svg
}
