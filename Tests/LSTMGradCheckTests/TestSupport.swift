@testable import LSTMGradCheck

/// `‖g − r‖ / (‖g‖ + ‖r‖)` written out again here, so tests do not lean on the code they check.
func relativeError(_ g: Tensor, _ r: Tensor) -> Double {
    precondition(g.shape == r.shape)
    var d = 0.0, a = 0.0, b = 0.0
    for k in g.data.indices {
        d += (g.data[k] - r.data[k]) * (g.data[k] - r.data[k])
        a += g.data[k] * g.data[k]
        b += r.data[k] * r.data[k]
    }
    return a + b == 0 ? 0 : d.squareRoot() / (a.squareRoot() + b.squareRoot())
}

/// The largest per-tensor relative error between two gradient sets over `a`'s keys.
func worstRelativeError(_ a: Gradients, _ b: Gradients) -> (key: String, error: Double) {
    var worst = (key: "", error: 0.0)
    for key in a.keys {
        guard let x = a[key], let y = b[key] else { return (key, .infinity) }
        let e = relativeError(x, y)
        if e > worst.error { worst = (key, e) }
    }
    return worst
}

/// Random sizes from a fixed seed, always including the corner of all ones.
func randomDims(count: Int, seed: UInt64) -> [LSTMDims] {
    var g = SeededGenerator(seed: seed)
    var out = [LSTMDims(n_x: 1, n_a: 1, n_y: 1, steps: 1, batch: 1),
               LSTMDims(n_x: 1, n_a: 1, n_y: 2, steps: 3, batch: 1)]
    while out.count < count {
        out.append(LSTMDims(n_x: 1 + g.index(4), n_a: 1 + g.index(5), n_y: 1 + g.index(4),
                            steps: 1 + g.index(6), batch: 1 + g.index(4)))
    }
    return out
}

/// An upstream-gradient problem (the notebook's `lstm_backward(da, caches)`) over the first `window` steps.
func upstreamProblem(_ d: LSTMDims, window: Int, seed: UInt64, withC0: Bool = false) -> LSTMProblem<Double> {
    var sized = d
    sized.n_y = 1   // drawn, then dropped: an upstream target has no output layer
    var p = LSTMProblem.random(sized, seed: seed)
    var g = SeededGenerator(seed: seed &+ 99)
    let da = (0..<window).map { _ in Matrix<Double>(rows: d.n_a, cols: d.batch, storage: (0..<(d.n_a * d.batch)).map { _ in g.symmetric(1) }) }
    p.parameters.Wy = Matrix(rows: 0, cols: d.n_a)
    p.parameters.by = Matrix(rows: 0, cols: 1)
    p.target = .upstream(da)
    if withC0 {
        p.c0 = Matrix(rows: d.n_a, cols: d.batch, storage: (0..<(d.n_a * d.batch)).map { _ in g.symmetric(1) })
        p.hasC0 = true
    }
    return p
}

/// Random networks with labels and the corners the kernels must get right — an upstream target
/// shorter than the sequence with c0, every size 1 with c0, saturated gates — by name (the name
/// says what it is; the problem would fill a screen in a test's description).
func namedProblems(count: Int, seed: UInt64) -> [String: LSTMProblem<Double>] {
    var out: [String: LSTMProblem<Double>] = [:]
    for (k, d) in randomDims(count: count, seed: seed).enumerated() {
        out["labels n_x \(d.n_x) n_a \(d.n_a) n_y \(d.n_y) T \(d.steps) m \(d.batch)"] = LSTMProblem.random(d, seed: seed &+ UInt64(k))
    }
    out["upstream T′ 4 of 7, c0"] = upstreamProblem(LSTMDims(n_x: 3, n_a: 4, n_y: 0, steps: 7, batch: 3), window: 4, seed: seed, withC0: true)
    out["upstream all ones, c0"] = upstreamProblem(LSTMDims(n_x: 1, n_a: 1, n_y: 0, steps: 1, batch: 1), window: 1, seed: seed, withC0: true)
    out["upstream T′ = T"] = upstreamProblem(LSTMDims(n_x: 2, n_a: 3, n_y: 0, steps: 5, batch: 2), window: 5, seed: seed)
    out["saturated gates"] = LSTMProblem.random(LSTMDims(n_x: 2, n_a: 3, n_y: 3, steps: 6, batch: 2), seed: seed,
                                                scale: GenerationScale(weights: 6, inputs: 1))
    return out
}
