/// Backpropagation through time written apart from the notebook's cell: the four
/// gates stacked as one 4n_a × (n_a + n_x) matrix `W = [Wf; Wi; Wc; Wo]`, one
/// stacked pre-activation delta `dz` per step, and the carries `dh`, `dc` kept as
/// plain state. Agreement with `CourseraLoop` therefore means two derivations agree.
enum BPTT {
    /// In Double on the batched kernels (`BPTTKernel`), or by the definition for a target the
    /// kernels do not take (masked labels).
    static func gradients(_ problem: Problem<LSTM, Double>) -> Gradients<LSTM> {
        BPTTKernel.gradients(problem) ?? definition(problem)
    }

    /// The generic derivation over `LSTM.forward`, in any scalar; the kernel path must agree with it.
    static func definition<S>(_ problem: Problem<LSTM, S>) -> Gradients<LSTM> { backward(problem).gradients }

    /// `∂L/∂a_t` and `∂L/∂c_t` for every step t (the totals, every later path included):
    /// how much gradient reaches each state, for the diagnosis and the flow over time.
    static func stateGradients<S>(_ problem: Problem<LSTM, S>) -> (da: [Matrix<S>], dc: [Matrix<S>]) {
        let b = backward(problem)
        return (b.da, b.dc)
    }

    private static func backward<S>(_ problem: Problem<LSTM, S>) -> (gradients: Gradients<LSTM>, da: [Matrix<S>], dc: [Matrix<S>]) {
        let caches = LSTM.forward(problem)
        let head = OutputLayer.backward(problem, caches.map(\.a_next))
        let p = problem.weights
        let (n_a, n_x, m) = (problem.dims.n_a, problem.dims.n_x, problem.a0.cols)
        let W = Matrix.stacked(LSTM.Gate.allCases.map { p[$0.parameters.weight] })

        var dW = Matrix<S>(rows: 4 * n_a, cols: n_a + n_x)
        var db = Matrix<S>(rows: 4 * n_a, cols: 1)
        var dx: [Matrix<S>] = Array(repeating: Matrix(rows: n_x, cols: m), count: caches.count)
        var dhNext = Matrix<S>(rows: n_a, cols: m)   // ∂L/∂a_t from steps after t
        var dcNext = Matrix<S>(rows: n_a, cols: m)   // ∂L/∂c_t from steps after t
        var stateA = Array(repeating: dhNext, count: caches.count), stateC = stateA
        for t in caches.indices.reversed() {
            let s = caches[t]
            let dh = head.da[t] + dhNext
            let tanhC = s.c_next.map(S.tanh)
            let dc = dcNext + dh * s.ot * (1 - tanhC ** 2)
            stateA[t] = dh
            stateC[t] = dc
            // σ'(z) = σ(1−σ), tanh'(z) = 1 − tanh², applied per gate block.
            let dz = Matrix.stacked([
                dc * s.c_prev * s.ft * (1 - s.ft),
                dc * s.cct * s.it * (1 - s.it),
                dc * s.it * (1 - s.cct ** 2),
                dh * tanhC * s.ot * (1 - s.ot),
            ])
            let input = Matrix.stacked([s.a_prev, s.xt])
            dW += matmulTB(dz, input)
            db += dz.rowSums()
            let dInput = matmulTA(W, dz)
            dhNext = dInput.rows(0..<n_a)
            dx[t] = dInput.rows(n_a..<(n_a + n_x))
            dcNext = dc * s.ft
        }

        func block(_ M: Matrix<S>, _ k: Int) -> Matrix<S> { M.rows((k * n_a)..<((k + 1) * n_a)) }
        let grads = Weights<LSTM, S> { parameter in
            guard let gate = parameter.gate else { return parameter == .Wy ? head.dWy : head.dby }
            return block(parameter.isWeight ? dW : db, gate.rawValue)
        }
        return (problem.gradients(dW: grads, da0: dhNext, dc0: dcNext, dx: dx), stateA, stateC)
    }
}
