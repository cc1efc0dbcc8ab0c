import LSTMGradCheck

/// `check --sample N` and `check --projection`: the check for networks too large to compare
/// every element, run on every chosen method under `--threads` and `--budget`.

/// `--sample N` and `--projection`: what of each gradient `check` compares.
extension Selection {
    static let sampleSpec = OptionSpec(name: "sample", value: "N", help: "Check N random elements of each tensor (drawn from --seed; all of a smaller tensor) against central differences instead of every element: for networks too large for a full check.")
    static let projectionSpec = OptionSpec(name: "projection", value: nil, help: "Check all of each method's gradients at once along random directions (drawn from --seed) and, where it fails, bisect to the wrong tensors, gate columns and steps: for networks too large for a full check.")
    static let specs = [sampleSpec, projectionSpec]

    /// Options of the full check that the sample and the projection do not take.
    static let fullCheckOnly = DecisionOptions.specs.filter { !$0.same(as: DecisionOptions.toleranceSpec) }
        + [CheckCommand.detailSpec, CheckCommand.heatmapSpec]

    /// The sample and the projection print text or JSON.
    static let formats: [OutputFormat] = [.text, .json]

    /// `--sample N` or `--projection` (along 2 directions), drawn from `seed`; every element without either.
    init(_ p: ParsedArguments, seed: UInt64, format: OutputFormat) throws(UsageError) {
        if let n = try p.int(Self.sampleSpec, in: 1...1_000_000_000) {
            self = .sample(count: n, seed: seed)
        } else {
            self = p.has(Self.projectionSpec) ? .projection(directions: 2, seed: seed) : .all
        }
        if let spec = specSelected, !Self.formats.contains(format) {
            let choices = Self.formats.map(\.rawValue).joined(separator: " or ")
            throw UsageError(.invalidValue(option: OutputFormat.reportSpec.name, expected: "\(choices) with '--\(spec.name)'", value: format.rawValue, suggestion: nil),
                             command: CheckCommand.name)
        }
    }

    /// The option that chose this selection; nil for every element.
    var specSelected: OptionSpec? {
        switch self {
        case .all: return nil
        case .sample: return Self.sampleSpec
        case .projection: return Self.projectionSpec
        }
    }
}

extension CheckCommand {
    /// `fixture`'s network checked as `selection` asks, rendered in `--format`.
    func checkFixture(_ fixture: Fixture, colour: Bool) throws -> FixtureReport {
        switch selection {
        case .all:
            return try render(try Self.checked(fixture, setup), fixture, colour: colour)
        case .sample(let count, let seed):
            let report = try partialCheck(fixture) { problem, methods, tolerance, control in
                GradCheck.sampled(problem, name: fixture.name, methods: methods, count: count, seed: seed, tolerance: tolerance, control: control)
            }
            return format == .json
                ? FixtureReport(name: fixture.name, outcome: Outcome(report.status), json: SampledReport.json(report, count: count, seed: seed))
                : FixtureReport(name: fixture.name, outcome: Outcome(report.status),
                                document: SampledReport.text(report, fixture, count: count, seed: seed, colour: colour))
        case .projection(let directions, let seed):
            let report = try partialCheck(fixture) { problem, methods, tolerance, control in
                GradCheck.projected(problem, name: fixture.name, methods: methods, seed: seed, directions: directions,
                                    tolerance: tolerance, control: control)
            }
            return format == .json
                ? FixtureReport(name: fixture.name, outcome: Outcome(report.status), json: ProjectionReport.json(report, directions: directions, seed: seed))
                : FixtureReport(name: fixture.name, outcome: Outcome(report.status),
                                document: ProjectionReport.text(report, fixture, directions: directions, seed: seed, colour: colour))
        }
    }

    /// The report `check` makes of `fixture`'s LSTM, its methods, `--tolerance` and the run's
    /// control; a run Ctrl-C stopped is thrown as `Interrupted`.
    private func partialCheck(_ fixture: Fixture,
                              _ check: (Problem<LSTM, Double>, [Method<LSTM>], Double, RunControl) -> CheckReport) throws -> CheckReport {
        let problem = try NetworkOptions.lstm(fixture, command: Self.name)
        let methods = try setup.methods.methods(LSTM.self, steps: problem.dims.steps, command: Self.name)
        let (control, bar) = setup.runOptions.control()
        let report = check(problem, methods, setup.decision.tolerance ?? Comparison.defaultTolerance, control)
        bar?.clear()
        if report.stop == .cancelled || Interrupt.requested {
            throw Interrupted(finished: PartialReport.finished(report))
        }
        return report
    }
}
