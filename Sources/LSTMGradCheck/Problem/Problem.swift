/// The sizes of one problem, in Coursera's names.
public struct Dims: Sendable, Equatable {
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
public enum Target: Sendable, Equatable {
    /// Class indices: `labels[t][j]` is the class of batch column j at step t.
    /// `L = −Σ_t Σ_j log ŷ_t[labels[t][j], j]`.
    case labels([[Int]])
    /// The notebook's `lstm_backward(da, caches)`: `da[t]` (n_a × m) for the first
    /// T' ≤ T_x steps, and `L = Σ_{t<T'} Σ da_t ⊙ a_t`. There is no output layer.
    case upstream([Matrix<Double>])
    /// The cs231n captioning loss: `labels[t][j]` is the class of batch column j at step t,
    /// counted only where `mask[t][j]`, and the sum scaled by `scale` (1/N: averaged over the
    /// batch, not over the unmasked words). `L = −scale·Σ_t Σ_j mask·log ŷ_t[labels[t][j], j]`.
    /// The batched LSTM kernels do not take it (`LSTMKernel.supports`): the LSTM's exact
    /// gradient, finite differences and `bptt` then run their generic definitions.
    case maskedLabels(labels: [[Int]], mask: [[Bool]], scale: Double)

    /// Whether the loss reads an output layer `softmax(Wy·a_t + by)`.
    public var hasOutputLayer: Bool {
        switch self {
        case .labels, .maskedLabels: return true
        case .upstream: return false
        }
    }
}

/// A network of cell `C` over scalar `S`, its inputs and its target: everything a loss needs.
/// In `Double` it is what every reference and check works on; lifted into another scalar
/// (a perturbation, `Float`, a dual number) it carries the same forward pass.
public struct Problem<C: Cell, S: Scalar>: Sendable {
    public var weights: Weights<C, S>
    /// Initial hidden state, n_a × m.
    public var a0: Matrix<S>
    /// Initial cell state, n_a × m (zeros unless the fixture gives it; empty for a cell without one).
    public var c0: Matrix<S>
    /// Whether `c0` was given, and so whether `dc0` is part of the answer.
    public var hasC0: Bool
    /// `x[t]` is x[:, :, t], n_x × m.
    public var x: [Matrix<S>]
    public var target: Target

    public init(weights: Weights<C, S>, a0: Matrix<S>, c0: Matrix<S>? = nil, x: [Matrix<S>], target: Target) {
        self.weights = weights
        self.a0 = a0
        self.c0 = c0 ?? Matrix(rows: a0.rows, cols: a0.cols)
        self.hasC0 = c0 != nil && C.hasCellState
        self.x = x
        self.target = target
    }

    public var dims: Dims {
        Dims(n_x: x.first?.rows ?? 0, n_a: a0.rows, n_y: hasOutputLayer ? weights[C.outputLayer.weight].rows : 0,
             steps: x.count, batch: a0.cols)
    }

    public var hasOutputLayer: Bool { target.hasOutputLayer }

    /// The tensors the loss is differentiated with respect to, in report order: the cell's
    /// parameters (without the output layer for an upstream target), `a0`, `c0` when given, `x`.
    public var inputs: [Input<C>] {
        Input<C>.all.filter { input in
            switch input {
            case .parameter(let p): return hasOutputLayer || (p != C.outputLayer.weight && p != C.outputLayer.bias)
            case .c0: return hasC0
            case .a0, .x: return true
            }
        }
    }

    /// The Coursera shape of `input`.
    public func shape(of input: Input<C>) -> [Int] {
        switch input {
        case .parameter(let p): return [weights[p].rows, weights[p].cols]
        case .a0: return [a0.rows, a0.cols]
        case .c0: return [c0.rows, c0.cols]
        case .x: return [dims.n_x, a0.cols, x.count]
        }
    }

    /// The loss on the cell's hidden states.
    public var loss: S {
        OutputLayer.loss(weights[C.outputLayer.weight], weights[C.outputLayer.bias], target, C.hiddenStates(self))
    }

    /// The gradients a route computed, in `inputs` order: `dW` in the parameters' shapes,
    /// `dx[t]` per step. `dc0` is read only when the problem has `c0`.
    public func gradients(dW: Weights<C, S>, da0: Matrix<S>, dc0: Matrix<S>? = nil, dx: [Matrix<S>]) -> Gradients<C> {
        func double(_ m: Matrix<S>) -> Matrix<Double> { m.map(\.primal) }
        var out = Gradients<C>()
        for input in inputs {
            switch input {
            case .parameter(let p): out[input] = Tensor(double(dW[p]))
            case .a0: out[input] = Tensor(double(da0))
            case .c0: out[input] = Tensor(double(dc0 ?? Matrix(rows: c0.rows, cols: c0.cols)))
            case .x: out[input] = Tensor(steps: dx.map(double), rows: dims.n_x, cols: a0.cols)
            }
        }
        return out
    }
}

extension Problem where S == Double {
    /// `input` as a tensor in its Coursera shape.
    public func tensor(_ input: Input<C>) -> Tensor {
        switch input {
        case .parameter(let p): return Tensor(weights[p])
        case .a0: return Tensor(a0)
        case .c0: return Tensor(c0)
        case .x: return Tensor(steps: x, rows: dims.n_x, cols: a0.cols)
        }
    }

    /// Sets element `flat` (C order in the Coursera shape) of `input`.
    public mutating func set(_ input: Input<C>, _ flat: Int, to value: Double) {
        switch input {
        case .parameter(let p): weights[p].storage[flat] = value
        case .a0: a0.storage[flat] = value
        case .c0: c0.storage[flat] = value
        case .x:
            let T = x.count, m = a0.cols
            x[flat % T][flat / (T * m), (flat / T) % m] = value
        }
    }

    /// The same problem with every input element passed through `lift(input, flatIndex, value)`,
    /// where `flatIndex` is the element's C-order position in the Coursera shape of `input`.
    /// This is how a perturbation (finite differences) or a tangent seed (dual numbers) enters.
    public func lifted<T: Scalar>(_ lift: (Input<C>, Int, Double) -> T) -> Problem<C, T> {
        func matrix(_ input: Input<C>, _ m: Matrix<Double>) -> Matrix<T> {
            Matrix<T>(rows: m.rows, cols: m.cols, storage: m.storage.enumerated().map { lift(input, $0.offset, $0.element) })
        }
        let T = x.count
        let steps = x.enumerated().map { t, xt in
            var out = Matrix<T>(rows: xt.rows, cols: xt.cols)
            for i in 0..<xt.rows {
                for j in 0..<xt.cols { out[i, j] = lift(.x, (i * xt.cols + j) * T + t, xt[i, j]) }
            }
            return out
        }
        var p = Problem<C, T>(weights: weights.map { matrix(.parameter($0), $1) }, a0: matrix(.a0, a0),
                              c0: matrix(.c0, c0), x: steps, target: target)
        p.hasC0 = hasC0
        return p
    }

    /// The same problem in another scalar type.
    public func converted<T: Scalar>(to _: T.Type) -> Problem<C, T> { lifted { T($2) } }

    /// The loss with every input element passed through `lift` (see `lifted`).
    public func loss<T: Scalar>(lifting lift: (Input<C>, Int, Double) -> T) -> T { lifted(lift).loss }

    /// `Σ|terms|` of the loss, which bounds its rounding: `L` itself for labels (every
    /// `−log ŷ` is ≥ 0), `Σ|da ⊙ a|` upstream, where the terms may cancel.
    public var lossTermMagnitude: Double {
        OutputLayer.termMagnitude(weights[C.outputLayer.weight], weights[C.outputLayer.bias], target, C.hiddenStates(self))
    }
}
