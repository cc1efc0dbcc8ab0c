/// Central differences as a cross-check of the exact gradient, paying for a second difference
/// only where the check needs one. Every element's quotient D(h) at its own step is compared
/// with the exact derivative; where `|D(h) − exact|` is within the a-priori bound on D(h)'s
/// rounding (`2δ/span + ε|D(h)|`, the part of `FiniteDifferences.centralError` that needs no
/// D(2h)), that bound is the element's error estimate: two independent computations agree
/// within what the loss's rounding alone produces, so no truncation error shows at this step,
/// and D(2h) could only widen the estimate (the full one is never below the bound). Everywhere
/// else (a larger difference, or anything not finite) the element gets the full estimate from
/// D(h) and D(2h), exactly as `FiniteDifferences.estimate` computes it.
/// On the networks here the rounding bound covers nearly every element, so the check costs one
/// stencil per element instead of two. The estimates only shrink to what is observed, so the
/// `numerical` row can only become stricter, and an unexplained element is decided as before.
enum CrossCheck {
    /// True for the schemes whose error estimate this applies to: `central`, whose estimate
    /// splits into truncation (from D(2h)) and rounding (from D(h) alone). Richardson's needs
    /// the extrapolations at h and 2h for the value itself, so it keeps its full estimate.
    static func applies(to scheme: FiniteDifferences.Scheme) -> Bool { scheme == .central }

    /// Every element's central quotient at its own step (`FiniteDifferences.Request.estimate`'s
    /// step), with the estimate described above, under `control`: `Phase.finiteDifferences`
    /// for D(h), then `Phase.errorEstimates` for the elements that need D(2h). A stop leaves
    /// the tensors whose every element has both its value and its estimate.
    static func central<C: Cell>(_ problem: Problem<C, Double>, exact: Gradients<C>, control: RunControl) -> NumericalGradient<C> {
        let full = FiniteDifferences.Request.estimate(.central)
        var plain = full
        plain.estimatesError = false
        var results = C.finiteDifferences(problem, plain, control: control.during(.finiteDifferences))
        let bounds = Bounds(problem, exact: exact)
        results.errors = results.values.enumerated().map { n, value in value.flatMap { bounds.explaining(n, value: $0) } }
        let unexplained = results.values.indices.filter { results.values[$0] != nil && results.errors[$0] == nil }
        if results.stop == nil, !unexplained.isEmpty {
            let estimated = C.finiteDifferences(problem, full.selecting(ElementSelection(unexplained.map { $0..<($0 + 1) })),
                                                control: control.during(.errorEstimates))
            for (k, n) in estimated.numbers.enumerated() {
                // Each element's D(h) is the same bits in any selection: the value does not change.
                results.values[n] = estimated.values[k]
                results.errors[n] = estimated.errors[k]
            }
            results.stop = estimated.stop
        }
        // A value without its estimate cannot be judged: its tensor counts as unfinished.
        for n in results.values.indices where results.errors[n] == nil { results.values[n] = nil }
        return NumericalGradient(problem, results)
    }

    /// `numerical`, computed with the full estimate (`FiniteDifferences.estimate` with
    /// `central`, e.g. merged shards), with each estimate that `central(_:exact:control:)` would
    /// have replaced by the rounding bound replaced by it: the same bits as that run.
    static func explained<C: Cell>(_ numerical: NumericalGradient<C>, _ problem: Problem<C, Double>, exact: Gradients<C>) -> NumericalGradient<C> {
        let elements = InputElements(problem), bounds = Bounds(problem, exact: exact)
        var out = numerical
        for (k, input) in elements.inputs.enumerated() {
            guard let values = numerical.gradients[input]?.data, var errors = out.errorEstimate[input] else { continue }
            for (flat, value) in values.enumerated() {
                if let bound = bounds.explaining(elements.offsets[k] + flat, value: value) { errors.data[flat] = bound }
            }
            out.errorEstimate[input] = errors
        }
        return out
    }

    /// What decides whether rounding explains an element's difference from the exact derivative.
    struct Bounds {
        /// Per element (`InputElements` numbering): the exact derivative and the step as represented.
        let exact: [Double], spans: [Double]
        /// `FiniteDifferences.roundingBound` for central differences.
        let delta: Double

        init<C: Cell>(_ problem: Problem<C, Double>, exact gradients: Gradients<C>) {
            let elements = InputElements(problem)
            exact = elements.inputs.enumerated().flatMap { k, input in
                gradients[input]?.data ?? Array(repeating: .nan, count: elements.range(k).count)
            }
            let request = FiniteDifferences.Request.estimate(.central)
            // As both backends represent it: (θ + h) − (θ − h).
            spans = elements.values(problem).map { theta in
                let h = request.step(for: theta)
                return (theta + h) - (theta - h)
            }
            delta = FiniteDifferences.roundingBound(problem, scheme: .central)
        }

        /// Element `n`'s rounding bound when it covers `|value − exact|`, nil when it does not or
        /// when anything in it is not finite.
        func explaining(_ n: Int, value: Double) -> Double? {
            let bound = FiniteDifferences.centralError(value, value, delta: delta, span: spans[n])
            return bound.isFinite && abs(value - exact[n]) <= bound ? bound : nil
        }
    }
}
