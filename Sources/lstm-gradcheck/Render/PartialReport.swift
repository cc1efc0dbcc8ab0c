import LSTMGradCheck

/// What the sample (`SampledReport`) and the projection (`ProjectionReport`) say alike: their
/// bound, a method's foot and the closing sentence, read off the report of either.
enum PartialReport {
    /// The fixed bound both partial checks hold their figures to.
    static func tolerance(_ r: CheckReport) -> Double { r.options.tolerance ?? Comparison.defaultTolerance }

    /// Whether a method was found wrong in what was checked (before a stop, if one came).
    static func passed(_ m: MethodReport) -> Bool { m.outcome != .mismatch }

    /// The sampled elements of `m` that were checked.
    static func checked(_ m: MethodReport?) -> Int { m?.tensors.reduce(0) { $0 + $1.checked } ?? 0 }

    /// The methods whose projection ran to its end.
    static func projected(_ r: CheckReport) -> Int { r.methods.filter { $0.projection.map { $0.stop == nil } ?? false }.count }

    /// What an interrupted partial check had done, for `Interrupted`.
    static func finished(_ r: CheckReport) -> String {
        guard case .sample(let count, _) = r.selection else {
            return "the projection check of \(projected(r)) of \(r.methods.count) methods"
        }
        let drawn = r.tensors.reduce(0) { $0 + min(count, $1.shape.reduce(1, *)) }
        return "the finite differences of \(checked(r.methods.first)) of the \(drawn) sampled elements"
    }

    /// The foot of a method's column, as in the full check.
    static func outcome(_ expectation: Expectation, _ passed: Bool) -> String {
        switch (expectation, passed) {
        case (.correct, false): return "MISMATCH"
        case (_, false): return "wrong"
        default: return "match"
        }
    }

    /// The closing sentence: what failed, and what the budget left unchecked.
    static func conclusion(_ r: CheckReport) -> String {
        let failed = r.methods.filter { $0.expectation == .correct && !passed($0) }.map(\.name)
        if !failed.isEmpty {
            return "MISMATCH: \(failed.joined(separator: ", ")) should match and \(failed.count == 1 ? "does" : "do") not."
        }
        let isSample = if case .sample = r.selection { true } else { false }
        guard r.stop != nil else {
            return "Every method expected to be correct matches " + (isSample ? "on the elements checked." : "along every direction probed.")
        }
        let done = isSample
            ? "\(checked(r.methods.first)) elements of each method were checked"
            : "\(projected(r)) of \(r.methods.count) methods were checked"
        return "INCONCLUSIVE: the run stopped at its time budget; \(done), and nothing wrong was found in them."
    }
}
