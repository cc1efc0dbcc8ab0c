import LSTMGradCheck

/// The machine-readable report, in SPEC.md's shape, with additions: how it was decided
/// (reference, finite differences, precision, bounds), each tensor's norms, bound,
/// estimated errors and verdict, and the verdict sentences.
enum JSONReport {
    static func json(_ r: CheckReport) -> JSONValue {
        let d = r.dims
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
        return .object([
            JSONMember("fixture", .object([
                JSONMember("name", .string(r.name)),
                JSONMember("n_x", i(d.n_x)), JSONMember("n_a", i(d.n_a)), JSONMember("n_y", i(d.n_y)),
                JSONMember("steps", i(d.steps)), JSONMember("batch", i(d.batch)),
            ])),
            JSONMember("reference", .string(r.reference)),
            JSONMember("finite_differences", .string(r.options.scheme.rawValue)),
            JSONMember("precision", .string(r.options.precision.rawValue)),
            JSONMember("tolerance", r.options.tolerance.map(n) ?? .null),
            JSONMember("safety_factor", n(Decision.safety)),
            JSONMember("methods", .object(methods)),
            JSONMember("passed", .bool(r.passed)),
            JSONMember("status", .string(r.statusName)),
            JSONMember("conclusion", .string(r.conclusion)),
        ])
    }
}

extension CheckReport {
    var statusName: String {
        switch status {
        case .passed: return "passed"
        case .mismatch: return "mismatch"
        case .inconclusive: return "inconclusive"
        }
    }

    var exitStatus: Int32 {
        switch status {
        case .passed: return ExitStatus.success
        case .mismatch: return ExitStatus.mismatch
        case .inconclusive: return ExitStatus.inconclusive
        }
    }
}
