import LSTMGradCheck

/// `check --sample N`: the check's table over the sampled elements, a verdict per method, of a
/// report made with `Selection.sample(count:seed:)` (its `count` and `seed` given alongside).
enum SampledReport {
    static func text(_ r: CheckReport, _ fixture: Fixture, count: Int, seed: UInt64, colour: Bool) -> String {
        let style = Style(enabled: colour)
        var s = style.bold("lstm-gradcheck · \(ReportText.headline(fixture))") + "\n"
        s += wrap(reference(r, count: count, seed: seed), indent: 0) + "\n\n"
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
        table.append(["result", "", ""] + r.methods.map { r.stop != nil && PartialReport.passed($0) ? "stopped" : PartialReport.outcome($0.expectation, PartialReport.passed($0)) },
                     tags: [nil, nil, nil] + r.methods.map { (PartialReport.passed($0), $0.expectation) })
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
                sentence = "\(m.name): nothing wrong in the \(PartialReport.checked(m)) elements checked before the run stopped; not decided."
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
        s += "\n" + wrap(PartialReport.conclusion(r), indent: 0) + "\n"
        return s
    }

    static func reference(_ r: CheckReport, count: Int, seed: UInt64) -> String {
        "Reference: central finite differences (h = \(sci(FiniteDifferences.defaultStep))) on \(count) random elements of each tensor, drawn from seed \(seed) (all of a smaller tensor). A tensor passes when the relative error ‖g − r‖ / (‖g‖ + ‖r‖) over its checked elements is at most \(sci(PartialReport.tolerance(r)))."
    }

    static func json(_ r: CheckReport, count: Int, seed: UInt64) -> JSONValue {
        let methods = r.methods.map { m in
            JSONMember(m.name, .object([
                JSONMember("expected", .string(m.expectation.rawValue)),
                JSONMember("matches", .bool(PartialReport.passed(m))),
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
            JSONMember("samples", .number(Double(count))),
            JSONMember("seed", .number(Double(seed))),
            JSONMember("step", .number(FiniteDifferences.defaultStep)),
            JSONMember("tolerance", .number(PartialReport.tolerance(r))),
            JSONMember("methods", .object(methods)),
        ] + JSONReport.foot(outcome: Outcome(r.status), stop: r.stop, conclusion: PartialReport.conclusion(r)))
    }
}
