import LSTMGradCheck

/// `lstm-gradcheck fixture`: a generated network, inputs and labels, as a fixture file.
struct FixtureCommand: Subcommand {
    static let configuration = CommandConfiguration(
        name: "fixture",
        abstract: "Print a generated fixture (JSON) to check, or to load into your own code.",
        discussion: """
            Generates a network, its inputs and labels from the size and seed flags with the project's \
            own SplitMix64 generator (weights and biases uniform in [-scale, scale), a0 and x uniform \
            in [-1, 1), labels uniform over the n_y classes), and prints it in the fixture format. The \
            same flags give the same bytes on every machine.
            """,
        usage: "lstm-gradcheck fixture [size and seed options] [--name NAME] [--description TEXT]")

    static let nameSpec = OptionSpec(name: "name", value: "NAME", help: "The fixture's name (default: default or generated).")
    static let descriptionSpec = OptionSpec(name: "description", value: "TEXT", help: "A one-line description (default: the sizes and seed).")
    /// The generator's options: a fixture is what this command makes, not what it reads.
    static let options = NetworkOptions.generatorSpecs + [NetworkOptions.maxMemory, nameSpec, descriptionSpec, NetworkOptions.layout, NetworkOptions.batchFirst]

    var network: NetworkOptions
    var name: String?
    var description: String?

    init(_ p: ParsedArguments) throws(UsageError) {
        network = try NetworkOptions(p)
        name = p.string(Self.nameSpec)
        description = p.string(Self.descriptionSpec)
    }

    func run(_ out: Output) throws -> Outcome {
        var fixture = try network.fixture()
        if let name { fixture.name = name }
        if let description { fixture.description = description }
        out.write(JSON.serialize(try FixtureFile.encode(fixture)) + "\n")
        return .matches
    }
}
