/// A recurrent cell: what it is called, which parameters it has and in what shapes, how it
/// steps forward, and the catalogue of derivations of its gradient.
///
/// Everything downstream — the problem, the gradients, the references, the check, the
/// diagnosis — is generic over a `Cell`, so a new cell is one folder with one conformance
/// and one line in `CellKind`. Names exist only where files and the command line are read
/// and written (`Parameter.name`); inside, a parameter is a case of `Parameter`.
public protocol Cell: Sendable {
    /// The cell's parameters, output layer included, in report order.
    associatedtype Parameter: CellParameter

    static var kind: CellKind { get }

    /// The output layer `ŷ_t = softmax(W·a_t + b)` as parameters: `(Wy, by)`. Absent from a
    /// problem with an upstream-gradient target.
    static var outputLayer: (weight: Parameter, bias: Parameter) { get }

    /// Whether the cell keeps a cell state `c` beside `a`, and so takes a `c0`.
    static var hasCellState: Bool { get }

    /// `(rows, cols)` of parameter `p` in a network of sizes `dims`.
    static func shape(of p: Parameter, _ dims: Dims) -> (rows: Int, cols: Int)

    /// The same in words, for errors: `n_a × (n_a + n_x)`.
    static func shapeText(of p: Parameter) -> String

    /// The hidden states `a_1 … a_T` of the forward pass, over any scalar: the one definition
    /// the loss, the finite differences and the exact reference share.
    static func hiddenStates<S: Scalar>(_ problem: Problem<Self, S>) -> [Matrix<S>]

    /// Full backpropagation through time, written apart from the notebook's cell: the
    /// derivation the per-step parts of `explain` must add up to.
    static var bptt: Method<Self> { get }

    /// The derivations a bare check runs: the correct ones and the one the question is about.
    static var coreMethods: [Method<Self>] { get }

    /// Every derivation in the catalogue for `steps` time steps (`--methods all`).
    static func catalogue(steps: Int) -> [Method<Self>]

    /// Every name `method(named:steps:)` takes, for help and errors.
    static var methodNames: [String] { get }

    /// The derivation called `name`, or nil.
    static func method(named name: String, steps: Int) -> Method<Self>?

    /// `∂L/∂θ` for every element of every input, exactly (forward mode). The default runs dual
    /// numbers through `hiddenStates`; a cell may supply a faster route to the same numbers.
    static func exactGradient(_ problem: Problem<Self, Double>, control: RunControl) throws(Interruption) -> Gradients<Self>

    /// The finite differences `request` asks for at each element it selects (every element
    /// without a selection); a stop leaves some without a value and says why
    /// (`ElementResults.stop`). The default goes element by element; a cell may supply a
    /// batched backend that gives the same numbers. Either way an element's result may not
    /// depend on which other elements are selected with it: a shard of the work gives the
    /// bits the whole run gives.
    static func finiteDifferences(_ problem: Problem<Self, Double>, _ request: FiniteDifferences.Request,
                                  control: RunControl) -> FiniteDifferences.ElementResults

    /// What each element costs `finiteDifferences` under `request`, in any consistent unit
    /// (`problem.inputs` in order, each tensor in C order): what shards are balanced by. The
    /// default counts every element alike, as the element-by-element backend runs the whole
    /// loss for each.
    static func finiteDifferenceCosts(_ problem: Problem<Self, Double>, _ request: FiniteDifferences.Request) -> [Int]

    /// The wrong derivations `verify` tests a wrong tensor against (default: the catalogue's wrong ones).
    static func suspects(steps: Int) -> [Method<Self>]

    /// The same parameter of the cell's other gates, which a gate mix-up exchanges it with
    /// (default: none).
    static func siblings(of p: Parameter) -> [Parameter]

    /// What one forward step keeps for the backward pass (the notebook's `cache`).
    associatedtype Cache: Sendable

    /// Every step's cache, t = 0 ..< T_x.
    static func caches(_ problem: Problem<Self, Double>) -> [Cache]

    /// The notebook's cell backward at one step: fed what reaches the step's outputs, it gives
    /// the step's own (local) gradient of every recurrent parameter (nil for the output layer),
    /// what it passes back to the step before, and the gradient at the step's input x_t.
    static func cellBackward(_ incoming: StateGradient, _ cache: Cache, _ weights: Weights<Self, Double>)
        -> (local: (Parameter) -> Matrix<Double>?, back: StateGradient, dxt: Matrix<Double>)

    /// The cell's gates as the notebook names them, for locating an error that no known
    /// mistake explains (default: none).
    static var gates: [GateSite<Self>] { get }

    /// `∂L/∂a_t` and (for a cell with a cell state) `∂L/∂c_t` at every step, every later path
    /// included: how much gradient reaches each state.
    static func stateGradients(_ problem: Problem<Self, Double>) -> (da: [Matrix<Double>], dc: [Matrix<Double>])

    /// The gate a framework's letter names (`"i"`, `"f"`, `"g"` or `"c"`, `"o"` for the LSTM;
    /// `"h"` for a cell with one pre-activation), as the blocks of its parameters that
    /// frameworks stack (`Layouts/`); nil when the cell has no such gate (default: none, and
    /// then no layout but Coursera's can hold the cell).
    static func gateBlock(_ letter: String) -> GateBlock<Self>?

    /// The gate that sets what share of the state's gradient one step passes straight back, and
    /// its mean over units, batch and steps on `problem`: the LSTM's forget gate (through c), a
    /// GRU's update gate (through h); nil for a cell without one (default: the plain RNN's).
    static func carryGate(_ problem: Problem<Self, Double>) -> CarryGate?
}

/// A cell's carry gate on one network (`Cell.carryGate`): its name, its letter, the state it
/// gates and its mean value g — the path keeps a fraction g of its gradient per step.
public struct CarryGate: Sendable, Equatable {
    public var name: String
    public var letter: String
    public var state: String
    public var mean: Double

    /// The mean of `values` (every unit, batch column and step), or nil when there are none.
    public init?(name: String, letter: String, state: String, values: [Double]) {
        guard !values.isEmpty else { return nil }
        (self.name, self.letter, self.state) = (name, letter, state)
        mean = values.reduce(0, +) / Double(values.count)
    }
}

extension Cell {
    public static func carryGate(_ problem: Problem<Self, Double>) -> CarryGate? { nil }

    public static func exactGradient(_ problem: Problem<Self, Double>, control: RunControl) throws(Interruption) -> Gradients<Self> {
        try ExactGradient.dualNumbers(problem, control: control)
    }

    public static func finiteDifferences(_ problem: Problem<Self, Double>, _ request: FiniteDifferences.Request,
                                         control: RunControl) -> FiniteDifferences.ElementResults {
        FiniteDifferences.elementwiseResults(problem, request, control: control)
    }

    public static func finiteDifferenceCosts(_ problem: Problem<Self, Double>, _ request: FiniteDifferences.Request) -> [Int] {
        Array(repeating: 1, count: FiniteDifferences.elementCount(problem))
    }

    public static func catalogue(steps: Int) -> [Method<Self>] { coreMethods }

    public static var methodNames: [String] { coreMethods.map(\.name) + [Method<Self>.numerical.name] }

    public static func suspects(steps: Int) -> [Method<Self>] { catalogue(steps: steps).filter { $0.expectation == .wrong } }

    public static func siblings(of p: Parameter) -> [Parameter] { [] }

    public static var gates: [GateSite<Self>] { [] }

    public static func gateBlock(_ letter: String) -> GateBlock<Self>? { nil }

    public static func method(named name: String, steps: Int) -> Method<Self>? {
        (catalogue(steps: steps) + [.numerical]).first { $0.name == name }
    }
}

/// One gate of a cell as frameworks stack it: the block of a weight that multiplies the input
/// x_t, the block that multiplies the previous hidden state a_{t−1} (both n_a rows), and the bias
/// (n_a × 1). A framework's stacked weight is these blocks one after another in its gate order.
///
/// A cell that keeps the recurrent side's bias apart (PyTorch's GRU: `bhn` sits inside
/// `r ⊙ (Whn·a + bhn)`, so it is not interchangeable with `bin`) names it as `stateBias`; a
/// layout with two biases (PyTorch's `bias_hh_l0`, Keras' second `bias` row) then maps its
/// second onto it, each with its own gradient. Without one (the LSTM, the RNN) a layout's two
/// biases are added into `bias`.
public struct GateBlock<C: Cell>: Sendable {
    /// Which columns of a parameter a block is.
    public enum Columns: Sendable {
        /// The whole parameter (the RNN's `Wax`, `Waa`).
        case all
        /// The first n_a columns, which act on a_{t−1} in `[a_prev; x_t]`.
        case state
        /// The n_x columns after them, which act on x_t.
        case input
    }

    public var inputWeight: (parameter: C.Parameter, columns: Columns)
    public var stateWeight: (parameter: C.Parameter, columns: Columns)
    public var bias: C.Parameter
    public var stateBias: C.Parameter?

    public init(inputWeight: (parameter: C.Parameter, columns: Columns), stateWeight: (parameter: C.Parameter, columns: Columns),
                bias: C.Parameter, stateBias: C.Parameter? = nil) {
        self.inputWeight = inputWeight
        self.stateWeight = stateWeight
        self.bias = bias
        self.stateBias = stateBias
    }
}

/// What reaches a step's hidden state and (for a cell with one) its cell state.
public struct StateGradient: Sendable {
    public var da: Matrix<Double>
    /// Zeros for a cell without a cell state.
    public var dc: Matrix<Double>

    public init(da: Matrix<Double>, dc: Matrix<Double>) {
        self.da = da
        self.dc = dc
    }

    /// For a cell without a cell state: `da` alone, `dc` zeros.
    public static func hidden(_ da: Matrix<Double>) -> StateGradient {
        StateGradient(da: da, dc: Matrix(rows: da.rows, cols: da.cols))
    }

    public static func zeros(_ rows: Int, _ cols: Int) -> StateGradient {
        StateGradient(da: Matrix(rows: rows, cols: cols), dc: Matrix(rows: rows, cols: cols))
    }

    public static func + (a: StateGradient, b: StateGradient) -> StateGradient {
        StateGradient(da: a.da + b.da, dc: a.dc + b.dc)
    }
}

/// A gate in words: its name, the notebook's variable for its local derivative (with
/// respect to the pre-activation), that variable's formula, and the parameters it owns.
public struct GateSite<C: Cell>: Sendable {
    public var name: String
    public var variable: String
    public var formula: String
    public var parameters: [C.Parameter]
}

/// A cell's parameter: a case of an enum whose cases are the parameters in report order.
/// Its name is its key in fixture and gradient files (`Wf`; the gradient file adds the `d`),
/// so it is a `CodingKey`: for an enum the compiler writes `stringValue` as a switch returning
/// each case's own name, and `init?(stringValue:)` as its inverse.
public protocol CellParameter: CaseIterable, Hashable, CodingKey where AllCases == [Self] {
    /// Position in `allCases`.
    var index: Int { get }
}

extension CellParameter {
    /// The name in files and on the command line: the case's own name.
    public var name: String { stringValue }
    /// The name, as for any other identity printed in a report (not `CodingKey`'s debugging form).
    public var description: String { stringValue }
}

extension CellParameter where Self: RawRepresentable, RawValue == Int {
    public var index: Int { rawValue }
}

/// The registry of cells: one case per cell, the name a fixture's `"cell"` and `--cell` take.
public enum CellKind: String, CaseIterable, Sendable {
    case lstm
    case rnn
    case gru
    /// Keras' `GRU(reset_after=False)`: the reset gate before the recurrent product.
    case gruResetBefore = "gru-reset-before"

    /// The conformance behind the name.
    public var cell: any Cell.Type {
        switch self {
        case .lstm: return LSTM.self
        case .rnn: return RNN.self
        case .gru: return GRU.self
        case .gruResetBefore: return GRUResetBefore.self
        }
    }
}
