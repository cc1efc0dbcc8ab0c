/// The plain RNN's catalogue: `bptt` written apart from the notebook, the notebook's
/// `rnn_backward` loop, and the same loop with nothing carried.
extension Method where C == RNN {
    public static var bptt: Method {
        .bptt("W = [Waa Wax] on [a_prev; x_t]", double: { RNNBPTT.gradients($0) }, single: { RNNBPTT.gradients($0) })
    }

    public static var coursera: Method {
        var method = loop("coursera", carry: true,
                          summary: "The notebook's rnn_cell_backward in its rnn_backward loop, which feeds da[:,:,t] + da_prevt and sums dW over t.",
                          reason: "its loop carries da_prev back one step and sums every dW over t, which is backpropagation through time.")
        method.lesson = "The notebook's per-cell formulas are the local terms; its loop carrying da_prev back and summing dW over t is backpropagation through time."
        return method
    }

    public static var perStep: Method {
        var method = loop("per-step", carry: false,
                          summary: "The same cell with nothing carried back in time (da_next = da[:,:,t]).",
                          reason: "with nothing carried back, every gradient that reaches a step from the losses of later steps is dropped.")
        method.advice = ("nothing is carried back in time.", "In rnn_backward feed da[:,:,t] + da_prevt to rnn_cell_backward and set da_prevt from its da_prev before the next (earlier) step.")
        return method
    }

    /// The notebook's `rnn_backward` loop, carrying `da_prev` back or not.
    private static func loop(_ name: String, carry: Bool, summary: String, reason: String) -> Method {
        Method(name: name, expectation: carry ? .correct : .wrong, summary: summary, reason: reason,
               compute: { RNNCourseraLoop.gradients($0, carry: carry) },
               computeSingle: { RNNCourseraLoop.gradients($0.converted(to: Float.self), carry: carry) })
    }

}

extension RNN {
    public static var bptt: Method<RNN> { Method.bptt }

    public static var coreMethods: [Method<RNN>] { [.bptt, .coursera, .perStep] }

    public static func catalogue(steps: Int) -> [Method<RNN>] { coreMethods }

    public static var methodNames: [String] { ["bptt", "coursera", "per-step", "numerical"] }

    public static func caches(_ problem: Problem<RNN, Double>) -> [RNNCellCache<Double>] { forward(problem) }

    /// The one pre-activation `h`: `Wax` on x_t, `Waa` on a_{t−1}, `ba`.
    public static func gateBlock(_ letter: String) -> GateBlock<RNN>? {
        letter == "h" ? GateBlock(inputWeight: (.Wax, .all), stateWeight: (.Waa, .all), bias: .ba) : nil
    }

    /// The RNN has no cell state: `incoming.dc` is ignored and nothing is passed back through it.
    public static func cellBackward(_ incoming: StateGradient, _ cache: RNNCellCache<Double>, _ weights: Weights<RNN, Double>)
        -> (local: (Parameter) -> Matrix<Double>?, back: StateGradient) {
        let g = RNNCourseraLoop.rnn_cell_backward(incoming.da, cache, weights)
        let local: (Parameter) -> Matrix<Double>? = { p in
            switch p {
            case .Waa: return g.dWaa
            case .Wax: return g.dWax
            case .ba: return g.dba
            case .Wya, .by: return nil
            }
        }
        return (local, StateGradient(da: g.da_prev, dc: Matrix(rows: g.da_prev.rows, cols: g.da_prev.cols)))
    }

    public static func stateGradients(_ problem: Problem<RNN, Double>) -> (da: [Matrix<Double>], dc: [Matrix<Double>]) {
        (RNNBPTT.stateGradients(problem), [])
    }
}
