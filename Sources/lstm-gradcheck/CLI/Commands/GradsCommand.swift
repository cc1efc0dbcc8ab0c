import LSTMGradCheck

/// `lstm-gradcheck grads`: the gradient file one method computes.
struct GradsCommand: Subcommand {
    static let configuration = CommandConfiguration(
        name: "grads",
        abstract: "Print the gradients one method computes, as a gradient file (JSON).",
        discussion: """
            Writes dWf dbf dWi dbi dWc dbc dWo dbo dWy dby da0 dx (and dc0 when the fixture gives c0), \
            each in its parameter's Coursera shape, as one JSON object: the file format that \
            'lstm-gradcheck verify' and NumPy users read.
            """,
        usage: "lstm-gradcheck grads [--fixture FILE | size and seed options] --method METHOD")

    static let methodSpec = OptionSpec(name: "method", value: "METHOD", help: "One of \(LSTM.methodNames.joined(separator: ", ")) (default bptt).",
                                       completion: .choices(LSTM.methodNames.filter { !$0.hasSuffix(":K") }))
    static let options = NetworkOptions.specs() + [methodSpec] + RunOptions.specs + [Shard.spec]
    static let rules = NetworkOptions.rules()

    var network: NetworkOptions
    /// A name from the cell's catalogue, resolved once the network is known.
    var method: String
    var runOptions: RunOptions
    /// `--shard K/N`: print the part file of shard K (with `--method numerical` only).
    var shard: Shard?

    init(_ p: ParsedArguments) throws(UsageError) {
        network = try NetworkOptions(p)
        method = p.string(Self.methodSpec) ?? LSTM.bptt.name
        runOptions = try RunOptions(p)
        shard = try Shard(p)
    }

    func run(_ out: Output) throws -> Outcome {
        let fixture = try network.fixture()
        func gradients<P: CellProblem>(_ p: P) throws -> JSONValue {
            guard let method = P.C.method(named: method, steps: p.dims.steps) else {
                throw UsageError(.unknownMethod(method, hint: "", choices: P.C.methodNames.joined(separator: ", "),
                                                suggestion: Suggestion.closest(to: method, in: P.C.methodNames)), command: Self.name)
            }
            if let shard {
                guard method.name == Method<P.C>.numerical.name else {
                    throw UsageError(.incompatibleValues("'--shard' splits the finite differences: it goes with '--method numerical', not '\(method.name)'"), command: Self.name)
                }
                return try shard.gradsPart(p, name: fixture.name, form: fixture.form, run: runOptions)
            }
            // The gradient file speaks the fixture's layout (`dWx` for a cs231n fixture).
            guard method.name == Method<P.C>.numerical.name else { return try GradientFile.encode(method.compute(p.typed), form: fixture.form) }
            // The one method long enough to want threads, a budget, Ctrl-C and a progress bar.
            let (control, bar) = runOptions.control()
            defer { bar?.clear() }
            let g: Gradients<P.C>
            do throws(Interruption) { g = try FiniteDifferences.central(p.typed, control: control) } catch {
                let percent = "\(100 * error.done / max(error.total, 1))% of the finite differences"
                throw Interrupted(finished: percent, byBudget: error.reason == .deadline)
            }
            return try GradientFile.encode(g, form: fixture.form)
        }
        out.write(JSON.serialize(try gradients(fixture.network)) + "\n")
        return .matches
    }
}
