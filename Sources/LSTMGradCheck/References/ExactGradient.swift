/// The gradient by forward-mode differentiation of the same generic forward pass
/// that gives the loss: no derivation and no step, so its only error is rounding
/// (about 1e-14 relative on the networks here), and it can judge both the analytic
/// routes and finite differences.
public enum ExactGradient {
    /// `∂L/∂θ` for every element θ of every input, `Dual.lanes` elements per pass of
    /// the loss: element number g (report order, C order within a tensor) is seeded
    /// in lane `g mod lanes` of pass `g / lanes`, so the cost is ⌈elements / lanes⌉
    /// passes, spread over the cores. Each lane is computed independently of the
    /// others, so the result is identical bit for bit whatever the threads.
    public static func gradients<P: GradientProblem>(_ problem: P) -> Gradients {
        gradients(problem, concurrently: true)
    }

    static func gradients<P: GradientProblem>(_ problem: P, concurrently: Bool) -> Gradients {
        let elements = InputElements(problem)
        let lanes = Dual.lanes
        return elements.gradients(elements.map(width: lanes, concurrently: concurrently) { range in
            // `lifted` visits the inputs key by key, so the key's offset is looked up once per key.
            var currentKey = "", firstLane = 0
            let tangent = problem.loss { key, flat, value -> Dual in
                if key != currentKey {
                    currentKey = key
                    firstLane = elements.offset(of: key) - range.lowerBound
                }
                let lane = firstLane + flat
                return 0 <= lane && lane < lanes ? Dual(value: value, seeding: lane) : Dual(value)
            }.tangent
            return range.map { tangent[$0 - range.lowerBound] }
        })
    }
}
