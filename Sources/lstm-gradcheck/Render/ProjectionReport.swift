import LSTMGradCheck

/// `check --projection`: one row per method, the whole-gradient probe and the wrong parts found.
enum ProjectionReport {
    static func text(_ run: CheckCommand.PartialRun, colour: Bool) -> String {
        let style = Style(enabled: colour)
        var s = style.bold("lstm-gradcheck · \(ReportText.headline(run.fixture))") + "\n"
        s += wrap("Reference: the derivative of the loss along 2 random directions drawn from seed \(run.seed) (five-point central differences), against ⟨g, d⟩ for each method's gradient g. A probe passes when they agree to \(sci(run.tolerance)) relative; a method that fails is bisected to the wrong tensors, gate columns and steps.", indent: 0) + "\n\n"
        // The result cell's tag: whether the method passed, and what it was expected to do.
        var table = Table<(passed: Bool, expectation: Expectation)>(header: ["method", "expected", "result", "probes", "relative error", "wrong parts"],
                                                                     align: [.left, .left, .left, .right, .right, .left])
        for (k, m) in run.methods.enumerated() {
            guard k < run.projected.count else {
                table.append([m.name, m.expectation.rawValue, "not run", "", "", ""])
                continue
            }
            let report = run.projected[k]
            let result = report.stop == nil || !run.passed[k] ? SampledReport.outcome(m.expectation, run.passed[k]) : "stopped"
            table.append([m.name, m.expectation.rawValue, result,
                          "\(report.passes)", report.probes.first.map { sci($0.relativeError) } ?? "-",
                          report.findings.map(describe).joined(separator: ", ")],
                         tags: [nil, nil, (run.passed[k], m.expectation)])
        }
        table.style = { _, _, tag, text in
            guard let tag, !tag.passed else { return text }
            return tag.expectation == .correct ? style.red(text) : style.yellow(text)
        }
        s += table.render() + "\n" + wrap(SampledReport.conclusion(run), indent: 0) + "\n"
        return s
    }

    /// `Wo (input columns)`, `x (steps 0…5)`.
    static func describe(_ f: ProjectionCheck.Finding) -> String {
        var detail: [String] = []
        if let columns = f.columns { detail.append("\(columns.rawValue) columns") }
        if let steps = f.steps { detail.append(steps.count == 1 ? "step \(steps.lowerBound)" : "steps \(steps.lowerBound)…\(steps.upperBound)") }
        return f.key.name + (detail.isEmpty ? "" : " (\(detail.joined(separator: ", ")))")
    }

    static func json(_ run: CheckCommand.PartialRun) -> JSONValue {
        let methods = zip(run.methods, zip(run.projected, run.passed)).map { m, result in
            let (report, passed) = result
            return JSONMember(m.name, .object([
                JSONMember("expected", .string(m.expectation.rawValue)),
                JSONMember("matches", .bool(passed)),
                JSONMember("probes", .number(Double(report.passes))),
                JSONMember("relative_error", report.probes.first.map { .number($0.relativeError) } ?? .null),
                JSONMember("findings", .array(report.findings.map { f in
                    .object([
                        JSONMember("key", .string(f.key.name)),
                        JSONMember("columns", f.columns.map { .string($0.rawValue) } ?? .null),
                        JSONMember("steps", f.steps.map { .array([.number(Double($0.lowerBound)), .number(Double($0.upperBound))]) } ?? .null),
                        JSONMember("relative_error", .number(f.evidence.relativeError)),
                    ])
                })),
            ]))
        }
        return .object(JSONReport.head(run.fixture, reference: "projection") + [
            JSONMember("directions", .number(2)),
            JSONMember("seed", .number(Double(run.seed))),
            JSONMember("tolerance", .number(run.tolerance)),
            JSONMember("methods", .object(methods)),
        ] + JSONReport.foot(outcome: run.outcome, stop: run.stop, conclusion: SampledReport.conclusion(run)))
    }
}
