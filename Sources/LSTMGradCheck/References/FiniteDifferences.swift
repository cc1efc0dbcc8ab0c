import Foundation

/// Finite differences of the loss, element by element: the reference a learner can
/// trust without trusting any derivation, now with an estimate of its own error.
public enum FiniteDifferences {
    /// The default step. In double precision central differences balance truncation
    /// error ∝ h² against rounding error ∝ ε·|L|/h near h ≈ ε^{1/3} ≈ 6e-6; 1e-5 is
    /// the round number beside it and gives relative errors of 1e-10 to 1e-8 here.
    public static let defaultStep = 1e-5

    /// `∂L/∂θ ≈ (L(θ + h) − L(θ − h)) / ((θ + h) − (θ − h))` for every element θ of
    /// every input. The denominator is the step as actually represented, so θ's
    /// rounding does not bias the quotient.
    public static func central<P: GradientProblem>(_ problem: P, step h: Double = defaultStep) -> Gradients {
        let elements = InputElements(problem)
        return elements.gradients(eachElement(problem, elements) { theta, loss in
            let up = theta + h, down = theta - h
            return (loss(up) - loss(down)) / (up - down)
        })
    }

    /// How a derivative is taken from values of the loss.
    public enum Scheme: String, Sendable, CaseIterable {
        /// `D(h) = (L(θ + h) − L(θ − h)) / 2h`: truncation error `h²·L'''/6`.
        case central
        /// `R(h) = D(h) + (D(h) − D(2h)) / 3`, Richardson's extrapolation of `D`, which is
        /// the 4-point stencil `(−L(θ+2h) + 8L(θ+h) − 8L(θ−h) + L(θ−2h)) / 12h`:
        /// truncation error `h⁴·L⁽⁵⁾/30`.
        case richardson
    }

    /// The step for an element of value θ: `h = c·ε^{1/3}·max(1, |θ|)` for `central`,
    /// `c·ε^{1/5}·max(1, |θ|)` for `richardson`, ε = 2⁻⁵². With each value of L wrong by
    /// up to δ, the error of `D(h)` is `M₃h²/6 + δ/h`, least at `h = (3δ/M₃)^{1/3}`; that of
    /// `R(h)` is `M₅h⁴/30 + 1.5δ/h`, least at `h = (11.25δ/M₅)^{1/5}`. Here δ ≈ ε·|L|, so the
    /// steps go as ε^{1/3} and ε^{1/5}; `max(1, |θ|)` keeps the step relative for large θ
    /// and absolute near zero, where a relative step would vanish. The factors c are
    /// measured (see `stepFactor`).
    public static func step(for theta: Double, scheme: Scheme) -> Double {
        scheme.stepFactor * Foundation.pow(Double.ulpOfOne, scheme.stepExponent) * max(1, Swift.abs(theta))
    }

    /// Every element's derivative by `scheme` with its own step (`step(for:scheme:)`), and
    /// an estimate of each one's error: the truncation error, taken from the same scheme
    /// at twice the step (`|D(h) − D(2h)|/3` for `central`, `|R(h) − R(2h)|/15` for
    /// `richardson`), plus a bound on the rounding error, δ/h for `central` and 1.5·δ/h
    /// for `richardson`, where δ bounds the rounding error of one value of the loss.
    /// `central` costs 4 losses per element, `richardson` 6.
    public static func estimate<P: GradientProblem>(_ problem: P, scheme: Scheme = .richardson) -> NumericalGradient {
        let elements = InputElements(problem)
        let delta = roundingBound(problem)
        let results = eachElement(problem, elements) { theta, loss -> (value: Double, error: Double) in
            let h = step(for: theta, scheme: scheme)
            // The denominators are the steps as represented, as in `central(_:step:)`.
            func difference(_ k: Double) -> (d: Double, span: Double) {
                let up = theta + k * h, down = theta - k * h
                return ((loss(up) - loss(down)) / (up - down), up - down)
            }
            let (d1, span) = difference(1), d2 = difference(2).d
            switch scheme {
            case .central:
                return (d1, Swift.abs(d1 - d2) / 3 + 2 * delta / span)
            case .richardson:
                let d4 = difference(4).d
                let r1 = d1 + (d1 - d2) / 3, r2 = d2 + (d2 - d4) / 3
                // Rounding: (4/3)·(2δ/span) from D(h) and (1/3)·(δ/span) from D(2h).
                return (r1, Swift.abs(r1 - r2) / 15 + 3 * delta / span)
            }
        }
        return NumericalGradient(gradients: elements.gradients(results.map(\.value)),
                                 errorEstimate: elements.gradients(results.map(\.error)))
    }

    /// δ, a bound on the rounding error of one computed value of the loss:
    /// `k·ε·Σ|terms|` over the terms the loss sums (`−log ŷ`, or `da ⊙ a` upstream).
    static func roundingBound<P: GradientProblem>(_ problem: P) -> Double {
        roundingFactor * Double.ulpOfOne * problem.lossTermMagnitude
    }

    /// k in `roundingBound`. Measured against the loss in Float80 on 200 random networks
    /// (n_x ≤ 4, n_a ≤ 5, T_x ≤ 6, m ≤ 4) at weight and input scales 0.1 to 5, the rounding
    /// error of the loss was at most 3.3·ε·Σ|terms|.
    static let roundingFactor = 4.0

    /// `value(θ, L)` for every input element θ in `elements`' numbering, where `L(t)` is
    /// the loss with that element set to t and every other input as given; the elements
    /// are spread over the cores, and each value depends only on its own element.
    static func eachElement<P: GradientProblem, Value: Sendable>(_ problem: P, _ elements: InputElements,
                                             _ value: @Sendable (Double, (Double) -> Double) -> Value) -> [Value] {
        let thetas = elements.values(problem)
        return elements.map(width: 8) { range in
            var p = problem
            return range.map { number in
                let (key, flat) = elements.element(number)
                let result = value(thetas[number]) { t in
                    p.set(key, flat, to: t)
                    return p.loss()
                }
                p.set(key, flat, to: thetas[number])
                return result
            }
        }
    }
}

extension FiniteDifferences.Scheme {
    /// c in `step(for:scheme:)`, measured on the default network (n_x 3, n_a 5, n_y 2,
    /// T_x 7, m 10, seed 1) against `ExactGradient`.
    var stepFactor: Double {
        switch self {
        case .central: return 1
        case .richardson: return 1
        }
    }

    var stepExponent: Double {
        switch self {
        case .central: return 1.0 / 3
        case .richardson: return 1.0 / 5
        }
    }
}

/// A finite-difference gradient with an estimate of its error, element by element.
public struct NumericalGradient: Sendable, Equatable {
    public var gradients: Gradients
    /// `errorEstimate[key].data[k]` estimates `|gradients[key].data[k] − ∂L/∂θ|`, same shapes.
    public var errorEstimate: Gradients

    public init(gradients: Gradients, errorEstimate: Gradients) {
        self.gradients = gradients
        self.errorEstimate = errorEstimate
    }
}
