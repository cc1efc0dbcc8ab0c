import LSTMGradCheck

/// `lstm-gradcheck check` (and the tool with no subcommand): every chosen derivation against
/// the reference, per weight, with a verdict; `--sample` and `--projection` check part of each
/// gradient instead (`CheckCommand+SampleAndProjection.swift`).
struct CheckCommand: Subcommand {
    static let configuration = CommandConfiguration(
        name: "check",
        abstract: "Compare each derivation's gradients with the reference gradient, per weight, and give a verdict.",
        discussion: """
            Runs the chosen derivations on one network and one batch, computes the gradient of the \
            loss exactly (forward-mode derivatives) and by finite differences for every element of \
            every weight, of a0 and of x, and prints, per weight, the relative error \
            ‖g − r‖ / (‖g‖ + ‖r‖) of each derivation, then a verdict in plain words. Without --fixture it checks a network generated from the size and \
            seed flags. Running lstm-gradcheck with no subcommand is this check on the built-in default \
            (n_x 3, n_a 5, n_y 2, T_x 7, m 10, seed 1).

            How verdicts are decided: each tensor's relative error must be within 10× what the \
            reference's own error and the derivation's rounding explain; where the reference is too \
            uncertain to confirm a match (finite differences on saturated gates or gradients at the \
            noise floor) the verdict is inconclusive, never a guess.

            For networks too large to check every element, --sample N checks N random elements of each \
            tensor and --projection all gradients at once along random directions; --budget stops a run \
            that takes too long, and the report says what it finished.

            Several fixtures (--fixture given more than once, a folder, or - for standard input) are \
            checked in turn: each gets its report, the text ends with one summary line, and the exit \
            status is the worst of them (1 before 3 before 0).

            Exit status: 0 every derivation expected to be correct matches; 1 one does not; 2 bad usage \
            or bad input; 3 nothing mismatched but a verdict is inconclusive (or --budget stopped the run \
            first); 130 interrupted by Ctrl-C (nothing is printed but one line saying what was finished).
            """,
        usage: "lstm-gradcheck check [--fixture FILE|FOLDER|- ... | size and seed options] [--methods LIST] [--format FORMAT]")

    static let detailSpec = OptionSpec(name: "detail", value: nil, help: "Text format: also print each method's table with its largest absolute error and worst element.")
    static let heatmapSpec = OptionSpec(name: "heatmap", value: "PARAM", help: "Text format: also print a heat map of PARAM's per-element error for each method (e.g. Wo).")

    static let options: [OptionSpec] = NetworkOptions.specs(fixture: NetworkOptions.fixtures)
        + [MethodSelection.spec, OutputFormat.reportSpec, ManyFixtures.quietSpec]
        + DecisionOptions.specs + [detailSpec, heatmapSpec] + Selection.specs + RunOptions.specs + [Shard.spec]

    static let rules: [OptionRule] = NetworkOptions.rules(seedAlsoWith: Selection.specs)
        + [.exclusive(Selection.sampleSpec, Selection.projectionSpec)]
        + Selection.fullCheckOnly.flatMap { option in Selection.specs.map { OptionRule.conflict(option, with: $0) } }
        + Selection.specs.map { OptionRule.conflict(Shard.spec, with: $0) }

    var setup: CheckSetup
    var format: OutputFormat
    var quiet: Bool
    var detail: Bool
    /// `--heatmap`: a tensor name, checked against each network's own.
    var heatmap: String?
    /// What of each gradient is compared: every element, `--sample`, or `--projection`.
    var selection: Selection
    /// `--shard K/N`: print the part file of shard K instead of the report (`CheckCommand+Shard.swift`).
    var shard: Shard?
    /// The options that decide what the check prints, as given: what a part carries to `merge`.
    var settings: [String]

    init(_ p: ParsedArguments) throws(UsageError) {
        setup = try CheckSetup(p)
        format = try p.choice(OutputFormat.reportSpec, default: .text)
        quiet = try ManyFixtures.quiet(p, format: format)
        detail = p.has(Self.detailSpec)
        heatmap = p.string(Self.heatmapSpec)
        selection = try Selection(p, seed: setup.network.seed, format: format)
        shard = try Shard(p)
        if shard != nil && setup.decision.finiteDifferences == .none {
            throw UsageError(.incompatibleValues("'--shard' splits the finite differences, which '--fd none' leaves out"), command: p.command)
        }
        settings = Self.settings(p)
    }

    func run(_ out: Output) throws -> Outcome {
        let loaded = try setup.network.fixtures()
        if let shard { return try shardPart(loaded, shard, out) }
        // Everything a fixture could be refused for is found before anything runs.
        for f in loaded {
            do throws(UsageError) { try validate(f.fixture) } catch {
                var named = error
                if loaded.count > 1 { named.fixture = f.label }
                throw named
            }
        }
        let fixtures = loaded.map(\.fixture)
        let reports = try ManyFixtures.each(fixtures, name: \.name) { fixture throws in try checkFixture(fixture, colour: out.colour) }
        out.write(ManyFixtures.output(reports, command: Self.name, format: format, quiet: quiet))
        GitHubAnnotations.write(reports)
        return Outcome.worst(reports.map(\.outcome))
    }

    /// The fixture's network can run this check: its cell has the methods asked for (and, for the
    /// sample and the projection, is the LSTM), and `--heatmap` names one of its tensors.
    func validate(_ fixture: Fixture) throws(UsageError) {
        switch selection {
        case .sample, .projection:
            let lstm = try NetworkOptions.lstm(fixture, command: Self.name)
            _ = try setup.methods.methods(LSTM.self, steps: lstm.dims.steps, command: Self.name)
        case .all:
            func resolve<P: CellProblem>(_ p: P) throws(UsageError) {
                _ = try setup.methods.methods(P.C.self, steps: p.dims.steps, command: Self.name)
            }
            try resolve(fixture.network)
            if let heatmap { _ = try heatmapKey(heatmap, fixture) }
        }
    }

    private func heatmapKey(_ key: String, _ fixture: Fixture) throws(UsageError) -> String {
        try UsageError.checkName(key, for: Self.heatmapSpec, among: fixture.tensorNames, command: Self.name)
    }

    /// `report` of `fixture` in `--format`, as the check (and `merge`) prints it.
    func render(_ report: CheckReport, _ fixture: Fixture, colour: Bool) throws -> FixtureReport {
        let outcome = Outcome(report.status)
        var rendered: FixtureReport
        switch format {
        case .json: rendered = FixtureReport(name: fixture.name, outcome: outcome, json: JSONReport.json(report))
        case .junit: rendered = FixtureReport(name: fixture.name, outcome: outcome, junit: JUnitReport.suite(report))
        case .markdown: rendered = FixtureReport(name: fixture.name, outcome: outcome, document: MarkdownReport.render(report, fixture: fixture))
        case .text:
            var text = TextReport.render(report, fixture: fixture, colour: colour, detail: detail)
            if let heatmap { text += "\n" + HeatMap.text(report, key: try heatmapKey(heatmap, fixture)) }
            rendered = FixtureReport(name: fixture.name, outcome: outcome, document: text)
        }
        // What fails the check: a derivation expected to be correct, with its failing tensors.
        rendered.failures = report.methods.filter { $0.expectation == .correct && $0.outcome == .mismatch }.compactMap { m in
            let failed = m.tensors.filter { $0.verdict == .fail }
            guard let worst = failed.max(by: { $0.relativeError < $1.relativeError }) else { return nil }
            return "\(m.name): \(failed.map(\.key).joined(separator: ", ")) wrong — relative error up to \(sci(worst.relativeError)) (\(worst.key), bound \(sci(worst.threshold)))"
        }
        return rendered
    }

    /// `GradCheck.check` of the chosen methods under `--threads` and `--budget`; throws
    /// `Interrupted` when Ctrl-C came before the report could be written.
    static func checked(_ fixture: Fixture, _ setup: CheckSetup, command: String = name) throws -> CheckReport {
        let (control, bar) = setup.runOptions.control()
        func check<P: CellProblem>(_ p: P) throws(UsageError) -> CheckReport {
            GradCheck.check(p.typed, name: fixture.name, methods: try setup.methods.methods(P.C.self, steps: p.dims.steps, command: command),
                            options: setup.decision.checkOptions, control: control, form: fixture.form)
        }
        let report = try check(fixture.network)
        bar?.clear()
        if report.stop == .cancelled { throw Interrupted(finished: finished(report, keys: fixture.tensorNames)) }
        if Interrupt.requested { throw Interrupted(finished: "the whole check") }
        return report
    }

    /// What a cancelled check had done: the exact reference (it runs first) and the tensors
    /// the finite differences finished.
    private static func finished(_ report: CheckReport, keys: [String]) -> String {
        if report.stoppedInExactReference { return "nothing (the exact reference was not complete)" }
        let done = keys.filter { !report.unfinished.contains($0) }
        let differences = done.isEmpty ? "none of the finite differences"
            : "the finite differences of \(done.joined(separator: ", ")) (\(done.count) of \(keys.count) tensors)"
        return (report.options.reference == .exact ? "the exact reference and " : "") + differences
    }
}
