/// The course's plain RNN: `a_t = tanh(Waa·a_{t−1} + Wax·x_t + ba)`,
/// `ŷ_t = softmax(Wya·a_t + by)`, in Coursera's names and shapes.
public enum RNN: Cell {
    public enum Parameter: Int, CellParameter {
        case Waa, Wax, ba, Wya, by
    }

    public static func shape(of p: Parameter, _ d: Dims) -> (rows: Int, cols: Int) {
        switch p {
        case .Waa: return (d.n_a, d.n_a)
        case .Wax: return (d.n_a, d.n_x)
        case .ba: return (d.n_a, 1)
        case .Wya: return (d.n_y, d.n_a)
        case .by: return (d.n_y, 1)
        }
    }

    public static func shapeText(of p: Parameter) -> String {
        switch p {
        case .Waa: return "n_a × n_a"
        case .Wax: return "n_a × n_x"
        case .ba: return "n_a × 1"
        case .Wya: return "n_y × n_a"
        case .by: return "n_y × 1"
        }
    }

    /// The one pre-activation `h`: `Wax` on x_t, `Waa` on a_{t−1}, `ba`.
    public static func gateBlock(_ letter: String) -> GateBlock<RNN>? {
        letter == "h" ? GateBlock(inputWeight: (.Wax, .all), stateWeight: (.Waa, .all), bias: .ba) : nil
    }

    public static let kind = CellKind.rnn
    /// No cell state: all that is carried back goes through a.
    public static let hasCellState = false
    public static let outputLayer = (weight: Parameter.Wya, bias: Parameter.by)

    public static func hiddenStates<S>(_ problem: Problem<RNN, S>) -> [Matrix<S>] { forward(problem).map(\.a_next) }

    /// The notebook's `rnn_cell_forward` without its output layer.
    public static func cellForward<S>(_ xt: Matrix<S>, _ a_prev: Matrix<S>, _ parameters: Weights<RNN, S>) -> RNNCellCache<S> {
        let a_next = np.tanh((np.dot(parameters[.Wax], xt) + np.dot(parameters[.Waa], a_prev)).addingColumn(parameters[.ba]))
        return RNNCellCache(a_next: a_next, a_prev: a_prev, xt: xt)
    }

    public static func forward<S>(_ problem: Problem<RNN, S>) -> [RNNCellCache<S>] {
        HiddenCarryLoop.unroll(problem, hidden: \.a_next) { cellForward($0, $1, problem.weights) }
    }
}

/// What one RNN step keeps: the notebook's `cache = (a_next, a_prev, xt, parameters)`.
public struct RNNCellCache<S: Scalar>: Sendable {
    public var a_next: Matrix<S>, a_prev: Matrix<S>, xt: Matrix<S>
}

extension Problem where C == RNN, S == Double {
    /// A plain RNN beside `gated` (an LSTM or a GRU): its own weights drawn from `seed` at
    /// `scale`, and the other cell's very inputs, initial state and target (its output layer
    /// too), so the two cells can be compared step for step.
    public static func beside<G: Cell>(_ gated: Problem<G, Double>, seed: UInt64, scale: GenerationScale = .standard) -> Problem {
        var d = gated.dims
        d.n_y = max(d.n_y, 1)
        var p = random(d, seed: seed, scale: scale)
        p.a0 = gated.a0
        p.x = gated.x
        p.target = gated.target
        p.weights[.Wya] = gated.hasOutputLayer ? gated.weights[G.outputLayer.weight] : Matrix(rows: 0, cols: d.n_a)
        p.weights[.by] = gated.hasOutputLayer ? gated.weights[G.outputLayer.bias] : Matrix(rows: 0, cols: 1)
        return p
    }
}
