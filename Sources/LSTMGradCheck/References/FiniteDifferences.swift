/// Central finite differences of the loss, element by element: the reference a
/// learner can trust without trusting any derivation.
public enum FiniteDifferences {
    /// The default step. In double precision central differences balance truncation
    /// error ∝ h² against rounding error ∝ ε·|L|/h near h ≈ ε^{1/3} ≈ 6e-6; 1e-5 is
    /// the round number beside it and gives relative errors of 1e-10 to 1e-8 here.
    public static let defaultStep = 1e-5

    /// `∂L/∂θ ≈ (L(θ + h) − L(θ − h)) / ((θ + h) − (θ − h))` for every element θ of
    /// every input. The denominator is the step as actually represented, so θ's
    /// rounding does not bias the quotient.
    public static func central<P: GradientProblem>(_ problem: P, step h: Double = defaultStep) -> Gradients {
        var out = Gradients()
        var p = problem
        for key in problem.inputKeys {
            var tensor = problem.tensor(key)
            for flat in tensor.data.indices {
                let theta = tensor.data[flat]
                let up = theta + h, down = theta - h
                p.set(key, flat, to: up)
                let lossUp = p.loss()
                p.set(key, flat, to: down)
                let lossDown = p.loss()
                p.set(key, flat, to: theta)
                tensor.data[flat] = (lossUp - lossDown) / (up - down)
            }
            out.set(key, tensor)
        }
        return out
    }
}
