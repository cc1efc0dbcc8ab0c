import LSTMGradCheck

/// `check --sample N` and `check --projection`: the checks for networks too large to compare
/// every element, run on every chosen method under `--threads` and `--budget`.
enum LargeChecks {
    static let specs: [OptionSpec] = [
        OptionSpec(name: "sample", value: "N", help: "Check N random elements of each tensor (drawn from --seed; all of a smaller tensor) against central differences instead of every element: for networks too large for a full check."),
        OptionSpec(name: "projection", value: nil, help: "Check all of each method's gradients at once along random directions (drawn from --seed) and, where it fails, bisect to the wrong tensors, gate columns and steps: for networks too large for a full check."),
    ]

    /// Options of the full check that these do not take.
    private static let fullCheckOnly = ["reference", "fd", "precision", "detail", "heatmap"]

    /// Whether the run is one of these, which take `--seed` with `--fixture` too (it draws the sample).
    static func requested(_ o: ParsedOptions) -> Bool { o.has("projection") || o.string("sample") != nil }

    /// The results every renderer of these checks needs.
    struct Run {
        var fixture: Fixture
        var methods: [Method<LSTM>]
        var seed: UInt64
        var tolerance: Double
        var sampled: [SampledCheck.Report] = []
        var samples = 0
        var projected: [ProjectionCheck.Report] = []

        var stop: StopReason? { sampled.first?.stop ?? projected.first { $0.stop != nil }?.stop }

        /// Whether each method run found nothing wrong (in what it did before a stop).
        var passed: [Bool] {
            sampled.isEmpty ? projected.map { $0.findings.isEmpty && $0.probes.allSatisfy(\.pass) } : sampled.map { $0.wrong.isEmpty }
        }

        /// SPEC's statuses: 1 when a method expected to be correct fails, 3 when none does but
        /// the run stopped before its end, 0 otherwise.
        var exitStatus: Int32 {
            if zip(methods, passed).contains(where: { $0.expectation == .correct && !$1 }) { return ExitStatus.mismatch }
            return stop == nil ? ExitStatus.success : ExitStatus.inconclusive
        }
    }

    static func run(_ o: ParsedOptions, _ fixture: Fixture, format: String, _ out: Output) throws -> Int32 {
        let mode = o.has("projection") ? "--projection" : "--sample"
        if o.has("projection") && o.string("sample") != nil {
            throw UsageError(message: "'--sample' and '--projection' cannot be combined", command: o.command)
        }
        if let clash = fullCheckOnly.first(where: { o.string($0) != nil || o.has($0) }) {
            throw UsageError(message: "'--\(clash)' cannot be combined with '\(mode)'", command: o.command)
        }
        guard format != "markdown" else {
            throw UsageError(message: "option '--format' takes text or json with '\(mode)', not 'markdown'", command: o.command)
        }
        let problem = try ProblemOptions.lstm(fixture, o)
        var run = Run(fixture: fixture, methods: try Commands.methodList(o, LSTM.self, steps: problem.dims.steps),
                      seed: UInt64(try o.int("seed", default: Int(ProblemOptions.defaultSeed), in: 0...Int.max)),
                      tolerance: try o.positive("tolerance", default: Comparison.defaultTolerance))
        run.samples = try o.int("sample", default: 0, in: 1...1_000_000_000)
        let (control, bar) = try RunOptions.control(o, label: mode == "--sample" ? "sampled check" : "projection check")
        let candidates = run.methods.map { $0.compute(problem) }
        if mode == "--sample" {
            run.sampled = SampledCheck.run(problem, candidates: candidates, samples: run.samples, seed: run.seed,
                                           tolerance: run.tolerance, control: control)
        } else {
            for (k, candidate) in candidates.enumerated() where run.stop == nil {
                // One bar over all methods: method k's probes follow those of the k before it.
                var each = control
                if let progress = control.progress {
                    let count = candidates.count
                    each.progress = { done, total in progress(k * total + done, count * total) }
                }
                run.projected.append(ProjectionCheck.run(problem, candidate: candidate, seed: run.seed, tolerance: run.tolerance, control: each))
            }
        }
        bar?.clear()
        if run.stop == .cancelled || Interrupt.requested {
            let tensors = run.sampled.first?.tensors ?? []
            let drawn = tensors.reduce(0) { $0 + min(run.samples, $1.shape.reduce(1, *)) }
            throw Interrupted(finished: mode == "--sample"
                ? "the finite differences of \(tensors.reduce(0) { $0 + $1.indices.count }) of the \(drawn) sampled elements"
                : "the projection check of \(run.projected.filter { $0.stop == nil }.count) of \(run.methods.count) methods")
        }
        switch (mode, format) {
        case ("--sample", "json"): out.write(JSON.serialize(SampledReport.json(run)) + "\n")
        case ("--sample", _): out.write(SampledReport.text(run, colour: out.colour))
        case (_, "json"): out.write(JSON.serialize(ProjectionReport.json(run)) + "\n")
        default: out.write(ProjectionReport.text(run, colour: out.colour))
        }
        return run.exitStatus
    }
}
