/// A candidate gradient checked on a random sample of each tensor's elements against the
/// batched central differences (`--sample N`): for networks too large to check every element.
/// The sample is drawn from `SeededGenerator(seed:)`, so the same seed checks the same elements.
public enum SampledCheck {
    /// One tensor's sampled elements and how far the candidate is from the reference on them.
    public struct TensorResult: Sendable {
        public var key: String
        public var shape: [Int]
        /// Flat (C-order) indices checked, in the order drawn.
        public var indices: [Int]
        /// The candidate's and the central differences' values at `indices`.
        public var candidate: [Double], reference: [Double]
        /// `‖g_S − r_S‖ / (‖g_S‖ + ‖r_S‖)` over the checked elements S; 0 when both are zero.
        public var relativeError: Double
        /// The checked element with the largest `|g − r|`, as a multi-index, and that difference.
        public var worstIndex: [Int]?
        public var maxAbsError: Double
        public var pass: Bool
    }

    public struct Report: Sendable {
        /// The tensors checked, in report order.
        public var tensors: [TensorResult]
        /// Keys of the problem the candidate does not give (or gives in another shape): not checked.
        public var missing: [String]
        /// Set when a deadline or cancellation stopped the run: the tensors hold what was done by then.
        public var stop: StopReason?
        /// The tensors whose sample disagrees.
        public var wrong: [String] { tensors.filter { !$0.pass }.map(\.key) }
        /// Every sampled element checked and every tensor within tolerance.
        public var passed: Bool { stop == nil && wrong.isEmpty }
    }

    /// `samples` elements of each tensor in `problem.inputs` (all of a smaller tensor), drawn
    /// without replacement. They are checked in rounds, each taking the next share of every
    /// tensor's sample, so a deadline leaves every tensor a similar part of its sample.
    public static func run(_ problem: Problem<LSTM, Double>, candidate: Gradients<LSTM>, samples: Int, seed: UInt64 = 1,
                           step h: Double = FiniteDifferences.defaultStep, tolerance: Double = Comparison.defaultTolerance,
                           control: RunControl = RunControl()) -> Report {
        run(problem, candidates: [candidate], samples: samples, seed: seed, step: h, tolerance: tolerance, control: control)[0]
    }

    /// As `run(_:candidate:...)` for several candidates on the same sample: the central
    /// differences are computed once, for the tensors every candidate gives.
    public static func run(_ problem: Problem<LSTM, Double>, candidates: [Gradients<LSTM>], samples: Int, seed: UInt64 = 1,
                           step h: Double = FiniteDifferences.defaultStep, tolerance: Double = Comparison.defaultTolerance,
                           control: RunControl = RunControl()) -> [Report] {
        let keys = problem.inputs.filter { input in candidates.allSatisfy { $0[input]?.shape == problem.shape(of: input) } }
        let missing = problem.inputs.filter { !keys.contains($0) }.map(\.name)
        let drawn = draw(problem, keys: keys, samples: samples, seed: seed)
        let rounds = min(8, max(samples, 1))
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
        return candidates.map { candidate in
            let tensors = keys.enumerated().map { k, key -> TensorResult in
                let done = drawn[k].indices.filter { reference[k][$0] != nil }
                return compare(key.name, candidate[key]!, indices: done.map { drawn[k][$0] }, reference: done.map { reference[k][$0]! },
                               tolerance: tolerance)
            }
            return Report(tensors: tensors, missing: missing, stop: stop)
        }
    }

    /// Each key's sample: all its elements when it has at most `samples`, otherwise `samples`
    /// distinct ones by a partial Fisher–Yates shuffle, tensors drawn in order from one generator.
    /// The shuffle keeps only the positions it moved, so a sample costs memory in its own size,
    /// not the tensor's.
    static func draw(_ problem: Problem<LSTM, Double>, keys: [Input<LSTM>], samples: Int, seed: UInt64) -> [[Int]] {
        var g = SeededGenerator(seed: seed)
        return keys.map { key in
            let n = problem.shape(of: key).reduce(1, *)
            var moved: [Int: Int] = [:], picks: [Int] = []
            for i in 0..<min(max(samples, 0), n) {
                let j = i + g.index(n - i)
                picks.append(moved[j] ?? j)
                moved[j] = moved[i] ?? i
            }
            return picks
        }
    }

    /// `Comparison.compare` on the checked elements of `candidate` as one vector, the worst one
    /// named in the tensor's shape.
    static func compare(_ key: String, _ candidate: Tensor, indices: [Int], reference r: [Double],
                        tolerance: Double) -> TensorResult {
        let g = indices.map { candidate.data[$0] }
        let c = Comparison.compare(key, Tensor(shape: [g.count], data: g), reference: Tensor(shape: [r.count], data: r),
                                   tolerance: tolerance)
        return TensorResult(key: key, shape: candidate.shape, indices: indices, candidate: g, reference: r,
                            relativeError: c.relativeError, worstIndex: indices.isEmpty ? nil : candidate.index(ofFlat: indices[c.worstIndex[0]]),
                            maxAbsError: c.maxAbsError, pass: c.pass)
    }
}
