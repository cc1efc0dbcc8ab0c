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
public struct Method<C: Cell>: Sendable {
    public let name: String
    public let expectation: Expectation
    /// One sentence: what it is and where it comes from.
    public let summary: String
    /// Why it gives the answer it gives, for the verdict: the reason it matches
    /// (expected correct) or the mistake it makes (expected wrong).
    public let reason: String
    public let compute: @Sendable (Problem<C, Double>) -> Gradients<C>
    /// The same derivation run in single precision, as learners' float32 code runs it
    /// (nil for the finite differences, which are a reference, not a derivation).
    public let computeSingle: (@Sendable (Problem<C, Double>) -> Gradients<C>)?
    /// What a match of this derivation teaches, for the closing sentence (the notebook's loop:
    /// that its per-cell formulas plus the carry are backpropagation through time).
    public var lesson: String? = nil
    /// For a wrong derivation, what a gradient that equals its result shows and how to fix
    /// it, for `verify`'s diagnosis.
    public var advice: (finding: String, fix: String)? = nil
}


extension Method {
    /// Full backpropagation through time written apart from the notebook's cell, `how` it is
    /// written; `double` and `single` run it in `Double` and in `Float`.
    static func bptt(_ how: String, double: @escaping @Sendable (Problem<C, Double>) -> Gradients<C>,
                     single: @escaping @Sendable (Problem<C, Float>) -> Gradients<C>) -> Method {
        Method(name: "bptt", expectation: .correct,
               summary: "Full backpropagation through time with \(how), written apart from the notebook's cell code.",
               reason: "it differentiates the whole unrolled network, every path through time included.",
               compute: double, computeSingle: { single($0.converted(to: Float.self)) })
    }

    /// Central finite differences: the reference a check falls back on, for any cell, through
    /// the cell's finite-difference backend (`Cell.finiteDifferences`).
    public static var numerical: Method {
        Method(name: "numerical", expectation: .correct,
               summary: "Central finite differences of the loss with step \(FiniteDifferences.defaultStep), element by element.",
               reason: "it differentiates the loss itself, with no derivation to get wrong; its error is the finite-difference error.",
               compute: { FiniteDifferences.central($0) }, computeSingle: nil)
    }
}

