/// The GRU's catalogue: `bptt` written apart from the cell backward, the notebook-style
/// `gru_cell_backward` in its loop, and the same loop with nothing carried.
extension Method where C == GRU {
    public static var bptt: Method {
        .bptt("Wi = [Wir; Wiz; Win] and Wh = [Whr; Whz; Whn] stacked", double: { GRUBPTT.gradients($0) }, single: { GRUBPTT.gradients($0) })
    }

    public static var coursera: Method {
        var method = loop("coursera", carry: true,
                          summary: "A gru_cell_backward in the notebook's style in a gru_backward loop, which feeds da[:,:,t] + da_prevt and sums dW over t.",
                          reason: "its loop carries da_prev back one step and sums every dW over t, which is backpropagation through time; da_prev holds both the direct path z*da_next and the paths through the three gates.")
        method.lesson = "The per-cell formulas of gru_cell_backward are the local terms; its loop carrying da_prev back and summing dW over t is backpropagation through time."
        return method
    }

    public static var perStep: Method {
        var method = loop("per-step", carry: false,
                          summary: "The same cell with nothing carried back in time (da_next = da[:,:,t]).",
                          reason: "with nothing carried back, every gradient that reaches a step from the losses of later steps is dropped, the direct path z*da_next included.")
        method.advice = ("nothing is carried back in time.", "In gru_backward feed da[:,:,t] + da_prevt to gru_cell_backward and set da_prevt from its da_prev before the next (earlier) step.")
        return method
    }

    /// The `gru_backward` loop, carrying `da_prev` back or not.
    private static func loop(_ name: String, carry: Bool, summary: String, reason: String) -> Method {
        Method(name: name, expectation: carry ? .correct : .wrong, summary: summary, reason: reason,
               compute: { GRUCourseraLoop.gradients($0, carry: carry) },
               computeSingle: { GRUCourseraLoop.gradients($0.converted(to: Float.self), carry: carry) })
    }
}

extension GRU {
    public static var bptt: Method<GRU> { Method.bptt }

    public static var coreMethods: [Method<GRU>] { [.bptt, .coursera, .perStep] }

    public static func catalogue(steps: Int) -> [Method<GRU>] { coreMethods }

    public static var methodNames: [String] { ["bptt", "coursera", "per-step", "numerical"] }

    public static func caches(_ problem: Problem<GRU, Double>) -> [GRUCellCache<Double>] { forward(problem) }

    /// The GRU has no cell state: `incoming.dc` is ignored and nothing is passed back through it.
    public static func cellBackward(_ incoming: StateGradient, _ cache: GRUCellCache<Double>, _ weights: Weights<GRU, Double>)
        -> (local: (Parameter) -> Matrix<Double>?, back: StateGradient) {
        let g = GRUCourseraLoop.gru_cell_backward(incoming.da, cache, weights)
        return ({ g[$0] }, StateGradient(da: g.da_prev, dc: Matrix(rows: g.da_prev.rows, cols: g.da_prev.cols)))
    }

    public static func stateGradients(_ problem: Problem<GRU, Double>) -> (da: [Matrix<Double>], dc: [Matrix<Double>]) {
        (GRUBPTT.stateGradients(problem), [])
    }
}
