import LSTMGradCheck

/// `lstm-gradcheck truncation`: truncated:K for every K, falling to the reference's floor.
struct TruncationCommand: Subcommand {
    static let configuration = CommandConfiguration(
        name: "truncation",
        abstract: "Show the error of BPTT truncated to K steps, for K = 1 … T_x, falling to rounding at K = T_x.",
        discussion: """
            Runs truncated:K for every K from 1 (per-step: nothing carried back) to T_x (full \
            backpropagation through time) on one network, and prints each one's relative error against \
            the exact (forward-mode) gradient for the gate weights, a0 and x. The error falls as K grows and \
            reaches rounding (about 1e-16) at K = T_x: every step of the carry matters.
            """,
        usage: "lstm-gradcheck truncation [--fixture FILE | size and seed options] [--format FORMAT]")

    static let options = NetworkOptions.specs(layouts: false) + [OutputFormat.spec]
    static let rules = NetworkOptions.rules()

    var network: NetworkOptions
    var format: OutputFormat

    init(_ p: ParsedArguments) throws(UsageError) {
        network = try NetworkOptions(p)
        format = try p.choice(OutputFormat.spec, among: OutputFormat.documents, default: .text)
    }

    func run(_ out: Output) throws -> Outcome {
        let fixture = try network.fixture()
        let problem = try NetworkOptions.lstm(fixture, command: Self.name)
        let T = problem.dims.steps
        let report = GradCheck.check(problem, name: fixture.name, methods: (1...T).map { Method<LSTM>.truncated($0, steps: T) })
        out.write(TruncationReport.render(report, fixture: fixture, format: format))
        return Outcome(report.status)
    }
}
