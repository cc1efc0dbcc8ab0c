import LSTMGradCheck

/// The options that say which network to check: fixture files, or a network generated from
/// sizes and a seed. Parsed once; `fixtures()` reads or generates the networks.
struct NetworkOptions: Sendable {
    static let defaults = Dims(n_x: 3, n_a: 5, n_y: 2, steps: 7, batch: 10)
    static let defaultSeed: UInt64 = 1

    static let fixture = OptionSpec(name: "fixture", value: "FILE", help: "Check the network in this fixture file (JSON, see the README; - reads it from standard input) instead of a generated one.",
                                    completion: .file)
    /// `check`'s: any number of files, folders and `-`.
    static let fixtures = OptionSpec(name: "fixture", value: "FILE", help: "Check the network in this fixture file (JSON, see the README) instead of a generated one. Give it more than once, name a folder (every *.json in it, by name) or - (standard input) to check several: each gets its report, and the exit status is the worst of them.",
                                     repeatable: true, completion: .file)
    static let cell = OptionSpec(name: "cell", value: "CELL", help: "lstm (default), rnn (the course's plain RNN), gru (PyTorch's GRU; Keras' default reset_after=True) or gru-reset-before (Keras' GRU(reset_after=False)), for a generated network.",
                                 completion: .choices(CellKind.allCases.map(\.rawValue)))
    static let nx = OptionSpec(name: "n-x", value: "N", help: "Input size n_x of a generated network (default \(defaults.n_x)).")
    static let na = OptionSpec(name: "n-a", value: "N", help: "Hidden size n_a (default \(defaults.n_a)).")
    static let ny = OptionSpec(name: "n-y", value: "N", help: "Number of classes n_y (default \(defaults.n_y)).")
    static let steps = OptionSpec(name: "steps", value: "N", help: "Sequence length T_x (default \(defaults.steps)).")
    static let batch = OptionSpec(name: "batch", value: "N", help: "Batch size m (default \(defaults.batch)).")
    static let seed = OptionSpec(name: "seed", value: "N", help: "Seed of the project's SplitMix64 generator (default \(defaultSeed)); the same seed gives the same network everywhere.")
    static let scale = OptionSpec(name: "scale", value: "S", help: "Weights and biases uniform in [-S, S) (default 1); larger S saturates the gates.")
    static let maxMemory = OptionSpec(name: "max-memory", value: "SIZE", help: "Working memory a run may plan for, e.g. 512M or 4G (default a third of this machine's, \(Limits.machineDefault.maxMemory >> 30) GiB here); larger sizes and files are refused before anything is allocated.")

    static let layout = OptionSpec(name: "layout", value: "LAYOUT",
                                   help: "coursera, cs231n, pytorch or keras: the framework whose names, shapes and gate order the fixture and gradient files use, and the report's tensors. A generated network is made in that layout's default form (cs231n, pytorch and keras carry an upstream gradient in place of labels, as their gradient checks do). cs231n holds the lstm and rnn; pytorch the gru too (torch.nn.GRU); keras both GRUs (gru-reset-before as \"reset_after\": false). Default: a file's \"layout\" key, else the layout its keys are of (one line on standard error says which), else coursera.",
                                   completion: .choices(Layout.allCases.map(\.rawValue)))

    static let batchFirst = OptionSpec(name: "batch-first", value: nil, help: "With --layout pytorch, for a generated network: input and grad_output as (N, T, ·), as torch.nn.LSTM(batch_first=True) takes them (a fixture says so with \"batch_first\": true).")

    /// What a generated network is made from, in help order.
    static let generatorSpecs = [cell, nx, na, ny, steps, batch, seed, scale]

    /// `--fixture` (one, or `fixtures` for several), `--layout` (unless `layouts` is false: the
    /// command speaks only Coursera's names), the generator's options, `--max-memory`.
    static func specs(fixture: OptionSpec = fixture, layouts: Bool = true) -> [OptionSpec] {
        [fixture] + (layouts ? [layout, batchFirst] : []) + generatorSpecs + [maxMemory]
    }

    /// `--layout`, when given.
    static func layout(_ p: ParsedArguments) throws(UsageError) -> Layout? {
        p.has(layout) ? try p.choice(layout, default: .coursera) : nil
    }

    /// A usage error unless `layout` can hold a network of `cell`, naming the layouts that can.
    static func check(_ layout: Layout, holds cell: CellKind, command: String?) throws(UsageError) {
        guard !layout.holds(cell) else { return }
        let holders = Layout.allCases.filter { $0.holds(cell) }.map { "'--layout \($0.rawValue)'" }
        let list = holders.count > 1 ? holders.dropLast().joined(separator: ", ") + " or " + holders.last! : holders.joined()
        throw UsageError(.incompatibleValues("the \(layout.rawValue) layout does not stack a \(cell.rawValue)'s gates; '--cell \(cell.rawValue)' goes with \(list)"), command: command)
    }

    /// A fixture fixes the network: no generator option goes with it, in the order listed
    /// (the seed does when one of `seedAlsoWith` is given: it draws their sample).
    static func rules(seedAlsoWith: [OptionSpec] = []) -> [OptionRule] {
        [nx, na, ny, steps, batch, seed, scale, cell].map {
            .conflict($0, with: fixture, reason: "the fixture fixes the network", unless: $0.same(as: seed) ? seedAlsoWith : [])
        }
    }

    /// A network made by the project's generator.
    struct Generated: Sendable {
        var dims: Dims
        var seed: UInt64
        var scale: Double
        var cell: CellKind
    }

    enum Source: Sendable {
        /// `--fixture` values, in the order given: files, folders, `-`.
        case fixtures([String])
        case generated(Generated)
    }

    var source: Source
    /// `--layout`: the layout files are read in (see `FixtureFile.decode`) and a network is generated in.
    var layout: Layout?
    /// `--batch-first`: a generated PyTorch network's sequences stored (N, T, ·).
    var batchFirst = false
    /// `--seed`, or the default: what draws a sample, directions, or an RNN beside an LSTM.
    var seed: UInt64
    var limits: Limits

    init(_ p: ParsedArguments) throws(UsageError) {
        let size = 1...1_000_000
        let dims = Dims(
            n_x: try p.int(Self.nx, default: Self.defaults.n_x, in: size),
            n_a: try p.int(Self.na, default: Self.defaults.n_a, in: size),
            n_y: try p.int(Self.ny, default: Self.defaults.n_y, in: size),
            steps: try p.int(Self.steps, default: Self.defaults.steps, in: size),
            batch: try p.int(Self.batch, default: Self.defaults.batch, in: size))
        seed = UInt64(try p.int(Self.seed, default: Int(Self.defaultSeed), in: 0...Int.max))
        let scale = try p.positive(Self.scale) ?? GenerationScale.standard.weights
        limits = try Self.limits(p)
        let cell = try p.choice(Self.cell, default: CellKind.lstm)
        let paths = p.strings(Self.fixture)
        try FixtureFiles.check(paths, command: p.command)
        layout = try Self.layout(p)
        if let layout, paths.isEmpty { try Self.check(layout, holds: cell, command: p.command) }
        batchFirst = p.has(Self.batchFirst)
        if batchFirst && (layout != .pytorch || !paths.isEmpty) {
            let why = paths.isEmpty ? "it is PyTorch's option: add '--layout pytorch'" : "a fixture says it with \"batch_first\": true"
            throw UsageError(.incompatibleValues("'--batch-first' shapes a generated network in the pytorch layout; \(why)"), command: p.command)
        }
        source = paths.isEmpty ? .generated(Generated(dims: dims, seed: seed, scale: scale, cell: cell)) : .fixtures(paths)
    }

    /// `--max-memory` as bytes: a whole number with an optional K, M or G.
    static func limits(_ p: ParsedArguments) throws(UsageError) -> Limits {
        guard let text = p.string(maxMemory) else { return .machineDefault }
        let units: [Character: Int] = ["K": 1 << 10, "M": 1 << 20, "G": 1 << 30]
        let unit = text.last.flatMap { units[Character($0.uppercased())] }
        let digits = unit == nil ? text : String(text.dropLast())
        guard let n = Int(digits), n > 0, n <= Int.max / (unit ?? 1) else {
            throw UsageError(.invalidValue(option: maxMemory.name, expected: "a size such as 512M or 4G", value: text, suggestion: nil), command: p.command)
        }
        return Limits(maxMemory: n * (unit ?? 1))
    }

    /// `--scale` (or its default) of a generated network; nil for fixtures, whose weights the tool did not draw.
    var generatedScale: Double? {
        if case .generated(let g) = source { return g.scale }
        return nil
    }

    /// The `--fixture` values that name files to read (for commands that must not write over them).
    var fixturePaths: [String] {
        if case .fixtures(let paths) = source { return paths.filter { $0 != FixtureFiles.standardInput } }
        return []
    }

    /// Every network to check, read (or generated) before anything is run, so that bad input
    /// anywhere stops the run before any output.
    func fixtures() throws -> [FixtureFiles.Loaded] {
        switch source {
        case .fixtures(let arguments): return try FixtureFiles.load(arguments, limits: limits, layout: layout)
        case .generated(let g): return [FixtureFiles.Loaded(fixture: try generate(g), path: nil, argument: 0, inFolder: false)]
        }
    }

    /// The one network of a command that takes one `--fixture` (its spec is not repeatable).
    func fixture() throws -> Fixture {
        switch source {
        case .fixtures(let arguments): return try FixtureFiles.readOne(arguments[0], limits: limits, layout: layout)
        case .generated(let g): return try generate(g)
        }
    }

    private func generate(_ g: Generated) throws(InputError) -> Fixture {
        try limits.check(g.dims, source: "command line")
        let scale = GenerationScale(weights: g.scale, inputs: 1)
        func random<C: Cell>(_: C.Type) -> any CellProblem { Problem<C, Double>.random(g.dims, seed: g.seed, scale: scale) }
        let isDefault = g.dims == Self.defaults && g.seed == Self.defaultSeed && g.scale == GenerationScale.standard.weights
        let name = (isDefault ? "default" : "generated") + (g.cell == .lstm ? "" : "-\(g.cell.rawValue)")
        let d = g.dims
        let description = "n_x \(d.n_x), n_a \(d.n_a), n_y \(d.n_y), T_x \(d.steps), m \(d.batch), seed \(g.seed)"
            + (g.scale == 1 ? "" : ", scale \(g.scale)")
        let fixture = Fixture(name: name, description: description, network: random(g.cell.cell))
        return layout.map { $0.generated(fixture, seed: g.seed, batchFirst: batchFirst) } ?? fixture
    }

    /// The LSTM of `fixture`, or a usage error for commands that only the LSTM has.
    static func lstm(_ fixture: Fixture, command: String) throws(UsageError) -> Problem<LSTM, Double> {
        guard let p = fixture.network as? Problem<LSTM, Double> else {
            throw UsageError(.lstmOnly(command: command, network: fixture.name, cell: fixture.network.kind), command: command)
        }
        return p
    }
}
