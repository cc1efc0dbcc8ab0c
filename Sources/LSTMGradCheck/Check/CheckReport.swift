/// One derivation measured against the reference.
public struct MethodReport: Sendable {
    public var name: String
    public var expectation: Expectation
    public var summary: String
    public var reason: String
    public var tensors: [TensorComparison]
    /// What a match teaches (`Method.lesson`).
    public var lesson: String? = nil
    /// With `Selection.projection`, the probes of the whole gradient that decide it, in place
    /// of `tensors` (then empty): a probe measures ⟨g, d⟩ over many tensors at once, so there
    /// is no per-tensor relative error, norm or worst element to fill a `TensorComparison` with.
    /// nil for a method the run stopped before (then undecided, as a method with no tensors).
    public var projection: ProjectionCheck.Result? = nil

    public enum Outcome: String, Sendable {
        case matches
        case mismatch
        /// Nothing failed, but the reference could not confirm every tensor.
        case inconclusive
    }

    public var outcome: Outcome {
        if let projection { return projection.outcome }
        // Nothing compared (a budget stopped the reference before its first tensor): nothing decided.
        if tensors.isEmpty { return .inconclusive }
        if tensors.contains(where: { $0.verdict == .fail }) { return .mismatch }
        if tensors.contains(where: { $0.verdict == .inconclusive }) { return .inconclusive }
        return .matches
    }

    /// Every tensor confirmed within its bound.
    public var matches: Bool { outcome == .matches }

    /// The tensor with the largest relative error.
    public var worst: TensorComparison? {
        tensors.max { $0.relativeError < $1.relativeError }
    }
}

extension MethodReport {
    /// `method`'s report, decided by `tensors` (or by `projection`).
    init<C: Cell>(_ method: Method<C>, tensors: [TensorComparison], projection: ProjectionCheck.Result? = nil) {
        self.init(name: method.name, expectation: method.expectation, summary: method.summary, reason: method.reason,
                  tensors: tensors, lesson: method.lesson, projection: projection)
    }
}

/// What a check found, as plain values: every renderer (text, markdown, JSON)
/// is a view of this, so they cannot disagree. The full check (`GradCheck.check`), the sample
/// (`GradCheck.sampled`) and the projection (`GradCheck.projected`) each make one, told apart
/// by `selection`, and `status` decides all three alike.
public struct CheckReport: Sendable {
    public var name: String
    public var cell: CellKind
    public var dims: Dims
    public var options: CheckOptions
    /// What of each gradient was compared: every element, a sample, or projections.
    public var selection: Selection = .all
    /// `exact` or `numerical`.
    public var reference: String { options.reference.rawValue }
    /// The derivations, then (with the exact reference) the finite differences measured
    /// against it, so their own error is in view.
    public var methods: [MethodReport]
    /// Set when `RunControl` stopped the run before every tensor was done.
    public var stop: StopReason?
    /// The stop came while the exact reference was computed: nothing could be compared.
    public var stoppedInExactReference = false
    /// The tensors the finite differences did not finish: with the numerical reference not
    /// checked at all, with the exact one missing from the `numerical` column.
    public var unfinished: [String] = []
    /// What this network can tell apart: the catalogue's wrong derivations it would catch
    /// and those that would pass on it unnoticed (`Power`).
    public var power = Power()
    /// Set when every gradient of the network is exactly zero: then nothing is decided, and this says why.
    public var vacuous: String?

    /// 1: a derivation expected to be correct fails. 3: none does, but some verdict could
    /// not be decided, or the run stopped before its end. 0 otherwise.
    public var status: ReportStatus {
        if methods.contains(where: { $0.expectation == .correct && $0.outcome == .mismatch }) { return .mismatch }
        if stop != nil { return .inconclusive }
        if methods.contains(where: { $0.expectation != .reference && $0.outcome == .inconclusive }) { return .inconclusive }
        return .passed
    }

    public var passed: Bool { status == .passed }

    /// The tensors some method gets wrong (a `fail` verdict), in report order.
    public var wrong: [String] {
        tensors.map(\.key).filter { key in methods.contains { $0.tensors.contains { $0.key == key && $0.verdict == .fail } } }
    }

    /// The tensors compared, in report order, with their shapes: the rows of a report's table.
    public var tensors: [(key: String, shape: [Int])] {
        methods.first?.tensors.map { ($0.key, $0.shape) } ?? []
    }
}

extension CheckReport {
    /// The report of a check by `selection` other than `.all` (`GradCheck.sampled`,
    /// `GradCheck.projected`): central differences held to the fixed bound `tolerance`.
    init(_ selection: Selection, name: String, dims: Dims, tolerance: Double, methods: [MethodReport], stop: StopReason?) {
        self.init(name: name, cell: LSTM.kind, dims: dims,
                  options: CheckOptions(reference: .numerical, scheme: .central, tolerance: tolerance, showNumerical: false),
                  selection: selection, methods: methods, stop: stop)
    }
}

public enum GradCheck {
    /// Runs `methods` on `problem`, compares each with the reference and decides every
    /// tensor by `Decision`. `control` governs the exact reference and the finite differences
    /// of an LSTM in central differences (the batched kernel); the routes run beside them, on
    /// one more thread unless `control.threads` is 1, and nothing stops them (`RouteRuns`). A
    /// stop in the exact reference leaves every tensor unchecked, one in the finite differences
    /// whole tensors (`unfinished`); a cancellation returns at once, with no methods. `numerical`,
    /// when given, is the finite differences `options` ask for with every element's full error
    /// estimate, computed beforehand (the merged shards of a sharded check), and is used
    /// instead of computing them. With the exact reference and central differences, the
    /// estimates are those of `CrossCheck`: a second difference only where rounding does not
    /// explain the first, and from given ones the same bits. Tensors are compared, and named,
    /// as `form`'s layout writes them (`Wx`, `weight_hh_l0`; the cell's own inputs for Coursera).
    public static func check<C: Cell>(_ problem: Problem<C, Double>, name: String, methods: [Method<C>],
                                      options: CheckOptions = CheckOptions(),
                                      control: RunControl = RunControl(),
                                      numerical given: NumericalGradient<C>? = nil,
                                      form: LayoutForm = .coursera) -> CheckReport {
        let exact = options.reference == .exact
        // First, so that they start as early as they can. With the exact reference, also
        // `Power`'s derivations: unused if that reference is all zeros.
        let routes = RouteRuns(problem, methods: methods, power: exact ? Power.derivations(problem) : [], threads: control.threads)
        let names = ReportNames(form: form, problem: problem)
        let wantsNumerical = !exact || options.showNumerical
        var exactGradient: Gradients<C>?
        if exact {
            do { exactGradient = try ExactGradient.gradients(problem, control: control) } catch {
                var report = CheckReport(name: name, cell: C.kind, dims: problem.dims, options: options, methods: [],
                                         stop: error.reason, unfinished: names.names(problem))
                report.stoppedInExactReference = true
                return report
            }
        }
        let numerical: NumericalGradient<C>
        if !wantsNumerical {
            numerical = NumericalGradient()
        } else if let exactGradient, CrossCheck.applies(to: options.scheme) {
            // Cross-checking the exact gradient: a second difference only where rounding does not explain the first.
            numerical = given.map { CrossCheck.explained($0, problem, exact: exactGradient) }
                ?? CrossCheck.central(problem, exact: exactGradient, control: control)
        } else {
            numerical = given ?? FiniteDifferences.estimate(problem, scheme: options.scheme, control: control)
        }
        let stop = numerical.stop?.reason
        let numericalTensors = names.dictionary(numerical.gradients), estimates = names.dictionary(numerical.errorEstimate)
        let unfinished = wantsNumerical ? names.names(problem).filter { numericalTensors[$0] == nil } : []
        var report = CheckReport(name: name, cell: C.kind, dims: problem.dims, options: options, methods: [],
                                 stop: stop, unfinished: unfinished)
        if stop == .cancelled { return report }
        let reference = names.tensors(exactGradient ?? numerical.gradients)
        if exact, reference.allSatisfy({ $0.tensor.data.allSatisfy { $0 == 0 } }) {
            report.vacuous = Power.whyZero(problem.dims)
        }
        let referenceName = options.reference.rawValue
        // The first input too large for float32, which a float32 run turns into infinity.
        let tooLarge: (name: String, value: Double)? = options.precision == .float32 ? problem.inputs.lazy.compactMap { input in
            problem.tensor(input).data.first { abs($0) > Double(Float.greatestFiniteMagnitude) }.map { (input.name, $0) }
        }.first : nil
        let runs = routes.gradients()
        var reports = methods.indices.map { k -> MethodReport in
            let method = methods[k]
            let double = names.dictionary(runs.double[k])
            let single = runs.single[k].map(names.dictionary)
            let g = options.precision == .float32 ? (single ?? double) : double
            let tensors = reference.compactMap { key, rk -> TensorComparison? in
                guard let gk = g[key] else { return nil }
                let floor = roundingFloor(double[key], single?[key], options.precision)
                let referenceError = options.reference == .exact
                    ? floor.ofDouble : relativeNorm(estimates[key], of: rk)
                let noise = options.reference == .exact ? floor.ofDouble * maxMagnitude(rk) : maxMagnitude(estimates[key])
                let c = Comparison.compare(key, gk, reference: rk, tolerance: 0, floor: max(Decision.safety * noise, .leastNormalMagnitude))
                var decided = Decision.decide(c, referenceError: referenceError, roundingFloor: floor.inPrecision,
                                              fixedTolerance: options.tolerance, referenceName: referenceName)
                if options.precision == .float32, case .route = c.nonFinite, double[key]?.data.allSatisfy(\.isFinite) == true {
                    // The float32 run overflows where the float64 run of the same code does not:
                    // single precision cannot hold this network, which says nothing of the derivation.
                    decided.verdict = .inconclusive
                    decided.note = "it overflows in float32 on this network (\(tooLarge.map { "\($0.name) holds \(sci($0.value)), beyond float32's largest \(sci(Double(Float.greatestFiniteMagnitude)))" } ?? c.nonFinite?.sentence ?? "")) while its float64 run is finite, so float32 cannot decide it"
                }
                return decided
            }
            return MethodReport(method, tensors: tensors)
        }
        if exact && options.showNumerical {
            // The finite differences against the exact gradient, held to their own error estimate.
            let tensors = reference.compactMap { key, rk -> TensorComparison? in
                guard let nk = numericalTensors[key] else { return nil }
                let c = Comparison.compare(key, nk, reference: rk, tolerance: 0)
                // The error that can be too large here is the finite differences' own.
                return Decision.decide(c, referenceError: relativeNorm(estimates[key], of: rk),
                                       roundingFloor: Decision.unitRoundoff(.float64), fixedTolerance: nil, referenceName: "finite-difference")
            }
            reports.append(MethodReport(name: "numerical", expectation: .reference,
                                        summary: "\(options.scheme == .richardson ? "Richardson-extrapolated (loss in extended precision)" : "Central") finite differences with a per-element step, measured against the exact gradient.",
                                        reason: "its distance from the exact gradient is the finite-difference error itself.",
                                        tensors: tensors))
        }
        if let why = report.vacuous {
            // A constant loss gives every route the same zeros: agreement there proves nothing.
            for m in reports.indices where reports[m].expectation != .reference {
                for t in reports[m].tensors.indices where reports[m].tensors[t].verdict == .pass {
                    reports[m].tensors[t].verdict = .inconclusive
                    reports[m].tensors[t].pass = false
                    reports[m].tensors[t].note = why
                }
            }
        } else if let exactGradient {
            report.power = Power.of(problem, exact: exactGradient, gradients: runs.power)
            report.power.letThrough(reports.filter { $0.expectation == .wrong && $0.outcome == .matches }.map(\.name))
        }
        report.methods = reports
        return report
    }

    /// A route's rounding error, estimated from the same route run in single precision:
    /// rounding scales with the unit roundoff, so ‖g₃₂ − g₆₄‖/‖g₆₄‖ measures float32's and,
    /// times 2⁻²⁹, float64's. One float32 run can be lucky (its errors may cancel), so the
    /// float64 figure is never below `minimumAmplification` units of roundoff: over 500
    /// random networks the largest float64 error of a correct route seen here was 38 units.
    static func roundingFloor(_ double: Tensor?, _ single: Tensor?, _ precision: CheckOptions.Precision)
        -> (ofDouble: Double, inPrecision: Double) {
        let u64 = Decision.unitRoundoff(.float64), u32 = Decision.unitRoundoff(.float32)
        let least64 = Decision.minimumAmplification * u64
        // A run that overflows in either precision measures nothing: the floors stand alone.
        guard let d = double, let s = single, case let c = Comparison.compare("", s, reference: d, tolerance: 0), c.nonFinite == nil else {
            return (least64, precision == .float32 ? u32 : least64)
        }
        let measured32 = max(c.relativeError, u32)
        let of64 = max(measured32 * u64 / u32, least64)
        return (of64, precision == .float32 ? measured32 : of64)
    }

    /// ‖e‖/‖r‖; 0 when e is zero, and infinite when only r is.
    static func relativeNorm(_ e: Tensor?, of r: Tensor) -> Double {
        let ne = Comparison.norm(e?.data ?? []), nr = Comparison.norm(r.data)
        return ne == 0 ? 0 : nr == 0 ? .infinity : ne / nr
    }

    static func maxMagnitude(_ t: Tensor?) -> Double { t?.data.reduce(0) { max($0, abs($1)) } ?? 0 }
}
