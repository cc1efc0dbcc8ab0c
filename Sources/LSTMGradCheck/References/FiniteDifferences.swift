import Foundation

/// Finite differences of the loss, element by element: the reference a learner can
/// trust without trusting any derivation, and how far it can be trusted.
public enum FiniteDifferences {
    /// The default step. In double precision central differences balance truncation
    /// error ∝ h² against rounding error ∝ ε·|L|/h near h ≈ ε^{1/3} ≈ 6e-6; 1e-5 is
    /// the round number beside it and gives relative errors of 1e-10 to 1e-8 here.
    public static let defaultStep = 1e-5

    /// `∂L/∂θ ≈ (L(θ + h) − L(θ − h)) / ((θ + h) − (θ − h))` for every element θ of every
    /// input, with one step h for all: the plain numerical gradient learners compute. The
    /// denominator is the step as actually represented, so θ's rounding does not bias the
    /// quotient. Through the cell's backend (`Cell.finiteDifferences`), under `control`.
    public static func central<C: Cell>(_ problem: Problem<C, Double>, step h: Double = defaultStep,
                                        control: RunControl) throws(Interruption) -> Gradients<C> {
        let result = NumericalGradient(problem, C.finiteDifferences(problem, .central(step: h), control: control.during(.finiteDifferences)))
        if let stop = result.stop { throw stop }
        return result.gradients
    }

    /// `central(_:step:control:)` on every core with nothing that can stop it: a `RunControl`
    /// without a deadline or a cancellation check runs every piece.
    public static func central<C: Cell>(_ problem: Problem<C, Double>, step h: Double = defaultStep) -> Gradients<C> {
        NumericalGradient(problem, C.finiteDifferences(problem, .central(step: h), control: RunControl())).gradients
    }

    /// The central quotient at step h of each of `elements`, in that order, element by element
    /// (the batched backend's fallback for a target it does not take); nil for those a stop left
    /// undone and for elements `problem` does not have. Pieces of 8 elements go to
    /// `control.threads` threads in the order given.
    static func central<C: Cell>(_ problem: Problem<C, Double>, elements: [ElementID<C>], step h: Double,
                                 control: RunControl) -> (values: [Double?], stop: StopReason?) {
        let thetas = Dictionary(uniqueKeysWithValues: problem.inputs.map { ($0, problem.tensor($0).data) })
        let run = inPieces(problem, count: elements.count, control: control) { n, p -> Double? in
            let e = elements[n]
            guard let values = thetas[e.input], values.indices.contains(e.flat) else { return nil }
            let theta = values[e.flat]
            let up = theta + h, down = theta - h
            p.set(e.input, e.flat, to: up)
            let plus = p.loss
            p.set(e.input, e.flat, to: down)
            let minus = p.loss
            p.set(e.input, e.flat, to: theta)
            return (plus - minus) / (up - down)
        }
        return (run.values, run.stop)
    }

    /// Every element's derivative by `scheme` with its own step (`step(for:scheme:)`), and an
    /// estimate of each one's error (`Request`), through the cell's backend, under `control`.
    /// A stop leaves the tensors that finished (`NumericalGradient.stop` says why the rest are missing).
    public static func estimate<C: Cell>(_ problem: Problem<C, Double>, scheme: Scheme = .richardson,
                                         control: RunControl = RunControl()) -> NumericalGradient<C> {
        NumericalGradient(problem, C.finiteDifferences(problem, .estimate(scheme), control: control.during(.finiteDifferences)))
    }

    /// What `request` asks for, element by element, through the cell's backend: with
    /// `Request.elements` set, only those elements (a shard of the work). Each element's
    /// result depends on that element alone, never on which others are computed with it, so
    /// the same element gives the same bits in any selection and on any number of threads.
    public static func elements<C: Cell>(_ problem: Problem<C, Double>, _ request: Request,
                                         control: RunControl = RunControl()) -> ElementResults {
        C.finiteDifferences(problem, request, control: control.during(.finiteDifferences))
    }

    /// How many input elements `problem` has: the numbers `ElementSelection` takes are
    /// `0 ..< elementCount`, `problem.inputs` in order and each tensor in C order.
    public static func elementCount<C: Cell>(_ problem: Problem<C, Double>) -> Int { InputElements(problem).count }

    /// The results of one request, one entry per selected element in ascending number
    /// (every element when the request selects none): the derivative, and with an error
    /// estimate requested its estimate; nil where a stop came first.
    public struct ElementResults: Sendable, Equatable {
        /// The element numbers, ascending.
        public var numbers: [Int]
        public var values: [Double?]
        /// Empty when the request asked for no estimate.
        public var errors: [Double?]
        /// Why some values are missing, if any are.
        public var stop: Interruption?

        public init(numbers: [Int], values: [Double?], errors: [Double?] = [], stop: Interruption? = nil) {
            self.numbers = numbers
            self.values = values
            self.errors = errors
            self.stop = stop
        }

        /// Every selected element has its value (and its estimate, when one was asked for).
        public var isComplete: Bool { stop == nil && !values.contains(nil) && !errors.contains(nil) }
    }

    /// One finite-difference computation: the stencil, the step policy, whether each
    /// element's error is estimated, and which elements. Every backend (element by element,
    /// batched) takes it.
    public struct Request: Sendable, Equatable {
        public var scheme: Scheme
        public var step: StepPolicy
        /// The estimate costs the same stencil again at 2h (and 4h for `richardson`).
        public var estimatesError: Bool
        /// The elements to compute (a shard); nil for every element.
        public var elements: ElementSelection?

        public init(scheme: Scheme, step: StepPolicy, estimatesError: Bool, elements: ElementSelection? = nil) {
            self.scheme = scheme
            self.step = step
            self.estimatesError = estimatesError
            self.elements = elements
        }

        /// What `central(_:step:control:)` computes: `(L(θ + h) − L(θ − h)) / 2h`, one h for all.
        public static func central(step h: Double = FiniteDifferences.defaultStep) -> Request {
            Request(scheme: .central, step: .fixed(h), estimatesError: false)
        }

        /// What `estimate(_:scheme:control:)` computes: each element's own step, and its error.
        public static func estimate(_ scheme: Scheme) -> Request {
            Request(scheme: scheme, step: .perElement, estimatesError: true)
        }

        /// The same request for the elements of `selection` only.
        public func selecting(_ selection: ElementSelection?) -> Request {
            var r = self
            r.elements = selection
            return r
        }

        /// The selected element numbers within `range` (all of it without a selection), ascending.
        func selected(in range: Range<Int>) -> [Int] {
            elements?.numbers(in: range) ?? Array(range)
        }

        /// The step for an element of value θ.
        public func step(for theta: Double) -> Double {
            switch step {
            case .fixed(let h): return h
            case .perElement: return FiniteDifferences.step(for: theta, scheme: scheme)
            }
        }
    }

    public enum StepPolicy: Sendable, Equatable {
        /// The same h for every element (the textbook gradient check).
        case fixed(Double)
        /// `step(for:scheme:)`: balanced against the rounding of the loss, element by element.
        case perElement
    }

    /// How a derivative is taken from values of the loss.
    public enum Scheme: String, Sendable, CaseIterable {
        /// `D(h) = (L(θ + h) − L(θ − h)) / 2h`: truncation error `h²·L'''/6`.
        case central
        /// `R(h) = D(h) + (D(h) − D(2h)) / 3`, Richardson's extrapolation of `D`, which is
        /// the 4-point stencil `(−L(θ+2h) + 8L(θ+h) − 8L(θ−h) + L(θ−2h)) / 12h`:
        /// truncation error `h⁴·L⁽⁵⁾/30`. Its values of L are taken in `WideFloat` (Float80 on
        /// x86-64): in `Double` the loss's own rounding, not truncation, limits a fourth-order
        /// scheme, which then gains only 20–50× on `central`.
        case richardson
    }

    /// The step for an element of value θ: `h = c·ε^{1/3}·max(1, |θ|)` for `central`,
    /// `c·ε^{1/5}·max(1, |θ|)` for `richardson`, ε the unit roundoff of the float the scheme
    /// takes the loss in (2⁻⁵² for `Double`, 2⁻⁶³ for Float80). With each value of L wrong by
    /// up to δ, the error of `D(h)` is `M₃h²/6 + δ/h`, least at `h = (3δ/M₃)^{1/3}`; that of
    /// `R(h)` is `M₅h⁴/30 + 1.5δ/h`, least at `h = (11.25δ/M₅)^{1/5}`. δ is a few ε·|L|, so
    /// the steps go as ε^{1/3} and ε^{1/5}; `max(1, |θ|)` keeps the step relative for large θ
    /// and absolute near zero, where a relative step would vanish. c (`Scheme.stepFactor`)
    /// is the measured rest, `(3δ/(εM₃))^{1/3}` and `(11.25δ/(εM₅))^{1/5}` on typical networks.
    public static func step(for theta: Double, scheme: Scheme) -> Double {
        scheme.stepFactor * Foundation.pow(scheme.lossEpsilon, scheme.stepExponent) * max(1, Swift.abs(theta))
    }

    /// Every element's derivative by `scheme` with its own step (`step(for:scheme:)`), and
    /// an estimate of each one's error: the truncation error as the same scheme sees it
    /// from twice the step (`|D(h) − D(2h)|/3` for `central`, `|R(h) − R(2h)|/15` for
    /// `richardson`), doubled, plus a bound on the rounding error, δ/h for `central` and
    /// 1.5·δ/h for `richardson`, where δ bounds the rounding error of one value of the loss,
    /// plus the rounding of the result to `Double`.
    /// The difference only measures the leading term of the truncation error; doubled, it
    /// covers the next ones too (at weights ±5 the plain difference fell short for 2% of
    /// the elements, doubled for none). The estimate assumes L is smooth on the scale of
    /// the steps (up to 4h): on networks whose gates saturate sharply (weights and inputs
    /// ±5, n_a 24, T_x 40) it was too small for 31% of the elements with `richardson`
    /// and 2.4% with `central`, where the loss changes on scales below the steps.
    /// `central` costs 4 losses per element, `richardson` 6.
    /// This is the element-by-element backend, for any cell and any request; a stop leaves
    /// every element (so every tensor) unfinished.
    static func elementwise<C: Cell>(_ problem: Problem<C, Double>, _ request: Request,
                                     control: RunControl) -> NumericalGradient<C> {
        NumericalGradient(problem, elementwiseResults(problem, request, control: control))
    }

    /// `elementwise(_:_:control:)` element by element, for the request's selection.
    static func elementwiseResults<C: Cell>(_ problem: Problem<C, Double>, _ request: Request,
                                            control: RunControl) -> ElementResults {
        let numbers = request.selected(in: 0..<InputElements(problem).count)
        do throws(Interruption) {
            switch request.scheme {
            case .central: return try elementwise(problem, request, numbers: numbers, in: Double.self, control: control)
            case .richardson: return try elementwise(problem, request, numbers: numbers, in: WideFloat.self, control: control)
            }
        } catch {
            return ElementResults(numbers: numbers, values: Array(repeating: nil, count: numbers.count),
                                  errors: request.estimatesError ? Array(repeating: nil, count: numbers.count) : [], stop: error)
        }
    }

    /// `elementwise(_:_:control:)` of the elements `numbers`, with every value of the loss, and
    /// the differences and extrapolation made of them, in `L`.
    static func elementwise<C: Cell, L: Scalar>(_ problem: Problem<C, Double>, _ request: Request, numbers: [Int], in _: L.Type,
                                                control: RunControl) throws(Interruption) -> ElementResults {
        let elements = InputElements(problem), scheme = request.scheme
        let delta = roundingBound(problem, scheme: scheme)
        let results = try eachElement(problem, elements, numbers: numbers, in: L.self, control: control) { theta, loss -> (value: Double, error: Double) in
            let h = request.step(for: theta)
            // The denominators are the steps as represented, as in `central(_:step:)`.
            func difference(_ k: Double) -> (d: L, span: Double) {
                let up = theta + k * h, down = theta - k * h
                return ((loss(up) - loss(down)) / L(up - down), up - down)
            }
            let (d1, span) = difference(1)
            guard request.estimatesError else { return (d1.primal, 0) }
            let d2 = difference(2).d
            switch scheme {
            case .central:
                return (d1.primal, centralError(d1.primal, d2.primal, delta: delta, span: span))
            case .richardson:
                let d4 = difference(4).d
                let r1 = d1 + (d1 - d2) / L(3), r2 = d2 + (d2 - d4) / L(3)
                let value = r1.primal
                // Rounding: (4/3)·(2δ/span) from D(h) and (1/3)·(δ/span) from D(2h).
                return (value, 2 * abs((r1 - r2).primal) / 15 + 3 * delta / span + Double.ulpOfOne * abs(value))
            }
        }
        return ElementResults(numbers: numbers, values: results.map(\.value), errors: request.estimatesError ? results.map(\.error) : [])
    }

    /// The error estimate of a central quotient `d1 = D(h)` from `d2 = D(2h)`: the truncation
    /// error `|D(h) − D(2h)|/3`, doubled, the loss's rounding `2δ/span` (`span` the step as
    /// represented, `(θ + h) − (θ − h)`), and the rounding of `d1` itself.
    static func centralError(_ d1: Double, _ d2: Double, delta: Double, span: Double) -> Double {
        2 * abs(d1 - d2) / 3 + 2 * delta / span + Double.ulpOfOne * abs(d1)
    }

    /// δ, a bound on the rounding error of one value of the loss as `scheme` computes it:
    /// `k·ε·Σ|terms|` over the terms the loss sums (`−log ŷ`, or `da ⊙ a` upstream).
    static func roundingBound<C: Cell>(_ problem: Problem<C, Double>, scheme: Scheme = .central) -> Double {
        roundingFactor * scheme.lossEpsilon * problem.lossTermMagnitude
    }

    /// k in `roundingBound`. Against the loss computed in Float80, the rounding error of
    /// the loss was at most 3.3·ε·Σ|terms| on 200 random networks (n_x ≤ 4, n_a ≤ 5,
    /// T_x ≤ 6, m ≤ 4, weights and inputs ±0.1 to ±5) and 1.9·ε·Σ|terms| on 40 larger ones
    /// (n_a ≤ 40, T_x ≤ 40, ±0.1 to ±1). Larger weights on long sequences amplify rounding
    /// through time (up to 10⁷·ε·Σ|terms| at ±5), which no such bound foresees.
    static let roundingFactor = 4.0

    /// `value(θ, L)` for each input element θ of `numbers` (in `elements`' numbering), where
    /// `L(t)` is the loss with that element set to t and every other input as given; in the
    /// order of `numbers`. The elements go in pieces of 8 to `control.threads` threads;
    /// each value depends only on its own element, so the result is the same bit for bit
    /// whatever the threads and whichever other elements are chosen. Throws when `control`
    /// stops the run (checked between pieces).
    static func eachElement<C: Cell, L: Scalar, Value: Sendable>(_ problem: Problem<C, Double>, _ elements: InputElements<C>,
                                             numbers: [Int], in _: L.Type, control: RunControl,
                                             _ value: @Sendable (Double, (Double) -> L) -> Value) throws(Interruption) -> [Value] {
        let thetas = elements.values(problem)
        let run = inPieces(problem, count: numbers.count, control: control) { position, p -> Value? in
            let number = numbers[position]
            let (input, flat) = elements.element(number)
            let result = value(thetas[number]) { t in
                p.set(input, flat, to: t)
                return p.loss { L($2) }
            }
            p.set(input, flat, to: thetas[number])
            return result
        }
        if let stop = run.stop {
            throw Interruption(reason: stop, done: zip(run.finished, run.costs).reduce(0) { $0 + ($1.0 ? $1.1 : 0) },
                               total: run.costs.reduce(0, +))
        }
        return run.values.compactMap { $0 }
    }

    /// `value(position, &p)` for each position in `0 ..< count`, in pieces of 8 positions taken
    /// by `control.threads` threads (`Workers`); each piece works on its own copy `p` of
    /// `problem`, which `value` must leave as it found it. Returns each position's result (nil
    /// where `value` gave none or a stop left its piece undone), which pieces finished, their
    /// costs in progress units (a loss carries its element through every step of every batch
    /// column) and why the run stopped, if it did.
    private static func inPieces<C: Cell, Value: Sendable>(_ problem: Problem<C, Double>, count: Int, control: RunControl,
                                                           _ value: @Sendable (Int, inout Problem<C, Double>) -> Value?)
        -> (values: [Value?], finished: [Bool], costs: [Int], stop: StopReason?) {
        let piece = 8
        let pieces = (0..<(count + piece - 1) / piece).map { ($0 * piece)..<min(count, ($0 + 1) * piece) }
        let costs = pieces.map { $0.count * problem.dims.steps * problem.dims.batch }
        var values = [Value?](repeating: nil, count: count)
        let (finished, stop) = values.withUnsafeMutableBufferPointer { buffer in
            nonisolated(unsafe) let out = buffer   // pieces write disjoint elements
            return Workers.run(costs: costs, control: control, makeState: {}) { k, _, _ in
                var p = problem
                for position in pieces[k] { out[position] = value(position, &p) }
                return true
            }
        }
        return (values, finished, costs, stop)
    }
}

extension FiniteDifferences.Scheme {
    /// c in `step(for:scheme:)`: the error against `ExactGradient` (worst tensor's
    /// ‖num − exact‖/‖exact‖), geometric mean over 36 random networks (n_x ≤ 8, n_a ≤ 10,
    /// T_x ≤ 12, weights ±0.5 to ±2) for c = ½, 1, 2, 4, 8, 16:
    /// central 2.0e-8, 1.1e-8, 5.4e-9, 3.5e-9, 3.5e-9, 7.7e-9 (worst network's best at c = 2–4);
    /// richardson, its loss in Float80, on the default network and 5 random ones (n_a ≤ 10,
    /// weights ±1) for c = ¼, ½, 1, 2, 4, 8: worst 2.1e-12, 9.7e-13, 6.1e-13, 3.1e-13, 1.6e-12,
    /// 2.6e-11, the default 9.1e-13, 3.9e-13, 1.9e-13, 1.0e-13, 2.1e-13, 3.3e-12. c = 1 keeps
    /// the steps furthest from where the fifth derivative grows, at a cost of 2× against c = 2.
    var stepFactor: Double {
        switch self {
        case .central: return 4
        case .richardson: return 1
        }
    }

    /// The unit roundoff of the float the scheme takes the loss in.
    var lossEpsilon: Double {
        switch self {
        case .central: return Double.ulpOfOne
        case .richardson: return Double(WideFloat.ulpOfOne)
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
public struct NumericalGradient<C: Cell>: Sendable, Equatable {
    public var gradients: Gradients<C>
    /// `errorEstimate[input].data[k]` estimates `|gradients[input].data[k] − ∂L/∂θ|`, same
    /// shapes; empty when the request asked for no estimate.
    public var errorEstimate: Gradients<C>
    /// Set when a deadline stopped the run before every tensor was done: the tensors in
    /// `gradients` are the finished ones.
    public var stop: Interruption?

    public init(gradients: Gradients<C> = Gradients(), errorEstimate: Gradients<C> = Gradients(), stop: Interruption? = nil) {
        self.gradients = gradients
        self.errorEstimate = errorEstimate
        self.stop = stop
    }

    /// The results of a request on `problem`'s elements, gathered into tensors by element
    /// number: a tensor is present when all its elements have a value (an element the results
    /// do not hold has none), its estimate when they all have one too.
    public init(_ problem: Problem<C, Double>, _ results: FiniteDifferences.ElementResults) {
        let elements = InputElements(problem)
        var values = [Double?](repeating: nil, count: elements.count), errors = values
        for (k, number) in results.numbers.enumerated() where values.indices.contains(number) {
            values[number] = results.values[k]
            if !results.errors.isEmpty { errors[number] = results.errors[k] }
        }
        self.init(stop: results.stop)
        for (k, input) in elements.inputs.enumerated() {
            let range = elements.range(k)
            let value = range.compactMap { values[$0] }, error = range.compactMap { errors[$0] }
            guard value.count == range.count else { continue }
            gradients[input] = Tensor(shape: elements.shapes[k], data: value)
            guard error.count == range.count else { continue }
            errorEstimate[input] = Tensor(shape: elements.shapes[k], data: error)
        }
    }
}
