/// How a generated network is drawn.
public struct GenerationScale: Sendable, Equatable {
    /// Weights and biases are uniform in [−weights, weights).
    public var weights: Double
    /// `x` and `a0` are uniform in [−inputs, inputs).
    public var inputs: Double

    public static let standard = GenerationScale(weights: 1, inputs: 1)

    public init(weights: Double, inputs: Double) {
        self.weights = weights
        self.inputs = inputs
    }
}

extension Problem where S == Double {
    /// A network drawn from `SeededGenerator(seed:)`, in a documented order so anyone
    /// can reproduce it: the parameters in report order (`Wf bf Wi bi Wc bc Wo bo Wy by` for
    /// the LSTM, `Waa Wax ba Wya by` for the RNN, each in C order), then `a0`, then `x`
    /// (C order of n_x × m × T_x), then the labels `y` (C order of m × T_x).
    public static func random(_ dims: Dims, seed: UInt64, scale: GenerationScale = .standard) -> Problem {
        var g = SeededGenerator(seed: seed)
        func matrix(_ rows: Int, _ cols: Int, _ s: Double) -> Matrix<Double> {
            Matrix(rows: rows, cols: cols, storage: (0..<(rows * cols)).map { _ in g.symmetric(s) })
        }
        let weights = Weights<C, Double> { p in
            let (rows, cols) = C.shape(of: p, dims)
            return matrix(rows, cols, scale.weights)
        }
        let a0 = matrix(dims.n_a, dims.batch, scale.inputs)
        let count = dims.n_x * dims.batch * dims.steps
        let x = Tensor(shape: [dims.n_x, dims.batch, dims.steps], data: (0..<count).map { _ in g.symmetric(scale.inputs) }).steps
        var labels = Array(repeating: Array(repeating: 0, count: dims.batch), count: dims.steps)
        for j in 0..<dims.batch {
            for t in 0..<dims.steps { labels[t][j] = g.index(dims.n_y) }
        }
        return Problem(weights: weights, a0: a0, x: x, target: .labels(labels))
    }
}

extension Problem where S == Double {
    /// The same network under the notebook's `lstm_backward(da, caches)` loss: an upstream
    /// gradient over every step in place of its target, drawn uniform in [−scale, scale) from
    /// `SeededGenerator(seed:)`, step by step, each step's n_a × m in C order; the output layer
    /// dropped (that loss never reads it).
    public func withUpstreamGradient(seed: UInt64, scale: Double = 1) -> Problem {
        var p = self
        var g = SeededGenerator(seed: seed)
        let d = dims
        p.target = .upstream((0..<d.steps).map { _ in
            Matrix(rows: d.n_a, cols: d.batch, storage: (0..<(d.n_a * d.batch)).map { _ in g.symmetric(scale) })
        })
        p.weights[C.outputLayer.weight] = Matrix(rows: 0, cols: d.n_a)
        p.weights[C.outputLayer.bias] = Matrix(rows: 0, cols: 1)
        return p
    }
}
