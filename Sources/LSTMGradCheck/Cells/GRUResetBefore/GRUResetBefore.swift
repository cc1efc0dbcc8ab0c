/// The GRU as Keras writes it with `reset_after=False` (the original GRU of Cho et al.): the
/// reset gate scales the previous state *before* the recurrent product of the candidate,
///
///     r   = σ(Wir·x_t + Whr·a_{t−1} + br)
///     z   = σ(Wiz·x_t + Whz·a_{t−1} + bz)
///     n   = tanh(Win·x_t + Whn·(r ⊙ a_{t−1}) + bn)
///     a_t = (1 − z) ⊙ n + z ⊙ a_{t−1}
///     ŷ_t = softmax(Wy·a_t + by)
///
/// with one bias per gate (Keras' `bias` (3H,)). Keras' update `h' = z ⊙ h + (1 − z) ⊙ hh`
/// is this one term for term.
///
/// A cell of its own rather than a mode of `GRU`: the candidate's derivative is different
/// maths (`Whn` sees `r ⊙ a_{t−1}`, and `r` is reached through `Whnᵀ`), the cell has three
/// biases where PyTorch's form has six, and every route, reference and report is generic over
/// the cell — so a variant is one folder and one `CellKind` case, where a mode would be a
/// flag every route of the GRU had to consult.
public enum GRUResetBefore: Cell {
    /// In report order, which is also the order a generated network draws them in.
    public enum Parameter: Int, CellParameter {
        case Wir, Wiz, Win, Whr, Whz, Whn, br, bz, bn, Wy, by
    }

    public static let kind = CellKind.gruResetBefore
    /// No cell state: all that is carried back goes through a.
    public static let hasCellState = false
    public static let outputLayer = (weight: Parameter.Wy, bias: Parameter.by)

    public static func hiddenStates<S>(_ problem: Problem<GRUResetBefore, S>) -> [Matrix<S>] { forward(problem).map(\.a_next) }

    /// Every step's cache, t = 0 ..< T_x: `cellForward` from a0, each step fed the state before.
    public static func forward<S>(_ problem: Problem<GRUResetBefore, S>) -> [GRUResetBeforeCache<S>] {
        HiddenCarryLoop.unroll(problem, hidden: \.a_next) { cellForward($0, $1, problem.weights) }
    }

    public static func shape(of p: Parameter, _ d: Dims) -> (rows: Int, cols: Int) {
        switch p {
        case .Wir, .Wiz, .Win: return (d.n_a, d.n_x)
        case .Whr, .Whz, .Whn: return (d.n_a, d.n_a)
        case .br, .bz, .bn: return (d.n_a, 1)
        case .Wy: return (d.n_y, d.n_a)
        case .by: return (d.n_y, 1)
        }
    }

    /// Read off `shape(of:)` at sizes that name themselves, so the two cannot disagree.
    public static func shapeText(of p: Parameter) -> String {
        let (rows, cols) = shape(of: p, Dims(n_x: 5, n_a: 7, n_y: 11, steps: 1, batch: 1))
        let names = [5: "n_x", 7: "n_a", 11: "n_y"]
        return "\(names[rows] ?? "\(rows)") × \(names[cols] ?? "\(cols)")"
    }

    /// `r`, `z`, `n` (Keras: `h`), each with its input weight, its recurrent weight and its one
    /// bias: Keras' `kernel`, `recurrent_kernel` and `bias` stack exactly these blocks.
    public static func gateBlock(_ letter: String) -> GateBlock<GRUResetBefore>? {
        switch letter {
        case "r": return GateBlock(inputWeight: (.Wir, .all), stateWeight: (.Whr, .all), bias: .br)
        case "z": return GateBlock(inputWeight: (.Wiz, .all), stateWeight: (.Whz, .all), bias: .bz)
        case "n", "h": return GateBlock(inputWeight: (.Win, .all), stateWeight: (.Whn, .all), bias: .bn)
        default: return nil
        }
    }

    /// One step, in the style of the notebook's `*_cell_forward` (without the output layer).
    public static func cellForward<S>(_ xt: Matrix<S>, _ a_prev: Matrix<S>, _ parameters: Weights<GRUResetBefore, S>) -> GRUResetBeforeCache<S> {
        let rt = np.sigmoid((np.dot(parameters[.Wir], xt) + np.dot(parameters[.Whr], a_prev)).addingColumn(parameters[.br]))
        let zt = np.sigmoid((np.dot(parameters[.Wiz], xt) + np.dot(parameters[.Whz], a_prev)).addingColumn(parameters[.bz]))
        let ra = rt * a_prev
        let nt = np.tanh((np.dot(parameters[.Win], xt) + np.dot(parameters[.Whn], ra)).addingColumn(parameters[.bn]))
        let a_next = (1 - zt) * nt + zt * a_prev
        return GRUResetBeforeCache(a_next: a_next, a_prev: a_prev, xt: xt, rt: rt, zt: zt, nt: nt, ra: ra)
    }
}

/// What one step keeps for the backward pass: the states, the gates and `ra = r ⊙ a_prev`,
/// what `Whn` multiplies.
public struct GRUResetBeforeCache<S: Scalar>: Sendable {
    public var a_next: Matrix<S>, a_prev: Matrix<S>, xt: Matrix<S>
    public var rt: Matrix<S>, zt: Matrix<S>, nt: Matrix<S>
    public var ra: Matrix<S>
}
