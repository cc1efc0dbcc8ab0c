/// The GRU in PyTorch's form (`torch.nn.GRU`: gates r, z, n, the reset gate applied after
/// `Whn·a_{t−1} + bhn`), with Coursera's column-batch shapes and the same softmax output
/// layer and loss as the LSTM:
///
///     r   = σ(Wir·x_t + bir + Whr·a_{t−1} + bhr)
///     z   = σ(Wiz·x_t + biz + Whz·a_{t−1} + bhz)
///     n   = tanh(Win·x_t + bin + r ⊙ (Whn·a_{t−1} + bhn))
///     a_t = (1 − z) ⊙ n + z ⊙ a_{t−1}
///     ŷ_t = softmax(Wy·a_t + by)
///
/// Each gate has its own input weight (n_a × n_x), recurrent weight (n_a × n_a) and two
/// biases (n_a × 1), as PyTorch keeps them; there is no cell state.
public enum GRU: Cell {
    /// In report order, which is also the order a generated network draws them in.
    public enum Parameter: Int, CellParameter {
        case Wir, Wiz, Win, Whr, Whz, Whn, bir, biz, bin, bhr, bhz, bhn, Wy, by
    }

    public static let kind = CellKind.gru
    /// No cell state: all that is carried back goes through a.
    public static let hasCellState = false
    public static let outputLayer = (weight: Parameter.Wy, bias: Parameter.by)

    public static func shape(of p: Parameter, _ d: Dims) -> (rows: Int, cols: Int) {
        switch p {
        case .Wir, .Wiz, .Win: return (d.n_a, d.n_x)
        case .Whr, .Whz, .Whn: return (d.n_a, d.n_a)
        case .bir, .biz, .bin, .bhr, .bhz, .bhn: return (d.n_a, 1)
        case .Wy: return (d.n_y, d.n_a)
        case .by: return (d.n_y, 1)
        }
    }

    public static func shapeText(of p: Parameter) -> String {
        switch p {
        case .Wir, .Wiz, .Win: return "n_a × n_x"
        case .Whr, .Whz, .Whn: return "n_a × n_a"
        case .bir, .biz, .bin, .bhr, .bhz, .bhn: return "n_a × 1"
        case .Wy: return "n_y × n_a"
        case .by: return "n_y × 1"
        }
    }

    /// `r`, `z`, `n` (Keras: `h`), each with its two biases apart: the input side's (`bir`, PyTorch's
    /// `bias_ih_l0` block) and the recurrent side's (`bhr`, `bias_hh_l0`).
    public static func gateBlock(_ letter: String) -> GateBlock<GRU>? {
        switch letter {
        case "r": return GateBlock(inputWeight: (.Wir, .all), stateWeight: (.Whr, .all), bias: .bir, stateBias: .bhr)
        case "z": return GateBlock(inputWeight: (.Wiz, .all), stateWeight: (.Whz, .all), bias: .biz, stateBias: .bhz)
        case "n", "h": return GateBlock(inputWeight: (.Win, .all), stateWeight: (.Whn, .all), bias: .bin, stateBias: .bhn)
        default: return nil
        }
    }

    public static func hiddenStates<S>(_ problem: Problem<GRU, S>) -> [Matrix<S>] { forward(problem).map(\.a_next) }

    /// One step, in the style of the notebook's `*_cell_forward` (without the output layer).
    public static func cellForward<S>(_ xt: Matrix<S>, _ a_prev: Matrix<S>, _ parameters: Weights<GRU, S>) -> GRUCellCache<S> {
        let rt = np.sigmoid((np.dot(parameters[.Wir], xt) + np.dot(parameters[.Whr], a_prev))
            .addingColumn(parameters[.bir]).addingColumn(parameters[.bhr]))
        let zt = np.sigmoid((np.dot(parameters[.Wiz], xt) + np.dot(parameters[.Whz], a_prev))
            .addingColumn(parameters[.biz]).addingColumn(parameters[.bhz]))
        let hn = np.dot(parameters[.Whn], a_prev).addingColumn(parameters[.bhn])
        let nt = np.tanh(np.dot(parameters[.Win], xt).addingColumn(parameters[.bin]) + rt * hn)
        let a_next = (1 - zt) * nt + zt * a_prev
        return GRUCellCache(a_next: a_next, a_prev: a_prev, xt: xt, rt: rt, zt: zt, nt: nt, hn: hn)
    }

    /// Every step's cache, t = 0 ..< T_x.
    public static func forward<S>(_ problem: Problem<GRU, S>) -> [GRUCellCache<S>] {
        HiddenCarryLoop.unroll(problem, hidden: \.a_next) { cellForward($0, $1, problem.weights) }
    }
}

/// What one GRU step keeps for the backward pass: the states, the gates and
/// `hn = Whn·a_prev + bhn`, the recurrent part of the candidate before the reset gate.
public struct GRUCellCache<S: Scalar>: Sendable {
    public var a_next: Matrix<S>, a_prev: Matrix<S>, xt: Matrix<S>
    public var rt: Matrix<S>, zt: Matrix<S>, nt: Matrix<S>
    public var hn: Matrix<S>
}
