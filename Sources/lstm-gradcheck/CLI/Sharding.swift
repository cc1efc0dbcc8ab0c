import LSTMGradCheck

/// `--shard K/N` on `grads --method numerical` and on `check`, and `merge PART…`: a large
/// finite-difference run split into N parts that separate jobs compute (a CI matrix, a Slurm
/// array, Kubernetes indexed Jobs, GNU parallel), joined into the bytes one unsharded run prints.
enum Sharding {
    static let spec = OptionSpec(name: "shard", value: "K/N", help: "Compute only the K-th of N deterministic, balanced slices of the finite differences (1 ≤ K ≤ N) and print it as a part file (JSON) for 'lstm-gradcheck merge', which prints what the unsharded run prints: to spread a large check over a CI matrix, a Slurm array or any job runner.")

    /// K of N, 1-based.
    struct Shard {
        var index: Int, count: Int
        var text: String { "\(index)/\(count)" }
    }

    /// `--shard K/N`, or nil without it.
    static func shard(_ o: ParsedOptions) throws(UsageError) -> Shard? {
        guard let text = o.string("shard") else { return nil }
        let words = text.split(separator: "/", omittingEmptySubsequences: false)
        guard words.count == 2, words.allSatisfy({ !$0.isEmpty && $0.count <= 7 && $0.allSatisfy { $0.isASCII && $0.isNumber } }),
              let k = Int(words[0]), let n = Int(words[1]), (1...1_000_000).contains(n), (1...n).contains(k) else {
            throw UsageError(message: "option '--shard' takes K/N, the K-th of N shards with 1 ≤ K ≤ N ≤ 1000000 (e.g. 2/3), not '\(text)'", command: o.command)
        }
        return Shard(index: k, count: n)
    }

    /// The finite differences of `request` on shard `shard`'s elements under `--threads` and
    /// `--budget`; a stop leaves no part (a part needs every element of its slice).
    static func compute<C: Cell>(_ problem: Problem<C, Double>, _ request: FiniteDifferences.Request, _ shard: Shard,
                                 _ o: ParsedOptions) throws -> (ElementSelection, FiniteDifferences.ElementResults) {
        let selection = Shards.plan(problem, request, count: shard.count)[shard.index - 1]
        let (control, bar) = try RunOptions.control(o, label: "finite differences, shard \(shard.text)")
        let results = FiniteDifferences.elements(problem, request.selecting(selection), control: control)
        bar?.clear()
        if let stop = results.stop {
            throw Interrupted(finished: "\(100 * stop.done / max(stop.total, 1))% of shard \(shard.text)'s finite differences",
                              byBudget: stop.reason == .deadline)
        }
        if Interrupt.requested { throw Interrupted(finished: "shard \(shard.text)'s finite differences") }
        return (selection, results)
    }

    static func part<C: Cell>(_ command: String, _ problem: Problem<C, Double>, name: String, context: String, shard: Shard,
                              _ selection: ElementSelection, _ results: FiniteDifferences.ElementResults, extra: JSONValue? = nil) -> JSONValue {
        ShardFile.encode(ShardPart(
            command: command, fingerprint: Shards.hex(Shards.fingerprint(problem, context: context)),
            index: shard.index, count: shard.count, name: name, cell: C.kind, dims: problem.dims,
            inputs: ShardPart.inputs(of: problem), elements: selection.ranges,
            values: results.values.map { $0 ?? .nan }, errors: extra == nil ? nil : results.errors.map { $0 ?? .nan }, extra: extra))
    }

    // MARK: grads

    /// What a `grads` part's fingerprint covers besides the network: the method and its step.
    static func gradsContext(_ request: FiniteDifferences.Request) -> String {
        "grads \(Method<LSTM>.numerical.name) \(describe(request))"
    }

    /// `grads --method numerical --shard K/N`: the part file of shard K.
    static func gradsPart<P: CellProblem>(_ p: P, name: String, method: String, _ shard: Shard, _ o: ParsedOptions) throws -> JSONValue {
        guard method == Method<P.C>.numerical.name else {
            throw UsageError(message: "'--shard' splits the finite differences: it goes with '--method numerical', not '\(method)'", command: o.command)
        }
        let request = FiniteDifferences.Request.central()
        let (selection, results) = try compute(p.typed, request, shard, o)
        return part("grads", p.typed, name: name, context: gradsContext(request), shard: shard, selection, results)
    }

    // MARK: check

    /// The options of `check` that decide what it prints, in a fixed order, as arguments:
    /// what a part carries to `merge` (the network travels as a fixture beside them).
    static let checkValued = ["methods", "format", "reference", "fd", "precision", "tolerance", "heatmap"]
    static let checkFlags = ["detail"]

    static func checkSettings(_ o: ParsedOptions) -> [String] {
        checkValued.flatMap { name in o.string(name).map { ["--\(name)", $0] } ?? [] } + checkFlags.filter(o.has).map { "--\($0)" }
    }

    /// What a `check` part's fingerprint covers besides the network: the finite differences,
    /// the network's name and description (the report prints them) and the check's settings.
    static func checkContext(_ fixture: Fixture, _ settings: [String], _ request: FiniteDifferences.Request) -> String {
        (["check", describe(request), fixture.name, fixture.description ?? ""] + settings).joined(separator: "\u{1F}")
    }

    /// `check --shard K/N`: the finite differences of shard K (values and error estimates),
    /// with the check's settings and the network, for `merge` to finish the check.
    static func checkPart(_ o: ParsedOptions, _ fixture: Fixture, _ shard: Shard, _ out: Output) throws -> Int32 {
        if let clash = ["sample", "projection"].first(where: { o.string($0) != nil || o.has($0) }) {
            throw UsageError(message: "'--shard' cannot be combined with '--\(clash)'", command: o.command)
        }
        let options = try Commands.checkOptions(o)
        guard options.showNumerical else {
            throw UsageError(message: "'--shard' splits the finite differences, which '--fd none' leaves out", command: o.command)
        }
        _ = try heatmapKey(o, fixture)
        let settings = checkSettings(o)
        func part<P: CellProblem>(_ p: P) throws -> JSONValue {
            _ = try Commands.methodList(o, P.C.self, steps: p.dims.steps)
            let request = FiniteDifferences.Request.estimate(options.scheme)
            let (selection, results) = try compute(p.typed, request, shard, o)
            let extra = JSONValue.object([
                JSONMember("options", .array(settings.map { .string($0) })),
                JSONMember("fixture", try FixtureFile.encode(fixture)),
            ])
            return Sharding.part("check", p.typed, name: fixture.name, context: checkContext(fixture, settings, request),
                                 shard: shard, selection, results, extra: extra)
        }
        out.write(JSON.serialize(try part(fixture.network)) + "\n")
        return ExitStatus.success
    }

    /// `--heatmap` checked against the network's inputs.
    static func heatmapKey(_ o: ParsedOptions, _ fixture: Fixture) throws(UsageError) -> String? {
        guard let key = o.string("heatmap") else { return nil }
        guard fixture.network.inputNames.contains(key) else {
            throw UsageError(message: "option '--heatmap' takes one of \(fixture.network.inputNames.joined(separator: ", ")), not '\(key)'", command: o.command)
        }
        return key
    }

    private static func describe(_ request: FiniteDifferences.Request) -> String {
        let step: String
        switch request.step {
        case .fixed(let h): step = "h=" + String(h.bitPattern, radix: 16)
        case .perElement: step = "h=per-element"
        }
        return "\(request.scheme.rawValue) \(step) estimate=\(request.estimatesError)"
    }

    // MARK: merge

    static let merge = Command(
        name: "merge",
        abstract: "Join the part files of a sharded run (--shard K/N) into exactly what the unsharded run prints.",
        discussion: """
            'grads --method numerical --shard K/N' and 'check --shard K/N' compute the K-th of N \
            deterministic, balanced slices of the finite differences and print it as a part file \
            (JSON: the shard, the fingerprint of the network and the run, the elements it holds and \
            their values). Run the N shards anywhere — a CI matrix, a Slurm array, Kubernetes indexed \
            Jobs, GNU parallel — and give merge every part, in any order: it checks that they come \
            from one network and one run, that every shard 1…N is there exactly once and that the \
            parts hold every element exactly once, then prints the bytes the same command prints \
            without --shard (for check, after the exact reference and the comparison, which merge \
            runs itself).

            Exit status: as the unsharded command's (grads 0; check 0, 1 or 3); 2 when a part is \
            missing, given twice, from another network or run or from another split, or not a part.
            """,
        usage: "lstm-gradcheck merge PART… [--threads N]",
        options: [
            OptionSpec(name: "threads", value: "N", help: "Worker threads for a merged check's exact reference (default all \(RunControl.allCores) cores here); the output is the same for any N."),
            ProblemOptions.maxMemorySpec,
        ],
        maxPositionals: Int.max,
        run: { o, out in
            guard !o.positionals.isEmpty else {
                throw UsageError(message: "merge needs the part files of every shard (lstm-gradcheck merge part-1.json part-2.json …)", command: o.command)
            }
            let limits = try ProblemOptions.limits(o)
            var parts: [(source: String, part: ShardPart)] = []
            for path in o.positionals { parts.append((path, try ShardFile.read(path, limits: limits))) }
            let merged = try ShardFile.merge(parts)
            let (source, first) = parts[0]
            switch first.command {
            case "grads":
                out.write(JSON.serialize(try ShardFile.gradientFile(merged.values, of: first)) + "\n")
                return ExitStatus.success
            case "check":
                return try mergeCheck(source, first, merged, o, out)
            default:
                throw InputError(source: source, key: "command", expected: "grads or check", found: "\"\(first.command)\"")
            }
        })

    /// The check the parts of a sharded `check` were shards of: its finite differences from
    /// the parts, the exact reference and every comparison run here, rendered as `check` renders.
    static func mergeCheck(_ source: String, _ first: ShardPart, _ merged: (values: [Double], errors: [Double]?),
                           _ o: ParsedOptions, _ out: Output) throws -> Int32 {
        guard case .array(let words)? = first.extra?["options"], let network = first.extra?["fixture"],
              case let settings = words.compactMap({ (w: JSONValue) -> String? in if case .string(let s) = w { return s } else { return nil } }),
              settings.count == words.count, let errors = merged.errors else {
            throw InputError(source: source, key: "extra", expected: "the check's options and network", found: first.extra?.kindDescription ?? "none")
        }
        let fixture = try FixtureFile.decode(network, source: source + " (extra.fixture)", defaultName: first.name)
        // The check's own options, as given to the shards; --threads is merge's.
        let co = try ParsedOptions(command: "check", arguments: settings + (o.string("threads").map { ["--threads", $0] } ?? []),
                                   specs: Commands.check.options)
        let format = try co.choice("format", ["text", "json", "markdown"], default: "text")
        let options = try Commands.checkOptions(co)
        let heatmap = try heatmapKey(co, fixture)
        func check<P: CellProblem>(_ p: P) throws -> CheckReport {
            let request = FiniteDifferences.Request.estimate(options.scheme)
            guard Shards.hex(Shards.fingerprint(p.typed, context: checkContext(fixture, settings, request))) == first.fingerprint else {
                throw InputError(source: source, key: "extra", expected: "the network and options fingerprint \(first.fingerprint) was made of",
                                 found: "others (edited?)")
            }
            let numerical = NumericalGradient(p.typed, FiniteDifferences.ElementResults(
                numbers: Array(merged.values.indices), values: merged.values, errors: errors))
            let methods = try Commands.methodList(co, P.C.self, steps: p.dims.steps)
            let (control, bar) = try RunOptions.control(co, label: "exact reference")
            let report = GradCheck.check(p.typed, name: fixture.name, methods: methods, options: options, control: control, numerical: numerical)
            bar?.clear()
            if report.stop == .cancelled || Interrupt.requested { throw Interrupted(finished: "nothing (the exact reference was not complete)") }
            return report
        }
        let report = try check(fixture.network)
        Commands.renderCheck(report, fixture: fixture, format: format, detail: co.has("detail"), heatmap: heatmap, out)
        return report.exitStatus
    }
}

extension Commands {
    /// `check`'s report in `format`, as `check` and `merge` print it.
    static func renderCheck(_ report: CheckReport, fixture: Fixture, format: String, detail: Bool, heatmap: String?, _ out: Output) {
        switch format {
        case "json": out.write(JSON.serialize(JSONReport.json(report)) + "\n")
        case "markdown": out.write(MarkdownReport.render(report, fixture: fixture))
        default:
            out.write(TextReport.render(report, fixture: fixture, colour: out.colour, detail: detail))
            if let key = heatmap { out.write("\n" + HeatMap.text(report, key: key, fixture: fixture)) }
        }
    }
}
