import LSTMGradCheck

/// Per-element errors as shaded blocks, one character an element, readable without colour.
enum HeatMap {
    /// Upper bounds of the shades, on the per-element score |g − r| / (|g| + |r|).
    static let bounds: [(Double, Character)] = [(1e-12, "·"), (1e-9, "░"), (1e-6, "▒"), (1e-3, "▓")]
    static let worst: Character = "█"

    static var legend: String {
        "legend: " + bounds.map { "\($0.1) < \(sci($0.0))" }.joined(separator: "  ") + "  \(worst) ≥ \(sci(bounds.last!.0))"
    }

    static func shade(_ score: Double) -> Character {
        bounds.first { score < $0.0 }?.1 ?? worst
    }

    /// Rows of the first dimension; every further dimension is laid along the row.
    static func grid(_ scores: [Double], shape: [Int]) -> [String] {
        let rows = shape.first ?? 1
        let cols = max(1, scores.count / max(rows, 1))
        return (0..<rows).map { r in String(scores[(r * cols)..<((r + 1) * cols)].map(shade)) }
    }

    static func text(_ r: CheckReport, key: String) -> String {
        let shape = r.tensors.first { $0.key == key }?.shape ?? []
        var s = "Per-element error of \(key) (\(ReportText.shape(shape))), |g − r| / (|g| + |r|):\n"
        for m in r.methods {
            guard let t = m.tensors.first(where: { $0.key == key }) else { continue }
            s += "  \(m.name) (max \(sci(t.maxElementScore)))\n"
            for line in grid(t.elementScores, shape: t.shape) { s += "    " + line + "\n" }
        }
        return s + "  " + legend + "\n"
    }
}
