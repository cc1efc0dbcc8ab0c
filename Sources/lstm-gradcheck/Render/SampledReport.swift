import LSTMGradCheck

/// `check --sample N`: the check's table over the sampled elements, a verdict per method.
enum SampledReport {
    static func text(_ run: CheckCommand.PartialRun, colour: Bool) -> String {
        let style = Style(enabled: colour)
        var s = style.bold("lstm-gradcheck · \(ReportText.headline(run.fixture))") + "\n"
        s += wrap(reference(run), indent: 0) + "\n\n"
        let tensors = run.sampled.first?.tensors ?? []
        // Each method cell's tag: whether what it shows passed, and what the method was expected to do.
        var table = Table<(passed: Bool, expectation: Expectation)>(header: ["", "shape", "checked"] + run.methods.map(\.name),
                                                                     align: [.left, .left, .right] + run.methods.map { _ in .right })
        table.append(["expected", "", ""] + run.methods.map(\.expectation.rawValue))
        for (k, t) in tensors.enumerated() {
            table.append([t.key, ReportText.shape(t.shape), "\(t.indices.count) of \(t.shape.reduce(1, *))"]
                         + run.sampled.map { sci($0.tensors[k].relativeError) + ($0.tensors[k].pass ? "  " : " ✗") },
                         tags: [nil, nil, nil] + zip(run.methods, run.sampled).map { ($1.tensors[k].pass, $0.expectation) })
        }
        table.append(["result", "", ""] + zip(run.methods, run.passed).map { run.stop != nil && $1 ? "stopped" : outcome($0.expectation, $1) },
                     tags: [nil, nil, nil] + zip(run.methods, run.passed).map { ($1, $0.expectation) })
        table.style = { row, column, tag, text in
            guard column >= 3 else { return row == 0 ? style.dim(text) : text }
            guard let tag, !tag.passed else { return text }
            return tag.expectation == .correct ? style.red(text) : style.yellow(text)
        }
        s += table.render() + "\n" + style.bold("Verdict") + "\n"
        for (m, report) in zip(run.methods, run.sampled) {
            let wrong = report.tensors.filter { !$0.pass }.sorted { $0.relativeError > $1.relativeError }
            let sentence: String
            if wrong.isEmpty && report.stop != nil {
                let count = report.tensors.reduce(0) { $0 + $1.indices.count }
                sentence = "\(m.name): nothing wrong in the \(count) elements checked before the run stopped; not decided."
            } else if wrong.isEmpty {
                let worst = report.tensors.max { $0.relativeError < $1.relativeError }
                sentence = "\(m.name) matches on every element checked" + (worst.map { " (worst relative error \(sci($0.relativeError)) in \($0.key))" } ?? "") + "."
            } else {
                let list = wrong.map { "\($0.key) (\(sci($0.relativeError)), worst at \(ReportText.index($0.key, $0.worstIndex ?? [])))" }.joined(separator: ", ")
                sentence = m.expectation == .correct ? "\(m.name) does NOT match, though it should: \(list)."
                    : "\(m.name) is wrong, as expected: \(list)."
            }
            let mark = !wrong.isEmpty ? style.red("✗") : report.stop == nil ? style.green("✓") : style.yellow("?")
            s += "  " + mark + " " + wrap(sentence, indent: 4).dropFirst(4) + "\n"
        }
        s += "\n" + wrap(conclusion(run), indent: 0) + "\n"
        return s
    }

    static func reference(_ run: CheckCommand.PartialRun) -> String {
        "Reference: central finite differences (h = \(sci(FiniteDifferences.defaultStep))) on \(run.samples) random elements of each tensor, drawn from seed \(run.seed) (all of a smaller tensor). A tensor passes when the relative error ‖g − r‖ / (‖g‖ + ‖r‖) over its checked elements is at most \(sci(run.tolerance))."
    }

    /// The foot of a method's column, as in the full check.
    static func outcome(_ expectation: Expectation, _ passed: Bool) -> String {
        switch (expectation, passed) {
        case (.correct, false): return "MISMATCH"
        case (_, false): return "wrong"
        default: return "match"
        }
    }

    /// The closing sentence: what failed, and what the budget left unchecked.
    static func conclusion(_ run: CheckCommand.PartialRun) -> String {
        let failed = zip(run.methods, run.passed).filter { $0.expectation == .correct && !$1 }.map(\.0.name)
        if !failed.isEmpty {
            return "MISMATCH: \(failed.joined(separator: ", ")) should match and \(failed.count == 1 ? "does" : "do") not."
        }
        guard run.stop != nil else {
            return "Every method expected to be correct matches " + (run.sampled.isEmpty ? "along every direction probed." : "on the elements checked.")
        }
        let done = run.sampled.isEmpty
            ? "\(run.projected.filter { $0.stop == nil }.count) of \(run.methods.count) methods were checked"
            : "\(run.sampled.first?.tensors.reduce(0) { $0 + $1.indices.count } ?? 0) elements of each method were checked"
        return "INCONCLUSIVE: the run stopped at its time budget; \(done), and nothing wrong was found in them."
    }

    static func json(_ run: CheckCommand.PartialRun) -> JSONValue {
        let methods = zip(run.methods, run.sampled).map { m, report in
            JSONMember(m.name, .object([
                JSONMember("expected", .string(m.expectation.rawValue)),
                JSONMember("matches", .bool(report.wrong.isEmpty)),
                JSONMember("parameters", .object(report.tensors.map { t in
                    JSONMember(t.key, .object([
                        JSONMember("checked", .number(Double(t.indices.count))),
                        JSONMember("relative_error", .number(t.relativeError)),
                        JSONMember("max_abs_error", .number(t.maxAbsError)),
                        JSONMember("worst_index", t.worstIndex.map { .array($0.map { .number(Double($0)) }) } ?? .null),
                        JSONMember("pass", .bool(t.pass)),
                    ]))
                })),
            ]))
        }
        return .object(JSONReport.head(run.fixture, reference: "sampled") + [
            JSONMember("samples", .number(Double(run.samples))),
            JSONMember("seed", .number(Double(run.seed))),
            JSONMember("step", .number(FiniteDifferences.defaultStep)),
            JSONMember("tolerance", .number(run.tolerance)),
            JSONMember("methods", .object(methods)),
        ] + JSONReport.foot(outcome: run.outcome, stop: run.stop, conclusion: conclusion(run)))
    }
}
