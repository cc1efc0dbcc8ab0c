/// The softmax layer's backward pass, shared by every route: what reaches each
/// `a_t` from the loss at step t (the notebook's `da[:,:,t]`), and `dWy`, `dby`.
enum OutputLayer {
    struct Backward<S: Scalar> {
        /// `da[t] = Wyᵀ(ŷ_t − y_t)`, or the given upstream gradient (zeros past T').
        var da: [Matrix<S>]
        var dWy: Matrix<S>
        var dby: Matrix<S>
    }

    static func backward<S>(_ problem: LSTMProblem<S>, _ caches: [LSTMCellCache<S>]) -> Backward<S> {
        let p = problem.parameters
        var dWy = Matrix<S>(rows: p.Wy.rows, cols: p.Wy.cols)
        var dby = Matrix<S>(rows: p.by.rows, cols: p.by.cols)
        let zero = Matrix<S>(rows: problem.a0.rows, cols: problem.a0.cols)
        switch problem.target {
        case .labels(let labels):
            let da = zip(LSTM.logits(caches, p), zip(labels, caches)).map { z, step in
                // ∂L/∂z for softmax with cross-entropy: ŷ − onehot(y).
                var dz = Softmax.probabilities(z)
                for (j, k) in step.0.enumerated() { dz[k, j] = dz[k, j] - S(1) }
                dWy += matmulTB(dz, step.1.a_next)
                dby += dz.rowSums()
                return matmulTA(p.Wy, dz)
            }
            return Backward(da: da, dWy: dWy, dby: dby)
        case .upstream(let given):
            let da = caches.indices.map { t in t < given.count ? given[t].converted(to: S.self) : zero }
            return Backward(da: da, dWy: dWy, dby: dby)
        }
    }
}
