import LSTMGradCheck

/// `lstm-gradcheck report --out FILE`: the check as one self-contained HTML page.
struct ReportCommand: Subcommand {
    static let configuration = CommandConfiguration(
        name: "report",
        abstract: "Write the check as one self-contained HTML page: table, verdicts, heat maps and gradient-flow charts.",
        discussion: """
            Runs the same check as 'check' and writes an HTML page with no external assets and no \
            scripts: the relative-error table, the verdicts, a heat map of every weight's per-element \
            error for each method, and the gradient's flow over time (for the LSTM, beside a plain RNN \
            on the same inputs). The page is written to a temporary file and renamed into place; an \
            existing file is replaced only with --force, and Ctrl-C leaves no file behind.
            """,
        usage: "lstm-gradcheck report --out FILE [--force] [--fixture FILE | size and seed options] [--methods LIST]")

    static let outSpec = OptionSpec(name: "out", value: "FILE", help: "Where to write the page (required).", completion: .outputFile)
    static let forceSpec = OptionSpec(name: "force", value: nil, help: "Replace FILE if it exists.")
    static let methodsSpec = OptionSpec(name: "methods", value: "LIST", help: "As for check (default bptt,coursera,per-step).")

    static let options = NetworkOptions.specs() + [outSpec, forceSpec, methodsSpec] + DecisionOptions.specs + RunOptions.specs
    static let rules = NetworkOptions.rules()

    var out: String
    var force: Bool
    var setup: CheckSetup

    init(_ p: ParsedArguments) throws(UsageError) {
        guard let out = p.string(Self.outSpec) else {
            throw UsageError(.missingOptions(command: Self.name, ["--out FILE"]), command: Self.name)
        }
        self.out = out
        force = p.has(Self.forceSpec)
        setup = try CheckSetup(p, methodsSpec: Self.methodsSpec)
    }

    func run(_ output: Output) throws -> Outcome {
        let fixture = try setup.network.fixture()
        let report = try CheckCommand.checked(fixture, setup, command: Self.name)
        let html: String
        if let comparison = FlowComparison(network: fixture.network, rnnSeed: setup.network.seed &+ 1, scale: setup.network.generatedScale) {
            html = HTMLReport.render(report, fixture: fixture, flow: comparison.gated, comparison: comparison)
        } else {
            func flow<P: CellProblem>(_ p: P) -> FlowReport { GradientFlow.flow(p.typed) }
            html = HTMLReport.render(report, fixture: fixture, flow: flow(fixture.network), comparison: nil)
        }
        try OutputFile.write(html, to: out, force: force, inputs: setup.network.fixturePaths, command: Self.name)
        output.write("wrote \(out)\n")
        return Outcome(report.status)
    }
}
