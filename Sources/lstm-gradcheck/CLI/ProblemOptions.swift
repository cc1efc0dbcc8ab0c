import LSTMGradCheck

/// The options that say which network to check: a fixture file, or a generated
/// network from sizes and a seed.
enum ProblemOptions {
    static let defaults = Dims(n_x: 3, n_a: 5, n_y: 2, steps: 7, batch: 10)
    static let defaultSeed: UInt64 = 1

    static let specs: [OptionSpec] = [
        OptionSpec(name: "fixture", value: "FILE", help: "Check the network in this fixture file (JSON, see the README) instead of a generated one."),
        OptionSpec(name: "cell", value: "CELL", help: "lstm (default), rnn (the course's plain RNN) or gru (PyTorch's GRU), for a generated network."),
        OptionSpec(name: "n-x", value: "N", help: "Input size n_x of a generated network (default \(defaults.n_x))."),
        OptionSpec(name: "n-a", value: "N", help: "Hidden size n_a (default \(defaults.n_a))."),
        OptionSpec(name: "n-y", value: "N", help: "Number of classes n_y (default \(defaults.n_y))."),
        OptionSpec(name: "steps", value: "N", help: "Sequence length T_x (default \(defaults.steps))."),
        OptionSpec(name: "batch", value: "N", help: "Batch size m (default \(defaults.batch))."),
        OptionSpec(name: "seed", value: "N", help: "Seed of the project's SplitMix64 generator (default \(defaultSeed)); the same seed gives the same network everywhere."),
        OptionSpec(name: "scale", value: "S", help: "Weights and biases uniform in [-S, S) (default 1); larger S saturates the gates."),
        maxMemorySpec,
    ]

    static let maxMemorySpec = OptionSpec(name: "max-memory", value: "SIZE", help: "Working memory a run may plan for, e.g. 512M or 4G (default a third of this machine's, \(Limits.machineDefault.maxMemory >> 30) GiB here); larger sizes and files are refused before anything is allocated.")

    /// `--max-memory` as bytes: a whole number with an optional K, M or G.
    static func limits(_ o: ParsedOptions) throws(UsageError) -> Limits {
        guard let text = o.string("max-memory") else { return .machineDefault }
        let units: [Character: Int] = ["K": 1 << 10, "M": 1 << 20, "G": 1 << 30]
        let unit = text.last.flatMap { units[Character($0.uppercased())] }
        let digits = unit == nil ? text : String(text.dropLast())
        guard let n = Int(digits), n > 0, n <= Int.max / (unit ?? 1) else {
            throw UsageError(message: "option '--max-memory' takes a size such as 512M or 4G, not '\(text)'", command: o.command)
        }
        return Limits(maxMemory: n * (unit ?? 1))
    }

    private static let sizeNames = ["n-x", "n-a", "n-y", "steps", "batch", "seed", "scale", "cell"]

    /// The LSTM of `fixture`, or a usage error for commands that only the LSTM has.
    static func lstm(_ fixture: Fixture, _ o: ParsedOptions) throws(UsageError) -> Problem<LSTM, Double> {
        guard let p = fixture.network as? Problem<LSTM, Double> else {
            throw UsageError(message: "'\(o.command)' works on the LSTM; \(fixture.name) is a plain RNN (cell rnn)", command: o.command)
        }
        return p
    }

    /// The fixture named by `--fixture`, or a generated one.
    static func fixture(_ o: ParsedOptions) throws -> Fixture {
        if let path = o.string("fixture") {
            // --sample and --projection draw their elements and directions from the seed.
            if let clash = sizeNames.first(where: { o.string($0) != nil && ($0 != "seed" || !LargeChecks.requested(o)) }) {
                throw UsageError(message: "'--\(clash)' cannot be combined with '--fixture' (the fixture fixes the network)", command: o.command)
            }
            return try FixtureFile.read(path, limits: try limits(o))
        }
        let size = 1...1_000_000
        let dims = Dims(
            n_x: try o.int("n-x", default: defaults.n_x, in: size),
            n_a: try o.int("n-a", default: defaults.n_a, in: size),
            n_y: try o.int("n-y", default: defaults.n_y, in: size),
            steps: try o.int("steps", default: defaults.steps, in: size),
            batch: try o.int("batch", default: defaults.batch, in: size))
        let seed = try o.int("seed", default: Int(defaultSeed), in: 0...Int.max)
        let weights = try o.positive("scale", default: GenerationScale.standard.weights)
        try limits(o).check(dims, source: "command line")
        let cell = CellKind(rawValue: try o.choice("cell", CellKind.allCases.map(\.rawValue), default: CellKind.lstm.rawValue)) ?? .lstm
        let scale = GenerationScale(weights: weights, inputs: 1)
        func random<C: Cell>(_: C.Type) -> any CellProblem { Problem<C, Double>.random(dims, seed: UInt64(seed), scale: scale) }
        let network = random(cell.cell)
        let isDefault = dims == defaults && seed == Int(defaultSeed) && weights == GenerationScale.standard.weights
        let name = (isDefault ? "default" : "generated") + (cell == .lstm ? "" : "-\(cell.rawValue)")
        let description = "n_x \(dims.n_x), n_a \(dims.n_a), n_y \(dims.n_y), T_x \(dims.steps), m \(dims.batch), seed \(seed)"
            + (weights == 1 ? "" : ", scale \(weights)")
        return Fixture(name: name, description: description, network: network)
    }
}
