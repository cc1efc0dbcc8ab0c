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

        // Per gate: the input side sees x_t, the recurrent side a_prev; both biases the delta itself.
        let (dWir, dWhr, dbir, dbhr) = (np.dot(dr, xt.T), np.dot(dr, a_prev.T), np.sumRows(dr), np.sumRows(dr))
        let (dWiz, dWhz, dbiz, dbhz) = (np.dot(dz, xt.T), np.dot(dz, a_prev.T), np.sumRows(dz), np.sumRows(dz))
        let (dWin, dWhn, dbin, dbhn) = (np.dot(dn, xt.T), np.dot(dhn, a_prev.T), np.sumRows(dn), np.sumRows(dhn))

        let dxt = np.dot(parameters[.Wir].T, dr) + np.dot(parameters[.Wiz].T, dz) + np.dot(parameters[.Win].T, dn)
        // a_prev reaches a_next directly (zt·a_prev) and through all three gates.
        let da_prev = da_next * zt + np.dot(parameters[.Whr].T, dr) + np.dot(parameters[.Whz].T, dz)
            + np.dot(parameters[.Whn].T, dhn)

        return GRUCellGradients(dxt: dxt, da_prev: da_prev, dWir: dWir, dWiz: dWiz, dWin: dWin,
                                dWhr: dWhr, dWhz: dWhz, dWhn: dWhn, dbir: dbir, dbiz: dbiz, dbin: dbin,
                                dbhr: dbhr, dbhz: dbhz, dbhn: dbhn)
    }

    static func gradients<S>(_ problem: Problem<GRU, S>, carry: Bool) -> Gradients<GRU> {
        HiddenCarryLoop.gradients(problem, GRU.forward(problem), hidden: \.a_next, carry: carry) { da_next, cache in
            let g = gru_cell_backward(da_next, cache, problem.weights)
            return HiddenStep(local: { g[$0] }, dxt: g.dxt, da_prev: g.da_prev)
        }
    }
}

/// BPTT for the GRU written apart from the cell backward, in PyTorch's stacking: the input
/// weights as one `Wi = [Wir; Wiz; Win]` (3n_a × n_x), the recurrent ones as one
/// `Wh = [Whr; Whz; Whn]` (3n_a × n_a); per step one stacked pre-activation delta on each
/// side, which differ only in the candidate's block (the recurrent side's is scaled by r),
/// and the carried ∂L/∂a kept as plain state.
enum GRUBPTT {
    /// The gradients, and `∂L/∂a_t` for every step t, every later loss included.
    static func backward<S>(_ problem: Problem<GRU, S>) -> (gradients: Gradients<GRU>, da: [Matrix<S>]) {
        let (n_a, n_x, m) = (problem.dims.n_a, problem.dims.n_x, problem.a0.cols)
        let steps = GRU.forward(problem), p = problem.weights
        let head = OutputLayer.backward(problem, steps.map(\.a_next))
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
        // The parameters come in blocks of three (r, z, n): input weights, recurrent weights,
        // input biases, recurrent biases, then the output layer.
        let stacks = [dWi, dWh, dbi, dbh]
        let grads = Weights<GRU, S> { parameter in
            switch parameter {
            case .Wy: return head.dWy
            case .by: return head.dby
            default: return block(stacks[parameter.index / 3], parameter.index % 3)
            }
        }
        return (problem.gradients(dW: grads, da0: carried, dx: dx), states)
    }
}

/// The GRU's catalogue: `bptt` written apart from the cell backward, the notebook-style
/// `gru_cell_backward` in its loop, and the same loop with nothing carried.
extension GRU: HiddenStateCell {
    public static let catalogueText = HiddenStateCatalogueText(
        bptt: "Wi = [Wir; Wiz; Win] and Wh = [Whr; Whz; Whn] stacked",
        source: "A gru_cell_backward in the notebook's style in a gru_backward loop", cell: "gru_cell_backward", loop: "gru_backward",
        lessonSubject: "The per-cell formulas of gru_cell_backward",
        carriedNote: "; da_prev holds both the direct path z*da_next and the paths through the three gates",
        uncarriedNote: ", the direct path z*da_next included")

    public static func bpttBackward<S>(_ problem: Problem<GRU, S>) -> (gradients: Gradients<GRU>, da: [Matrix<S>]) { GRUBPTT.backward(problem) }

    public static func notebookLoopGradients<S>(_ problem: Problem<GRU, S>, carry: Bool) -> Gradients<GRU> {
        GRUCourseraLoop.gradients(problem, carry: carry)
    }

    public static func caches(_ problem: Problem<GRU, Double>) -> [GRUCellCache<Double>] { forward(problem) }

    /// a_t = (1 − z)·n + z·a_{t−1}: the direct path keeps z of the gradient.
    public static func carryGate(_ problem: Problem<GRU, Double>) -> CarryGate? {
        CarryGate(name: "update gate", letter: "z", state: "hidden state", values: forward(problem).flatMap(\.zt.storage))
    }

    public static func stepBackward(_ da_next: Matrix<Double>, _ cache: GRUCellCache<Double>, _ weights: Weights<GRU, Double>) -> HiddenStep<GRU, Double> {
        let g = GRUCourseraLoop.gru_cell_backward(da_next, cache, weights)
        return HiddenStep(local: { g[$0] }, dxt: g.dxt, da_prev: g.da_prev)
    }
}
