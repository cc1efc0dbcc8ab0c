/// What the notebook's `lstm_backward` loop hands from step t back to step t−1.
/// The corrected notebook carries both; the 2018 skeleton carried neither.
public struct CarryRule: Sendable, Equatable {
    public var da: Bool
    public var dc: Bool

    /// `da_prevt` and `dc_prevt` both carried: backpropagation through time.
    public static let full = CarryRule(da: true, dc: true)
    /// Nothing carried: each step sees only its own loss.
    public static let none = CarryRule(da: false, dc: false)
}

/// The notebook's `lstm_backward(da, caches)`: call the cell backward from the last
/// step to the first, feed it `da[:,:,t] + da_prevt` and `dc_prevt`, and sum every
/// `dW` over t. The carry rule decides what `da_prevt`, `dc_prevt` hold.
enum CourseraLoop {
    static func gradients<S>(_ problem: LSTMProblem<S>, carry: CarryRule) -> Gradients {
        let caches = LSTM.forward(problem)
        let head = OutputLayer.backward(problem, caches)
        let parameters = problem.parameters
        let (n_a, m) = (problem.a0.rows, problem.a0.cols)
        let zeros = Matrix<S>(rows: n_a, cols: m)

        var dW = LSTMParameters.zeros(like: parameters)
        dW.Wy = head.dWy
        dW.by = head.dby
        var dx = problem.x.map { Matrix<S>(rows: $0.rows, cols: $0.cols) }
        var da_prevt = zeros, dc_prevt = zeros
        var da0 = zeros, dc0 = zeros
        for t in caches.indices.reversed() {
            let gradients = CourseraCell.lstm_cell_backward(head.da[t] + da_prevt, dc_prevt, caches[t], parameters)
            dx[t] = gradients.dxt
            dW.Wf += gradients.dWf; dW.bf += gradients.dbf
            dW.Wi += gradients.dWi; dW.bi += gradients.dbi
            dW.Wc += gradients.dWc; dW.bc += gradients.dbc
            dW.Wo += gradients.dWo; dW.bo += gradients.dbo
            da_prevt = carry.da ? gradients.da_prev : zeros
            dc_prevt = carry.dc ? gradients.dc_prev : zeros
            // The notebook takes da0 from the last call, t = 0, whatever it carries.
            da0 = gradients.da_prev
            dc0 = gradients.dc_prev
        }
        return Gradients(problem, dW: dW, da0: da0, dc0: dc0, dx: dx)
    }
}
