/// The Coursera LSTM with a softmax output layer.
///
/// Gate weights act on `concat = [a_prev; x_t]` (a_prev first), so each is
/// n_a × (n_a + n_x); biases are n_a × 1 columns; `Wy` is n_y × n_a.
public enum LSTM: Cell {
    public enum Parameter: Int, CellParameter {
        case Wf, bf, Wi, bi, Wc, bc, Wo, bo, Wy, by

        /// The gate a gate parameter belongs to, in the stacked order `[f; i; c; o]`.
        public var gate: Gate? {
            switch self {
            case .Wf, .bf: return .forget
            case .Wi, .bi: return .input
            case .Wc, .bc: return .candidate
            case .Wo, .bo: return .output
            case .Wy, .by: return nil
            }
        }

        /// Whether it is a weight matrix (else a bias).
        public var isWeight: Bool { index % 2 == 0 }
    }

    /// The four gates, in the order they are stacked: `W = [Wf; Wi; Wc; Wo]`.
    public enum Gate: Int, CaseIterable, Sendable {
        case forget, input, candidate, output

        /// The gate's weight and bias.
        public var parameters: (weight: Parameter, bias: Parameter) {
            switch self {
            case .forget: return (.Wf, .bf)
            case .input: return (.Wi, .bi)
            case .candidate: return (.Wc, .bc)
            case .output: return (.Wo, .bo)
            }
        }
    }

    public static let kind = CellKind.lstm
    public static let outputLayer = (weight: Parameter.Wy, bias: Parameter.by)
    public static let hasCellState = true

    public static func shape(of p: Parameter, _ d: Dims) -> (rows: Int, cols: Int) {
        switch p {
        case .Wy: return (d.n_y, d.n_a)
        case .by: return (d.n_y, 1)
        default: return (d.n_a, p.isWeight ? d.n_a + d.n_x : 1)
        }
    }

    public static func shapeText(of p: Parameter) -> String {
        switch p {
        case .Wy: return "n_y × n_a"
        case .by: return "n_y × 1"
        default: return p.isWeight ? "n_a × (n_a + n_x)" : "n_a × 1"
        }
    }

    /// Specialised for `Double`, which a check's generic code (`Problem.lossTermMagnitude`)
    /// reaches through the `Cell` conformance.
    @_specialize(where S == Double)
    public static func hiddenStates<S>(_ problem: Problem<LSTM, S>) -> [Matrix<S>] { forward(problem).map(\.a_next) }

    /// One step, as the notebook's `lstm_cell_forward` (without its output layer):
    /// `ft = σ(Wf·concat + bf)`, `it = σ(Wi·concat + bi)`, `cct = tanh(Wc·concat + bc)`,
    /// `c_next = ft*c_prev + it*cct`, `ot = σ(Wo·concat + bo)`, `a_next = ot*tanh(c_next)`.
    public static func cellForward<S>(_ xt: Matrix<S>, _ a_prev: Matrix<S>, _ c_prev: Matrix<S>,
                                      _ parameters: Weights<LSTM, S>) -> LSTMCellCache<S> {
        let concat = np.concatenate(a_prev, xt)
        let ft = np.sigmoid(np.dot(parameters[.Wf], concat).addingColumn(parameters[.bf]))
        let it = np.sigmoid(np.dot(parameters[.Wi], concat).addingColumn(parameters[.bi]))
        let cct = np.tanh(np.dot(parameters[.Wc], concat).addingColumn(parameters[.bc]))
        let c_next = ft * c_prev + it * cct
        let ot = np.sigmoid(np.dot(parameters[.Wo], concat).addingColumn(parameters[.bo]))
        let a_next = ot * np.tanh(c_next)
        return LSTMCellCache(a_next: a_next, c_next: c_next, a_prev: a_prev, c_prev: c_prev,
                             ft: ft, it: it, cct: cct, ot: ot, xt: xt)
    }

    /// Every step's cache, t = 0 ..< T_x.
    public static func forward<S>(_ problem: Problem<LSTM, S>) -> [LSTMCellCache<S>] {
        var caches: [LSTMCellCache<S>] = []
        caches.reserveCapacity(problem.x.count)
        var a = problem.a0, c = problem.c0
        for xt in problem.x {
            let cache = cellForward(xt, a, c, problem.weights)
            caches.append(cache)
            a = cache.a_next
            c = cache.c_next
        }
        return caches
    }
}

/// What one step of the forward pass keeps for the backward pass: the notebook's
/// `cache = (a_next, c_next, a_prev, c_prev, ft, it, cct, ot, xt, parameters)`.
public struct LSTMCellCache<S: Scalar>: Sendable {
    public var a_next: Matrix<S>, c_next: Matrix<S>
    public var a_prev: Matrix<S>, c_prev: Matrix<S>
    public var ft: Matrix<S>, it: Matrix<S>, cct: Matrix<S>, ot: Matrix<S>
    public var xt: Matrix<S>
}
