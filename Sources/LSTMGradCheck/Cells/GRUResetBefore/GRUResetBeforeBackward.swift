/// The reset-before GRU's backward in the notebook's style: a per-cell `gru_cell_backward`
/// and the `gru_backward` loop that calls it (`HiddenCarryLoop`); without the carry it is
/// the cell's `per-step`.
enum GRUResetBeforeCourseraLoop {
    /// One step's backward: the step's own (local) gradient of every recurrent parameter,
    /// `dxt` and `da_prev`. `dr`, `dz`, `dn` are the derivatives at the gates'
    /// pre-activations; `dra` the one at `ra = r ⊙ a_prev`, through which the candidate
    /// reaches both the reset gate and a_prev.
    static func gru_cell_backward<S>(_ da_next: Matrix<S>, _ cache: GRUResetBeforeCache<S>,
                                     _ parameters: Weights<GRUResetBefore, S>) -> HiddenStep<GRUResetBefore, S> {
        let (a_prev, xt, rt, zt, nt, ra) = (cache.a_prev, cache.xt, cache.rt, cache.zt, cache.nt, cache.ra)

        // a_next = (1 − zt)·nt + zt·a_prev
        let dn = da_next * (1 - zt) * (1 - nt ** 2)          // through nt = tanh(·)
        let dz = da_next * (a_prev - nt) * zt * (1 - zt)     // through zt = σ(·)
        let dra = np.dot(parameters[.Whn].T, dn)             // Whn multiplies ra = rt·a_prev
        let dr = dra * a_prev * rt * (1 - rt)                // through rt = σ(·)

        let dxt = np.dot(parameters[.Wir].T, dr) + np.dot(parameters[.Wiz].T, dz) + np.dot(parameters[.Win].T, dn)
        // a_prev reaches a_next directly (zt·a_prev), through ra, and through the r and z gates.
        let da_prev = da_next * zt + dra * rt + np.dot(parameters[.Whr].T, dr) + np.dot(parameters[.Whz].T, dz)

        let local: [GRUResetBefore.Parameter: Matrix<S>] = [
            .Wir: np.dot(dr, xt.T), .Wiz: np.dot(dz, xt.T), .Win: np.dot(dn, xt.T),
            .Whr: np.dot(dr, a_prev.T), .Whz: np.dot(dz, a_prev.T), .Whn: np.dot(dn, ra.T),
            .br: np.sumRows(dr), .bz: np.sumRows(dz), .bn: np.sumRows(dn),
        ]
        return HiddenStep(local: { local[$0] }, dxt: dxt, da_prev: da_prev)
    }

    static func gradients<S>(_ problem: Problem<GRUResetBefore, S>, carry: Bool) -> Gradients<GRUResetBefore> {
        HiddenCarryLoop.gradients(problem, GRUResetBefore.forward(problem), hidden: \.a_next, carry: carry) {
            gru_cell_backward($0, $1, problem.weights)
        }
    }
}

/// BPTT for the reset-before GRU written apart from the cell backward, in Keras' stacking:
/// one input weight `Wi = [Wir; Wiz; Win]` and one pre-activation delta per step on the
/// input side; on the state side the gates r and z as one `Wg = [Whr; Whz]` acting on
/// a_{t−1}, and `Whn` on `r ⊙ a_{t−1}` apart. One pass gives both the gradients and
/// `∂L/∂a_t` at every step, every later loss included (`da`).
struct GRUResetBeforeBPTT<S: Scalar> {
    let gradients: Gradients<GRUResetBefore>
    let da: [Matrix<S>]

    init(_ problem: Problem<GRUResetBefore, S>) {
        let steps = GRUResetBefore.forward(problem), p = problem.weights, H = problem.dims.n_a
        let head = OutputLayer.backward(problem, steps.map(\.a_next))
        let Wi = Matrix.stacked([p[.Wir], p[.Wiz], p[.Win]]), Wg = Matrix.stacked([p[.Whr], p[.Whz]])
        func zeros(_ m: Matrix<S>) -> Matrix<S> { Matrix(rows: m.rows, cols: m.cols) }
        var dWi = zeros(Wi), dWg = zeros(Wg), dWhn = zeros(p[.Whn])
        var db = Matrix<S>(rows: 3 * H, cols: 1)
        var dx = problem.x.map(zeros)
        var later = zeros(problem.a0)   // ∂L/∂a_t from the steps after t
        var da = Array(repeating: later, count: steps.count)
        for (t, s) in steps.enumerated().reversed() {
            let dh = head.da[t] + later
            da[t] = dh
            // ∂a_t/∂n = 1 − z, ∂a_t/∂z = a_{t−1} − n; tanh' = 1 − tanh², σ' = σ(1 − σ).
            let gn = dh * (1 - s.zt) * (1 - s.nt * s.nt)
            let gz = dh * (s.a_prev - s.nt) * s.zt * (1 - s.zt)
            let dReset = matmulTA(p[.Whn], gn)                 // at r ⊙ a_{t−1}
            let gr = dReset * s.a_prev * s.rt * (1 - s.rt)
            let deltas = Matrix.stacked([gr, gz, gn]), gates = Matrix.stacked([gr, gz])
            dWi += matmulTB(deltas, s.xt)
            dWg += matmulTB(gates, s.a_prev)
            dWhn += matmulTB(gn, s.ra)
            db += deltas.rowSums()
            dx[t] = matmulTA(Wi, deltas)
            later = dh * s.zt + dReset * s.rt + matmulTA(Wg, gates)
        }
        // Row block k of a stack of H-row blocks.
        func block(_ M: Matrix<S>, _ k: Int) -> Matrix<S> { M.rows((k * H)..<((k + 1) * H)) }
        let grads = Weights<GRUResetBefore, S> { parameter in
            switch parameter {
            case .Wir, .Wiz, .Win: return block(dWi, parameter.index)
            case .Whr, .Whz: return block(dWg, parameter.index - 3)
            case .Whn: return dWhn
            case .br, .bz, .bn: return block(db, parameter.index - 6)
            case .Wy: return head.dWy
            case .by: return head.dby
            }
        }
        gradients = problem.gradients(dW: grads, da0: later, dx: dx)
        self.da = da
    }
}

/// The reset-before GRU's catalogue: `bptt` written apart from the cell backward, the
/// notebook-style `gru_cell_backward` in its loop, and the same loop with nothing carried.
extension GRUResetBefore: HiddenStateCell {
    public static let catalogueText = HiddenStateCatalogueText(
        bptt: "Wi = [Wir; Wiz; Win] and [Whr; Whz] stacked, Whn on r*a_prev apart",
        source: "A reset-before gru_cell_backward (Keras' reset_after=False) in a gru_backward loop",
        cell: "gru_cell_backward", loop: "gru_backward", lessonSubject: "The per-cell formulas of gru_cell_backward",
        carriedNote: "; da_prev holds the direct path z*da_next, the path through r*a_prev and those through the gates",
        uncarriedNote: ", the direct path z*da_next included")

    public static func bpttBackward<S>(_ problem: Problem<GRUResetBefore, S>) -> (gradients: Gradients<GRUResetBefore>, da: [Matrix<S>]) {
        let bptt = GRUResetBeforeBPTT(problem)
        return (bptt.gradients, bptt.da)
    }

    public static func notebookLoopGradients<S>(_ problem: Problem<GRUResetBefore, S>, carry: Bool) -> Gradients<GRUResetBefore> {
        GRUResetBeforeCourseraLoop.gradients(problem, carry: carry)
    }

    public static func caches(_ problem: Problem<GRUResetBefore, Double>) -> [GRUResetBeforeCache<Double>] { forward(problem) }

    /// a_t = (1 − z)·n + z·a_{t−1}: the direct path keeps z of the gradient.
    public static func carryGate(_ problem: Problem<GRUResetBefore, Double>) -> CarryGate? {
        CarryGate(name: "update gate", letter: "z", state: "hidden state", values: forward(problem).flatMap(\.zt.storage))
    }

    public static func stepBackward(_ da_next: Matrix<Double>, _ cache: GRUResetBeforeCache<Double>,
                                    _ weights: Weights<GRUResetBefore, Double>) -> HiddenStep<GRUResetBefore, Double> {
        GRUResetBeforeCourseraLoop.gru_cell_backward(da_next, cache, weights)
    }
}
