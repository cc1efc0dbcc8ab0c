/// The notebook's `rnn_cell_backward`, under its names.
struct RNNCellGradients<S: Scalar> {
    var dxt: Matrix<S>, da_prev: Matrix<S>, dWax: Matrix<S>, dWaa: Matrix<S>, dba: Matrix<S>
}

/// The notebook's `rnn_backward(da, caches)`: the cell from the last step to the first,
/// fed `da[:,:,t] + da_prevt`, every `dW` summed over t. Without the carry it is the
/// RNN's `per-step`.
enum RNNCourseraLoop {
    static func rnn_cell_backward<S>(_ da_next: Matrix<S>, _ cache: RNNCellCache<S>, _ parameters: Weights<RNN, S>) -> RNNCellGradients<S> {
        let (a_next, a_prev, xt) = (cache.a_next, cache.a_prev, cache.xt)
        let dtanh = (1 - a_next ** 2) * da_next
        let dxt = np.dot(parameters[.Wax].T, dtanh)
        let dWax = np.dot(dtanh, xt.T)
        let da_prev = np.dot(parameters[.Waa].T, dtanh)
        let dWaa = np.dot(dtanh, a_prev.T)
        let dba = np.sumRows(dtanh)
        return RNNCellGradients(dxt: dxt, da_prev: da_prev, dWax: dWax, dWaa: dWaa, dba: dba)
    }

    static func gradients<S>(_ problem: Problem<RNN, S>, carry: Bool) -> Gradients<RNN> {
        HiddenCarryLoop.gradients(problem, RNN.forward(problem), hidden: \.a_next, carry: carry) { da_next, cache in
            let g = rnn_cell_backward(da_next, cache, problem.weights)
            return HiddenStep(local: g.local, dxt: g.dxt, da_prev: g.da_prev)
        }
    }
}

extension RNNCellGradients {
    /// The step's gradient of recurrent parameter `p`; nil for the output layer.
    func local(_ p: RNN.Parameter) -> Matrix<S>? {
        switch p {
        case .Waa: return dWaa
        case .Wax: return dWax
        case .ba: return dba
        case .Wya, .by: return nil
        }
    }
}

/// BPTT for the RNN written apart from the notebook's cell: one matrix `W = [Waa Wax]`
/// acting on `[a_{t−1}; x_t]`, one pre-activation delta per step.
enum RNNBPTT {
    /// The gradients, and `∂L/∂a_t` for every step t, every later loss included.
    static func backward<S>(_ problem: Problem<RNN, S>) -> (gradients: Gradients<RNN>, da: [Matrix<S>]) {
        let caches = RNN.forward(problem)
        let p = problem.weights
        let head = OutputLayer.backward(problem, caches.map(\.a_next))
        let (n_a, n_x, m) = (problem.dims.n_a, problem.dims.n_x, problem.a0.cols)
        let W = Matrix.stacked([p[.Waa].transposed, p[.Wax].transposed]).transposed
        var dW = Matrix<S>(rows: n_a, cols: n_a + n_x), db = Matrix<S>(rows: n_a, cols: 1)
        var dx = Array(repeating: Matrix<S>(rows: n_x, cols: m), count: caches.count)
        var dhNext = Matrix<S>(rows: n_a, cols: m)
        var states = Array(repeating: dhNext, count: caches.count)
        for t in caches.indices.reversed() {
            let dh = head.da[t] + dhNext
            states[t] = dh
            let dz = dh * (1 - caches[t].a_next ** 2)   // tanh'(z) = 1 − tanh²(z)
            dW += matmulTB(dz, Matrix.stacked([caches[t].a_prev, caches[t].xt]))
            db += dz.rowSums()
            let dInput = matmulTA(W, dz)
            dhNext = dInput.rows(0..<n_a)
            dx[t] = dInput.rows(n_a..<(n_a + n_x))
        }
        var grads = p.zeros
        grads[.Waa] = dW.columns(0..<n_a)
        grads[.Wax] = dW.columns(n_a..<(n_a + n_x))
        grads[.ba] = db
        grads[.Wya] = head.dWy
        grads[.by] = head.dby
        return (problem.gradients(dW: grads, da0: dhNext, dx: dx), states)
    }
}

/// The plain RNN's catalogue: `bptt` written apart from the notebook, the notebook's
/// `rnn_backward` loop, and the same loop with nothing carried.
extension RNN: HiddenStateCell {
    public static let catalogueText = HiddenStateCatalogueText(
        bptt: "W = [Waa Wax] on [a_prev; x_t]", source: "The notebook's rnn_cell_backward in its rnn_backward loop",
        cell: "rnn_cell_backward", loop: "rnn_backward", lessonSubject: "The notebook's per-cell formulas")

    public static func bpttBackward<S>(_ problem: Problem<RNN, S>) -> (gradients: Gradients<RNN>, da: [Matrix<S>]) { RNNBPTT.backward(problem) }

    public static func notebookLoopGradients<S>(_ problem: Problem<RNN, S>, carry: Bool) -> Gradients<RNN> {
        RNNCourseraLoop.gradients(problem, carry: carry)
    }

    public static func caches(_ problem: Problem<RNN, Double>) -> [RNNCellCache<Double>] { forward(problem) }

    public static func stepBackward(_ da_next: Matrix<Double>, _ cache: RNNCellCache<Double>, _ weights: Weights<RNN, Double>) -> HiddenStep<RNN, Double> {
        let g = RNNCourseraLoop.rnn_cell_backward(da_next, cache, weights)
        return HiddenStep(local: g.local, dxt: g.dxt, da_prev: g.da_prev)
    }
}
