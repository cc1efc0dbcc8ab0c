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
        var draw = Draws(seed: seed, scale: scale)
        let (n_x, n_a, n_y) = (dims.n_x, dims.n_a, dims.n_y)
        let Wf = draw.weights(n_a, n_a + n_x), bf = draw.weights(n_a, 1)
        let Wi = draw.weights(n_a, n_a + n_x), bi = draw.weights(n_a, 1)
        let Wc = draw.weights(n_a, n_a + n_x), bc = draw.weights(n_a, 1)
        let Wo = draw.weights(n_a, n_a + n_x), bo = draw.weights(n_a, 1)
        let Wy = draw.weights(n_y, n_a), by = draw.weights(n_y, 1)
        let (a0, x, labels) = draw.sequence(dims)
        let parameters = LSTMParameters(Wf: Wf, bf: bf, Wi: Wi, bi: bi, Wc: Wc, bc: bc, Wo: Wo, bo: bo, Wy: Wy, by: by)
        return LSTMProblem(parameters: parameters, a0: a0, x: x, target: .labels(labels))
    }
}

/// The draws every generated network shares: weights at the weight scale, then `a0`, `x`
/// (C order of n_x × m × T_x) at the input scale, then the labels (C order of m × T_x).
struct Draws {
    var g: SeededGenerator
    let scale: GenerationScale

    init(seed: UInt64, scale: GenerationScale) {
        g = SeededGenerator(seed: seed)
        self.scale = scale
    }

    mutating func weights(_ rows: Int, _ cols: Int) -> Matrix<Double> { matrix(rows, cols, scale.weights) }

    mutating func matrix(_ rows: Int, _ cols: Int, _ s: Double) -> Matrix<Double> {
        Matrix(rows: rows, cols: cols, storage: (0..<(rows * cols)).map { _ in g.symmetric(s) })
    }

    mutating func sequence(_ d: LSTMDims) -> (a0: Matrix<Double>, x: [Matrix<Double>], labels: [[Int]]) {
        let a0 = matrix(d.n_a, d.batch, scale.inputs)
        let x = Tensor(shape: [d.n_x, d.batch, d.steps], data: (0..<(d.n_x * d.batch * d.steps)).map { _ in g.symmetric(scale.inputs) }).steps
        var labels = Array(repeating: Array(repeating: 0, count: d.batch), count: d.steps)
        for j in 0..<d.batch {
            for t in 0..<d.steps { labels[t][j] = g.index(d.n_y) }
        }
        return (a0, x, labels)
    }
}
