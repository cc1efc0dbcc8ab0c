/// How gradient travels back through time in one network.
public struct FlowReport: Sendable {
    /// ‖∂L/∂a_t‖₂ for every step t (every later loss included).
    public var hidden: [Double]
    /// ‖∂L/∂c_t‖₂ for every step (empty for a cell without a cell state).
    public var cell: [Double]
    /// `byDistance[k]`: the mean over losses L_s (that have a step s − k) of ‖∂L_s/∂a_{s−k}‖₂,
    /// how much of one step's loss still reaches the hidden state k steps earlier.
    public var byDistance: [Double]

    /// `byDistance[k] / byDistance[0]`, the decay with distance (0 where nothing starts).
    public var decay: [Double] {
        guard let first = byDistance.first, first > 0 else { return byDistance.map { _ in 0 } }
        return byDistance.map { $0 / first }
    }
}

public enum GradientFlow {
    public static func lstm(_ problem: LSTMProblem<Double>) -> FlowReport {
        let states = BPTT.stateGradients(problem)
        let caches = LSTM.forward(problem)
        let head = OutputLayer.backward(problem, caches)
        let zeros = Matrix<Double>(rows: problem.a0.rows, cols: problem.a0.cols)
        var sums = Array(repeating: 0.0, count: caches.count), counts = sums
        for s in caches.indices {
            // Loss s alone, carried back step by step: the notebook loop fed one loss.
            var da = head.da[s], dc = zeros
            for t in stride(from: s, through: 0, by: -1) {
                sums[s - t] += Comparison.norm(da.storage)
                counts[s - t] += 1
                let g = CourseraCell.lstm_cell_backward(da, dc, caches[t], problem.parameters)
                (da, dc) = (g.da_prev, g.dc_prev)
            }
        }
        return FlowReport(hidden: states.da.map { Comparison.norm($0.storage) }, cell: states.dc.map { Comparison.norm($0.storage) },
                          byDistance: zip(sums, counts).map { $1 > 0 ? $0 / $1 : 0 })
    }
}
