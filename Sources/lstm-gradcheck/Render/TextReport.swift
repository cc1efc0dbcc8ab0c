import LSTMGradCheck

/// The terminal report: one column of relative errors per method, the worst
/// elements, then the verdict in words.
enum TextReport {
    /// What a cell of a method's column shows, for its colour.
    private enum Shown {
        /// A tensor's relative error, and its verdict.
        case tensor(TensorVerdict, Expectation)
        /// The method's result at the column's foot.
        case result(MethodReport.Outcome, Expectation)
    }

    private static func table(_ methods: [MethodReport], _ r: CheckReport, _ fixture: Fixture, _ style: Style) -> String {
        var table = Table<Shown>(header: ["", "shape"] + methods.map(\.name),
                                 align: [.left, .left] + methods.map { _ in .right })
        table.append(["expected", ""] + methods.map(\.expectation.rawValue))
        for (key, shape) in r.tensors {
            let tensors = methods.map { m in m.tensors.first { $0.key == key } }
            table.append([key, ReportText.shape(shape)] + tensors.map { t in
                guard let t else { return "-" }
                return t.figure + (t.verdict == .pass ? "  " : t.verdict == .fail ? " ✗" : " ?")
            }, tags: [nil, nil] + zip(methods, tensors).map { m, t in t.map { .tensor($0.verdict, m.expectation) } })
        }
        table.append(["result", ""] + methods.map(ReportText.outcome),
                     tags: [nil, nil] + methods.map { .result($0.outcome, $0.expectation) })
        let last = table.rows.count - 1
        table.style = { row, column, shown, text in
            guard column >= 2 else { return row == 0 || row == last ? style.dim(text) : style.bold(text) }
            switch shown {
            case nil: return row == 0 ? style.dim(text) : text
            case .tensor(let verdict, let expectation):
                guard verdict == .fail else { return text }
                return expectation == .correct ? style.red(text) : style.yellow(text)
            case .result(let outcome, let expectation):
                // The numerical column's "beyond estimate" is not a method failing.
                guard outcome == .mismatch && expectation != .reference else { return style.green(text) }
                return expectation == .correct ? style.red(text) : style.yellow(text)
            }
        }
        return table.render()
    }

    /// Consecutive groups of methods whose columns fit in `width` beside the labels.
    private static func blocks(_ methods: [MethodReport], width: Int) -> [[MethodReport]] {
        var out: [[MethodReport]] = [[]]
        var used = 20
        for m in methods {
            let column = max(m.name.count, 9) + 2
            if used + column > width && !out[out.count - 1].isEmpty {
                out.append([])
                used = 20
            }
            out[out.count - 1].append(m)
            used += column
        }
        return out
    }

    static func render(_ r: CheckReport, fixture: Fixture, colour: Bool, detail: Bool) -> String {
        let style = Style(enabled: colour)
        var s = style.bold("lstm-gradcheck · \(ReportText.headline(fixture))") + "\n"
        s += wrap(ReportText.reference(r), indent: 0) + "\n\n"

        // Wide catalogues print in blocks of method columns, as wide data frames do,
        // so no line runs past a terminal's width.
        for block in blocks(r.methods, width: 100) {
            s += table(block, r, fixture, style) + "\n"
        }

        s += "Largest element error (max |g − r|) per method:\n"
        var worst = Table(header: ["", "", ""], align: [.left, .right, .left])
        for m in r.methods {
            guard let t = m.tensors.max(by: { $0.maxAbsError < $1.maxAbsError }) else { continue }
            worst.rows.append(["  " + m.name, sci(t.maxAbsError), "at " + ReportText.index(t.key, t.worstIndex)])
        }
        s += worst.rows.isEmpty ? "" : String(worst.render().drop { $0 != "\n" }.dropFirst())
        s += "\n"

        if detail {
            for m in r.methods {
                s += style.bold("\(m.name)") + " — \(m.summary)\n"
                var t = Table(header: ["param", "shape", "relative error", "bound", "reference error", "rounding", "max |g − r|", "worst element", "result"],
                              align: [.left, .left, .right, .right, .right, .right, .right, .left, .left])
                for c in m.tensors {
                    t.rows.append([c.key, ReportText.shape(c.shape), sci(c.relativeError), sci(c.threshold),
                                   sci(c.referenceError), sci(c.roundingFloor), sci(c.maxAbsError),
                                   ReportText.index(c.key, c.worstIndex), c.verdict.rawValue])
                }
                s += t.render(indent: 2) + "\n"
            }
        }

        s += style.bold("Verdict") + "\n"
        for v in r.verdicts {
            let mark = ReportText.mark(v.status)
            let coloured: String
            switch v.status {
            case .confirmed: coloured = style.green(mark)
            case .failed: coloured = style.red(mark)
            case .wrongAsExpected, .matchesAnyway, .inconclusive: coloured = style.yellow(mark)
            case .reference: coloured = style.dim(mark)
            }
            let body = wrap(v.sentence, indent: 4)
            s += "  " + coloured + " " + body.dropFirst(4) + "\n"
        }
        s += "\n" + wrap(r.conclusion, indent: 0) + "\n"
        return s
    }
}
