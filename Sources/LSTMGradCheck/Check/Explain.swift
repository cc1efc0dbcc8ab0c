/// One weight's gradient split by time step and by path: at step t the notebook's cell
/// is linear in what it is fed, `da[:,:,t] + da_prevt` and `dc_prevt`, so its `dW` splits
/// exactly into the part from the loss at t (what `per-step` keeps) and the parts carried
/// back from later steps through `a_t` and through `c_t` (what `per-step` drops).
public struct ExplainReport: Sendable {
    public struct Step: Sendable {
        public var t: Int
        /// ‖part‖₂ of the local term and of the two carried terms.
        public var local: Double, viaA: Double, viaC: Double
        /// ⟨part, total⟩ / ‖total‖²: the share of the whole gradient (the shares add up to 1).
        public var localShare: Double, carriedShare: Double
    }

    public var key: String
    public var steps: [Step]
    /// Norms of the whole gradient and of its summed local and carried parts.
    public var totalNorm: Double, localNorm: Double, carriedNorm: Double
    /// Shares of the whole (projections; they add up to 1).
    public var localShare: Double, carriedShare: Double
    /// ‖Σ parts − bptt‖ / ‖bptt‖: the split is exact, so this is rounding.
    public var reconstructionError: Double
}

public enum Explain {
    /// The keys a split over time exists for: the gate weights and biases.
    public static let keys = ["Wf", "bf", "Wi", "bi", "Wc", "bc", "Wo", "bo"]
    /// The plain RNN's: its recurrent and input weights and its bias.
    public static let rnnKeys = ["Waa", "Wax", "ba"]

    public static func split(_ problem: LSTMProblem<Double>, key: String) -> ExplainReport? {
        guard keys.contains(key) else { return nil }
        let caches = LSTM.forward(problem)
        let head = OutputLayer.backward(problem, caches)
        let p = problem.parameters
        let zeros = Matrix<Double>(rows: problem.a0.rows, cols: problem.a0.cols)
        var parts: [Part] = []
        var da_prevt = zeros, dc_prevt = zeros
        for t in caches.indices.reversed() {
            let local = CourseraCell.lstm_cell_backward(head.da[t], zeros, caches[t], p)
            let viaA = CourseraCell.lstm_cell_backward(da_prevt, zeros, caches[t], p)
            let viaC = CourseraCell.lstm_cell_backward(zeros, dc_prevt, caches[t], p)
            parts.append(Part(t: t, local: local.parameter(key)!.storage, viaA: viaA.parameter(key)!.storage,
                              viaC: viaC.parameter(key)!.storage))
            da_prevt = local.da_prev + viaA.da_prev + viaC.da_prev
            dc_prevt = local.dc_prev + viaA.dc_prev + viaC.dc_prev
        }
        return assemble(key, parts.reversed(), total: LSTMMethod.bptt.compute(problem)[key]!.data)
    }

    /// The plain RNN's split: it has no cell state, so everything carried comes through a.
    public static func split(_ problem: RNNProblem<Double>, key: String) -> ExplainReport? {
        guard rnnKeys.contains(key) else { return nil }
        let caches = RNN.forward(problem)
        let p = problem.parameters
        let head = OutputLayer.backward(p.Wya, p.by, problem.target, caches.map(\.a_next))
        let zeros = Matrix<Double>(rows: problem.a0.rows, cols: problem.a0.cols)
        func pick(_ g: RNNCellGradients<Double>) -> [Double] {
            key == "Waa" ? g.dWaa.storage : key == "Wax" ? g.dWax.storage : g.dba.storage
        }
        var parts: [Part] = []
        var da_prevt = zeros
        for t in caches.indices.reversed() {
            let local = RNNCourseraLoop.rnn_cell_backward(head.da[t], caches[t], p)
            let viaA = RNNCourseraLoop.rnn_cell_backward(da_prevt, caches[t], p)
            parts.append(Part(t: t, local: pick(local), viaA: pick(viaA), viaC: pick(local).map { _ in 0 }))
            da_prevt = local.da_prev + viaA.da_prev
        }
        return assemble(key, parts.reversed(), total: RNNMethod.bptt.compute(problem)[key]!.data)
    }

    /// One step's three parts of the weight's gradient, flattened.
    struct Part {
        var t: Int
        var local: [Double], viaA: [Double], viaC: [Double]
    }

    private static func assemble(_ key: String, _ parts: [Part], total: [Double]) -> ExplainReport {
        let localSum = parts.reduce(Array(repeating: 0.0, count: total.count)) { add($0, $1.local) }
        let carriedSum = parts.reduce(Array(repeating: 0.0, count: total.count)) { add(add($0, $1.viaA), $1.viaC) }
        let norm2 = max(dot(total, total), .leastNormalMagnitude)
        let steps = parts.map { part in
            ExplainReport.Step(t: part.t, local: Comparison.norm(part.local), viaA: Comparison.norm(part.viaA),
                               viaC: Comparison.norm(part.viaC), localShare: dot(part.local, total) / norm2,
                               carriedShare: dot(add(part.viaA, part.viaC), total) / norm2)
        }
        let rebuilt = add(localSum, carriedSum)
        return ExplainReport(key: key, steps: steps, totalNorm: Comparison.norm(total), localNorm: Comparison.norm(localSum),
                             carriedNorm: Comparison.norm(carriedSum), localShare: dot(localSum, total) / norm2,
                             carriedShare: dot(carriedSum, total) / norm2,
                             reconstructionError: Comparison.norm(zip(rebuilt, total).map { $0 - $1 }) / max(Comparison.norm(total), .leastNormalMagnitude))
    }

    private static func add(_ a: [Double], _ b: [Double]) -> [Double] { zip(a, b).map { $0 + $1 } }
    private static func dot(_ a: [Double], _ b: [Double]) -> Double { zip(a, b).reduce(0) { $0 + $1.0 * $1.1 } }
}
