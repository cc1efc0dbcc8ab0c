import LSTMGradCheck

/// `check --sample N` and `check --projection`: the check for networks too large to compare
/// every element, run on every chosen method under `--threads` and `--budget`.
extension CheckCommand {
    /// How much of each gradient the check compares.
    enum Mode: Sendable, Equatable {
        /// Every element (the default).
        case full
        /// N random elements of each tensor, drawn from `--seed`.
        case sample(Int)
        /// Each method's whole gradient along random directions, bisected where it fails.
        case projection

        static let sampleSpec = OptionSpec(name: "sample", value: "N", help: "Check N random elements of each tensor (drawn from --seed; all of a smaller tensor) against central differences instead of every element: for networks too large for a full check.")
        static let projectionSpec = OptionSpec(name: "projection", value: nil, help: "Check all of each method's gradients at once along random directions (drawn from --seed) and, where it fails, bisect to the wrong tensors, gate columns and steps: for networks too large for a full check.")
        static let specs = [sampleSpec, projectionSpec]

        /// Options of the full check that the sample and the projection do not take.
        static let fullCheckOnly = DecisionOptions.specs.filter { !$0.same(as: DecisionOptions.toleranceSpec) }
            + [CheckCommand.detailSpec, CheckCommand.heatmapSpec]

        /// The sample and the projection print text or JSON.
        static let formats: [OutputFormat] = [.text, .json]

        init(_ p: ParsedArguments, format: OutputFormat) throws(UsageError) {
            if let n = try p.int(Self.sampleSpec, in: 1...1_000_000_000) {
                self = .sample(n)
            } else {
                self = p.has(Self.projectionSpec) ? .projection : .full
            }
            if let spec = specSelected, !Self.formats.contains(format) {
                let choices = Self.formats.map(\.rawValue).joined(separator: " or ")
                throw UsageError(.invalidValue(option: OutputFormat.reportSpec.name, expected: "\(choices) with '--\(spec.name)'", value: format.rawValue, suggestion: nil),
                                 command: CheckCommand.name)
            }
        }

        /// The option that chose this mode; nil for the full check.
        var specSelected: OptionSpec? {
            switch self {
            case .full: return nil
            case .sample: return Self.sampleSpec
            case .projection: return Self.projectionSpec
            }
        }
    }

    /// The results every renderer of the sample and the projection needs.
    struct PartialRun {
        var fixture: Fixture
        var methods: [Method<LSTM>]
        var seed: UInt64
        var tolerance: Double
        var sampled: [SampledCheck.Report] = []
        var samples = 0
        var projected: [ProjectionCheck.Report] = []

        var stop: StopReason? { sampled.first?.stop ?? projected.first { $0.stop != nil }?.stop }

        /// Whether each method run found nothing wrong (in what it did before a stop).
        var passed: [Bool] {
            sampled.isEmpty ? projected.map { $0.findings.isEmpty && $0.probes.allSatisfy(\.pass) } : sampled.map { $0.wrong.isEmpty }
        }

        /// A mismatch when a method expected to be correct fails; undecided when none does but
        /// the run stopped before its end.
        var outcome: Outcome {
            if zip(methods, passed).contains(where: { $0.expectation == .correct && !$1 }) { return .mismatch }
            return stop == nil ? .matches : .undecided
        }
    }

    func partialCheck(_ fixture: Fixture, colour: Bool) throws -> FixtureReport {
        let problem = try NetworkOptions.lstm(fixture, command: Self.name)
        var run = PartialRun(fixture: fixture, methods: try setup.methods.methods(LSTM.self, steps: problem.dims.steps, command: Self.name),
                             seed: setup.network.seed, tolerance: setup.decision.tolerance ?? Comparison.defaultTolerance)
        let isSample: Bool
        if case .sample(let n) = mode { run.samples = n; isSample = true } else { isSample = false }
        let (control, bar) = setup.runOptions.control()
        let candidates = run.methods.map { $0.compute(problem) }
        if isSample {
            run.sampled = SampledCheck.run(problem, candidates: candidates, samples: run.samples, seed: run.seed,
                                           tolerance: run.tolerance, control: control)
        } else {
            for (k, candidate) in candidates.enumerated() where run.stop == nil {
                // One bar over all methods: method k's probes follow those of the k before it.
                var each = control
                if let progress = control.progress {
                    let count = candidates.count
                    each.progress = { phase, done, total in progress(phase, k * total + done, count * total) }
                }
                run.projected.append(ProjectionCheck.run(problem, candidate: candidate, seed: run.seed, tolerance: run.tolerance, control: each))
            }
        }
        bar?.clear()
        if run.stop == .cancelled || Interrupt.requested {
            let tensors = run.sampled.first?.tensors ?? []
            let drawn = tensors.reduce(0) { $0 + min(run.samples, $1.shape.reduce(1, *)) }
            throw Interrupted(finished: isSample
                ? "the finite differences of \(tensors.reduce(0) { $0 + $1.indices.count }) of the \(drawn) sampled elements"
                : "the projection check of \(run.projected.filter { $0.stop == nil }.count) of \(run.methods.count) methods")
        }
        let name = fixture.name
        switch (isSample, format) {
        case (true, .json): return FixtureReport(name: name, outcome: run.outcome, json: SampledReport.json(run))
        case (true, _): return FixtureReport(name: name, outcome: run.outcome, document: SampledReport.text(run, colour: colour))
        case (false, .json): return FixtureReport(name: name, outcome: run.outcome, json: ProjectionReport.json(run))
        case (false, _): return FixtureReport(name: name, outcome: run.outcome, document: ProjectionReport.text(run, colour: colour))
        }
    }
}
