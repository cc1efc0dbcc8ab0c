/// What a full check of a network is set up with, which `check` and `report` share: the network,
/// the derivations (`--methods`), how the verdicts are decided, and how the run is controlled.
struct CheckSetup: Sendable {
    var network: NetworkOptions
    var methods: MethodSelection
    var decision: DecisionOptions
    var runOptions: RunOptions

    /// `methodsSpec` is the command's `--methods`, whose help may say its default its own way.
    init(_ p: ParsedArguments, methodsSpec: OptionSpec = MethodSelection.spec) throws(UsageError) {
        network = try NetworkOptions(p)
        methods = MethodSelection(p, spec: methodsSpec)
        decision = try DecisionOptions(p)
        runOptions = try RunOptions(p)
    }
}
