import Foundation

/// How gradient travels back through time in one network.
public struct FlowReport: Sendable {
    /// ‖∂L/∂a_t‖₂ for every step t (every later loss included).
    public var hidden: [Double]
    /// ‖∂L/∂c_t‖₂ for every step (empty for a cell without a cell state).
    public var cell: [Double]
    /// `byDistance[k]`: the mean over losses L_s (that have a step s − k) of ‖∂L_s/∂a_{s−k}‖₂,
    /// how much of one step's loss still reaches the hidden state k steps earlier.
    public var byDistance: [Double]

    /// The fitted per-step factor of the decay: exp of the least-squares slope of
    /// log(byDistance[k]) over k (1 when there is one step or nothing to fit).
    public var decayPerStep: Double {
        let points = byDistance.enumerated().filter { $0.element > 0 }.map { (Double($0.offset), log($0.element)) }
        guard points.count >= 2 else { return 1 }
        let n = Double(points.count)
        let mk = points.reduce(0) { $0 + $1.0 } / n, mv = points.reduce(0) { $0 + $1.1 } / n
        let cov = points.reduce(0) { $0 + ($1.0 - mk) * ($1.1 - mv) }, vk = points.reduce(0) { $0 + ($1.0 - mk) * ($1.0 - mk) }
        return exp(cov / vk)
    }

    /// `byDistance[k] / byDistance[0]`, the decay with distance (0 where nothing starts).
    public var decay: [Double] {
        guard let first = byDistance.first, first > 0 else { return byDistance.map { _ in 0 } }
        return byDistance.map { $0 / first }
    }
}

public enum GradientFlow {
    public static func flow<C: Cell>(_ problem: Problem<C, Double>) -> FlowReport {
        let states = C.stateGradients(problem)
        let caches = C.caches(problem)
        let head = OutputLayer.backward(problem, C.hiddenStates(problem))
        let zeros = Matrix<Double>(rows: problem.a0.rows, cols: problem.a0.cols)
        let distances = byDistance(steps: caches.count, start: { StateGradient(da: head.da[$0], dc: zeros) }, hidden: { $0.da }) { state, t in
            C.cellBackward(state, caches[t], problem.weights).back
        }
        return FlowReport(hidden: states.da.map { Comparison.norm($0.storage) }, cell: states.dc.map { Comparison.norm($0.storage) },
                          byDistance: distances)
    }

    /// Each step's loss alone, carried back step by step by `back(state, t)` (the notebook's
    /// loop fed one loss); the mean norm of the hidden-state gradient k steps back, per k.
    private static func byDistance<State>(steps: Int, start: (Int) -> State, hidden: (State) -> Matrix<Double>,
                                          back: (State, Int) -> State) -> [Double] {
        var sums = Array(repeating: 0.0, count: steps), counts = sums
        for s in 0..<steps {
            var state = start(s)
            for t in stride(from: s, through: 0, by: -1) {
                sums[s - t] += Comparison.norm(hidden(state).storage)
                counts[s - t] += 1
                state = back(state, t)
            }
        }
        return zip(sums, counts).map { $1 > 0 ? $0 / $1 : 0 }
    }
}

/// The LSTM's and a plain RNN's gradient flow on the same inputs, and what they say
/// about the claim that the LSTM carries gradient further back in time.
public struct FlowComparison: Sendable {
    public var lstm: FlowReport
    public var rnn: FlowReport

    public init(lstm: FlowReport, rnn: FlowReport) {
        self.lstm = lstm
        self.rnn = rnn
    }

    /// Whether the LSTM's gradient decays more slowly with distance than the RNN's.
    public var lstmCarriesFurther: Bool { lstm.decayPerStep > rnn.decayPerStep }

    /// One line, from the fitted decay rates.
    public var conclusion: String {
        let k = max(lstm.byDistance.count - 1, 0)
        let figures = "per step back the LSTM's gradient is multiplied by \(fmt(lstm.decayPerStep)) on average and the RNN's by \(fmt(rnn.decayPerStep))"
            + (k > 0 ? " (at k = \(k): \(sci(lstm.decay[k])) of the k = 0 norm against \(sci(rnn.decay[k])))" : "")
        return lstmCarriesFurther
            ? "On this network the LSTM carries gradient further back than the plain RNN: \(figures)."
            : "On this network the claim does not hold: the plain RNN's gradient decays no faster than the LSTM's; \(figures)."
    }

    private func fmt(_ x: Double) -> String { String(format: "%.3f", x) }
}
