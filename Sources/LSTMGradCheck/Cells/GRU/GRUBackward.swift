/// What `gru_cell_backward` returns: the step's own (local) gradient of every recurrent
/// parameter, `dxt`, and `da_prev`, what the step hands back to the one before.
struct GRUCellGradients<S: Scalar> {
    var dxt: Matrix<S>, da_prev: Matrix<S>
    var dWir: Matrix<S>, dWiz: Matrix<S>, dWin: Matrix<S>
    var dWhr: Matrix<S>, dWhz: Matrix<S>, dWhn: Matrix<S>
    var dbir: Matrix<S>, dbiz: Matrix<S>, dbin: Matrix<S>
    var dbhr: Matrix<S>, dbhz: Matrix<S>, dbhn: Matrix<S>

    /// The gradient of recurrent parameter `p`; nil for the output layer.
    subscript(p: GRU.Parameter) -> Matrix<S>? {
        switch p {
        case .Wir: return dWir
        case .Wiz: return dWiz
        case .Win: return dWin
        case .Whr: return dWhr
        case .Whz: return dWhz
        case .Whn: return dWhn
        case .bir: return dbir
        case .biz: return dbiz
        case .bin: return dbin
        case .bhr: return dbhr
        case .bhz: return dbhz
        case .bhn: return dbhn
        case .Wy, .by: return nil
        }
    }
}

/// The GRU's backward in the notebook's style: a per-cell `gru_cell_backward(da_next, cache,
/// parameters)` and the loop that calls it, the GRU's analogue of `lstm_backward(da, caches)`:
/// from the last step to the first, fed `da[:,:,t] + da_prevt`, every `dW` summed over t.
/// Without the carry it is the GRU's `per-step`.
enum GRUCourseraLoop {
    /// One step's backward. As in the notebook, `dr`, `dz`, `dn` are the derivatives at the
    /// gates' *pre-activations*; `dhn` is the one at `hn = Whn·a_prev + bhn`, which reaches
    /// the candidate through the reset gate. They are the local terms of one step: what
    /// reaches the step from later steps arrives in `da_next`.
    static func gru_cell_backward<S>(_ da_next: Matrix<S>, _ cache: GRUCellCache<S>, _ parameters: Weights<GRU, S>) -> GRUCellGradients<S> {
        let (a_prev, xt, rt, zt, nt, hn) = (cache.a_prev, cache.xt, cache.rt, cache.zt, cache.nt, cache.hn)

        // a_next = (1 − zt)·nt + zt·a_prev
        let dn = da_next * (1 - zt) * (1 - nt ** 2)          // through nt = tanh(·)
        let dz = da_next * (a_prev - nt) * zt * (1 - zt)     // through zt = σ(·)
        let dhn = dn * rt                                    // nt's pre-activation holds rt·hn
        let dr = dn * hn * rt * (1 - rt)                     // through rt = σ(·)

        let dWir = np.dot(dr, xt.T)
        let dWiz = np.dot(dz, xt.T)
        let dWin = np.dot(dn, xt.T)
        let dWhr = np.dot(dr, a_prev.T)
        let dWhz = np.dot(dz, a_prev.T)
        let dWhn = np.dot(dhn, a_prev.T)
        let dbir = np.sumRows(dr)
        let dbiz = np.sumRows(dz)
        let dbin = np.sumRows(dn)
        let dbhr = np.sumRows(dr)
        let dbhz = np.sumRows(dz)
        let dbhn = np.sumRows(dhn)

        let dxt = np.dot(parameters[.Wir].T, dr) + np.dot(parameters[.Wiz].T, dz) + np.dot(parameters[.Win].T, dn)
        // a_prev reaches a_next directly (zt·a_prev) and through all three gates.
        let da_prev = da_next * zt + np.dot(parameters[.Whr].T, dr) + np.dot(parameters[.Whz].T, dz)
            + np.dot(parameters[.Whn].T, dhn)

        return GRUCellGradients(dxt: dxt, da_prev: da_prev, dWir: dWir, dWiz: dWiz, dWin: dWin,
                                dWhr: dWhr, dWhz: dWhz, dWhn: dWhn, dbir: dbir, dbiz: dbiz, dbin: dbin,
                                dbhr: dbhr, dbhz: dbhz, dbhn: dbhn)
    }

    static func gradients<S>(_ problem: Problem<GRU, S>, carry: Bool) -> Gradients<GRU> {
        let caches = GRU.forward(problem)
        let parameters = problem.weights
        let head = OutputLayer.backward(problem, caches.map(\.a_next))
        let zeros = Matrix<S>(rows: problem.a0.rows, cols: problem.a0.cols)
        var dW = parameters.zeros
        dW[.Wy] = head.dWy
        dW[.by] = head.dby
        var dx = problem.x.map { Matrix<S>(rows: $0.rows, cols: $0.cols) }
        var da_prevt = zeros, da0 = zeros
        for t in caches.indices.reversed() {
            let gradients = gru_cell_backward(head.da[t] + da_prevt, caches[t], parameters)
            dx[t] = gradients.dxt
            for p in GRU.Parameter.allCases {
                if let g = gradients[p] { dW[p] += g }
            }
            da_prevt = carry ? gradients.da_prev : zeros
            // The notebook takes da0 from the call at t = 0, whatever it carries.
            da0 = gradients.da_prev
        }
        return problem.gradients(dW: dW, da0: da0, dx: dx)
    }
}

/// BPTT for the GRU written apart from the cell backward, in PyTorch's stacking: the input
/// weights as one `Wi = [Wir; Wiz; Win]` (3n_a × n_x), the recurrent ones as one
/// `Wh = [Whr; Whz; Whn]` (3n_a × n_a); per step one stacked pre-activation delta on each
/// side, which differ only in the candidate's block (the recurrent side's is scaled by r),
/// and the carried ∂L/∂a kept as plain state.
enum GRUBPTT {
    static func gradients<S>(_ problem: Problem<GRU, S>) -> Gradients<GRU> { backward(problem).gradients }

    /// `∂L/∂a_t` for every step t, every later loss included.
    static func stateGradients<S>(_ problem: Problem<GRU, S>) -> [Matrix<S>] { backward(problem).da }

    private static func backward<S>(_ problem: Problem<GRU, S>) -> (gradients: Gradients<GRU>, da: [Matrix<S>]) {
        let steps = GRU.forward(problem)
        let p = problem.weights
        let head = OutputLayer.backward(problem, steps.map(\.a_next))
        let (n_a, n_x, m) = (problem.dims.n_a, problem.dims.n_x, problem.a0.cols)
        let Wi = Matrix.stacked([p[.Wir], p[.Wiz], p[.Win]])
        let Wh = Matrix.stacked([p[.Whr], p[.Whz], p[.Whn]])
        var dWi = Matrix<S>(rows: 3 * n_a, cols: n_x), dWh = Matrix<S>(rows: 3 * n_a, cols: n_a)
        var dbi = Matrix<S>(rows: 3 * n_a, cols: 1), dbh = Matrix<S>(rows: 3 * n_a, cols: 1)
        var dx = Array(repeating: Matrix<S>(rows: n_x, cols: m), count: steps.count)
        var carried = Matrix<S>(rows: n_a, cols: m)   // ∂L/∂a_t from the steps after t
        var states = Array(repeating: carried, count: steps.count)
        for t in steps.indices.reversed() {
            let s = steps[t]
            let dh = head.da[t] + carried
            states[t] = dh
            // σ'(u) = σ(1 − σ), tanh'(u) = 1 − tanh²; ∂a_t/∂z = a_{t−1} − n, ∂a_t/∂n = 1 − z.
            let gn = dh * (1 - s.zt) * (1 - s.nt * s.nt)
            let gz = dh * (s.a_prev - s.nt) * s.zt * (1 - s.zt)
            let gr = gn * s.hn * s.rt * (1 - s.rt)
            let input = Matrix.stacked([gr, gz, gn])
            let hidden = Matrix.stacked([gr, gz, gn * s.rt])
            dWi += matmulTB(input, s.xt)
            dWh += matmulTB(hidden, s.a_prev)
            dbi += input.rowSums()
            dbh += hidden.rowSums()
            dx[t] = matmulTA(Wi, input)
            carried = dh * s.zt + matmulTA(Wh, hidden)
        }
        func block(_ M: Matrix<S>, _ k: Int) -> Matrix<S> { M.rows((k * n_a)..<((k + 1) * n_a)) }
        let grads = Weights<GRU, S> { parameter in
            switch parameter {
            case .Wir: return block(dWi, 0)
            case .Wiz: return block(dWi, 1)
            case .Win: return block(dWi, 2)
            case .Whr: return block(dWh, 0)
            case .Whz: return block(dWh, 1)
            case .Whn: return block(dWh, 2)
            case .bir: return block(dbi, 0)
            case .biz: return block(dbi, 1)
            case .bin: return block(dbi, 2)
            case .bhr: return block(dbh, 0)
            case .bhz: return block(dbh, 1)
            case .bhn: return block(dbh, 2)
            case .Wy: return head.dWy
            case .by: return head.dby
            }
        }
        return (problem.gradients(dW: grads, da0: carried, dx: dx), states)
    }
}
