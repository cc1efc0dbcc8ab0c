/// The LSTM's catalogue of derivations: the two correct ones, the one the question is
/// about, and the wrong variants people write. All but `bptt` are the notebook's loop
/// (`CourseraLoop`) with a variant; `bptt` is written apart from it.
extension Method where C == LSTM {
    public static var bptt: Method {
        .bptt("stacked gates", double: { BPTT.gradients($0) }, single: { BPTT.definition($0) })
    }

    public static var coursera: Method {
        loop("coursera", .correct, LoopVariant(),
             summary: "The notebook's lstm_cell_backward in its corrected lstm_backward loop, which carries da_prev and dc_prev back one step and sums dW over t.",
             reason: "its loop carries da_prev and dc_prev back one step and sums every dW over t, which is backpropagation through time. The do_{t-1} term the question asks about is computed when the cell runs at step t-1 and is fed the carried da_prev; it needs no extra term in the cell formula.",
             lesson: "The notebook's per-cell formulas are the local terms; its loop carrying da_prev and dc_prev back and summing dW over t is backpropagation through time.")
    }

    public static var perStep: Method {
        loop("per-step", .wrong, LoopVariant(carry: .none),
             summary: "The same cell with nothing carried back in time (da_next = da[:,:,t], dc_next = 0): the 2018 notebook's loop, and what the question assumes Coursera does.",
             reason: "with nothing carried back, every gradient that reaches a step from the losses of later steps is dropped.",
             advice: ("nothing is carried back in time.", carryFix))
    }

    public static var asker: Method {
        loop("asker", .wrong, LoopVariant(askerTerm: true),
             summary: "The question's proposal: each step adds an explicit do_{t-1} term (and its siblings) through a_{t-1} while the loop still carries da_prev and dc_prev.",
             reason: "the term through a_{t-1} is already what the carried da_prev delivers to step t-1, so the one-step-back contribution is counted twice.",
             advice: ("an explicit do_{t-1} term is added while da_prev is also carried, so the one-step-back term counts twice.", "Drop the explicit t-1 term: the carried da_prev already brings it to step t-1."))
    }

    public static var askerNoCarry: Method {
        loop("asker-no-carry", .wrong, LoopVariant(carry: .none, askerTerm: true),
             summary: "The explicit do_{t-1} term through a_{t-1} with nothing carried: a one-step truncation of BPTT.",
             reason: "it reaches one step back through a_{t-1} only, and drops everything from two or more steps back and all that flows through c.",
             advice: ("an explicit do_{t-1} term replaces the carry, which reaches only one step back.", carryFix))
    }

    public static var carryDaOnly: Method {
        loop("carry-da-only", .wrong, LoopVariant(carry: .daOnly),
             summary: "The loop carries da_prev but drops dc_prev (dc_next = 0 at every step): a half-fix.",
             reason: "dropping dc_prev cuts the cell-state path, the one that lets gradients cross many steps.",
             advice: ("da_prev is carried but dc_prev is not.", "Also set dc_prevt = gradients['dc_prev'] and pass it as dc_next."))
    }

    public static var carryDcOnly: Method {
        loop("carry-dc-only", .wrong, LoopVariant(carry: .dcOnly),
             summary: "The loop carries dc_prev but drops da_prev (da_next = da[:,:,t] only): the other half-fix.",
             reason: "dropping da_prev cuts every path through the hidden state a_{t-1}, which all four gates read.",
             advice: ("dc_prev is carried but da_prev is not.", "Pass da[:,:,t] + da_prevt as da_next, with da_prevt = gradients['da_prev']."))
    }

    public static var printed2018: Method {
        loop("coursera-2018-printed", .wrong, LoopVariant(printed2018: true),
             summary: "Equations (7)-(10) as the 2018 notebook printed them in its text, errata included, in the corrected loop.",
             reason: "the printed (8)-(10) apply the gate derivative to only the second term, (8) adds a c~ factor and 1 - tanh(c~)^2, and (10) uses c~_prev for c_prev.",
             advice: ("the 2018 notebook's printed formulas (7)-(10), errata included.", "Multiply the whole bracket (dc_next·x + Γo(1 − tanh²c_next)·x·da_next) by the gate's derivative; in (8) drop the extra c~ and use 1 − c~²; in (10) use c_prev."))
    }

    /// Truncated BPTT: the loss at step s flows back to steps s−K+1 … s (and, from the
    /// first K steps, to a0). K = 1 is `per-step`; K ≥ T_x is full BPTT, so correct.
    public static func truncated(_ K: Int, steps: Int) -> Method {
        loop("truncated:\(K)", K >= steps ? .correct : .wrong, LoopVariant(horizon: K),
             summary: "BPTT truncated to \(K) step\(K == 1 ? "" : "s"): each step's loss reaches at most \(K - 1) step\(K == 2 ? "" : "s") back.",
             reason: K >= steps ? "with K ≥ T_x nothing is cut, so it is full BPTT."
                : "every path longer than \(K - 1) step\(K == 2 ? "" : "s") back in time is cut.",
             advice: ("backpropagation through time cut after \(K) steps.", carryFix))
    }


    /// The fix for every mistake that drops some of the carry.
    private static let carryFix = "In lstm_backward call lstm_cell_backward(da[:,:,t] + da_prevt, dc_prevt, caches[t]) and set da_prevt, dc_prevt from its da_prev, dc_prev before the next (earlier) step."

    private static func loop(_ name: String, _ expectation: Expectation, _ variant: LoopVariant,
                             summary: String, reason: String, lesson: String? = nil,
                             advice: (finding: String, fix: String)? = nil) -> Method {
        Method(name: name, expectation: expectation, summary: summary, reason: reason,
               compute: { CourseraLoop.gradients($0, variant) },
               computeSingle: { CourseraLoop.gradients($0.converted(to: Float.self), variant) },
               lesson: lesson, advice: advice)
    }
}

extension LSTM {
    public static var bptt: Method<LSTM> { Method.bptt }

    public static var coreMethods: [Method<LSTM>] { [.bptt, .coursera, .perStep] }

    public static func catalogue(steps: Int) -> [Method<LSTM>] {
        coreMethods + [.asker, .askerNoCarry, .carryDaOnly, .carryDcOnly, .printed2018, .truncated(2, steps: steps)]
    }

    public static var methodNames: [String] {
        ["bptt", "coursera", "per-step", "asker", "asker-no-carry", "carry-da-only",
         "carry-dc-only", "coursera-2018-printed", "truncated:K", "numerical"]
    }

    /// The method called `name` (`truncated:K` with a whole K ≥ 1), or nil.
    public static func method(named name: String, steps: Int) -> Method<LSTM>? {
        if name.hasPrefix("truncated:") {
            guard let K = Int(name.dropFirst("truncated:".count)), K >= 1 else { return nil }
            return .truncated(K, steps: steps)
        }
        return (catalogue(steps: steps) + [.numerical]).first { $0.name == name }
    }

    /// The batched forward-mode kernel (`BatchedTangents`), equal to the dual numbers to rounding;
    /// the dual numbers themselves for a target the kernels do not take (masked labels).
    public static func exactGradient(_ problem: Problem<LSTM, Double>, control: RunControl) throws(Interruption) -> Gradients<LSTM> {
        try BatchedTangents.gradients(problem, control: control)
    }

    /// Central differences through the batched kernel (`BatchedFiniteDifferences`), equal to
    /// the element-by-element ones to rounding; Richardson, and any target the kernels do not
    /// take (masked labels), element by element.
    public static func finiteDifferences(_ problem: Problem<LSTM, Double>, _ request: FiniteDifferences.Request,
                                         control: RunControl) -> FiniteDifferences.ElementResults {
        guard request.scheme == .central else { return FiniteDifferences.elementwiseResults(problem, request, control: control) }
        return BatchedFiniteDifferences.results(problem, request, control: control)
    }

    /// The batched kernel's work per element for central differences (`BatchedFiniteDifferences.costs`);
    /// Richardson's element-by-element run costs every element alike.
    public static func finiteDifferenceCosts(_ problem: Problem<LSTM, Double>, _ request: FiniteDifferences.Request) -> [Int] {
        guard request.scheme == .central, LSTMKernel.supports(problem) else { return Array(repeating: 1, count: FiniteDifferences.elementCount(problem)) }
        return BatchedFiniteDifferences.costs(problem)
    }

    /// The catalogue's wrong routes and every truncation from 3 steps up.
    public static func suspects(steps: Int) -> [Method<LSTM>] {
        catalogue(steps: steps).filter { $0.expectation == .wrong } + (3..<max(3, steps)).map { .truncated($0, steps: steps) }
    }

    public static var gates: [GateSite<LSTM>] {
        [GateSite(name: "forget gate", variable: "dft", formula: "dft = (dc_next * c_prev + ot * (1 - np.tanh(c_next)**2) * c_prev * da_next) * ft * (1 - ft)", parameters: [.Wf, .bf]),
         GateSite(name: "input gate", variable: "dit", formula: "dit = (dc_next * cct + ot * (1 - np.tanh(c_next)**2) * cct * da_next) * it * (1 - it)", parameters: [.Wi, .bi]),
         GateSite(name: "candidate", variable: "dcct", formula: "dcct = (dc_next * it + ot * (1 - np.tanh(c_next)**2) * it * da_next) * (1 - cct**2)", parameters: [.Wc, .bc]),
         GateSite(name: "output gate", variable: "dot", formula: "dot = da_next * np.tanh(c_next) * ot * (1 - ot)", parameters: [.Wo, .bo])]
    }

    /// The same parameter of the other gates (`Wf` → `Wi Wc Wo`).
    public static func siblings(of p: Parameter) -> [Parameter] {
        guard let gate = p.gate else { return [] }
        return Gate.allCases.filter { $0 != gate }.map { p.isWeight ? $0.parameters.weight : $0.parameters.bias }
    }

    public static func caches(_ problem: Problem<LSTM, Double>) -> [LSTMCellCache<Double>] { forward(problem) }

    public static func carryGate(_ problem: Problem<LSTM, Double>) -> CarryGate? {
        CarryGate(name: "forget gate", letter: "f", state: "cell state", values: forward(problem).flatMap(\.ft.storage))
    }

    /// `i`, `f`, `g` (Keras: `c`), `o`: each gate's weight `W = [W_a W_x]` on `[a_prev; x_t]`
    /// split into its state and input columns, and its bias.
    public static func gateBlock(_ letter: String) -> GateBlock<LSTM>? {
        let gate: Gate
        switch letter {
        case "i": gate = .input
        case "f": gate = .forget
        case "g", "c": gate = .candidate
        case "o": gate = .output
        default: return nil
        }
        let (W, b) = gate.parameters
        return GateBlock(inputWeight: (W, .input), stateWeight: (W, .state), bias: b)
    }

    public static func cellBackward(_ incoming: StateGradient, _ cache: LSTMCellCache<Double>, _ weights: Weights<LSTM, Double>)
        -> (local: (Parameter) -> Matrix<Double>?, back: StateGradient, dxt: Matrix<Double>) {
        let g = CourseraCell.lstm_cell_backward(incoming.da, incoming.dc, cache, weights)
        return ({ g[$0] }, StateGradient(da: g.da_prev, dc: g.dc_prev), g.dxt)
    }

    public static func stateGradients(_ problem: Problem<LSTM, Double>) -> (da: [Matrix<Double>], dc: [Matrix<Double>]) {
        BPTT.stateGradients(problem)
    }
}
