import Foundation
import LSTMGradCheck

/// One self-contained HTML page — no external assets, no scripts — with the table, the
/// verdicts, per-weight heat maps and the gradient-flow charts as inline SVG.
enum HTMLReport {
    /// The heat-map colours, on the terminal heat map's bounds.
    static let palette = ["#1a9850", "#91cf60", "#d9ef8b", "#fdae61", "#d73027"]

    static func colour(_ score: Double) -> String {
        palette[HeatMap.bounds.firstIndex { score < $0.0 } ?? palette.count - 1]
    }

    static func escape(_ s: String) -> String {
        s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }

    static func render(_ r: CheckReport, fixture: Fixture, flow: FlowReport, comparison: FlowComparison?) -> String {
        var h = """
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8"><title>lstm-gradcheck: \(escape(fixture.name))</title>
            <style>
            body { font: 15px/1.45 system-ui, sans-serif; margin: 2em auto; max-width: 70em; color: #222; padding: 0 1em; }
            table { border-collapse: collapse; margin: 1em 0; } td, th { padding: 0.25em 0.7em; border-bottom: 1px solid #ddd; text-align: right; }
            th:first-child, td:first-child { text-align: left; } .fail { background: #fbd5d0; } .pass { background: #e3f4dc; }
            .maps { display: flex; flex-wrap: wrap; gap: 1.2em; } figure { margin: 0; } figcaption { font-size: 13px; color: #555; }
            li { margin: 0.4em 0; } code { background: #f3f3f3; padding: 0 0.2em; }
            </style></head><body>
            <h1>lstm-gradcheck</h1>
            <p><strong>\(escape(ReportText.headline(fixture)))</strong></p>
            <p>\(escape(ReportText.reference(r)))</p>
            <h2>Relative error per weight</h2>
            <table><tr><th>parameter</th><th>shape</th>
            """
        h += r.methods.map { "<th>\(escape($0.name))<br><small>expected \($0.expectation.rawValue)</small></th>" }.joined() + "</tr>\n"
        for (key, shape) in r.tensors {
            h += "<tr><td>\(key)</td><td>\(ReportText.shape(shape))</td>"
            for m in r.methods {
                guard let t = m.tensors.first(where: { $0.key == key }) else { h += "<td></td>"; continue }
                h += "<td class=\"\(t.pass ? "pass" : "fail")\">\(sci(t.relativeError))\(t.pass ? "" : " ✗")</td>"
            }
            h += "</tr>\n"
        }
        h += "<tr><th>result</th><th></th>" + r.methods.map { "<th>\(ReportText.outcome($0))</th>" }.joined() + "</tr></table>\n"
        h += "<h2>Verdict</h2><ul>\n"
        for v in r.verdicts { h += "<li>\(ReportText.mark(v.status)) \(escape(v.sentence))</li>\n" }
        h += "</ul><p>\(escape(r.conclusion))</p>\n"

        h += "<h2>Per-element error</h2><p>Each cell is one element's |g − r| / (|g| + |r|): "
        h += zip(palette, HeatMap.bounds.map { "< \(sci($0.0))" } + ["≥ \(sci(HeatMap.bounds.last!.0))"])
            .map { "<svg width=\"14\" height=\"14\"><rect width=\"14\" height=\"14\" fill=\"\($0.0)\"/></svg> \($0.1)" }
            .joined(separator: " &nbsp; ") + "</p>\n"
        for m in r.methods {
            h += "<h3>\(escape(m.name))</h3><div class=\"maps\">\n"
            for t in m.tensors {
                h += "<figure>\(heatmap(t.elementScores, shape: t.shape))<figcaption>\(t.key) · max \(sci(t.maxElementScore))</figcaption></figure>\n"
            }
            h += "</div>\n"
        }

        h += "<h2>Gradient flow</h2>\n"
        h += chart(title: "‖∂L/∂a_t‖ over t", xLabel: "t", series: [("‖∂L/∂a_t‖", flow.hidden, "#3366cc")]
                   + (flow.cell.isEmpty ? [] : [("‖∂L/∂c_t‖", flow.cell, "#dc7633")]), logarithmic: false)
        if let c = comparison {
            h += chart(title: "One step's loss reaching k steps back (relative to k = 0)", xLabel: "k",
                       series: [(c.name, c.gated.decay, "#3366cc"), ("plain RNN", c.rnn.decay, "#c0392b")], logarithmic: true)
            h += "<p>\(escape(c.conclusion))</p>\n"
        } else {
            h += chart(title: "One step's loss reaching k steps back (relative to k = 0)", xLabel: "k",
                       series: [(fixture.network.kind.rawValue.uppercased(), flow.decay, "#3366cc")], logarithmic: true)
        }
        return h + "</body></html>\n"
    }

    /// A grid of coloured cells, rows along the first dimension.
    static func heatmap(_ scores: [Double], shape: [Int]) -> String {
        let rows = max(shape.first ?? 1, 1), cols = max(1, scores.count / rows)
        let cell = max(4, min(16, 320 / max(cols, rows)))
        var s = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(cols * cell)\" height=\"\(rows * cell)\">"
        for (k, v) in scores.enumerated() {
            s += "<rect x=\"\((k % cols) * cell)\" y=\"\((k / cols) * cell)\" width=\"\(cell)\" height=\"\(cell)\" fill=\"\(colour(v))\"><title>\(sci(v))</title></rect>"
        }
        return s + "</svg>"
    }

    /// A line chart with axes and a legend; on a log scale, zeros are left out.
    static func chart(title: String, xLabel: String, series: [(String, [Double], String)], logarithmic: Bool) -> String {
        let (w, h, left, bottom, top, right) = (640.0, 300.0, 60.0, 36.0, 30.0, 20.0)
        func y(_ v: Double) -> Double? { logarithmic ? (v > 0 ? log10(v) : nil) : v }
        let ys = series.flatMap { $0.1.compactMap(y) }
        let lo = logarithmic ? (ys.min() ?? 0) : min(0, ys.min() ?? 0), hi = max(ys.max() ?? 1, lo + 1e-12)
        let n = max(series.map(\.1.count).max() ?? 1, 2)
        func px(_ k: Int) -> Double { left + (w - left - right) * Double(k) / Double(n - 1) }
        func py(_ v: Double) -> Double { top + (h - top - bottom) * (1 - (v - lo) / (hi - lo)) }
        var s = "<figure><svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Int(w))\" height=\"\(Int(h))\" font-size=\"12\">"
        s += "<text x=\"\(left)\" y=\"18\" font-weight=\"bold\">\(escape(title))</text>"
        s += "<line x1=\"\(left)\" y1=\"\(h - bottom)\" x2=\"\(w - right)\" y2=\"\(h - bottom)\" stroke=\"#444\"/>"
        s += "<line x1=\"\(left)\" y1=\"\(top)\" x2=\"\(left)\" y2=\"\(h - bottom)\" stroke=\"#444\"/>"
        // The ends of the axis at their true values (on a log scale 10^lo and 10^hi, not rounded to a power of ten).
        for (v, label) in [(lo, lo), (hi, hi)] {
            s += "<text x=\"\(left - 6)\" y=\"\(py(v) + 4)\" text-anchor=\"end\">\(sci(logarithmic ? pow(10, label) : label))</text>"
        }
        s += "<text x=\"\(left)\" y=\"\(h - 12)\">0</text><text x=\"\(w - right)\" y=\"\(h - 12)\" text-anchor=\"end\">\(n - 1)</text>"
        s += "<text x=\"\((w + left) / 2)\" y=\"\(h - 6)\" text-anchor=\"middle\">\(xLabel)</text>"
        for (k, (name, values, colour)) in series.enumerated() {
            let points = values.enumerated().compactMap { i, v in y(v).map { "\(px(i)),\(py($0))" } }.joined(separator: " ")
            s += "<polyline fill=\"none\" stroke=\"\(colour)\" stroke-width=\"2\" points=\"\(points)\"/>"
            s += "<rect x=\"\(w - right - 150)\" y=\"\(top + Double(k) * 18)\" width=\"12\" height=\"12\" fill=\"\(colour)\"/>"
            s += "<text x=\"\(w - right - 132)\" y=\"\(top + Double(k) * 18 + 11)\">\(escape(name))</text>"
        }
        return s + "</svg></figure>\n"
    }
}
