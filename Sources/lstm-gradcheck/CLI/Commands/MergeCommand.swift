import LSTMGradCheck

/// `lstm-gradcheck merge PART…`: the part files of a sharded run (`--shard K/N`), checked to be
/// one whole run and joined into exactly what the unsharded run prints.
struct MergeCommand: Subcommand {
    static let configuration = CommandConfiguration(
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
        usage: "lstm-gradcheck merge PART… [--threads N]")

    static let threadsSpec = OptionSpec(name: "threads", value: "N", help: "Worker threads for a merged check's exact reference (default all \(RunControl.allCores) cores here); the output is the same for any N.")
    static let options = [threadsSpec, NetworkOptions.maxMemory]
    static let maxPositionals = Int.max

    /// The part files, in the order given (any order will do).
    var paths: [String]
    /// `--threads`, handed to a merged check's exact reference.
    var threads: Int?
    var limits: Limits

    init(_ p: ParsedArguments) throws(UsageError) {
        paths = p.positionals
        guard !paths.isEmpty else {
            throw UsageError(.missingOptions(command: Self.name, ["the part files of every shard (lstm-gradcheck merge part-1.json part-2.json …)"]),
                             command: Self.name)
        }
        threads = try p.int(Self.threadsSpec, in: 1...4096)
        limits = try NetworkOptions.limits(p)
    }

    func run(_ out: Output) throws -> Outcome {
        var parts: [(source: String, part: ShardPart)] = []
        for path in paths { parts.append((path, try ShardFile.read(path, limits: limits))) }
        let merged = try ShardFile.merge(parts)
        let (source, first) = parts[0]
        switch first.command {
        case "grads":
            out.write(JSON.serialize(try ShardFile.gradientFile(merged.values, of: first, form: try ShardFile.layoutForm(first, source: source))) + "\n")
            return .matches
        case "check":
            return try mergeCheck(source, first, merged, out)
        default:
            throw InputError(source: source, key: "command", expected: "grads or check", found: "\"\(first.command)\"")
        }
    }

    /// The check the parts of a sharded `check` were shards of: its finite differences from
    /// the parts, the exact reference and every comparison run here, printed as `check` prints.
    private func mergeCheck(_ source: String, _ first: ShardPart, _ merged: (values: [Double], errors: [Double]?),
                            _ out: Output) throws -> Outcome {
        guard case .array(let words)? = first.extra?["options"], let network = first.extra?["fixture"],
              case let settings = words.compactMap({ (w: JSONValue) -> String? in if case .string(let s) = w { return s } else { return nil } }),
              settings.count == words.count, let errors = merged.errors else {
            throw InputError(source: source, key: "extra", expected: "the check's options and network", found: first.extra?.kindDescription ?? "none")
        }
        let fixture = try FixtureFile.decode(network, source: source + " (extra.fixture)", defaultName: first.name)
        // The check's own options, as given to the shards; --threads is merge's.
        let check = try CheckCommand.parse(settings + (threads.map { ["--threads", "\($0)"] } ?? []))
        try check.validate(fixture)
        let options = check.setup.decision.checkOptions
        func report<P: CellProblem>(_ p: P) throws -> CheckReport {
            let request = FiniteDifferences.Request.estimate(options.scheme)
            guard Shards.hex(Shards.fingerprint(p.typed, context: Shard.checkContext(fixture, settings, request))) == first.fingerprint else {
                throw InputError(source: source, key: "extra", expected: "the network and options fingerprint \(first.fingerprint) was made of",
                                 found: "others (edited?)")
            }
            let numerical = NumericalGradient(p.typed, FiniteDifferences.ElementResults(
                numbers: Array(merged.values.indices), values: merged.values, errors: errors))
            let methods = try check.setup.methods.methods(P.C.self, steps: p.dims.steps, command: CheckCommand.name)
            let (control, bar) = check.setup.runOptions.control()
            let report = GradCheck.check(p.typed, name: fixture.name, methods: methods, options: options, control: control,
                                         numerical: numerical, form: fixture.form)
            bar?.clear()
            if report.stop == .cancelled || Interrupt.requested { throw Interrupted(finished: "nothing (the exact reference was not complete)") }
            return report
        }
        let rendered = try check.render(try report(fixture.network), fixture, colour: out.colour)
        out.write(ManyFixtures.output([rendered], command: CheckCommand.name, format: check.format, quiet: check.quiet))
        return rendered.outcome
    }
}
