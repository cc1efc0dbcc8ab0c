/// The sizes of one LSTM problem, in Coursera's names.
public struct LSTMDims: Sendable, Equatable {
    public var n_x: Int, n_a: Int, n_y: Int
    /// T_x, the sequence length.
    public var steps: Int
    /// m, the batch size.
    public var batch: Int

    public init(n_x: Int, n_a: Int, n_y: Int, steps: Int, batch: Int) {
        self.n_x = n_x; self.n_a = n_a; self.n_y = n_y; self.steps = steps; self.batch = batch
    }
}

/// What the loss is made of.
public enum LSTMTarget: Sendable, Equatable {
    /// Class indices: `labels[t][j]` is the class of batch column j at step t.
    /// `L = −Σ_t Σ_j log ŷ_t[labels[t][j], j]`.
    case labels([[Int]])
    /// The notebook's `lstm_backward(da, caches)`: `da[t]` (n_a × m) for the first
    /// T' ≤ T_x steps, and `L = Σ_{t<T'} Σ da_t ⊙ a_t`. There is no output layer.
    case upstream([Matrix<Double>])
}

/// A network, its inputs and its target: everything a loss needs.
public struct LSTMProblem<S: Scalar>: Sendable {
    public var parameters: LSTMParameters<S>
    /// Initial hidden state, n_a × m.
    public var a0: Matrix<S>
    /// Initial cell state, n_a × m (zeros unless the fixture gives it).
    public var c0: Matrix<S>
    /// Whether `c0` was given, and so whether `dc0` is part of the answer.
    public var hasC0: Bool
    /// `x[t]` is x[:, :, t], n_x × m.
    public var x: [Matrix<S>]
    public var target: LSTMTarget

    public init(parameters: LSTMParameters<S>, a0: Matrix<S>, c0: Matrix<S>? = nil, x: [Matrix<S>], target: LSTMTarget) {
        self.parameters = parameters
        self.a0 = a0
        self.c0 = c0 ?? Matrix(rows: a0.rows, cols: a0.cols)
        self.hasC0 = c0 != nil
        self.x = x
        self.target = target
    }

    public var dims: LSTMDims {
        LSTMDims(n_x: parameters.n_x, n_a: parameters.n_a, n_y: parameters.n_y, steps: x.count, batch: a0.cols)
    }

    public var hasOutputLayer: Bool {
        if case .labels = target { return true }
        return false
    }

    /// The tensors the loss is differentiated with respect to, in report order:
    /// `Wf bf Wi bi Wc bc Wo bo Wy by a0 [c0] x` (no `Wy by` without an output layer).
    public var inputKeys: [String] {
        var keys = LSTMParameters<S>.fields.map(\.name)
        if !hasOutputLayer { keys.removeAll { $0 == "Wy" || $0 == "by" } }
        keys.append("a0")
        if hasC0 { keys.append("c0") }
        keys.append("x")
        return keys
    }

    /// The Coursera shape of input `key`.
    public func shape(of key: String) -> [Int] {
        switch key {
        case "a0", "c0": return [a0.rows, a0.cols]
        case "x": return [parameters.n_x, a0.cols, x.count]
        default: return Self.path(key).map { [parameters[keyPath: $0].rows, parameters[keyPath: $0].cols] } ?? [0]
        }
    }

    /// The parameter named `key`, if there is one.
    static func path(_ key: String) -> WritableKeyPath<LSTMParameters<S>, Matrix<S>>? {
        LSTMParameters<S>.fields.first { $0.name == key }?.path
    }
}

extension LSTMProblem: GradientProblem where S == Double {
    public var cell: String { "lstm" }

    public var lossTermMagnitude: Double {
        OutputLayer.termMagnitude(parameters.Wy, parameters.by, target, LSTM.forward(self).map(\.a_next))
    }

    public func loss<T: Scalar>(lifting lift: (String, Int, Double) -> T) -> T { LSTM.loss(lifted(lift)) }

    /// The same problem with every input element passed through `lift(key, flatIndex, value)`,
    /// where `flatIndex` is the element's C-order position in the Coursera shape of `key`.
    /// This is how a perturbation (finite differences) or a tangent seed (dual numbers) enters.
    public func lifted<T: Scalar>(_ lift: (String, Int, Double) -> T) -> LSTMProblem<T> {
        var p = LSTMProblem<T>(parameters: parameters.map { Lifting.matrix($0, $1, lift) }, a0: Lifting.matrix("a0", a0, lift),
                               c0: Lifting.matrix("c0", c0, lift), x: Lifting.steps(x, lift), target: target)
        p.hasC0 = hasC0
        return p
    }

    /// The same problem in another scalar type.
    public func converted<T: Scalar>(to _: T.Type) -> LSTMProblem<T> { lifted { T($2) } }

    /// Input `key` as a tensor in its Coursera shape.
    public func tensor(_ key: String) -> Tensor {
        switch key {
        case "a0": return Tensor(a0)
        case "c0": return Tensor(c0)
        case "x": return Tensor(steps: x, rows: parameters.n_x, cols: a0.cols)
        default: return Self.path(key).map { Tensor(parameters[keyPath: $0]) } ?? Tensor(zeros: [0])
        }
    }

    /// Sets element `flat` (C order in the Coursera shape) of input `key`.
    public mutating func set(_ key: String, _ flat: Int, to value: Double) {
        switch key {
        case "a0": a0.storage[flat] = value
        case "c0": c0.storage[flat] = value
        case "x": Lifting.set(&x, flat, to: value)
        default: if let path = Self.path(key) { parameters[keyPath: path].storage[flat] = value }
        }
    }
}
