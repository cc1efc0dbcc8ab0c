/// One derivation measured against the reference.
public struct MethodReport: Sendable {
    public var name: String
    public var expectation: Expectation
    public var summary: String
    public var reason: String
    /// Every tensor within tolerance.
    public var matches: Bool { tensors.allSatisfy(\.pass) }
    public var tensors: [TensorComparison]

    /// The failing tensor with the largest relative error, if any.
    public var worst: TensorComparison? {
        tensors.max { $0.relativeError < $1.relativeError }
    }
}

/// What a check found, as plain values: every renderer (text, markdown, JSON)
/// is a view of this, so they cannot disagree.
public struct CheckReport: Sendable {
    public var name: String
    /// `lstm` or `rnn`.
    public var cell: String
    public var dims: LSTMDims
    /// The reference's name (`numerical`) and its step.
    public var reference: String
    public var step: Double
    public var tolerance: Double
    public var methods: [MethodReport]

    /// Passed: every derivation expected to be correct matches.
    public var passed: Bool {
        methods.allSatisfy { $0.expectation != .correct || $0.matches }
    }
}

public enum GradCheck {
    /// Runs `methods` on `problem` and compares each with central finite differences.
    public static func check<P: GradientProblem>(_ problem: P, name: String, methods: [Method<P>],
                             tolerance: Double = Comparison.defaultTolerance,
                             step: Double = FiniteDifferences.defaultStep) -> CheckReport {
        let reference = FiniteDifferences.central(problem, step: step)
        let reports = methods.map { method in
            let g = method.compute(problem)
            let tensors = reference.keys.compactMap { key -> TensorComparison? in
                guard let gk = g[key], let rk = reference[key] else { return nil }
                return Comparison.compare(key, gk, reference: rk, tolerance: tolerance)
            }
            return MethodReport(name: method.name, expectation: method.expectation, summary: method.summary,
                                reason: method.reason, tensors: tensors)
        }
        return CheckReport(name: name, cell: problem.cell, dims: problem.dims, reference: "numerical", step: step,
                           tolerance: tolerance, methods: reports)
    }
}
