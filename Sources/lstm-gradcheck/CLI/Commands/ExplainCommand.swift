import LSTMGradCheck

/// `lstm-gradcheck explain`: one weight's gradient split by step and path, or the flow of
/// gradient back in time (beside a plain RNN with `--compare`).
struct ExplainCommand: Subcommand {
    static let configuration = CommandConfiguration(
        name: "explain",
        abstract: "Split one weight's gradient by time step and path, or show how gradient flows back in time.",
        discussion: """
            For the chosen gate weight, splits its BPTT gradient, step by step, into the term from that \
            step's own loss (what per-step keeps) and the terms carried back from later steps through \
            da_prev and dc_prev (what per-step drops), checks that the parts add up to the BPTT gradient, \
            and says in plain words what share the carry makes up and where the question's do_{t-1} term \
            enters. With --flow it prints ‖∂L/∂a_t‖ and ‖∂L/∂c_t‖ for every step and how much of one \
            step's loss still reaches k steps back.
            """,
        usage: "lstm-gradcheck explain [--param Wo | --flow] [--fixture FILE | size and seed options] [--format FORMAT]")

    static let paramSpec = OptionSpec(name: "param", value: "NAME", help: "The weight to split: \(Explain.parameters(LSTM.self).map { $0.name }.joined(separator: ", ")) (default Wo); for --cell rnn \(Explain.parameters(RNN.self).map { $0.name }.joined(separator: ", ")) (default Waa); in a framework's layout its stacked weights and biases (Wx, Wh, b; weight_ih_l0, …; default the recurrent weight).")
    static let flowSpec = OptionSpec(name: "flow", value: nil, help: "Show the gradient's flow over time instead of one weight's split.")
    static let compareSpec = OptionSpec(name: "compare", value: nil, help: "With --flow: run the gated cell (the LSTM or a GRU) and a plain RNN on the same inputs and compare how their gradients decay with distance.")
    /// Text or JSON: the split and the flow have no Markdown form.
    static let formats: [OutputFormat] = [.text, .json]
    static let formatSpec = OptionSpec(name: "format", value: "FORMAT", help: "text (default) or json.", completion: .choices(formats.map(\.rawValue)))

    static let options = NetworkOptions.specs() + [paramSpec, flowSpec, compareSpec, formatSpec]
    static let rules = NetworkOptions.rules() + [.requires(compareSpec, flowSpec),
                                                 .conflict(paramSpec, with: flowSpec, reason: "--flow shows the flow of the whole gradient, not one weight's split")]

    /// The tensor split when `--param` is not given: the output gate's weight the question is
    /// about, in a framework's layout the stacked weight on the previous hidden state, else the first.
    static func defaultSplit(among tensors: [String]) -> String {
        ["Wo", "Wh", "weight_hh_l0", "recurrent_kernel"].first(where: tensors.contains) ?? tensors[0]
    }

    /// What to show.
    enum View: Sendable {
        /// One weight's split; the name is resolved against the network's cell.
        case split(parameter: String?)
        case flow
        /// The flow of the LSTM and of a plain RNN beside it.
        case compare
    }

    var network: NetworkOptions
    var view: View
    var format: OutputFormat

    init(_ p: ParsedArguments) throws(UsageError) {
        network = try NetworkOptions(p)
        format = try p.choice(Self.formatSpec, among: Self.formats, default: .text)
        view = p.has(Self.compareSpec) ? .compare : p.has(Self.flowSpec) ? .flow : .split(parameter: p.string(Self.paramSpec))
    }

    func run(_ out: Output) throws -> Outcome {
        let fixture = try network.fixture()
        let (text, json, outcome) = try explained(fixture)
        if outcome == .badInput { return outcome }
        // JSON: the one report shape, with this fixture its one entry.
        out.write(format == .json
            ? ReportEnvelope.document(command: Self.name, [FixtureReport(name: fixture.name, outcome: outcome, json: json())])
            : text())
        return outcome
    }

    /// The view's text and JSON entry (each made only when printed), and what it came to.
    private func explained(_ fixture: Fixture) throws -> (text: () -> String, json: () -> JSONValue, outcome: Outcome) {
        switch view {
        case .compare:
            guard let comparison = FlowComparison(network: fixture.network, rnnSeed: network.seed &+ 1, scale: network.generatedScale) else {
                throw UsageError(.incompatibleValues("'--compare' sets a gated cell (lstm, gru, gru-reset-before) beside a plain RNN, and \(fixture.name) is cell \(fixture.network.kind.rawValue)"), command: Self.name)
            }
            return ({ ExplainRender.compareText(comparison, fixture: fixture) },
                    { ExplainRender.entry(fixture, ExplainRender.compareJSON(comparison), .matches) }, .matches)
        case .flow:
            func flow<P: CellProblem>(_ p: P) -> FlowReport { GradientFlow.flow(p.typed) }
            let flow = flow(fixture.network)
            return ({ ExplainRender.flowText(flow, fixture: fixture) },
                    { ExplainRender.entry(fixture, ExplainRender.flowJSON(flow), .matches) }, .matches)
        case .split(let requested):
            func split<P: CellProblem>(_ p: P) throws(UsageError) -> (ExplainReport?, Double, allZero: Bool) {
                // In the fixture's layout: `--param Wh` splits cs231n's stacked recurrent weight.
                let names = ReportNames(form: fixture.form, problem: p.typed)
                let tensors = Explain.tensors(p.typed, names: names)
                let name = try requested.map { (text) throws(UsageError) in
                    try UsageError.checkName(text, for: Self.paramSpec, among: tensors, command: Self.name)
                } ?? Self.defaultSplit(among: tensors)
                // How far the route that drops the carry is from BPTT on this tensor.
                let gradients = names.dictionary(P.C.bptt.compute(p.typed))
                let bptt = gradients[name]
                let allZero = gradients.values.allSatisfy { $0.data.allSatisfy { $0 == 0 } }
                let dropped = P.C.coreMethods.first { $0.expectation == .wrong }.flatMap { names.dictionary($0.compute(p.typed))[name] }
                let perStep = bptt.flatMap { b in dropped.map { Comparison.compare(name, $0, reference: b, tolerance: 0).relativeError } } ?? 0
                guard let e = Explain.split(p.typed, tensor: name, names: names) else { return (nil, perStep, allZero) }
                // Parts that do not add up: the exact reference says which of the two is off.
                guard !e.adds, let exact = (try? ExactGradient.gradients(p.typed)).flatMap({ names.dictionary($0)[name] }) else { return (e, perStep, allZero) }
                return (Explain.judged(e, exact: exact.data), perStep, allZero)
            }
            let (split, perStep, allZero) = try split(fixture.network)
            // Only a parameter `Explain.parameters` does not list has no split, and none is asked for.
            guard let e = split else { return ({ "" }, { .null }, .badInput) }
            // The split is exact: a reconstruction off by more than rounding fails the check.
            // Every gradient exactly zero (n_y = 1): nothing to split, so the run decides nothing.
            let nothing = allZero ? ExplainRender.whyAllZero(fixture.network.dims) : nil
            let outcome: Outcome = !e.adds ? .mismatch : nothing != nil ? .undecided : .matches
            return ({ ExplainRender.text(e, fixture: fixture, perStepError: perStep, allZero: nothing) },
                    { ExplainRender.entry(fixture, ExplainRender.json(e, perStepError: perStep, allZero: nothing), outcome) }, outcome)
        }
    }
}
