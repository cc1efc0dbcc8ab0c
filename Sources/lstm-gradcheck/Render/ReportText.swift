import LSTMGradCheck

/// Pieces of wording every human-readable renderer shares.
enum ReportText {
    static func headline(_ fixture: Fixture) -> String {
        let d = fixture.network.dims
        var sizes = "n_x \(d.n_x), n_a \(d.n_a), n_y \(d.n_y), T_x \(d.steps), m \(d.batch)"
        if case .upstream(let da) = fixture.network.target {
            sizes = "n_x \(d.n_x), n_a \(d.n_a), T_x \(d.steps), m \(d.batch), upstream da over T' = \(da.count)"
        }
        if fixture.layout != .coursera { sizes = fixture.layout.sizesText(d, target: fixture.network.target) }
        let description = fixture.description.map { $0 == sizes || $0.hasPrefix(sizes) ? $0 : "\(sizes) — \($0)" } ?? sizes
        let notes = (fixture.network.kind == .rnn ? ["plain RNN"] : []) + (fixture.layout == .coursera ? [] : ["\(fixture.layout.rawValue) layout"])
        return "\(fixture.name)\(notes.isEmpty ? "" : " (\(notes.joined(separator: ", ")))"): \(description)"
    }

    static func reference(_ r: CheckReport) -> String {
        let o = r.options
        let what = o.reference == .exact
            ? "Reference: the exact gradient (forward-mode derivatives of the same forward pass; rounding error only)."
            : "Reference: the numerical gradient (\(o.scheme.rawValue) finite differences, a per-element step, each element's error estimated)."
        let floor = r.methods.filter { $0.expectation != .reference }.flatMap(\.tensors).map(\.roundingFloor).max() ?? 0
        let precision = o.precision == .float32
            ? " The derivations run in float32, the reference in float64; their float32 rounding, measured against the same derivations in float64, is up to \(sci(floor)) relative: that is the expected error floor, not a wrong formula."
            : ""
        let rule = o.tolerance.map { " A tensor passes when its relative error ‖g − r‖ / (‖g‖ + ‖r‖) is at most \(sci($0))." }
            ?? " A tensor passes when its relative error ‖g − r‖ / (‖g‖ + ‖r‖) is within \(Int(Decision.safety))× what the reference's own error and the route's rounding explain (the bound is shown per tensor with --detail); a reference too uncertain to confirm a match gives 'inconclusive'."
        return what + precision + rule
    }

    static func shape(_ shape: [Int]) -> String {
        shape.map(String.init).joined(separator: "×")
    }

    static func index(_ key: String, _ index: [Int]) -> String {
        "\(key)[\(index.map(String.init).joined(separator: ", "))]"
    }

    /// What a method's column says at its foot.
    static func outcome(_ m: MethodReport) -> String {
        switch (m.expectation, m.outcome) {
        case (_, .inconclusive): return "inconclusive"
        case (.reference, .matches): return "within estimate"
        case (.reference, _): return "beyond estimate"
        case (.correct, .matches): return "match"
        case (.correct, .mismatch): return "MISMATCH"
        case (.wrong, .mismatch): return "wrong"
        case (.wrong, .matches): return "match"
        }
    }

    static func mark(_ status: Verdict.Status) -> String {
        switch status {
        case .confirmed: return "✓"
        case .wrongAsExpected: return "✗"
        case .failed: return "✗"
        case .matchesAnyway: return "!"
        case .inconclusive: return "?"
        case .reference: return "≈"
        }
    }
}
