/// Whether a derivation is supposed to give the true gradient.
public enum Expectation: String, Sendable {
    case correct
    case wrong
}

/// A way of computing the gradients, as a value: its name (what `--methods` takes),
/// whether it should be right, where it comes from, and the computation.
public struct Method: Sendable {
    public let name: String
    public let expectation: Expectation
    /// One sentence: what it is and where it comes from.
    public let summary: String
    /// Why it gives the answer it gives, for the verdict: the reason it matches
    /// (expected correct) or the mistake it makes (expected wrong).
    public let reason: String
    public let compute: @Sendable (LSTMProblem<Double>) -> Gradients
}

extension Method {
    public static let bptt = Method(
        name: "bptt", expectation: .correct,
        summary: "Full backpropagation through time with stacked gates, written apart from the notebook's cell code.",
        reason: "it differentiates the whole unrolled network, every path through time included.",
        compute: { BPTT.gradients($0) })

    public static let coursera = Method(
        name: "coursera", expectation: .correct,
        summary: "The notebook's lstm_cell_backward in its corrected lstm_backward loop, which carries da_prev and dc_prev back one step and sums dW over t.",
        reason: "its loop carries da_prev and dc_prev back one step and sums every dW over t, which is backpropagation through time; the do_{t-1} term the question asks about reaches step t-1 through the carried da_prev, not through an extra term in the cell formula.",
        compute: { CourseraLoop.gradients($0, carry: .full) })

    public static let perStep = Method(
        name: "per-step", expectation: .wrong,
        summary: "The same cell with nothing carried back in time (da_next = da[:,:,t], dc_next = 0): the 2018 notebook's loop, and what the question assumes Coursera does.",
        reason: "with nothing carried back, every gradient that reaches a step from the losses of later steps is dropped.",
        compute: { CourseraLoop.gradients($0, carry: .none) })

    public static let numerical = Method(
        name: "numerical", expectation: .correct,
        summary: "Central finite differences of the loss with step \(FiniteDifferences.defaultStep), element by element.",
        reason: "it differentiates the loss itself, with no derivation to get wrong; its error is the finite-difference error.",
        compute: { FiniteDifferences.central($0) })

    /// Every method, in report order.
    public static let all: [Method] = [.bptt, .coursera, .perStep, .numerical]

    /// The analytic derivations a check compares with the reference.
    public static let derivations: [Method] = [.bptt, .coursera, .perStep]

    public static func named(_ name: String) -> Method? { all.first { $0.name == name } }
}
