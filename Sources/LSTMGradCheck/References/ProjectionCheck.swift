import Dispatch

/// All of a candidate gradient checked at once: the directional derivative D of the loss along
/// a random direction d against `⟨g, d⟩`. A wrong g fails
/// unless its error is orthogonal to d (probability zero for d uniform in [−1, 1)ⁿ; a second
/// direction guards against near misses). When it fails, probes that move only part of the
/// inputs (d restricted to the part) name the wrong parts in a logarithmic number of further
/// passes: the tensors by group testing (halving a failing set), within a gate's weights the
/// columns acting on a_{t−1} or on x_t, and within x the first and the last wrong step.
public enum ProjectionCheck {
    /// Inputs a probe moves: whole tensors, or one tensor's columns (a gate's weights) or steps (x).
    public struct Part: Sendable, Equatable, CustomStringConvertible {
        public var keys: [Input<LSTM>]
        /// For one gate weight: its columns acting on a_{t−1} (`0..<n_a`) or on x_t (`n_a..<n_a+n_x`).
        public var columns: Range<Int>?
        /// For x: its steps.
        public var steps: Range<Int>?

        public var description: String {
            var text = keys.map(\.name).joined(separator: " ")
            if let steps { text += steps.count == 1 ? " step \(steps.lowerBound)" : " steps \(steps.lowerBound)…\(steps.upperBound - 1)" }
            if let columns { text += " columns \(columns.lowerBound)..<\(columns.upperBound)" }
            return text
        }
    }

    /// One comparison of a directional derivative with the candidate's prediction.
    public struct Probe: Sendable {
        public var part: Part
        /// Which of the drawn directions (0-based).
        public var direction: Int
        /// The derivative of the loss along d restricted to the part (`ProjectionCheck.run`).
        public var directional: Double
        /// `⟨g_part, d_part⟩` with the candidate g.
        public var predicted: Double
        /// `|directional − predicted| / (|directional| + |predicted|)`; 0 when both are 0.
        public var relativeError: Double
        public var pass: Bool
    }

    /// A part the probes found wrong, with the probe that shows it.
    public struct Finding: Sendable {
        public var key: Input<LSTM>
        /// For a gate's weights: the columns acting on a_{t−1} or those on x_t, or nil when both
        /// or neither alone fail.
        public var columns: WeightColumns?
        /// For x: the first and last step whose gradient is wrong.
        public var steps: ClosedRange<Int>?
        public var evidence: Probe
    }

    /// The two halves of a gate weight acting on `concat = [a_{t−1}; x_t]`.
    public enum WeightColumns: String, Sendable, CaseIterable {
        /// The columns acting on a_{t−1}.
        case recurrent
        /// The columns acting on x_t.
        case input
    }

    /// One candidate's probes: what decides it (`MethodReport.projection`).
    public struct Result: Sendable {
        /// Every probe, in the order run.
        public var probes: [Probe]
        /// The wrong parts; empty when the candidate passed.
        public var findings: [Finding]
        /// Keys of the problem the candidate does not give (or gives in another shape): not checked.
        public var missing: [String]
        /// Pairs of loss evaluations: the probes run.
        public var passes: Int { probes.count }
        public var stop: StopReason?
        /// A mismatch when a probe failed; inconclusive when none did but the run stopped first.
        public var outcome: MethodReport.Outcome {
            if !findings.isEmpty || !probes.allSatisfy(\.pass) { return .mismatch }
            return stop == nil ? .matches : .inconclusive
        }
        /// Every probe of every direction passed over the whole candidate, and nothing stopped the run.
        public var passed: Bool { outcome == .matches }
    }

    /// Checks `candidate` against `problem`'s loss along `directions` random directions drawn
    /// from `seed`. D is the five-point central difference
    /// `(8(L(θ + h·d) − L(θ − h·d)) − (L(θ + 2h·d) − L(θ − 2h·d))) / 12h`, summed step by step:
    /// every input moves at once, so the h² term of the plain central difference is that of the
    /// whole direction (up to 1e-5 of D at h = 1e-5 on the large benchmark network), and this
    /// one leaves an h⁴ term instead. A probe passes when `|D − P| ≤ tolerance·(|D| + |P|) + floor`,
    /// `floor = 8·ε·Σ|ℓ_t,j|/h` over the loss's terms: some 80 times the rounding seen in D.
    /// `control.progress` counts probes against an upper bound, which drops to the count run at the end.
    public static func run(_ problem: Problem<LSTM, Double>, candidate: Gradients<LSTM>, seed: UInt64 = 1, directions: Int = 2,
                           step h: Double = FiniteDifferences.defaultStep, tolerance: Double = Comparison.defaultTolerance,
                           control: RunControl = RunControl()) -> Result {
        let keys = problem.inputs.filter { candidate[$0]?.shape == problem.shape(of: $0) }
        let missing = problem.inputs.filter { !keys.contains($0) }.map(\.name)
        let d = problem.dims, K = d.n_a + d.n_x
        let base = losses(problem)
        let floor = 8 * Double.ulpOfOne * base.reduce(0) { $0 + abs($1) } / h
        let gradients = Dictionary(uniqueKeysWithValues: keys.map { ($0, candidate[$0]!.data) })
        let drawn = (0..<max(directions, 1)).map { k in
            var g = SeededGenerator(seed: seed &+ UInt64(k))
            return Dictionary(uniqueKeysWithValues: problem.inputs.map { key in
                (key, (0..<problem.shape(of: key).reduce(1, *)).map { _ in g.symmetric(1) })
            })
        }
        let logSteps = Int.bitWidth - max(d.steps - 1, 0).leadingZeroBitCount   // ⌈log₂ T⌉
        let bound = drawn.count + 2 * keys.count + 8 + 2 * logSteps
        var report = Result(probes: [], findings: [], missing: missing, stop: nil)

        /// Runs one probe; nil once the run is stopped.
        func probe(_ part: Part, _ k: Int) -> Probe? {
            if let stop = control.stopReason() {
                report.stop = stop
                return nil
            }
            let direction = drawn[k]
            // Whether element `flat` of one of the part's tensors is in the part.
            func inPart(_ flat: Int) -> Bool {
                if let columns = part.columns, !columns.contains(flat % K) { return false }
                if let steps = part.steps, !steps.contains(flat % d.steps) { return false }
                return true
            }
            var predicted = 0.0
            for key in part.keys {
                guard let g = gradients[key], let v = direction[key] else { continue }
                for flat in g.indices where inPart(flat) { predicted += g[flat] * v[flat] }
            }
            let moved = [h, -h, 2 * h, -2 * h].map { s in
                // `lifted` goes tensor by tensor: look the direction up once per tensor.
                var current: (key: Input<LSTM>?, moves: Bool, d: [Double]) = (nil, false, [])
                return problem.lifted { key, flat, value in
                    if key != current.key { current = (key, part.keys.contains(key), direction[key] ?? []) }
                    return current.moves && inPart(flat) ? value + s * current.d[flat] : value
                }
            }
            let losses = evaluate(moved, threads: control.threads)
            var difference = 0.0
            for q in losses[0].indices { difference += 8 * (losses[0][q] - losses[1][q]) - (losses[2][q] - losses[3][q]) }
            let directional = difference / (12 * h)
            let gap = abs(directional - predicted), size = abs(directional) + abs(predicted)
            let result = Probe(part: part, direction: k, directional: directional, predicted: predicted,
                               relativeError: size == 0 ? 0 : gap / size, pass: gap <= tolerance * size + floor)
            report.probes.append(result)
            control.progress?(.projectionCheck, report.probes.count, max(bound, report.probes.count))
            return result
        }

        // The whole candidate along each direction; the first that fails is the one to bisect with.
        var failing: (Int, Probe)?
        for k in drawn.indices {
            guard let p = probe(Part(keys: keys), k) else { return report }
            if !p.pass {
                failing = (k, p)
                break
            }
        }
        guard let (k, whole) = failing else {
            control.progress?(.projectionCheck, report.probes.count, report.probes.count)
            return report
        }

        // Group testing: a failing set of tensors is halved until single tensors remain.
        var wrong: [(Input<LSTM>, Probe)] = []
        func locate(_ set: [Input<LSTM>], _ known: Probe) -> Bool {
            if set.count == 1 {
                wrong.append((set[0], known))
                return true
            }
            let halves = [Array(set[..<(set.count / 2)]), Array(set[(set.count / 2)...])]
            for half in halves {
                guard let p = probe(Part(keys: half), k) else { return false }
                if !p.pass, !locate(half, p) { return false }
            }
            return true
        }
        guard locate(keys, whole) else { return report }

        for (key, evidence) in wrong {
            var finding = Finding(key: key, columns: nil, steps: nil, evidence: evidence)
            if case .parameter(let p) = key, p.gate != nil, p.isWeight {
                var failed: [(WeightColumns, Probe)] = []
                for (name, columns) in [(WeightColumns.recurrent, 0..<d.n_a), (.input, d.n_a..<K)] {
                    guard let p = probe(Part(keys: [key], columns: columns), k) else { return report }
                    if !p.pass { failed.append((name, p)) }
                }
                if failed.count == 1 { (finding.columns, finding.evidence) = failed[0] }
            } else if key == .x {
                // The last wrong step: the largest t whose suffix t..<T fails; the first: the
                // smallest t whose prefix 0…t fails.
                var (lo, hi) = (0, d.steps - 1)
                while lo < hi {
                    let mid = (lo + hi + 1) / 2
                    guard let p = probe(Part(keys: [.x], steps: mid..<d.steps), k) else { return report }
                    if p.pass { hi = mid - 1 } else { lo = mid }
                }
                let last = lo
                hi = last
                lo = 0
                while lo < hi {
                    let mid = (lo + hi) / 2
                    guard let p = probe(Part(keys: [.x], steps: 0..<(mid + 1)), k) else { return report }
                    if p.pass { lo = mid + 1 } else { hi = mid }
                }
                finding.steps = lo...last
            }
            report.findings.append(finding)
        }
        control.progress?(.projectionCheck, report.probes.count, report.probes.count)
        return report
    }

    /// The per-step, per-column losses of `problem` from the kernel, or the whole loss as one
    /// term for a target the kernels do not take (masked labels).
    private static func losses(_ problem: Problem<LSTM, Double>) -> [Double] {
        LSTMKernel(problem)?.trajectory().losses ?? [problem.loss]
    }

    /// The per-step, per-column losses of each problem, on up to `threads` threads.
    private static func evaluate(_ problems: [Problem<LSTM, Double>], threads: Int) -> [[Double]] {
        let parts = min(max(threads, 1), problems.count)
        if parts == 1 { return problems.map(losses) }
        var out = [[Double]](repeating: [], count: problems.count)
        out.withUnsafeMutableBufferPointer { slots in
            nonisolated(unsafe) let slots = slots   // each slot written by one thread, read after the join
            DispatchQueue.concurrentPerform(iterations: parts) { part in
                for q in stride(from: part, to: problems.count, by: parts) { slots[q] = losses(problems[q]) }
            }
        }
        return out
    }

}

extension GradCheck {
    /// The check of `methods` on `problem` by `Selection.projection(directions:seed:)`: each
    /// method's gradient in turn by `ProjectionCheck.run`, one `control.progress` bar over all of
    /// them. A stop ends the run: the methods after it are left without probes.
    public static func projected(_ problem: Problem<LSTM, Double>, name: String, methods: [Method<LSTM>], seed: UInt64 = 1,
                                 directions: Int = 2, tolerance: Double = Comparison.defaultTolerance,
                                 control: RunControl = RunControl()) -> CheckReport {
        var report = CheckReport(.projection(directions: directions, seed: seed), name: name, dims: problem.dims,
                                 tolerance: tolerance, methods: [], stop: nil)
        for (k, method) in methods.enumerated() {
            var each = control
            if let progress = control.progress {
                // Method k's probes follow those of the k before it.
                each.progress = { phase, done, total in progress(phase, k * total + done, methods.count * total) }
            }
            let result = report.stop == nil
                ? ProjectionCheck.run(problem, candidate: method.compute(problem), seed: seed, directions: directions,
                                      tolerance: tolerance, control: each)
                : nil
            report.stop = report.stop ?? result?.stop
            report.methods.append(MethodReport(method, tensors: [], projection: result))
        }
        return report
    }
}
