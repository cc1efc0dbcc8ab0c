extension GradCheck {
    /// The check of `methods` on `Selection.sample(count:seed:)`'s elements of each tensor
    /// against their central differences at step h (the quotient of
    /// `FiniteDifferences.Request.central(step:)`, by the batched backend): for networks too
    /// large to check every element. Each tensor's comparison is over its checked elements
    /// (`Comparison.compare(_:_:at:reference:tolerance:)`), held to `tolerance`. The central
    /// differences are computed once, for the tensors every method gives (the others are not
    /// checked). They run in rounds, each taking the next share of every tensor's sample, so a
    /// deadline leaves every tensor a similar part of its sample: the report then holds what was
    /// done, and `stop` says why. (`FiniteDifferences.elements` would make each tensor one round,
    /// and a deadline would leave the last tensors with nothing checked.)
    public static func sampled(_ problem: Problem<LSTM, Double>, name: String, methods: [Method<LSTM>], count: Int,
                               seed: UInt64 = 1, step h: Double = FiniteDifferences.defaultStep,
                               tolerance: Double = Comparison.defaultTolerance, control: RunControl = RunControl()) -> CheckReport {
        let candidates = methods.map { $0.compute(problem) }
        let keys = problem.inputs.filter { input in candidates.allSatisfy { $0[input]?.shape == problem.shape(of: input) } }
        let drawn = Selection.sample(problem, keys: keys, count: count, seed: seed)
        let rounds = min(8, max(count, 1))
        var order: [[ElementID<LSTM>]] = Array(repeating: [], count: rounds)
        var position: [(key: Int, sample: Int)] = []
        for r in 0..<rounds {
            for (k, key) in keys.enumerated() {
                let n = drawn[k].count
                for s in (r * n / rounds)..<((r + 1) * n / rounds) {
                    order[r].append(ElementID(key, drawn[k][s]))
                    position.append((k, s))
                }
            }
        }
        let (values, stop) = BatchedFiniteDifferences.central(problem, rounds: order, step: h, control: control.during(.sampledCheck))
        var reference: [[Double?]] = drawn.map { Array(repeating: nil, count: $0.count) }
        for (v, p) in zip(values, position) { reference[p.key][p.sample] = v }
        let reports = zip(methods, candidates).map { method, candidate in
            MethodReport(method, tensors: keys.enumerated().map { k, key in
                let done = drawn[k].indices.filter { reference[k][$0] != nil }
                return Comparison.compare(key.name, candidate[key]!, at: done.map { drawn[k][$0] },
                                          reference: done.map { reference[k][$0]! }, tolerance: tolerance)
            })
        }
        return CheckReport(.sample(count: count, seed: seed), name: name, dims: problem.dims, tolerance: tolerance,
                           methods: reports, stop: stop)
    }
}

/// One candidate gradient, not a catalogue method, checked on a sample.
public enum SampledCheck {
    /// `GradCheck.sampled` of `candidate` alone, as the method `candidate`, expected to be correct.
    public static func run(_ problem: Problem<LSTM, Double>, candidate: Gradients<LSTM>, samples: Int, seed: UInt64 = 1,
                           step h: Double = FiniteDifferences.defaultStep, tolerance: Double = Comparison.defaultTolerance,
                           control: RunControl = RunControl()) -> CheckReport {
        let method = Method<LSTM>(name: "candidate", expectation: .correct, summary: "", reason: "",
                                  compute: { _ in candidate }, computeSingle: nil)
        return GradCheck.sampled(problem, name: "candidate", methods: [method], count: samples, seed: seed, step: h,
                                 tolerance: tolerance, control: control)
    }
}
