/// Gradients of the loss, one tensor per input, keyed by the input's name
/// (`Wf`, `a0`, `x`; gradient files add the `d`) and kept in report order.
public struct Gradients: Sendable, Equatable {
    public private(set) var keys: [String] = []
    private var tensors: [String: Tensor] = [:]

    public init() {}

    public subscript(key: String) -> Tensor? { tensors[key] }

    /// Adds or replaces `key`; a new key goes last.
    public mutating func set(_ key: String, _ tensor: Tensor) {
        if tensors[key] == nil { keys.append(key) }
        tensors[key] = tensor
    }
}

extension Gradients {
    /// Gathers an LSTM route's results: `dW` holds the parameter gradients in the
    /// parameters' own shapes; only `problem.inputKeys` are kept.
    init<S>(_ problem: LSTMProblem<S>, dW: LSTMParameters<S>, da0: Matrix<S>, dc0: Matrix<S>, dx: [Matrix<S>]) {
        func double(_ m: Matrix<S>) -> Matrix<Double> { m.map(\.primal) }
        self.init()
        for key in problem.inputKeys {
            switch key {
            case "a0": set(key, Tensor(double(da0)))
            case "c0": set(key, Tensor(double(dc0)))
            case "x": set(key, Tensor(steps: dx.map(double), rows: problem.parameters.n_x, cols: problem.a0.cols))
            default: if let path = LSTMProblem<S>.path(key) { set(key, Tensor(double(dW[keyPath: path]))) }
            }
        }
    }
}

extension LSTMParameters {
    /// Zeros in every parameter's shape: the accumulator a backward pass sums into.
    static func zeros(like p: LSTMParameters) -> LSTMParameters {
        p.map { _, m in Matrix<S>(rows: m.rows, cols: m.cols) }
    }
}
