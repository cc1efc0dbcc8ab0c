import Foundation
import LSTMGradCheck

/// `lstm-gradcheck verify`: a learner's gradients against the exact gradient, each wrong one
/// diagnosed; several fixtures each with their own gradients.
struct VerifyCommand: Subcommand {
    static let configuration = CommandConfiguration(
        name: "verify",
        abstract: "Check your own gradients against the reference, and name the likely mistake behind each wrong one.",
        discussion: """
            Reads the gradients your implementation computed for a fixture — a JSON file, a .npy file \
            (its key from the file name, e.g. dWo.npy), a folder of .npy files, or an .npz archive from \
            np.savez or np.savez_compressed; float64 or float32, either byte order, C or Fortran order — \
            and compares each with the reference gradient. For a wrong tensor it lists the worst elements \
            and tests it against the catalogue of wrong derivations (per-step, the half carries, the \
            asker's double count, the 2018 printed formulas, truncations) and simple slips (sign, mean \
            instead of sum, swapped gates, transpose, an index off by one step); where none fits, it \
            says where the error lives (one gate, some steps, zeros, a constant factor, another network). \
            Every gradient the fixture defines is required except the output layer's, in every layout \
            (dWy, dby; cs231n's dW_vocab, db_vocab: lstm_backward does not compute them), which is \
            checked when given and else reported as not checked; --keys names the set instead. A key \
            that is a slip for a wanted one (Wf, dwf, weight_hh, rnn.weight_hh_l0) is bad input with a \
            suggestion; other unknown keys are listed and ignored.

            Several fixtures: give --fixture more than once with one --grads each, in order; or name a \
            folder of fixtures (or several --fixture) and one --grads FOLDER that holds each fixture's \
            gradients under the fixture's file name (a.json's as a.npz, a.json, a.npy or a folder a). \
            Each gets its report, the text ends with one summary line, and the exit status is the worst.

            Your implementation itself: --exec CMD runs CMD once per fixture of a battery of the corner \
            cases a hand-written backward gets wrong (T_x 1, m 1, a long sequence, saturated gates, \
            tiny gradients, n_y > n_a, a large batch, and the default network), each named by what it \
            is, and verifies what it wrote; --fixture adds your own fixtures. E.g. \
            --exec 'python3 my_lstm.py {fixture} {out}', where my_lstm.py reads the fixture (JSON) and \
            saves its gradients with np.savez(out, dWf=..., ...). Each fixture gets its report, and one \
            summary line names the fixtures that fail and why. A run that exits non-zero, times out or \
            writes nothing stops the verify (status 2) with its last lines on standard error.

            In a GitHub Actions job (GITHUB_ACTIONS=true) each failure is also an ::error annotation \
            line on standard error.

            Exit status: 0 every required gradient is there and matches; 1 one does not or is missing; \
            2 bad input; 3 nothing can be decided on this fixture (every gradient is zero); 130 \
            interrupted by Ctrl-C.
            """,
        usage: "lstm-gradcheck verify (--fixture FILE --grads FILE|FOLDER | --exec CMD [--battery BATTERY] [--fixture FILE ...]) [--format FORMAT]")

    static let fixtureSpec = OptionSpec(name: "fixture", value: "FILE", help: "The fixture your gradients were computed on (see 'lstm-gradcheck fixture'). Give it more than once, name a folder (every *.json in it, by name) or - (standard input) to verify several.",
                                        repeatable: true, completion: .file)
    static let gradsSpec = OptionSpec(name: "grads", value: "PATH", help: "Your gradients: .json, .npy, a folder of .npy files, or .npz. One per --fixture, in order; or one folder holding each fixture's gradients under its file name.",
                                      repeatable: true, completion: .file)
    static let toleranceSpec = OptionSpec(name: "tolerance", value: "T", help: "A tensor passes when its relative error is at most T (default \(sci(Comparison.defaultTolerance)); single-precision arrays at least \(sci(Verify.singlePrecisionTolerance))).")

    static let keysSpec = OptionSpec(name: "keys", value: "LIST", help: "Comma-separated gradient names to check, e.g. dWf,dbf,dx: only these are required (default every gradient but the output layer's).")

    static let options = [fixtureSpec, gradsSpec, NetworkOptions.layout] + ExecOptions.specs
        + [OutputFormat.reportSpec, ManyFixtures.quietSpec, toleranceSpec, keysSpec, NetworkOptions.maxMemory]
    static let rules = ExecOptions.rules(grads: gradsSpec)

    var fixtures: [String]
    var grads: [String]
    var format: OutputFormat
    var quiet: Bool
    var tolerance: Double
    /// The gradients required, when `--keys` names them.
    var keys: [String]?
    /// `--layout`: the fixtures' and gradient files' layout, when given.
    var layout: Layout?
    var limits: Limits
    /// `--exec`: run the user's command over a battery instead of reading `--grads` (`VerifyCommand+Exec.swift`).
    var exec: ExecOptions?

    init(_ p: ParsedArguments) throws(UsageError) {
        fixtures = p.strings(Self.fixtureSpec)
        grads = p.strings(Self.gradsSpec)
        exec = try ExecOptions(p)
        // With --exec the battery is the fixtures, and the command writes the gradients.
        if exec == nil && (fixtures.isEmpty || grads.isEmpty) {
            throw UsageError(.missingOptions(command: Self.name, ["--fixture FILE", "--grads PATH (or --exec CMD in place of both)"]), command: Self.name)
        }
        try FixtureFiles.check(fixtures, command: Self.name)
        if exec == nil && grads.count != fixtures.count && grads.count != 1 {
            throw UsageError(.unpaired(fixtures: fixtures.count, grads: grads.count), command: Self.name)
        }
        format = try p.choice(OutputFormat.reportSpec, default: .text)
        quiet = try ManyFixtures.quiet(p, format: format)
        tolerance = try p.positive(Self.toleranceSpec) ?? Comparison.defaultTolerance
        keys = try Self.keys(p)
        limits = try NetworkOptions.limits(p)
        layout = try NetworkOptions.layout(p)
    }

    /// `--keys`' names, nil when not given; an empty list or an empty name in it (`""`, `dWf,,dbf`)
    /// is a usage error: it would require nothing.
    private static func keys(_ p: ParsedArguments) throws(UsageError) -> [String]? {
        guard let text = p.string(keysSpec) else { return nil }
        let names = text.split(separator: ",", omittingEmptySubsequences: false).map { String($0).trimmingCharacters(in: .whitespaces) }
        if names.contains(where: \.isEmpty) {
            throw UsageError(.invalidValue(option: keysSpec.name, expected: "a comma-separated list of gradient names (e.g. dWf,dbf,dx)",
                                           value: text, suggestion: nil), command: name)
        }
        return names
    }

    func run(_ out: Output) throws -> Outcome {
        if let exec { return try runExec(exec, out) }
        let loaded = try FixtureFiles.load(fixtures, limits: limits, layout: layout)
        let paired = try loaded.map { (fixture: $0.fixture, user: try GradientFile.read(try gradients(for: $0), limits: limits)) }
        let reports = try ManyFixtures.each(paired, name: \.fixture.name) { render(try verify($0.fixture, $0.user), $0.fixture, colour: out.colour) }
        out.write(ManyFixtures.output(reports, command: Self.name, format: format, quiet: quiet))
        GitHubAnnotations.write(reports)
        return Outcome.worst(reports.map(\.outcome))
    }

    /// `user`'s gradients of `fixture` against the exact gradient, each wrong one diagnosed.
    func verify(_ fixture: Fixture, _ user: UserGradients) throws -> VerifyReport {
        func verify<P: CellProblem>(_ p: P) throws -> VerifyReport {
            try Verify.run(p.typed, name: fixture.name, user: user, reference: ExactGradient.gradients(p.typed),
                           referenceName: "exact", tolerance: tolerance, keys: keys, form: fixture.form)
        }
        return try verify(fixture.network)
    }

    /// `report` in `--format`, with its failures for CI annotations.
    func render(_ report: VerifyReport, _ fixture: Fixture, colour: Bool) -> FixtureReport {
        let outcome = Outcome(report.status)
        var rendered: FixtureReport
        switch format {
        case .json: rendered = FixtureReport(name: fixture.name, outcome: outcome, json: VerifyRender.json(report))
        case .markdown: rendered = FixtureReport(name: fixture.name, outcome: outcome, document: VerifyRender.markdown(report, fixture: fixture))
        case .text: rendered = FixtureReport(name: fixture.name, outcome: outcome, document: VerifyRender.text(report, fixture: fixture, colour: colour))
        case .junit: rendered = FixtureReport(name: fixture.name, outcome: outcome, junit: JUnitReport.suite(report))
        }
        rendered.failures = VerifyRender.failures(report)
        return rendered
    }

    /// The gradient file of `fixture`: its own `--grads` (one per `--fixture`), or, for a
    /// fixture from a folder or with one `--grads` for several fixtures, the file in that
    /// folder named after the fixture.
    private func gradients(for fixture: FixtureFiles.Loaded) throws -> String {
        let byOrder = grads.count == fixtures.count
        let path = grads[byOrder ? fixture.argument : 0]
        if byOrder && !fixture.inFolder { return path }
        guard FixtureFiles.isFolder(path) else {
            if !byOrder { throw UsageError(.unpaired(fixtures: fixtures.count, grads: grads.count), command: Self.name) }
            throw InputError(source: path, expected: "a folder holding each fixture's gradients under its file name (the fixtures come from a folder)",
                             found: "a file")
        }
        return try Self.match(fixture, in: path)
    }

    /// The one entry of `folder` named after `fixture`'s file: `a.npz`, `a.json`, `a.npy` or a folder `a`.
    static func match(_ fixture: FixtureFiles.Loaded, in folder: String) throws -> String {
        guard let fixturePath = fixture.path else {
            throw InputError(source: FixtureFiles.standardInputSource,
                             expected: "its own --grads (a fixture read from standard input has no file name to look up in \(folder))")
        }
        let stem = URL(fileURLWithPath: fixturePath).deletingPathExtension().lastPathComponent
        let names = ["\(stem).npz", "\(stem).json", "\(stem).npy", stem]
        let own = URL(fileURLWithPath: fixturePath).standardizedFileURL.resolvingSymlinksInPath()
        let found = names.map { (folder as NSString).appendingPathComponent($0) }.filter { candidate in
            FileManager.default.fileExists(atPath: candidate)
                // Gradients kept beside the fixtures: the fixture itself is not its gradient file.
                && URL(fileURLWithPath: candidate).standardizedFileURL.resolvingSymlinksInPath() != own
        }
        guard found.count == 1 else {
            let expected = "its gradients in \(folder) as \(names.dropLast().joined(separator: ", ")) or a folder \(stem)"
            throw InputError(source: fixturePath, expected: expected,
                             found: found.isEmpty ? "none" : "several: \(found.map { ($0 as NSString).lastPathComponent }.joined(separator: ", "))")
        }
        return found[0]
    }
}
