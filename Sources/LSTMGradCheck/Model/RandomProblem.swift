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

extension LSTMProblem where S == Double {
    /// A network drawn from `SeededGenerator(seed:)`, in a documented order so anyone
    /// can reproduce it: `Wf bf Wi bi Wc bc Wo bo Wy by` (each in C order), then `a0`,
    /// then `x` (C order of n_x × m × T_x), then the labels `y` (C order of m × T_x).
    public static func random(_ dims: LSTMDims, seed: UInt64, scale: GenerationScale = .standard) -> LSTMProblem {
        var g = SeededGenerator(seed: seed)
        func draw(_ rows: Int, _ cols: Int, _ s: Double) -> Matrix<Double> {
            Matrix(rows: rows, cols: cols, storage: (0..<(rows * cols)).map { _ in g.symmetric(s) })
        }
        let (n_x, n_a, n_y, T, m) = (dims.n_x, dims.n_a, dims.n_y, dims.steps, dims.batch)
        let w = scale.weights
        let Wf = draw(n_a, n_a + n_x, w), bf = draw(n_a, 1, w)
        let Wi = draw(n_a, n_a + n_x, w), bi = draw(n_a, 1, w)
        let Wc = draw(n_a, n_a + n_x, w), bc = draw(n_a, 1, w)
        let Wo = draw(n_a, n_a + n_x, w), bo = draw(n_a, 1, w)
        let Wy = draw(n_y, n_a, w), by = draw(n_y, 1, w)
        let a0 = draw(n_a, m, scale.inputs)
        let x = Tensor(shape: [n_x, m, T], data: (0..<(n_x * m * T)).map { _ in g.symmetric(scale.inputs) }).steps
        var labels = Array(repeating: Array(repeating: 0, count: m), count: T)
        for j in 0..<m {
            for t in 0..<T { labels[t][j] = g.index(n_y) }
        }
        let parameters = LSTMParameters(Wf: Wf, bf: bf, Wi: Wi, bi: bi, Wc: Wc, bc: bc, Wo: Wo, bo: bo, Wy: Wy, by: by)
        return LSTMProblem(parameters: parameters, a0: a0, x: x, target: .labels(labels))
    }
}
