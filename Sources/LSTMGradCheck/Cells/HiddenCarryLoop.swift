/// One step of a hidden-state cell's backward, as its cell backward gives it.
public struct HiddenStep<C: Cell, S: Scalar> {
    /// The step's own gradient of each recurrent parameter (nil for the output layer).
    public var local: (C.Parameter) -> Matrix<S>?
    public var dxt: Matrix<S>
    public var da_prev: Matrix<S>
}

/// A cell whose only state is the hidden state `a` (the RNN, the GRU): its notebook loop
/// carries `da_prev` alone (`HiddenCarryLoop`), so what `explain`, the flow report and a bare
/// check need follows from its cell backward, its BPTT and its loop. The BPTT and the loop are
/// written once over any scalar; `bptt`, `coursera` and `per-step` run them in `Double` and `Float`.
public protocol HiddenStateCell: Cell {
    /// The cell backward at one step, in `Double`.
    static func stepBackward(_ da_next: Matrix<Double>, _ cache: Cache, _ weights: Weights<Self, Double>) -> HiddenStep<Self, Double>
    /// The cell's BPTT, written apart from its cell backward: the gradients, and `∂L/∂a_t` at
    /// every step t, every later loss included.
    static func bpttBackward<S: Scalar>(_ problem: Problem<Self, S>) -> (gradients: Gradients<Self>, da: [Matrix<S>])
    /// The notebook loop (`HiddenCarryLoop` around the cell backward) with the carry or without it.
    static func notebookLoopGradients<S: Scalar>(_ problem: Problem<Self, S>, carry: Bool) -> Gradients<Self>
    /// What `bptt` and the notebook loops say of themselves.
    static var catalogueText: HiddenStateCatalogueText { get }
}

/// The words of a hidden-state cell's catalogue (`HiddenStateCell.catalogueText`).
public struct HiddenStateCatalogueText: Sendable {
    /// How its BPTT is written (`W = [Waa Wax] on [a_prev; x_t]`).
    var bptt: String
    /// The cell backward and its loop as the reader knows them.
    var source: String
    /// The function names the fix refers to: the cell backward and its loop.
    var cell: String, loop: String
    /// What the lesson calls the cell backward's formulas.
    var lessonSubject: String
    /// What is particular to the cell, added to the reason of the loop with the carry and without it.
    var carriedNote = "", uncarriedNote = ""
}

extension Method where C: HiddenStateCell {
    public static var bptt: Method { C.bptt }
    public static var coursera: Method { C.notebookLoop(carry: true) }
    public static var perStep: Method { C.notebookLoop(carry: false) }
}

extension HiddenStateCell {
    public static var bptt: Method<Self> {
        .bptt(catalogueText.bptt, double: { bpttBackward($0).gradients }, single: { bpttBackward($0).gradients })
    }

    /// The notebook loop with the carry (`coursera`) or without it (`per-step`).
    public static func notebookLoop(carry: Bool) -> Method<Self> {
        .hiddenCarryLoop(carry: carry, catalogueText, double: { notebookLoopGradients($0, carry: carry) },
                         single: { notebookLoopGradients($0, carry: carry) })
    }

    public static var coreMethods: [Method<Self>] { [bptt, notebookLoop(carry: true), notebookLoop(carry: false)] }

    /// `incoming.dc` is ignored: there is no cell state to pass anything back through.
    public static func cellBackward(_ incoming: StateGradient, _ cache: Cache, _ weights: Weights<Self, Double>)
        -> (local: (Parameter) -> Matrix<Double>?, back: StateGradient, dxt: Matrix<Double>) {
        let step = stepBackward(incoming.da, cache, weights)
        return (step.local, .hidden(step.da_prev), step.dxt)
    }

    public static func stateGradients(_ problem: Problem<Self, Double>) -> (da: [Matrix<Double>], dc: [Matrix<Double>]) {
        (bpttBackward(problem).da, [])
    }
}

/// The notebook's backward loop for a cell whose only state is the hidden state `a` (the
/// course's `rnn_backward`, and `gru_backward` written the same way): the cell backward from
/// the last step to the first, fed `da[:,:,t] + da_prevt`, every `dW` summed over t,
/// `dx[:,:,t]` stored, and `da0` taken from the call at t = 0. Without the carry
/// (`da_prevt = 0` at every step) it is the cell's `per-step`.
enum HiddenCarryLoop {
    static func gradients<C: Cell, S: Scalar, Cache>(_ problem: Problem<C, S>, _ caches: [Cache], hidden: (Cache) -> Matrix<S>,
                                                     carry: Bool, cell: (_ da_next: Matrix<S>, _ cache: Cache) -> HiddenStep<C, S>) -> Gradients<C> {
        let head = OutputLayer.backward(problem, caches.map(hidden))
        let zeros = Matrix<S>(rows: problem.a0.rows, cols: problem.a0.cols)
        var dW = problem.weights.zeros
        dW[C.outputLayer.weight] = head.dWy
        dW[C.outputLayer.bias] = head.dby
        var dx = problem.x.map { Matrix<S>(rows: $0.rows, cols: $0.cols) }
        var da_prevt = zeros, da0 = zeros
        for t in caches.indices.reversed() {
            let gradients = cell(head.da[t] + da_prevt, caches[t])
            dx[t] = gradients.dxt
            for p in C.Parameter.allCases {
                if let g = gradients.local(p) { dW[p] += g }
            }
            da_prevt = carry ? gradients.da_prev : zeros
            // The notebook takes da0 from the call at t = 0, whatever it carries.
            da0 = gradients.da_prev
        }
        return problem.gradients(dW: dW, da0: da0, dx: dx)
    }

    /// The forward pass of such a cell: `step(x_t, a_prev)` from `a0`, each step fed the hidden
    /// state the one before produced.
    static func unroll<C: Cell, S: Scalar, Cache>(_ problem: Problem<C, S>, hidden: (Cache) -> Matrix<S>,
                                                  step: (_ xt: Matrix<S>, _ a_prev: Matrix<S>) -> Cache) -> [Cache] {
        var a = problem.a0
        return problem.x.map { xt in
            let cache = step(xt, a)
            a = hidden(cache)
            return cache
        }
    }
}

extension Method {
    /// A cell's notebook-style loop (`HiddenCarryLoop`) with the carry (`coursera`, correct) or
    /// without it (`per-step`, wrong), in the cell's words (`text`). `double` and `single` run
    /// the loop in `Double` and `Float`.
    static func hiddenCarryLoop(carry: Bool, _ text: HiddenStateCatalogueText,
                                double: @escaping @Sendable (Problem<C, Double>) -> Gradients<C>,
                                single: @escaping @Sendable (Problem<C, Float>) -> Gradients<C>) -> Method {
        if carry {
            var method = Method(name: "coursera", expectation: .correct,
                                summary: "\(text.source), which feeds da[:,:,t] + da_prevt and sums dW over t.",
                                reason: "its loop carries da_prev back one step and sums every dW over t, which is backpropagation through time\(text.carriedNote).",
                                compute: double, computeSingle: { single($0.converted(to: Float.self)) })
            method.lesson = "\(text.lessonSubject) are the local terms; its loop carrying da_prev back and summing dW over t is backpropagation through time."
            return method
        }
        var method = Method(name: "per-step", expectation: .wrong,
                            summary: "The same cell with nothing carried back in time (da_next = da[:,:,t]).",
                            reason: "with nothing carried back, every gradient that reaches a step from the losses of later steps is dropped\(text.uncarriedNote).",
                            compute: double, computeSingle: { single($0.converted(to: Float.self)) })
        method.advice = ("nothing is carried back in time.",
                         "In \(text.loop) feed da[:,:,t] + da_prevt to \(text.cell) and set da_prevt from its da_prev before the next (earlier) step.")
        return method
    }
}
