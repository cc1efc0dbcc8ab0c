import LSTMGradCheck

/// `--shard K/N` on `grads --method numerical` and on `check`: a large finite-difference run
/// split into N parts that separate jobs compute (a CI matrix, a Slurm array, Kubernetes indexed
/// Jobs, GNU parallel), each printed as a part file that `merge` joins into the bytes one
/// unsharded run prints.
struct Shard: Sendable, Equatable {
    static let spec = OptionSpec(name: "shard", value: "K/N", help: "Compute only the K-th of N deterministic, balanced slices of the finite differences (1 ≤ K ≤ N) and print it as a part file (JSON) for 'lstm-gradcheck merge', which prints what the unsharded run prints: to spread a large check over a CI matrix, a Slurm array or any job runner.")

    /// K of N, 1-based.
    var index: Int, count: Int
    var text: String { "\(index)/\(count)" }

    init(index: Int, count: Int) {
        self.index = index
        self.count = count
    }

    /// `--shard K/N`, or nil without it.
    init?(_ p: ParsedArguments) throws(UsageError) {
        guard let text = p.string(Self.spec) else { return nil }
        let words = text.split(separator: "/", omittingEmptySubsequences: false)
        guard words.count == 2, words.allSatisfy({ !$0.isEmpty && $0.count <= 7 && $0.allSatisfy { $0.isASCII && $0.isNumber } }),
              let k = Int(words[0]), let n = Int(words[1]), (1...1_000_000).contains(n), (1...n).contains(k) else {
            throw UsageError(.invalidValue(option: Self.spec.name, expected: "K/N, the K-th of N shards with 1 ≤ K ≤ N ≤ 1000000 (e.g. 2/3)",
                                           value: text, suggestion: nil), command: p.command)
        }
        self.init(index: k, count: n)
    }

    /// The finite differences of `request` on this shard's elements under `--threads` and
    /// `--budget`; a stop leaves no part (a part needs every element of its slice).
    func compute<C: Cell>(_ problem: Problem<C, Double>, _ request: FiniteDifferences.Request,
                          run: RunOptions) throws -> (ElementSelection, FiniteDifferences.ElementResults) {
        let selection = Shards.plan(problem, request, count: count)[index - 1]
        let (control, bar) = run.control(detail: "shard \(text)")
        let results = FiniteDifferences.elements(problem, request.selecting(selection), control: control)
        bar?.clear()
        if let stop = results.stop {
            throw Interrupted(finished: "\(100 * stop.done / max(stop.total, 1))% of shard \(text)'s finite differences",
                              byBudget: stop.reason == .deadline)
        }
        if Interrupt.requested { throw Interrupted(finished: "shard \(text)'s finite differences") }
        return (selection, results)
    }

    /// The part file of this shard: its elements' values (and their error estimates, when
    /// `withErrors`), with `extra` for what `merge` needs besides.
    func part<C: Cell>(_ command: String, _ problem: Problem<C, Double>, name: String, context: String,
                       _ selection: ElementSelection, _ results: FiniteDifferences.ElementResults,
                       withErrors: Bool = false, extra: JSONValue? = nil) -> JSONValue {
        ShardFile.encode(ShardPart(
            command: command, fingerprint: Shards.hex(Shards.fingerprint(problem, context: context)),
            index: index, count: count, name: name, cell: C.kind, dims: problem.dims,
            inputs: ShardPart.inputs(of: problem), elements: selection.ranges,
            values: results.values.map { $0 ?? .nan }, errors: withErrors ? results.errors.map { $0 ?? .nan } : nil, extra: extra))
    }

    // MARK: grads

    /// What a `grads` part's fingerprint covers besides the network: the method, its step, and
    /// the layout the gradient file is written in.
    static func gradsContext(_ request: FiniteDifferences.Request, _ form: LayoutForm) -> String {
        "grads \(Method<LSTM>.numerical.name) \(describe(request))" + (form.layout == .coursera ? "" : " \(ShardFile.describe(form))")
    }

    /// `grads --method numerical --shard K/N`: the part file of shard K.
    /// A fixture in a framework's layout carries it (`extra.layout`), so that `merge` writes the
    /// gradient file in the layout's names, as the unsharded run does.
    func gradsPart<P: CellProblem>(_ p: P, name: String, form: LayoutForm, run: RunOptions) throws -> JSONValue {
        let request = FiniteDifferences.Request.central()
        let (selection, results) = try compute(p.typed, request, run: run)
        return part("grads", p.typed, name: name, context: Self.gradsContext(request, form), selection, results,
                    extra: form.layout == .coursera ? nil : ShardFile.layoutJSON(form))
    }

    // MARK: check

    /// What a `check` part's fingerprint covers besides the network: the finite differences,
    /// the network's name and description (the report prints them) and the check's settings.
    static func checkContext(_ fixture: Fixture, _ settings: [String], _ request: FiniteDifferences.Request) -> String {
        (["check", describe(request), fixture.name, fixture.description ?? ""] + settings).joined(separator: "\u{1F}")
    }

    static func describe(_ request: FiniteDifferences.Request) -> String {
        let step: String
        switch request.step {
        case .fixed(let h): step = "h=" + String(h.bitPattern, radix: 16)
        case .perElement: step = "h=per-element"
        }
        return "\(request.scheme.rawValue) \(step) estimate=\(request.estimatesError)"
    }
}
