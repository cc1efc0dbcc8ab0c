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

    /// The LSTM's loss on the RNN's hidden states: cross-entropy of `softmax(Wya·a_t + by)`
    /// summed over steps and batch, or `Σ da_t ⊙ a_t` for an upstream gradient.
    public static func loss<S>(_ problem: RNNProblem<S>) -> S {
        let caches = forward(problem)
        switch problem.target {
        case .labels(let labels):
            var L = S.zero
            for (cache, y) in zip(caches, labels) {
                L = L - Softmax.logLikelihood(matmul(problem.parameters.Wya, cache.a_next).addingColumn(problem.parameters.by), labels: y)
            }
            return L
        case .upstream(let da):
            var L = S.zero
            for (dat, cache) in zip(da, caches) { L = L + (dat.converted(to: S.self) * cache.a_next).sum() }
            return L
        }
    }
}
