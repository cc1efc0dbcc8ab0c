import LSTMGradCheck

/// `lstm-gradcheck verify`: a learner's gradients against the exact gradient, each wrong one
/// diagnosed.
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
            instead of sum, swapped gates, transpose, an index off by one step). Keys missing from the \
            file are reported as not provided; unknown keys are listed and ignored.

            Exit status: 0 every provided gradient matches; 1 one does not; 2 bad input.
            """,
        usage: "lstm-gradcheck verify --fixture FILE --grads FILE|FOLDER [--format FORMAT]")

    static let fixtureSpec = OptionSpec(name: "fixture", value: "FILE", help: "The fixture your gradients were computed on (see 'lstm-gradcheck fixture').",
                                        completion: .file)
    static let gradsSpec = OptionSpec(name: "grads", value: "PATH", help: "Your gradients: .json, .npy, a folder of .npy files, or .npz.",
                                      completion: .file)
    static let toleranceSpec = OptionSpec(name: "tolerance", value: "T", help: "A tensor passes when its relative error is at most T (default \(sci(Comparison.defaultTolerance)); single-precision arrays at least \(sci(Verify.singlePrecisionTolerance))).")

    static let options = [fixtureSpec, gradsSpec, OutputFormat.spec, toleranceSpec, NetworkOptions.maxMemory]

    var fixture: String
    var grads: String
    var format: OutputFormat
    var tolerance: Double
    var limits: Limits

    init(_ p: ParsedArguments) throws(UsageError) {
        guard let fixture = p.string(Self.fixtureSpec), let grads = p.string(Self.gradsSpec) else {
            throw UsageError(.missingOptions(command: Self.name, ["--fixture FILE", "--grads PATH"]), command: Self.name)
        }
        self.fixture = fixture
        self.grads = grads
        format = try p.choice(OutputFormat.spec, default: .text)
        tolerance = try p.positive(Self.toleranceSpec) ?? Comparison.defaultTolerance
        limits = try NetworkOptions.limits(p)
    }

    func run(_ out: Output) throws -> Outcome {
        let fixture = try FixtureFile.read(fixture, limits: limits)
        let user = try GradientFile.read(grads, limits: limits)
        let report = try verify(fixture, user, colour: out.colour)
        out.write(report.printed)
        return report.outcome
    }

    private func verify(_ fixture: Fixture, _ user: UserGradients, colour: Bool) throws -> FixtureReport {
        func verify<P: CellProblem>(_ p: P) throws -> VerifyReport {
            try Verify.run(p.typed, name: fixture.name, user: user, reference: ExactGradient.gradients(p.typed),
                           referenceName: "exact", tolerance: tolerance)
        }
        let report = try verify(fixture.network)
        let outcome: Outcome = report.passed ? .matches : .mismatch
        switch format {
        case .json: return FixtureReport(name: fixture.name, outcome: outcome, json: VerifyRender.json(report))
        case .markdown: return FixtureReport(name: fixture.name, outcome: outcome, document: VerifyRender.markdown(report, fixture: fixture))
        case .text: return FixtureReport(name: fixture.name, outcome: outcome, document: VerifyRender.text(report, fixture: fixture, colour: colour))
        }
    }
}
