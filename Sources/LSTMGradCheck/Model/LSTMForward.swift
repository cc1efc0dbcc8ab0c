/// What one step of the forward pass keeps for the backward pass: the notebook's
/// `cache = (a_next, c_next, a_prev, c_prev, ft, it, cct, ot, xt, parameters)`.
public struct LSTMCellCache<S: Scalar>: Sendable {
    public var a_next: Matrix<S>, c_next: Matrix<S>
    public var a_prev: Matrix<S>, c_prev: Matrix<S>
    public var ft: Matrix<S>, it: Matrix<S>, cct: Matrix<S>, ot: Matrix<S>
    public var xt: Matrix<S>
}

/// The forward pass and the loss, generic over the scalar so one code path serves
/// finite differences (Double), learners' precision (Float) and the exact reference (duals).
public enum LSTM {
    /// One step, as the notebook's `lstm_cell_forward` (without its output layer):
    /// `ft = σ(Wf·concat + bf)`, `it = σ(Wi·concat + bi)`, `cct = tanh(Wc·concat + bc)`,
    /// `c_next = ft*c_prev + it*cct`, `ot = σ(Wo·concat + bo)`, `a_next = ot*tanh(c_next)`.
    public static func cellForward<S>(_ xt: Matrix<S>, _ a_prev: Matrix<S>, _ c_prev: Matrix<S>,
                                      _ p: LSTMParameters<S>) -> LSTMCellCache<S> {
        let concat = np.concatenate(a_prev, xt)
        let ft = np.sigmoid(np.dot(p.Wf, concat).addingColumn(p.bf))
        let it = np.sigmoid(np.dot(p.Wi, concat).addingColumn(p.bi))
        let cct = np.tanh(np.dot(p.Wc, concat).addingColumn(p.bc))
        let c_next = ft * c_prev + it * cct
        let ot = np.sigmoid(np.dot(p.Wo, concat).addingColumn(p.bo))
        let a_next = ot * np.tanh(c_next)
        return LSTMCellCache(a_next: a_next, c_next: c_next, a_prev: a_prev, c_prev: c_prev,
                             ft: ft, it: it, cct: cct, ot: ot, xt: xt)
    }

    /// Every step's cache, t = 0 ..< T_x.
    public static func forward<S>(_ problem: LSTMProblem<S>) -> [LSTMCellCache<S>] {
        var caches: [LSTMCellCache<S>] = []
        caches.reserveCapacity(problem.x.count)
        var a = problem.a0, c = problem.c0
        for xt in problem.x {
            let cache = cellForward(xt, a, c, problem.parameters)
            caches.append(cache)
            a = cache.a_next
            c = cache.c_next
        }
        return caches
    }

    /// The loss of SPEC.md on this network's hidden states.
    public static func loss<S>(_ problem: LSTMProblem<S>) -> S {
        OutputLayer.loss(problem.parameters.Wy, problem.parameters.by, problem.target, forward(problem).map(\.a_next))
    }
}
