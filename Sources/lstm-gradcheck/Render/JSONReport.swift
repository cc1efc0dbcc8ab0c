import LSTMGradCheck

/// One fixture's entry in the JSON report of `check` (`ReportEnvelope` wraps the entries;
/// docs/schemas/report.schema.json describes both): the network,
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
                JSONMember("parameters", .object(m.tensors.map { t in JSONMember(t.key, .object(tensor(t))) })),
            ]))
        }
        return .object(head(name: r.name, dims: r.dims, reference: r.reference) + [
            JSONMember("finite_differences", .string(r.options.scheme.rawValue)),
            JSONMember("precision", .string(r.options.precision.rawValue)),
        ] + (r.options.tolerance.map { [JSONMember("tolerance", n($0))] } ?? []) + [
            JSONMember("safety_factor", n(Decision.safety)),
            JSONMember("methods", .object(methods)),
        ] + foot(outcome: Outcome(r.status), stop: r.stop, conclusion: r.conclusion)
          + (r.stop == nil ? [] : [JSONMember("unfinished", .array(r.unfinished.map { .string($0) }))]))
    }

    /// One tensor's figures. A figure that is not a finite number (a reference error estimate
    /// that is infinite where the reference is only noise) is left out rather than written
    /// as `null`; `non_finite` and `note` say why a tensor holding NaN or infinity was not passed.
    static func tensor(_ t: TensorComparison) -> [JSONMember] {
        let figures: [(String, Double)] = [
            ("relative_error", t.relativeError), ("max_abs_error", t.maxAbsError), ("norm", t.norm),
            ("reference_norm", t.referenceNorm), ("max_element_score", t.maxElementScore), ("threshold", t.threshold),
            ("reference_error", t.referenceError), ("rounding_floor", t.roundingFloor),
        ]
        var members = figures.filter { $0.1.isFinite }.map { JSONMember($0.0, .number($0.1)) }
        members.insert(JSONMember("worst_index", .array(t.worstIndex.map { .number(Double($0)) })), at: min(2, members.count))
        members.append(JSONMember("verdict", .string(t.verdict.rawValue)))
        members.append(JSONMember("pass", .bool(t.pass)))
        switch t.nonFinite {
        case .route?: members.append(JSONMember("non_finite", .string("gradient")))
        case .reference?: members.append(JSONMember("non_finite", .string("reference")))
        case nil: break
        }
        if let note = t.note { members.append(JSONMember("note", .string(note))) }
        return members
    }

    /// What every report opens with: the network and the reference.
    static func head(name: String, dims: Dims, reference: String) -> [JSONMember] {
        [fixture(name: name, dims: dims), JSONMember("reference", .string(reference))]
    }

    /// The `fixture` object every fixture entry of every report opens with: its name and sizes.
    static func fixture(name: String, dims d: Dims) -> JSONMember {
        func i(_ v: Int) -> JSONValue { .number(Double(v)) }
        return JSONMember("fixture", .object([
            JSONMember("name", .string(name)),
            JSONMember("n_x", i(d.n_x)), JSONMember("n_a", i(d.n_a)), JSONMember("n_y", i(d.n_y)),
            JSONMember("steps", i(d.steps)), JSONMember("batch", i(d.batch)),
        ]))
    }

    static func fixture(_ fixture: Fixture) -> JSONMember { self.fixture(name: fixture.name, dims: fixture.network.dims) }

    /// What every report closes with: the outcome (and, for a run a budget stopped, why).
    static func foot(outcome: Outcome, stop: StopReason?, conclusion: String) -> [JSONMember] {
        [
            JSONMember("passed", .bool(outcome == .matches)),
            status(outcome),
            JSONMember("stopped", stop.map { .string($0.rawValue) } ?? .null),
            JSONMember("conclusion", .string(conclusion)),
        ]
    }

    /// `"status"`: what a fixture (or, in the envelope, the whole run) came to.
    static func status(_ outcome: Outcome) -> JSONMember { JSONMember("status", .string(outcome.reportStatus.rawValue)) }
}
