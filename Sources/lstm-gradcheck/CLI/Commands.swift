import LSTMGradCheck

/// The subcommands, in the order help lists them.
enum Commands {
    static let all: [Command] = [check, verify, grads, fixture, explain, report, truncation, notebook, Sharding.merge]

    static func named(_ name: String) -> Command? { all.first { $0.name == name } }

    static let formatSpec = OptionSpec(name: "format", value: "FORMAT", help: "text (default; an aligned table and a verdict), json (SPEC.md's report, for machines) or markdown (to paste into a question or an issue).")

    static let check = Command(
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

            Exit status: 0 every derivation expected to be correct matches; 1 one does not; 2 bad usage \
            or bad input; 3 nothing mismatched but a verdict is inconclusive (or --budget stopped the run \
            first); 130 interrupted by Ctrl-C (nothing is printed but one line saying what was finished).
            """,
        usage: "lstm-gradcheck check [--fixture FILE | size and seed options] [--methods LIST] [--format FORMAT]",
        options: ProblemOptions.specs + [
            OptionSpec(name: "methods", value: "LIST", help: "Comma-separated derivations to check, from \(derivationNames), or all for the whole catalogue (default bptt,coursera,per-step)."),
            formatSpec,
        ] + decisionSpecs + [
            OptionSpec(name: "detail", value: nil, help: "Text format: also print each method's table with its largest absolute error and worst element."),
            OptionSpec(name: "heatmap", value: "PARAM", help: "Text format: also print a heat map of PARAM's per-element error for each method (e.g. Wo)."),
        ] + LargeChecks.specs + RunOptions.specs + [Sharding.spec],
        run: { o, out in
            let fixture = try ProblemOptions.fixture(o)
            let format = try o.choice("format", ["text", "json", "markdown"], default: "text")
            if let shard = try Sharding.shard(o) { return try Sharding.checkPart(o, fixture, shard, out) }
            if LargeChecks.requested(o) { return try LargeChecks.run(o, fixture, format: format, out) }
            let options = try checkOptions(o)
            let heatmap = try Sharding.heatmapKey(o, fixture)
            let report = try checked(fixture, o, options: options)
            renderCheck(report, fixture: fixture, format: format, detail: o.has("detail"), heatmap: heatmap, out)
            return report.exitStatus
        })

    /// `GradCheck.check` of the chosen methods under `--threads` and `--budget`; throws
    /// `Interrupted` when Ctrl-C came before the report could be written.
    static func checked(_ fixture: Fixture, _ o: ParsedOptions, options: CheckOptions) throws -> CheckReport {
        let (control, bar) = try RunOptions.control(o, label: "finite differences")
        func check<P: CellProblem>(_ p: P) throws(UsageError) -> CheckReport {
            GradCheck.check(p.typed, name: fixture.name, methods: try methodList(o, P.C.self, steps: p.dims.steps),
                            options: options, control: control)
        }
        let report = try check(fixture.network)
        bar?.clear()
        if report.stop == .cancelled { throw Interrupted(finished: finished(report, keys: fixture.network.inputNames)) }
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

    /// How a check is decided: `--reference`, `--fd`, `--precision`, `--tolerance`.
    static let decisionSpecs: [OptionSpec] = [
        OptionSpec(name: "reference", value: "REF", help: "exact (default: forward-mode derivatives, rounding error only) or numerical (finite differences with estimated errors)."),
        OptionSpec(name: "fd", value: "SCHEME", help: "Finite differences: central (default), richardson (fourth order, the loss in 80-bit floats: about 1,000× closer, slower), or none (with the exact reference only: no numerical column, for large networks)."),
        OptionSpec(name: "precision", value: "P", help: "float64 (default) or float32: run the derivations in single precision, as learners' code often does; the reference stays double."),
        OptionSpec(name: "tolerance", value: "T", help: "Override the derived bounds: a tensor passes when its relative error is at most T."),
    ]

    /// `--reference`, `--fd`, `--precision`, `--tolerance`.
    static func checkOptions(_ o: ParsedOptions) throws(UsageError) -> CheckOptions {
        let reference = CheckOptions.Reference(rawValue: try o.choice("reference", ["exact", "numerical"], default: "exact")) ?? .exact
        let fd = try o.choice("fd", ["central", "richardson", "none"], default: "central")
        if fd == "none" && reference == .numerical {
            throw UsageError(message: "'--fd none' leaves '--reference numerical' nothing to check against", command: o.command)
        }
        return CheckOptions(
            reference: reference,
            scheme: FiniteDifferences.Scheme(rawValue: fd) ?? .central,
            precision: CheckOptions.Precision(rawValue: try o.choice("precision", ["float64", "float32"], default: "float64")) ?? .float64,
            tolerance: o.string("tolerance") == nil ? nil : try o.positive("tolerance", default: 1),
            showNumerical: fd != "none")
    }

    static let grads = Command(
        name: "grads",
        abstract: "Print the gradients one method computes, as a gradient file (JSON).",
        discussion: """
            Writes dWf dbf dWi dbi dWc dbc dWo dbo dWy dby da0 dx (and dc0 when the fixture gives c0), \
            each in its parameter's Coursera shape, as one JSON object: the file format that \
            'lstm-gradcheck verify' and NumPy users read.
            """,
        usage: "lstm-gradcheck grads [--fixture FILE | size and seed options] --method METHOD",
        options: ProblemOptions.specs + [
            OptionSpec(name: "method", value: "METHOD", help: "One of \(LSTM.methodNames.joined(separator: ", ")) (default bptt)."),
        ] + RunOptions.specs + [Sharding.spec],
        run: { o, out in
            let fixture = try ProblemOptions.fixture(o)
            let name = o.string("method") ?? "bptt"
            func gradients<P: CellProblem>(_ p: P) throws -> JSONValue {
                guard let method = P.C.method(named: name, steps: p.dims.steps) else {
                    throw UsageError(message: "unknown method '\(name)'; choose from \(P.C.methodNames.joined(separator: ", "))", command: o.command)
                }
                if let shard = try Sharding.shard(o) { return try Sharding.gradsPart(p, name: fixture.name, method: method.name, shard, o) }
                guard method.name == Method<P.C>.numerical.name else { return GradientFile.encode(method.compute(p.typed)) }
                // The one method long enough to want threads, a budget, Ctrl-C and a progress bar.
                let (control, bar) = try RunOptions.control(o, label: "finite differences")
                defer { bar?.clear() }
                do throws(Interruption) { return GradientFile.encode(try FiniteDifferences.central(p.typed, control: control)) } catch {
                    let percent = "\(100 * error.done / max(error.total, 1))% of the finite differences"
                    throw Interrupted(finished: percent, byBudget: error.reason == .deadline)
                }
            }
            out.write(JSON.serialize(try gradients(fixture.network)) + "\n")
            return ExitStatus.success
        })

    static let fixture = Command(
        name: "fixture",
        abstract: "Print a generated fixture (JSON) to check, or to load into your own code.",
        discussion: """
            Generates a network, its inputs and labels from the size and seed flags with the project's \
            own SplitMix64 generator (weights and biases uniform in [-scale, scale), a0 and x uniform \
            in [-1, 1), labels uniform over the n_y classes), and prints it in the fixture format. The \
            same flags give the same bytes on every machine.
            """,
        usage: "lstm-gradcheck fixture [size and seed options] [--name NAME] [--description TEXT]",
        options: Array(ProblemOptions.specs.dropFirst()) + [
            OptionSpec(name: "name", value: "NAME", help: "The fixture's name (default: default or generated)."),
            OptionSpec(name: "description", value: "TEXT", help: "A one-line description (default: the sizes and seed)."),
        ],
        run: { o, out in
            var fixture = try ProblemOptions.fixture(o)
            if let name = o.string("name") { fixture.name = name }
            if let description = o.string("description") { fixture.description = description }
            out.write(JSON.serialize(try FixtureFile.encode(fixture)) + "\n")
            return ExitStatus.success
        })

    static let derivationNames = LSTM.methodNames.filter { $0 != Method<LSTM>.numerical.name }.joined(separator: ", ")

    /// `--methods a,b` resolved against cell `C`'s catalogue; unknown names are usage errors.
    static func methodList<C: Cell>(_ o: ParsedOptions, _: C.Type, steps: Int) throws(UsageError) -> [Method<C>] {
        guard let text = o.string("methods") else { return C.coreMethods }
        if text == "all" { return C.catalogue(steps: steps) }
        let numerical = Method<C>.numerical.name
        var methods: [Method<C>] = []
        for name in text.split(separator: ",", omittingEmptySubsequences: false).map({ String($0).trimmingSpaces }) {
            guard name != numerical, let m = C.method(named: name, steps: steps) else {
                let hint = name == numerical ? " (numerical is the reference every method is compared with)" : ""
                let names = C.methodNames.filter { $0 != numerical }.joined(separator: ", ")
                throw UsageError(message: "unknown method '\(name)'\(hint); choose from \(names) or all", command: o.command)
            }
            if !methods.contains(where: { $0.name == m.name }) { methods.append(m) }
        }
        return methods
    }
}

extension String {
    var trimmingSpaces: String {
        var s = Substring(self)
        while s.first == " " { s = s.dropFirst() }
        while s.last == " " { s = s.dropLast() }
        return String(s)
    }
}
