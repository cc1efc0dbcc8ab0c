import LSTMGradCheck

/// The machine-readable report (the README's "The JSON report" describes it): the network,
/// how it was decided (reference, finite differences, precision, bounds), each tensor's norms,
/// bound, estimated errors and verdict, and the verdict sentences.
enum JSONReport {
    static func json(_ r: CheckReport) -> JSONValue {
        let verdicts = r.verdicts
        func n(_ v: Double) -> JSONValue { .number(v) }
        func i(_ v: Int) -> JSONValue { .number(Double(v)) }
        let methods = r.methods.map { m in
            JSONMember(m.name, .object([
                JSONMember("expected", .string(m.expectation.rawValue)),
                JSONMember("matches", .bool(m.matches)),
                JSONMember("outcome", .string(m.outcome.rawValue)),
                JSONMember("summary", .string(m.summary)),
                JSONMember("verdict", .string(verdicts.first { $0.method == m.name }?.sentence ?? "")),
                JSONMember("parameters", .object(m.tensors.map { t in
                    JSONMember(t.key, .object([
                        JSONMember("relative_error", n(t.relativeError)),
                        JSONMember("max_abs_error", n(t.maxAbsError)),
                        JSONMember("worst_index", .array(t.worstIndex.map(i))),
                        JSONMember("norm", n(t.norm)),
                        JSONMember("reference_norm", n(t.referenceNorm)),
                        JSONMember("max_element_score", n(t.maxElementScore)),
                        JSONMember("threshold", n(t.threshold)),
                        JSONMember("reference_error", n(t.referenceError)),
                        JSONMember("rounding_floor", n(t.roundingFloor)),
                        JSONMember("verdict", .string(t.verdict.rawValue)),
                        JSONMember("pass", .bool(t.pass)),
                    ]))
                })),
            ]))
        }
        return .object(head(name: r.name, dims: r.dims, reference: r.reference) + [
            JSONMember("finite_differences", .string(r.options.scheme.rawValue)),
            JSONMember("precision", .string(r.options.precision.rawValue)),
            JSONMember("tolerance", r.options.tolerance.map(n) ?? .null),
            JSONMember("safety_factor", n(Decision.safety)),
            JSONMember("methods", .object(methods)),
        ] + foot(outcome: Outcome(r.status), stop: r.stop, conclusion: r.conclusion)
          + (r.stop == nil ? [] : [JSONMember("unfinished", .array(r.unfinished.map { .string($0) }))]))
    }

    /// What every report opens with: the network and the reference.
    static func head(name: String, dims d: Dims, reference: String) -> [JSONMember] {
        func i(_ v: Int) -> JSONValue { .number(Double(v)) }
        return [
            JSONMember("fixture", .object([
                JSONMember("name", .string(name)),
                JSONMember("n_x", i(d.n_x)), JSONMember("n_a", i(d.n_a)), JSONMember("n_y", i(d.n_y)),
                JSONMember("steps", i(d.steps)), JSONMember("batch", i(d.batch)),
            ])),
            JSONMember("reference", .string(reference)),
        ]
    }

    static func head(_ fixture: Fixture, reference: String) -> [JSONMember] {
        head(name: fixture.name, dims: fixture.network.dims, reference: reference)
    }

    /// What every report closes with: the outcome (and, for a run a budget stopped, why).
    static func foot(outcome: Outcome, stop: StopReason?, conclusion: String) -> [JSONMember] {
        let name: String
        switch outcome {
        case .matches: name = "passed"
        case .mismatch: name = "mismatch"
        case .undecided, .badInput, .interrupted: name = "inconclusive"
        }
        return [
            JSONMember("passed", .bool(outcome == .matches)),
            JSONMember("status", .string(name)),
            JSONMember("stopped", stop.map { .string($0.rawValue) } ?? .null),
            JSONMember("conclusion", .string(conclusion)),
        ]
    }
}
