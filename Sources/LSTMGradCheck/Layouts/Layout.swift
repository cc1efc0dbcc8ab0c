/// A way of writing a recurrent network to a file: the tensors' names, their shapes and the
/// order in which gates are stacked — Coursera's separate per-gate tensors, or one of the
/// frameworks' stacked ones. A layout is only a mapping between a file's names and shapes and
/// a cell's typed inputs (`Input<C>`): the problem, the references and the check never see it.
///
/// | layout | weights | bias | inputs | initial states | upstream | gate order |
/// | --- | --- | --- | --- | --- | --- | --- |
/// | `coursera` | `Wf` … (n_a × (n_a + n_x)) | `bf` … (n_a × 1) | `x` (n_x, m, T_x) | `a0`, `c0` (n_a, m) | `da` (n_a, m, T′) | separate tensors |
/// | `cs231n` | `Wx` (D, 4H), `Wh` (H, 4H) | `b` (4H) | `x` (N, T, D) | `h0` (N, H); c0 = 0 | `dout` (N, T, H) | i, f, o, g (columns) |
/// | `pytorch` | `weight_ih_l0` (4H, D), `weight_hh_l0` (4H, H) | `bias_ih_l0`, `bias_hh_l0` (4H) | `input` (T, N, D) | `h0`, `c0` (1, N, H) | `grad_output` (T, N, H) | i, f, g, o (rows) |
/// | `keras` | `kernel` (D, 4H), `recurrent_kernel` (H, 4H) | `bias` (4H) | `inputs` (N, T, D) | `h0`, `c0` (N, H) | `grad_output` (N, T, H) | i, f, c, o (columns) |
///
/// The GRU (`torch.nn.GRU`, Keras' `GRU`; cs231n has none):
///
/// | layout | cell | weights | bias | initial state | gate order |
/// | --- | --- | --- | --- | --- | --- |
/// | `pytorch` | `gru` | `weight_ih_l0` (3H, D), `weight_hh_l0` (3H, H) | `bias_ih_l0` → `bir biz bin`, `bias_hh_l0` → `bhr bhz bhn` (3H each) | `h0` (1, N, H) | r, z, n (rows) |
/// | `keras` | `gru` (`reset_after` true, Keras' default) | `kernel` (D, 3H), `recurrent_kernel` (H, 3H) | `bias` (2, 3H): row 0 input, row 1 recurrent | `h0` (N, H) | z, r, h (columns) |
/// | `keras` | `gru-reset-before` (`"reset_after": false`) | as above | `bias` (3H) → `bz br bn` | `h0` (N, H) | z, r, h (columns) |
///
/// The plain RNN is the same with one block of H (`Wx` (D, H), …); cs231n's captioning loss adds
/// `W_vocab` (H, V), `b_vocab` (V) and `captions`, `mask` (N, T). PyTorch's two LSTM biases are
/// added into the cell's one bias, and each one's gradient is that sum's gradient; the GRU keeps
/// its two apart (`GateBlock.stateBias`), so each maps to its own parameters and gradient.
public enum Layout: String, CaseIterable, Sendable {
    case coursera
    case cs231n
    case pytorch
    case keras

    /// The layout's letters for the gates of `kind`, in the order it stacks them (blocks of H
    /// columns, or rows for PyTorch); nil when the layout does not stack that cell's gates
    /// (Coursera keeps one tensor per gate).
    public func gateOrder(_ kind: CellKind) -> [String]? {
        switch (self, kind) {
        case (.coursera, _): return nil
        case (.cs231n, .lstm): return ["i", "f", "o", "g"]
        case (.pytorch, .lstm): return ["i", "f", "g", "o"]
        case (.keras, .lstm): return ["i", "f", "c", "o"]
        case (.pytorch, .gru): return ["r", "z", "n"]
        // Keras stacks z, r, h for both of its GRUs; PyTorch has no reset-before GRU.
        case (.keras, .gru), (.keras, .gruResetBefore): return ["z", "r", "h"]
        case (_, .rnn): return ["h"]
        default: return nil
        }
    }

    /// Whether the layout can hold a cell of `kind`: Coursera any, the frameworks the cells
    /// whose gates they stack.
    public func holds(_ kind: CellKind) -> Bool {
        self == .coursera || gateOrder(kind).map { order in gateBlocksExist(kind.cell, order) } == true
    }

    private func gateBlocksExist<C: Cell>(_: C.Type, _ order: [String]) -> Bool {
        order.allSatisfy { C.gateBlock($0) != nil }
    }

    /// The layout whose names `keys` are: a fixture's top-level and parameter keys, or a
    /// gradient file's keys, in any mix. Each layout scores the keys only it uses
    /// (`Wx`, `dWh`, `dout` for cs231n; `weight_ih_l0`, `input` for PyTorch; `kernel`, `inputs`,
    /// `reset_after` for Keras; a Coursera cell's parameter names, `a0`, `da` for Coursera); the best score
    /// wins, and nil means none scored or two tied.
    public static func detect(keys: [String]) -> Layout? {
        let scores = allCases.map { layout in (layout, Set(keys).filter(layout.distinctiveKeys.contains).count) }
        guard let best = scores.map(\.1).max(), best > 0, scores.filter({ $0.1 == best }).count == 1 else { return nil }
        return scores.first { $0.1 == best }?.0
    }

    /// Names no other layout uses, fixture and gradient keys alike.
    var distinctiveKeys: Set<String> {
        switch self {
        case .coursera:
            let parameters = CellKind.allCases.flatMap { Self.parameterNames($0.cell) }
            return Set(parameters + parameters.map { "d" + $0 } + ["a0", "da0", "dc0", "da", "y", "dims"])
        case .cs231n:
            return ["Wx", "Wh", "b", "W_vocab", "b_vocab", "dout", "captions", "mask", "dWx", "dWh", "db", "dW_vocab", "db_vocab", "dh0"]
        case .pytorch:
            return ["weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0", "input", "batch_first"]
        case .keras:
            return ["kernel", "recurrent_kernel", "bias", "inputs", "reset_after"]
        }
    }

    private static func parameterNames<C: Cell>(_: C.Type) -> [String] { C.Parameter.allCases.map(\.name) }

    // MARK: Names

    /// The stacked weight on the inputs x_t.
    var inputWeightKey: String {
        switch self {
        case .coursera, .cs231n: return "Wx"
        case .pytorch: return "weight_ih_l0"
        case .keras: return "kernel"
        }
    }

    /// The stacked weight on the previous hidden state.
    var stateWeightKey: String {
        switch self {
        case .coursera, .cs231n: return "Wh"
        case .pytorch: return "weight_hh_l0"
        case .keras: return "recurrent_kernel"
        }
    }

    /// The stacked biases: PyTorch has two, added into the cell's one.
    var biasKeys: [String] {
        switch self {
        case .coursera, .cs231n: return ["b"]
        case .pytorch: return ["bias_ih_l0", "bias_hh_l0"]
        case .keras: return ["bias"]
        }
    }

    /// The inputs x.
    var inputKey: String {
        switch self {
        case .coursera, .cs231n: return "x"
        case .pytorch: return "input"
        case .keras: return "inputs"
        }
    }

    /// The initial hidden state.
    var hiddenKey: String { self == .coursera ? "a0" : "h0" }

    /// The upstream gradient of the hidden-state sequence (the loss is its product with the states).
    var upstreamKey: String {
        switch self {
        case .coursera: return "da"
        case .cs231n: return "dout"
        case .pytorch, .keras: return "grad_output"
        }
    }

    /// The key of a tensor's gradient: cs231n's `dWx`, `dx`; the frameworks' tensor's own name.
    func gradientKey(_ key: String) -> String {
        switch self {
        case .coursera, .cs231n: return "d" + key
        case .pytorch, .keras: return key
        }
    }

    /// Whether weights stack gates as rows (PyTorch, `x·Wᵀ`) rather than columns (`x·W`).
    var stacksRows: Bool { self == .pytorch }

    /// The letters of the sizes in shape texts: batch, steps, input, hidden, classes.
    var sizeLetters: (batch: String, steps: String, input: String, hidden: String, classes: String) {
        self == .coursera ? ("m", "T_x", "n_x", "n_a", "n_y") : ("N", "T", "D", "H", "V")
    }
}

/// How a file in some layout spelled what the layout leaves open, so that a fixture is written
/// back as it was read: PyTorch's `batch_first` and its two biases, and which optional initial
/// states the file left out (zeros).
public struct LayoutForm: Sendable, Equatable {
    public var layout: Layout
    /// PyTorch: `input` and `grad_output` stored (N, T, ·) instead of (T, N, ·).
    public var batchFirst: Bool
    /// PyTorch: `bias_ih_l0` and `bias_hh_l0` as the file gave them; the cell's bias is their
    /// sum. Written back as they are while they still add up to the cell's bias, bit for bit;
    /// otherwise the cell's bias is written as `bias_ih_l0` and `bias_hh_l0` is zero. Nil for a
    /// cell that keeps the two apart (the GRU): each is then one of its parameters, as it is.
    public var biases: SplitBias?
    /// The layout's keys of optional initial states (`h0`, `c0`) the file left out: they are
    /// zeros, and are left out again when written.
    public var absentStates: Set<String>

    public init(_ layout: Layout, batchFirst: Bool = false, biases: SplitBias? = nil, absentStates: Set<String> = []) {
        self.layout = layout
        self.batchFirst = batchFirst
        self.biases = biases
        self.absentStates = absentStates
    }

    public static let coursera = LayoutForm(.coursera)
}

/// PyTorch's two biases, each 4H (gate blocks in PyTorch's order i, f, g, o).
public struct SplitBias: Sendable, Equatable {
    public var ih: [Double]
    public var hh: [Double]

    public init(ih: [Double], hh: [Double]) {
        self.ih = ih
        self.hh = hh
    }
}

extension Layout {
    /// A problem's sizes and loss in the layout's letters, for headlines: `N 3, T 5, D 3, H 4,
    /// upstream dout` (Coursera's: `n_x 3, n_a 4, n_y 2, T_x 5, m 3`).
    public func sizesText(_ d: Dims, target: Target) -> String {
        let l = sizeLetters
        if self == .coursera {
            if case .upstream(let da) = target {
                return "n_x \(d.n_x), n_a \(d.n_a), T_x \(d.steps), m \(d.batch), upstream da over T' = \(da.count)"
            }
            return "n_x \(d.n_x), n_a \(d.n_a), n_y \(d.n_y), T_x \(d.steps), m \(d.batch)"
        }
        let sizes = "\(l.batch) \(d.batch), \(l.steps) \(d.steps), \(l.input) \(d.n_x), \(l.hidden) \(d.n_a)"
        switch target {
        case .upstream: return sizes + ", upstream \(upstreamKey)"
        case .maskedLabels: return sizes + ", \(l.classes) \(d.n_y), masked captions"
        case .labels: return sizes + ", \(l.classes) \(d.n_y), labels"
        }
    }
}
