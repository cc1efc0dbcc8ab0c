/// How a check is decided: which reference, which finite differences, which precision
/// the routes run in, and the bounds that follow from the estimated errors.
public struct CheckOptions: Sendable {
    public enum Reference: String, Sendable, CaseIterable {
        /// Forward-mode derivatives of the same forward pass: rounding error only.
        case exact
        /// Finite differences, with an estimate of their own error.
        case numerical
    }

    public enum Precision: String, Sendable, CaseIterable {
        case float64
        /// The routes run in `Float`, as learners' code often does; the reference does not.
        case float32
    }

    public var reference: Reference = .exact
    public var scheme: FiniteDifferences.Scheme = .central
    public var precision: Precision = .float64
    /// A fixed bound on the relative error, instead of the derived ones (`--tolerance`).
    public var tolerance: Double?
    /// With the exact reference, also measure the finite differences against it.
    public var showNumerical = true

    public init(reference: Reference = .exact, scheme: FiniteDifferences.Scheme = .central,
                precision: Precision = .float64, tolerance: Double? = nil, showNumerical: Bool = true) {
        self.reference = reference
        self.scheme = scheme
        self.precision = precision
        self.tolerance = tolerance
        self.showNumerical = showNumerical
    }
}

/// The rule. A route's relative error r against the reference is explained by the
/// reference's own error e_ref and the route's rounding e_round when
/// `r ≤ τ = safety·(e_ref + e_round)`. Beyond τ the route is wrong. Within τ it matches —
/// unless e_ref is so large (more than `decisive`) that a wrong route could hide in it, or τ
/// is not a finite number, or τ ≥ 1 (r never exceeds 1, so nothing could fail it); then the
/// verdict is inconclusive, never a guess. Agreement to the last bit (r = 0) needs no bound.
public enum Decision {
    /// How far beyond the estimated errors a route must be to be called wrong.
    public static let safety = 10.0
    /// The largest relative error a reference may have and still confirm a match: wrong
    /// derivations seen here are 1e-4 and more away from the truth.
    public static let decisive = 1e-5

    /// The fewest units of roundoff a float64 route's rounding is taken to be (see
    /// `GradCheck.roundingFloor`).
    public static let minimumAmplification = 64.0

    /// Unit roundoff of the precision a route runs in.
    public static func unitRoundoff(_ p: CheckOptions.Precision) -> Double {
        p == .float32 ? Double(Float.ulpOfOne) / 2 : Double.ulpOfOne / 2
    }

    /// Decides `c` (the route's comparison with the reference) given the estimates.
    public static func decide(_ c: TensorComparison, referenceError: Double, roundingFloor: Double,
                              fixedTolerance: Double?, referenceName: String) -> TensorComparison {
        var out = c
        out.referenceError = referenceError
        out.roundingFloor = roundingFloor
        // A non-finite tensor was decided by the comparison itself (`Comparison.compare`).
        if c.nonFinite != nil { return out }
        if let fixed = fixedTolerance {
            out.threshold = fixed
            out.verdict = c.relativeError <= fixed ? .pass : .fail
            out.pass = out.verdict == .pass
            return out
        }
        let bound = safety * (referenceError + roundingFloor)
        if c.relativeError == 0 {
            // Agreement to the last bit needs no error estimate (a gradient that is exactly zero
            // in both, where an estimate relative to the reference would be infinite).
            out.threshold = bound.isFinite ? bound : 0
            if !referenceError.isFinite { out.referenceError = 0 }
            out.verdict = .pass
        } else if !bound.isFinite {
            out.threshold = 0
            out.verdict = .inconclusive
            out.note = referenceError.isNaN || roundingFloor.isNaN
                ? "the \(referenceName) gradient's error estimate is not a finite number (the loss overflows or saturates on this network), so no bound can be set"
                : "the \(referenceName) gradient is only noise here (its estimated error exceeds the gradient itself)"
        } else if c.relativeError > bound {
            out.threshold = bound
            out.verdict = .fail
        } else {
            out.threshold = bound
            if referenceError > decisive {
                out.verdict = .inconclusive
                out.note = "the \(referenceName) gradient's own error, about \(sci(referenceError)), is too large to confirm a match"
            } else if bound >= 1 {
                out.verdict = .inconclusive
                out.note = "the route's own rounding on this network, about \(sci(roundingFloor)) (its float32 run against its float64 run), sets a bound of \(sci(bound)), which no relative error exceeds: nothing could fail it"
            } else {
                out.verdict = .pass
            }
        }
        out.pass = out.verdict == .pass
        return out
    }
}
