import LSTMGradCheck

/// `check --sample N`: the check's table over the sampled elements, a verdict per method; and
/// what the sample and the projection (`ProjectionReport`) say alike.
enum SampledReport {
    static func text(_ r: CheckReport, _ fixture: Fixture, colour: Bool) -> String {
        let style = Style(enabled: colour)
        var s = style.bold("lstm-gradcheck · \(ReportText.headline(fixture))") + "\n"
        s += wrap(reference(r), indent: 0) + "\n\n"
        let tensors = r.methods.first?.tensors ?? []
        // Each method cell's tag: whether what it shows passed, and what the method was expected to do.
        var table = Table<(passed: Bool, expectation: Expectation)>(header: ["", "shape", "checked"] + r.methods.map(\.name),
                                                                     align: [.left, .left, .right] + r.methods.map { _ in .right })
        table.append(["expected", "", ""] + r.methods.map(\.expectation.rawValue))
        for (k, t) in tensors.enumerated() {
            table.append([t.key, ReportText.shape(t.shape), "\(t.checked) of \(t.shape.reduce(1, *))"]
                         + r.methods.map { sci($0.tensors[k].relativeError) + ($0.tensors[k].pass ? "  " : " ✗") },
                         tags: [nil, nil, nil] + r.methods.map { ($0.tensors[k].pass, $0.expectation) })
        }
        table.append(["result", "", ""] + r.methods.map { r.stop != nil && passed($0) ? "stopped" : outcome($0.expectation, passed($0)) },
                     tags: [nil, nil, nil] + r.methods.map { (passed($0), $0.expectation) })
        table.style = { row, column, tag, text in
            guard column >= 3 else { return row == 0 ? style.dim(text) : text }
            guard let tag, !tag.passed else { return text }
            return tag.expectation == .correct ? style.red(text) : style.yellow(text)
        }
        s += table.render() + "\n" + style.bold("Verdict") + "\n"
        for m in r.methods {
            let wrong = m.tensors.filter { !$0.pass }.sorted { $0.relativeError > $1.relativeError }
            let sentence: String
            if wrong.isEmpty && r.stop != nil {
                sentence = "\(m.name): nothing wrong in the \(checked(m)) elements checked before the run stopped; not decided."
            } else if wrong.isEmpty {
                let worst = m.worst
                sentence = "\(m.name) matches on every element checked" + (worst.map { " (worst relative error \(sci($0.relativeError)) in \($0.key))" } ?? "") + "."
            } else {
                let list = wrong.map { "\($0.key) (\(sci($0.relativeError)), worst at \(ReportText.index($0.key, $0.worstIndex)))" }.joined(separator: ", ")
                sentence = m.expectation == .correct ? "\(m.name) does NOT match, though it should: \(list)."
                    : "\(m.name) is wrong, as expected: \(list)."
            }
            let mark = !wrong.isEmpty ? style.red("✗") : r.stop == nil ? style.green("✓") : style.yellow("?")
            s += "  " + mark + " " + wrap(sentence, indent: 4).dropFirst(4) + "\n"
        }
        s += "\n" + wrap(conclusion(r), indent: 0) + "\n"
        return s
    }

    static func reference(_ r: CheckReport) -> String {
        "Reference: central finite differences (h = \(sci(FiniteDifferences.defaultStep))) on \(sample(r).count) random elements of each tensor, drawn from seed \(sample(r).seed) (all of a smaller tensor). A tensor passes when the relative error ‖g − r‖ / (‖g‖ + ‖r‖) over its checked elements is at most \(sci(tolerance(r)))."
    }

    /// The sample's size and seed: `r` is a sampled report.
    static func sample(_ r: CheckReport) -> (count: Int, seed: UInt64) {
        guard case .sample(let count, let seed) = r.selection else { preconditionFailure("\(r.selection) is not a sample") }
        return (count, seed)
    }

    /// The fixed bound both partial checks hold their figures to.
    static func tolerance(_ r: CheckReport) -> Double { r.options.tolerance ?? Comparison.defaultTolerance }

    /// Whether a method was found wrong in what was checked (before a stop, if one came).
    static func passed(_ m: MethodReport) -> Bool { m.outcome != .mismatch }

    /// The sampled elements of `m` that were checked.
    static func checked(_ m: MethodReport?) -> Int { m?.tensors.reduce(0) { $0 + $1.checked } ?? 0 }

    /// The methods whose projection ran to its end.
    static func projected(_ r: CheckReport) -> Int { r.methods.filter { $0.projection.map { $0.stop == nil } ?? false }.count }

    /// What an interrupted partial check had done, for `Interrupted`.
    static func finished(_ r: CheckReport) -> String {
        guard case .sample(let count, _) = r.selection else {
            return "the projection check of \(projected(r)) of \(r.methods.count) methods"
        }
        let drawn = r.tensors.reduce(0) { $0 + min(count, $1.shape.reduce(1, *)) }
        return "the finite differences of \(checked(r.methods.first)) of the \(drawn) sampled elements"
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
    static func conclusion(_ r: CheckReport) -> String {
        let failed = r.methods.filter { $0.expectation == .correct && !passed($0) }.map(\.name)
        if !failed.isEmpty {
            return "MISMATCH: \(failed.joined(separator: ", ")) should match and \(failed.count == 1 ? "does" : "do") not."
        }
        let isSample = if case .sample = r.selection { true } else { false }
        guard r.stop != nil else {
            return "Every method expected to be correct matches " + (isSample ? "on the elements checked." : "along every direction probed.")
        }
        let done = isSample
            ? "\(checked(r.methods.first)) elements of each method were checked"
            : "\(projected(r)) of \(r.methods.count) methods were checked"
        return "INCONCLUSIVE: the run stopped at its time budget; \(done), and nothing wrong was found in them."
    }

    static func json(_ r: CheckReport) -> JSONValue {
        let methods = r.methods.map { m in
            JSONMember(m.name, .object([
                JSONMember("expected", .string(m.expectation.rawValue)),
                JSONMember("matches", .bool(passed(m))),
                JSONMember("parameters", .object(m.tensors.map { t in
                    JSONMember(t.key, .object([
                        JSONMember("checked", .number(Double(t.checked))),
                        JSONMember("relative_error", .number(t.relativeError)),
                        JSONMember("max_abs_error", .number(t.maxAbsError)),
                        JSONMember("worst_index", t.checked == 0 ? .null : .array(t.worstIndex.map { .number(Double($0)) })),
                        JSONMember("pass", .bool(t.pass)),
                    ]))
                })),
            ]))
        }
        return .object(JSONReport.head(name: r.name, dims: r.dims, reference: "sampled") + [
            JSONMember("samples", .number(Double(sample(r).count))),
            JSONMember("seed", .number(Double(sample(r).seed))),
            JSONMember("step", .number(FiniteDifferences.defaultStep)),
            JSONMember("tolerance", .number(tolerance(r))),
            JSONMember("methods", .object(methods)),
        ] + JSONReport.foot(outcome: Outcome(r.status), stop: r.stop, conclusion: conclusion(r)))
    }
}
