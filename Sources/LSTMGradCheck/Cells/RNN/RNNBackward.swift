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
        let caches = RNN.forward(problem)
        let p = problem.weights
        let head = OutputLayer.backward(problem, caches.map(\.a_next))
        let zeros = Matrix<S>(rows: problem.a0.rows, cols: problem.a0.cols)
        var dW = p.zeros
        dW[.Wya] = head.dWy
        dW[.by] = head.dby
        var dx = problem.x.map { Matrix<S>(rows: $0.rows, cols: $0.cols) }
        var da_prevt = zeros, da0 = zeros
        for t in caches.indices.reversed() {
            let gradients = rnn_cell_backward(head.da[t] + da_prevt, caches[t], p)
            dx[t] = gradients.dxt
            dW[.Wax] += gradients.dWax
            dW[.Waa] += gradients.dWaa
            dW[.ba] += gradients.dba
            da_prevt = carry ? gradients.da_prev : zeros
            da0 = gradients.da_prev
        }
        return problem.gradients(dW: dW, da0: da0, dx: dx)
    }
}

/// BPTT for the RNN written apart from the notebook's cell: one matrix `W = [Waa Wax]`
/// acting on `[a_{t−1}; x_t]`, one pre-activation delta per step.
enum RNNBPTT {
    static func gradients<S>(_ problem: Problem<RNN, S>) -> Gradients<RNN> { backward(problem).gradients }

    /// `∂L/∂a_t` for every step t, every later loss included.
    static func stateGradients<S>(_ problem: Problem<RNN, S>) -> [Matrix<S>] { backward(problem).da }

    private static func backward<S>(_ problem: Problem<RNN, S>) -> (gradients: Gradients<RNN>, da: [Matrix<S>]) {
        let caches = RNN.forward(problem)
        let p = problem.weights
        let head = OutputLayer.backward(problem, caches.map(\.a_next))
        let (n_a, n_x, m) = (problem.dims.n_a, problem.dims.n_x, problem.a0.cols)
        let W = Matrix.stacked([p[.Waa].T, p[.Wax].T]).T
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
