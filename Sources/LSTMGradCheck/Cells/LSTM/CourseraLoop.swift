/// What the notebook's `lstm_backward` loop hands from step t back to step t−1.
/// The corrected notebook carries both; the 2018 skeleton carried neither.
public struct CarryRule: Sendable, Equatable {
    public var da: Bool
    public var dc: Bool

    /// `da_prevt` and `dc_prevt` both carried: backpropagation through time.
    public static let full = CarryRule(da: true, dc: true)
    /// Nothing carried: each step sees only its own loss.
    public static let none = CarryRule(da: false, dc: false)
    public static let daOnly = CarryRule(da: true, dc: false)
    public static let dcOnly = CarryRule(da: false, dc: true)
}

/// One variant of the notebook's loop: the right one and the ones people write.
struct LoopVariant: Sendable {
    var carry: CarryRule = .full
    /// Truncated BPTT: the loss at step s reaches steps s−K+1 … s only.
    var horizon: Int?
    /// The question's proposal: at step t also add the weight gradients that flow
    /// through a_{t−1} (the explicit `do_{t−1}` term), on top of whatever is carried.
    var askerTerm = false
    /// The 2018 edition's printed cell formulas instead of the notebook's code.
    var printed2018 = false
}

/// The notebook's `lstm_backward(da, caches)`: call the cell backward from the last
/// step to the first, feed it `da[:,:,t] + da_prevt` and `dc_prevt`, and sum every
/// `dW` over t. The variant decides what `da_prevt`, `dc_prevt` hold.
enum CourseraLoop {
    static func gradients<S>(_ problem: Problem<LSTM, S>, _ variant: LoopVariant) -> Gradients<LSTM> {
        let caches = LSTM.forward(problem)
        let head = OutputLayer.backward(problem, caches.map(\.a_next))
        var sums = Sums(problem, head)
        if let K = variant.horizon {
            // Truncation is linear in the losses: sweep back from each step's loss alone.
            for s in caches.indices {
                sweep(from: s, through: max(0, s - K + 1), injectingAll: false, problem, caches, head, variant, &sums)
            }
        } else {
            sweep(from: caches.count - 1, through: 0, injectingAll: true, problem, caches, head, variant, &sums)
        }
        return problem.gradients(dW: sums.dW, da0: sums.da0, dc0: sums.dc0, dx: sums.dx)
    }

    /// What the loop sums over t.
    private struct Sums<S: Scalar> {
        var dW: Weights<LSTM, S>
        var dx: [Matrix<S>]
        var da0: Matrix<S>, dc0: Matrix<S>

        init(_ problem: Problem<LSTM, S>, _ head: OutputLayer.Backward<S>) {
            dW = problem.weights.zeros
            dW[.Wy] = head.dWy
            dW[.by] = head.dby
            dx = problem.x.map { Matrix<S>(rows: $0.rows, cols: $0.cols) }
            da0 = Matrix(rows: problem.a0.rows, cols: problem.a0.cols)
            dc0 = da0
        }

        mutating func addWeights(_ g: CourseraCellGradients<S>) {
            for gate in LSTM.Gate.allCases {
                let (W, b) = gate.parameters
                dW[W] += g[W]!   // every gate parameter has a gradient
                dW[b] += g[b]!
            }
        }
    }

    /// Steps `top` down to `bottom`. `da[:,:,t]` enters at every step, or only at `top`
    /// (a truncation sweep carries one step's loss back).
    private static func sweep<S>(from top: Int, through bottom: Int, injectingAll: Bool, _ problem: Problem<LSTM, S>,
                                 _ caches: [LSTMCellCache<S>], _ head: OutputLayer.Backward<S>,
                                 _ variant: LoopVariant, _ sums: inout Sums<S>) {
        let parameters = problem.weights
        let zeros = Matrix<S>(rows: problem.a0.rows, cols: problem.a0.cols)
        func formulas(_ t: Int) -> CellFormulas<S> {
            variant.printed2018 ? .printed2018(cct_prev: t > 0 ? caches[t - 1].cct : zeros) : .notebook
        }
        var da_prevt = zeros, dc_prevt = zeros
        for t in stride(from: top, through: bottom, by: -1) {
            let da_t = injectingAll || t == top ? head.da[t] : zeros
            let gradients = CourseraCell.lstm_cell_backward(da_t + da_prevt, dc_prevt, caches[t], parameters, formulas: formulas(t))
            sums.dx[t] += gradients.dxt
            sums.addWeights(gradients)
            if variant.askerTerm && t > 0 {
                // do_{t−1} and its siblings through a_{t−1}: exactly what step t−1's own
                // cell computes again from the carried da_prev — hence counted twice.
                sums.addWeights(CourseraCell.lstm_cell_backward(gradients.da_prev, zeros, caches[t - 1], parameters,
                                                                formulas: formulas(t - 1)))
            }
            da_prevt = variant.carry.da ? gradients.da_prev : zeros
            dc_prevt = variant.carry.dc ? gradients.dc_prev : zeros
            if t == 0 {
                // The notebook takes da0 from the call at t = 0, whatever it carries.
                sums.da0 += gradients.da_prev
                sums.dc0 += gradients.dc_prev
            }
        }
    }
}
