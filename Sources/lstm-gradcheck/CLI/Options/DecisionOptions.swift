import LSTMGradCheck

/// How a check is decided: `--reference`, `--fd`, `--precision`, `--tolerance`.
struct DecisionOptions: Sendable {
    static let referenceSpec = OptionSpec(name: "reference", value: "REF", help: "exact (default: forward-mode derivatives, rounding error only) or numerical (finite differences with estimated errors).",
                                          completion: .choices(CheckOptions.Reference.allCases.map(\.rawValue)))
    static let fdSpec = OptionSpec(name: "fd", value: "SCHEME", help: "Finite differences: central (default), richardson (fourth order, the loss in 80-bit floats: about 1,000× closer, slower), or none (with the exact reference only: no numerical column, for large networks).",
                                   completion: .choices(FiniteDifferencesChoice.allCases.map(\.rawValue)))
    static let precisionSpec = OptionSpec(name: "precision", value: "P", help: "float64 (default) or float32: run the derivations in single precision, as learners' code often does; the reference stays double.",
                                          completion: .choices(CheckOptions.Precision.allCases.map(\.rawValue)))
    static let toleranceSpec = OptionSpec(name: "tolerance", value: "T", help: "Override the derived bounds: a tensor passes when its relative error is at most T.")
    static let specs = [referenceSpec, fdSpec, precisionSpec, toleranceSpec]

    var reference: CheckOptions.Reference
    var finiteDifferences: FiniteDifferencesChoice
    var precision: CheckOptions.Precision
    /// A fixed bound instead of the derived ones.
    var tolerance: Double?

    init(_ p: ParsedArguments) throws(UsageError) {
        reference = try p.choice(Self.referenceSpec, default: .exact)
        finiteDifferences = try p.choice(Self.fdSpec, default: .central)
        if finiteDifferences == .none && reference == .numerical {
            throw UsageError(.incompatibleValues("'--fd none' leaves '--reference numerical' nothing to check against"), command: p.command)
        }
        precision = try p.choice(Self.precisionSpec, default: .float64)
        tolerance = try p.positive(Self.toleranceSpec)
    }

    var checkOptions: CheckOptions {
        let scheme: FiniteDifferences.Scheme, shown: Bool
        switch finiteDifferences {
        case .central: (scheme, shown) = (.central, true)
        case .richardson: (scheme, shown) = (.richardson, true)
        // None run (the exact reference alone); the options still name one, as the JSON report always has.
        case .none: (scheme, shown) = (.central, false)
        }
        return CheckOptions(reference: reference, scheme: scheme, precision: precision, tolerance: tolerance, showNumerical: shown)
    }
}
