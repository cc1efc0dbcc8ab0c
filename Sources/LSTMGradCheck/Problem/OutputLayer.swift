/// The softmax output layer and the loss, shared by the LSTM and the plain RNN:
/// both read only the hidden states `a_t`.
enum OutputLayer {
    /// The loss on hidden states `a[t]`: cross-entropy of `softmax(Wy·a_t + by)` summed
    /// over steps and batch (over the unmasked words, scaled, for masked labels), or
    /// `Σ da_t ⊙ a_t` for an upstream-gradient target.
    static func loss<S>(_ Wy: Matrix<S>, _ by: Matrix<S>, _ target: Target, _ a: [Matrix<S>]) -> S {
        var L = S.zero
        switch target {
        case .labels(let labels):
            for (at, y) in zip(a, labels) {
                L = L - Softmax.logLikelihood(matmul(Wy, at).addingColumn(by), labels: y)
            }
        case .upstream(let da):
            for (dat, at) in zip(da, a) { L = L + (dat.converted(to: S.self) * at).sum() }
        case .maskedLabels(let labels, let mask, let scale):
            var sum = S.zero
            for ((at, y), included) in zip(zip(a, labels), mask) {
                sum = sum + Softmax.logLikelihood(matmul(Wy, at).addingColumn(by), labels: y, included: included)
            }
            L = S(0) - S(scale) * sum
        }
        return L
    }

    /// `Σ|terms|` of `loss`: the loss itself for labels (masked or not), `Σ|da ⊙ a|` for an upstream target.
    static func termMagnitude(_ Wy: Matrix<Double>, _ by: Matrix<Double>, _ target: Target, _ a: [Matrix<Double>]) -> Double {
        switch target {
        case .labels, .maskedLabels: return abs(loss(Wy, by, target, a))
        case .upstream(let da):
            return zip(da, a).reduce(0) { total, pair in
                zip(pair.0.storage, pair.1.storage).reduce(total) { $0 + abs($1.0 * $1.1) }
            }
        }
    }

    struct Backward<S: Scalar> {
        /// `da[t] = Wyᵀ(ŷ_t − y_t)`, or the given upstream gradient (zeros past T').
        var da: [Matrix<S>]
        var dWy: Matrix<S>
        var dby: Matrix<S>
    }

    /// What reaches each `a_t` from the loss at step t (the notebook's `da[:,:,t]`), and `dWy`, `dby`.
    static func backward<S>(_ Wy: Matrix<S>, _ by: Matrix<S>, _ target: Target, _ a: [Matrix<S>]) -> Backward<S> {
        var dWy = Matrix<S>(rows: Wy.rows, cols: Wy.cols)
        var dby = Matrix<S>(rows: by.rows, cols: by.cols)
        /// ∂L/∂z for softmax with cross-entropy: ŷ − onehot(y). At the label,
        /// ŷ_y − 1 = −Σ_{k≠y} ŷ_k, summed so that a nearly right ŷ_y ≈ 1 loses nothing.
        func logitGradient(_ at: Matrix<S>, _ y: [Int]) -> Matrix<S> {
            var dz = Softmax.probabilities(matmul(Wy, at).addingColumn(by))
            for (j, k) in y.enumerated() {
                var others = S.zero
                for r in 0..<dz.rows where r != k { others = others + dz[r, j] }
                dz[k, j] = -others
            }
            return dz
        }
        switch target {
        case .labels(let labels):
            let da = zip(a, labels).map { at, y in
                let dz = logitGradient(at, y)
                dWy += matmulTB(dz, at)
                dby += dz.rowSums()
                return matmulTA(Wy, dz)
            }
            return Backward(da: da, dWy: dWy, dby: dby)
        case .maskedLabels(let labels, let mask, let scale):
            let da = zip(zip(a, labels), mask).map { pair, included in
                var dz = logitGradient(pair.0, pair.1)
                // A masked word adds nothing; the others are scaled as the loss is.
                for j in 0..<dz.cols {
                    let weight = included[j] ? S(scale) : S.zero
                    for r in 0..<dz.rows { dz[r, j] = dz[r, j] * weight }
                }
                dWy += matmulTB(dz, pair.0)
                dby += dz.rowSums()
                return matmulTA(Wy, dz)
            }
            return Backward(da: da, dWy: dWy, dby: dby)
        case .upstream(let given):
            let da = a.indices.map { t in
                t < given.count ? given[t].converted(to: S.self) : Matrix<S>(rows: a[t].rows, cols: a[t].cols)
            }
            return Backward(da: da, dWy: dWy, dby: dby)
        }
    }

    /// A problem's output layer over its hidden states `a`.
    static func backward<C, S>(_ problem: Problem<C, S>, _ a: [Matrix<S>]) -> Backward<S> {
        backward(problem.weights[C.outputLayer.weight], problem.weights[C.outputLayer.bias], problem.target, a)
    }
}
