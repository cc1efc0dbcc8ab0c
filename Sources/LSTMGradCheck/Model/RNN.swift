/// The course's plain RNN: `a_t = tanh(Waa·a_{t−1} + Wax·x_t + ba)`,
/// `ŷ_t = softmax(Wya·a_t + by)`, in Coursera's names and shapes.
public struct RNNParameters<S: Scalar>: Sendable {
    public var Waa: Matrix<S>, Wax: Matrix<S>, ba: Matrix<S>
    public var Wya: Matrix<S>, by: Matrix<S>

    public init(Waa: Matrix<S>, Wax: Matrix<S>, ba: Matrix<S>, Wya: Matrix<S>, by: Matrix<S>) {
        self.Waa = Waa; self.Wax = Wax; self.ba = ba; self.Wya = Wya; self.by = by
    }

    public var n_a: Int { Waa.rows }
    public var n_x: Int { Wax.cols }
    public var n_y: Int { Wya.rows }

    public static var fields: [(name: String, path: WritableKeyPath<RNNParameters, Matrix<S>>)] {
        [("Waa", \.Waa), ("Wax", \.Wax), ("ba", \.ba), ("Wya", \.Wya), ("by", \.by)]
    }

    public func map<T: Scalar>(_ f: (String, Matrix<S>) -> Matrix<T>) -> RNNParameters<T> {
        RNNParameters<T>(Waa: f("Waa", Waa), Wax: f("Wax", Wax), ba: f("ba", ba), Wya: f("Wya", Wya), by: f("by", by))
    }
}

/// A plain RNN, its inputs and its target, with the same loss as the LSTM's.
public struct RNNProblem<S: Scalar>: Sendable {
    public var parameters: RNNParameters<S>
    public var a0: Matrix<S>
    public var x: [Matrix<S>]
    public var target: LSTMTarget

    public init(parameters: RNNParameters<S>, a0: Matrix<S>, x: [Matrix<S>], target: LSTMTarget) {
        self.parameters = parameters
        self.a0 = a0
        self.x = x
        self.target = target
    }

    public var dims: LSTMDims {
        LSTMDims(n_x: parameters.n_x, n_a: parameters.n_a, n_y: parameters.n_y, steps: x.count, batch: a0.cols)
    }
}

/// What one RNN step keeps: the notebook's `cache = (a_next, a_prev, xt, parameters)`.
public struct RNNCellCache<S: Scalar>: Sendable {
    public var a_next: Matrix<S>, a_prev: Matrix<S>, xt: Matrix<S>
}

public enum RNN {
    /// The notebook's `rnn_cell_forward` without its output layer.
    public static func cellForward<S>(_ xt: Matrix<S>, _ a_prev: Matrix<S>, _ p: RNNParameters<S>) -> RNNCellCache<S> {
        let a_next = np.tanh((np.dot(p.Wax, xt) + np.dot(p.Waa, a_prev)).addingColumn(p.ba))
        return RNNCellCache(a_next: a_next, a_prev: a_prev, xt: xt)
    }

    public static func forward<S>(_ problem: RNNProblem<S>) -> [RNNCellCache<S>] {
        var a = problem.a0
        return problem.x.map { xt in
            let cache = cellForward(xt, a, problem.parameters)
            a = cache.a_next
            return cache
        }
    }

    /// The LSTM's loss on the RNN's hidden states.
    public static func loss<S>(_ problem: RNNProblem<S>) -> S {
        OutputLayer.loss(problem.parameters.Wya, problem.parameters.by, problem.target, forward(problem).map(\.a_next))
    }
}

extension RNNProblem {
    public var hasOutputLayer: Bool {
        if case .labels = target { return true }
        return false
    }

    /// `Waa Wax ba Wya by a0 x` (no `Wya by` without an output layer).
    public var inputKeys: [String] {
        RNNParameters<S>.fields.map(\.name).filter { hasOutputLayer || ($0 != "Wya" && $0 != "by") } + ["a0", "x"]
    }

    public func shape(of key: String) -> [Int] {
        switch key {
        case "a0": return [a0.rows, a0.cols]
        case "x": return [parameters.n_x, a0.cols, x.count]
        default: return Self.path(key).map { [parameters[keyPath: $0].rows, parameters[keyPath: $0].cols] } ?? [0]
        }
    }

    /// The parameter named `key`, if there is one.
    static func path(_ key: String) -> WritableKeyPath<RNNParameters<S>, Matrix<S>>? {
        RNNParameters<S>.fields.first { $0.name == key }?.path
    }
}

extension RNNProblem: GradientProblem where S == Double {
    public var cell: String { "rnn" }

    public var lossTermMagnitude: Double {
        OutputLayer.termMagnitude(parameters.Wya, parameters.by, target, RNN.forward(self).map(\.a_next))
    }

    public func lifted<T: Scalar>(_ lift: (String, Int, Double) -> T) -> RNNProblem<T> {
        RNNProblem<T>(parameters: parameters.map { Lifting.matrix($0, $1, lift) }, a0: Lifting.matrix("a0", a0, lift),
                      x: Lifting.steps(x, lift), target: target)
    }

    public func converted<T: Scalar>(to _: T.Type) -> RNNProblem<T> { lifted { T($2) } }

    public func loss<T: Scalar>(lifting lift: (String, Int, Double) -> T) -> T { RNN.loss(lifted(lift)) }

    public func tensor(_ key: String) -> Tensor {
        switch key {
        case "a0": return Tensor(a0)
        case "x": return Tensor(steps: x, rows: parameters.n_x, cols: a0.cols)
        default: return Self.path(key).map { Tensor(parameters[keyPath: $0]) } ?? Tensor(zeros: [0])
        }
    }

    public mutating func set(_ key: String, _ flat: Int, to value: Double) {
        switch key {
        case "a0": a0.storage[flat] = value
        case "x": Lifting.set(&x, flat, to: value)
        default: if let path = Self.path(key) { parameters[keyPath: path].storage[flat] = value }
        }
    }

    /// A plain RNN drawn like `LSTMProblem.random`: `Waa Wax ba Wya by`, then `a0`, `x`, `y`.
    public static func random(_ dims: LSTMDims, seed: UInt64, scale: GenerationScale = .standard) -> RNNProblem {
        var draw = Draws(seed: seed, scale: scale)
        let (n_x, n_a, n_y) = (dims.n_x, dims.n_a, dims.n_y)
        let p = RNNParameters(Waa: draw.weights(n_a, n_a), Wax: draw.weights(n_a, n_x), ba: draw.weights(n_a, 1),
                              Wya: draw.weights(n_y, n_a), by: draw.weights(n_y, 1))
        let (a0, x, labels) = draw.sequence(dims)
        return RNNProblem(parameters: p, a0: a0, x: x, target: .labels(labels))
    }
}

extension RNNProblem where S == Double {
    /// A plain RNN beside `lstm`: its own weights drawn from `seed` at `scale`, and the LSTM's
    /// very inputs, initial state and target, so the two cells can be compared step for step.
    public static func beside(_ lstm: LSTMProblem<Double>, seed: UInt64, scale: GenerationScale = .standard) -> RNNProblem {
        var d = lstm.dims
        d.n_y = max(d.n_y, 1)
        var p = random(d, seed: seed, scale: scale)
        p.a0 = lstm.a0
        p.x = lstm.x
        p.target = lstm.target
        if !lstm.hasOutputLayer {
            p.parameters.Wya = Matrix(rows: 0, cols: d.n_a)
            p.parameters.by = Matrix(rows: 0, cols: 1)
        } else {
            p.parameters.Wya = lstm.parameters.Wy
            p.parameters.by = lstm.parameters.by
        }
        return p
    }
}
