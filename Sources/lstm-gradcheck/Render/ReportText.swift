import LSTMGradCheck

/// Pieces of wording every human-readable renderer shares.
enum ReportText {
    static func headline(_ fixture: Fixture) -> String {
        let d = fixture.network.dims
        var sizes = "n_x \(d.n_x), n_a \(d.n_a), n_y \(d.n_y), T_x \(d.steps), m \(d.batch)"
        if case .upstream(let da) = fixture.network.target {
            sizes = "n_x \(d.n_x), n_a \(d.n_a), T_x \(d.steps), m \(d.batch), upstream da over T' = \(da.count)"
        }
        let description = fixture.description.map { $0 == sizes || $0.hasPrefix(sizes) ? $0 : "\(sizes) — \($0)" } ?? sizes
        return "\(fixture.name)\(fixture.network.cell == "rnn" ? " (plain RNN)" : ""): \(description)"
    }

    static func reference(_ r: CheckReport) -> String {
        "Reference: \(r.reference) gradient (central differences, h = \(sci(r.step))). A tensor passes when "
            + "its relative error ‖g − r‖ / (‖g‖ + ‖r‖) is at most \(sci(r.tolerance))."
    }

    static func shape(_ fixture: Fixture, _ key: String) -> String {
        fixture.network.shape(of: key).map(String.init).joined(separator: "×")
    }

    static func index(_ key: String, _ index: [Int]) -> String {
        "\(key)[\(index.map(String.init).joined(separator: ", "))]"
    }

    /// What a method's column says at its foot.
    static func outcome(_ m: MethodReport) -> String {
        switch (m.expectation, m.matches) {
        case (.correct, true): return "match"
        case (.correct, false): return "MISMATCH"
        case (.wrong, false): return "wrong"
        case (.wrong, true): return "match"
        }
    }

    static func mark(_ status: Verdict.Status) -> String {
        switch status {
        case .confirmed: return "✓"
        case .wrongAsExpected: return "✗"
        case .failed: return "✗"
        case .matchesAnyway: return "!"
        }
    }
}
