/// Whether a derivation is supposed to give the true gradient.
public enum Expectation: String, Sendable {
    case correct
    case wrong
    /// Not a derivation: the finite differences, shown against the exact gradient so
    /// their own error is in view. They never decide the exit status.
    case reference
}

/// A way of computing the gradients, as a value: its name (what `--methods` takes),
/// whether it should be right, where it comes from, and the computation. The report,
/// `--methods`, the diagnosis and the regression all iterate the same catalogue.
public struct Method<Problem: GradientProblem>: Sendable {
    public let name: String
    public let expectation: Expectation
    /// One sentence: what it is and where it comes from.
    public let summary: String
    /// Why it gives the answer it gives, for the verdict: the reason it matches
    /// (expected correct) or the mistake it makes (expected wrong).
    public let reason: String
    public let compute: @Sendable (Problem) -> Gradients
    /// The same derivation run in single precision, as learners' float32 code runs it
    /// (nil for the finite differences, which are a reference, not a derivation).
    public let computeSingle: (@Sendable (Problem) -> Gradients)?
}

public typealias LSTMMethod = Method<LSTMProblem<Double>>
public typealias RNNMethod = Method<RNNProblem<Double>>

extension Method {
    /// Central finite differences: the reference a check falls back on, for any cell; an
    /// LSTM in `Double` runs them batched (`BatchedFiniteDifferences`), equal to rounding.
    public static var numerical: Method {
        Method(name: "numerical", expectation: .correct,
               summary: "Central finite differences of the loss with step \(FiniteDifferences.defaultStep), element by element.",
               reason: "it differentiates the loss itself, with no derivation to get wrong; its error is the finite-difference error.",
               compute: { problem in
                   (problem as? LSTMProblem<Double>).map { BatchedFiniteDifferences.central($0) } ?? FiniteDifferences.central(problem)
               }, computeSingle: nil)
    }
}

extension Method where Problem == LSTMProblem<Double> {
    public static var bptt: Method {
        Method(name: "bptt", expectation: .correct,
               summary: "Full backpropagation through time with stacked gates, written apart from the notebook's cell code.",
               reason: "it differentiates the whole unrolled network, every path through time included.",
               compute: { BPTT.gradients($0) }, computeSingle: { BPTT.gradients($0.converted(to: Float.self)) })
    }

    public static var coursera: Method {
        loop("coursera", .correct, LoopVariant(),
             summary: "The notebook's lstm_cell_backward in its corrected lstm_backward loop, which carries da_prev and dc_prev back one step and sums dW over t.",
             reason: "its loop carries da_prev and dc_prev back one step and sums every dW over t, which is backpropagation through time. The do_{t-1} term the question asks about is computed when the cell runs at step t-1 and is fed the carried da_prev; it needs no extra term in the cell formula.")
    }

    public static var perStep: Method {
        loop("per-step", .wrong, LoopVariant(carry: .none),
             summary: "The same cell with nothing carried back in time (da_next = da[:,:,t], dc_next = 0): the 2018 notebook's loop, and what the question assumes Coursera does.",
             reason: "with nothing carried back, every gradient that reaches a step from the losses of later steps is dropped.")
    }

    public static var asker: Method {
        loop("asker", .wrong, LoopVariant(askerTerm: true),
             summary: "The question's proposal: each step adds an explicit do_{t-1} term (and its siblings) through a_{t-1} while the loop still carries da_prev and dc_prev.",
             reason: "the term through a_{t-1} is already what the carried da_prev delivers to step t-1, so the one-step-back contribution is counted twice.")
    }

    public static var askerNoCarry: Method {
        loop("asker-no-carry", .wrong, LoopVariant(carry: .none, askerTerm: true),
             summary: "The explicit do_{t-1} term through a_{t-1} with nothing carried: a one-step truncation of BPTT.",
             reason: "it reaches one step back through a_{t-1} only, and drops everything from two or more steps back and all that flows through c.")
    }

    public static var carryDaOnly: Method {
        loop("carry-da-only", .wrong, LoopVariant(carry: .daOnly),
             summary: "The loop carries da_prev but drops dc_prev (dc_next = 0 at every step): a half-fix.",
             reason: "dropping dc_prev cuts the cell-state path, the one that lets gradients cross many steps.")
    }

    public static var carryDcOnly: Method {
        loop("carry-dc-only", .wrong, LoopVariant(carry: .dcOnly),
             summary: "The loop carries dc_prev but drops da_prev (da_next = da[:,:,t] only): the other half-fix.",
             reason: "dropping da_prev cuts every path through the hidden state a_{t-1}, which all four gates read.")
    }

    public static var printed2018: Method {
        loop("coursera-2018-printed", .wrong, LoopVariant(printed2018: true),
             summary: "Equations (7)-(10) as the 2018 notebook printed them in its text, errata included, in the corrected loop.",
             reason: "the printed (8)-(10) apply the gate derivative to only the second term, (8) adds a c~ factor and 1 - tanh(c~)^2, and (10) uses c~_prev for c_prev.")
    }

    /// Truncated BPTT: the loss at step s flows back to steps s−K+1 … s (and, from the
    /// first K steps, to a0). K = 1 is `per-step`; K ≥ T_x is full BPTT, so correct.
    public static func truncated(_ K: Int, steps: Int) -> Method {
        loop("truncated:\(K)", K >= steps ? .correct : .wrong, LoopVariant(horizon: K),
             summary: "BPTT truncated to \(K) step\(K == 1 ? "" : "s"): each step's loss reaches at most \(K - 1) step\(K == 2 ? "" : "s") back.",
             reason: K >= steps ? "with K ≥ T_x nothing is cut, so it is full BPTT."
                : "every path longer than \(K - 1) step\(K == 2 ? "" : "s") back in time is cut.")
    }

    /// What a bare check runs: the two correct derivations and the one the question is about.
    public static var core: [Method] { [.bptt, .coursera, .perStep] }

    /// Every derivation in the catalogue for a problem with `steps` time steps (`--methods all`).
    public static func catalogue(steps: Int) -> [Method] {
        core + [.asker, .askerNoCarry, .carryDaOnly, .carryDcOnly, .printed2018, .truncated(2, steps: steps)]
    }

    /// Every name `named` accepts, for help and errors.
    public static var names: [String] {
        ["bptt", "coursera", "per-step", "asker", "asker-no-carry", "carry-da-only",
         "carry-dc-only", "coursera-2018-printed", "truncated:K", "numerical"]
    }

    /// The method called `name` (`truncated:K` with a whole K ≥ 1), or nil.
    public static func named(_ name: String, steps: Int) -> Method? {
        if name.hasPrefix("truncated:") {
            guard let K = Int(name.dropFirst("truncated:".count)), K >= 1 else { return nil }
            return truncated(K, steps: steps)
        }
        return (catalogue(steps: steps) + [.numerical]).first { $0.name == name }
    }

    private static func loop(_ name: String, _ expectation: Expectation, _ variant: LoopVariant,
                             summary: String, reason: String) -> Method {
        Method(name: name, expectation: expectation, summary: summary, reason: reason,
               compute: { CourseraLoop.gradients($0, variant) },
               computeSingle: { CourseraLoop.gradients($0.converted(to: Float.self), variant) })
    }
}

extension Method where Problem == RNNProblem<Double> {
    public static var bptt: Method {
        Method(name: "bptt", expectation: .correct,
               summary: "Full backpropagation through time with W = [Waa Wax] on [a_prev; x_t], written apart from the notebook's cell code.",
               reason: "it differentiates the whole unrolled network, every path through time included.",
               compute: { RNNBPTT.gradients($0) }, computeSingle: { RNNBPTT.gradients($0.converted(to: Float.self)) })
    }

    public static var coursera: Method {
        Method(name: "coursera", expectation: .correct,
               summary: "The notebook's rnn_cell_backward in its rnn_backward loop, which feeds da[:,:,t] + da_prevt and sums dW over t.",
               reason: "its loop carries da_prev back one step and sums every dW over t, which is backpropagation through time.",
               compute: { RNNCourseraLoop.gradients($0, carry: true) },
               computeSingle: { RNNCourseraLoop.gradients($0.converted(to: Float.self), carry: true) })
    }

    public static var perStep: Method {
        Method(name: "per-step", expectation: .wrong,
               summary: "The same cell with nothing carried back in time (da_next = da[:,:,t]).",
               reason: "with nothing carried back, every gradient that reaches a step from the losses of later steps is dropped.",
               compute: { RNNCourseraLoop.gradients($0, carry: false) },
               computeSingle: { RNNCourseraLoop.gradients($0.converted(to: Float.self), carry: false) })
    }

    public static var core: [Method] { [.bptt, .coursera, .perStep] }

    public static var names: [String] { ["bptt", "coursera", "per-step", "numerical"] }

    public static func named(_ name: String) -> Method? { (core + [.numerical]).first { $0.name == name } }
}
