import LSTMGradCheck

/// `check --projection`: one row per method, the whole-gradient probe and the wrong parts found.
enum ProjectionReport {
    /// The text of a report made with `Selection.projection(directions:seed:)` (its `directions`
    /// and `seed` given alongside).
    static func text(_ r: CheckReport, _ fixture: Fixture, directions: Int, seed: UInt64, colour: Bool) -> String {
        let style = Style(enabled: colour)
        var s = style.bold("lstm-gradcheck · \(ReportText.headline(fixture))") + "\n"
        s += wrap("Reference: the derivative of the loss along \(directions) random directions drawn from seed \(seed) (five-point central differences), against ⟨g, d⟩ for each method's gradient g. A probe passes when they agree to \(sci(PartialReport.tolerance(r))) relative; a method that fails is bisected to the wrong tensors, gate columns and steps.", indent: 0) + "\n\n"
        // The result cell's tag: whether the method passed, and what it was expected to do.
        var table = Table<(passed: Bool, expectation: Expectation)>(header: ["method", "expected", "result", "probes", "relative error", "wrong parts"],
                                                                     align: [.left, .left, .left, .right, .right, .left])
        for m in r.methods {
            guard let report = m.projection else {
                table.append([m.name, m.expectation.rawValue, "not run", "", "", ""])
                continue
            }
            let passed = PartialReport.passed(m)
            let result = report.stop == nil || !passed ? PartialReport.outcome(m.expectation, passed) : "stopped"
            table.append([m.name, m.expectation.rawValue, result,
                          "\(report.passes)", report.probes.first.map { sci($0.relativeError) } ?? "-",
                          report.findings.map(describe).joined(separator: ", ")],
                         tags: [nil, nil, (passed, m.expectation)])
        }
        table.style = { _, _, tag, text in
            guard let tag, !tag.passed else { return text }
            return tag.expectation == .correct ? style.red(text) : style.yellow(text)
        }
        s += table.render() + "\n" + wrap(PartialReport.conclusion(r), indent: 0) + "\n"
        return s
    }

    /// `Wo (input columns)`, `x (steps 0…5)`.
    static func describe(_ f: ProjectionCheck.Finding) -> String {
        var detail: [String] = []
        if let columns = f.columns { detail.append("\(columns.rawValue) columns") }
        if let steps = f.steps { detail.append(steps.count == 1 ? "step \(steps.lowerBound)" : "steps \(steps.lowerBound)…\(steps.upperBound)") }
        return f.key.name + (detail.isEmpty ? "" : " (\(detail.joined(separator: ", ")))")
    }

    static func json(_ r: CheckReport, directions: Int, seed: UInt64) -> JSONValue {
        let methods = r.methods.compactMap { m in
            m.projection.map { report in JSONMember(m.name, .object([
                JSONMember("expected", .string(m.expectation.rawValue)),
                JSONMember("matches", .bool(PartialReport.passed(m))),
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
            ])) }
        }
        return .object(JSONReport.head(name: r.name, dims: r.dims, reference: "projection") + [
            JSONMember("directions", .number(Double(directions))),
            JSONMember("seed", .number(Double(seed))),
            JSONMember("tolerance", .number(PartialReport.tolerance(r))),
            JSONMember("methods", .object(methods)),
        ] + JSONReport.foot(outcome: Outcome(r.status), stop: r.stop, conclusion: PartialReport.conclusion(r)))
    }
}
