/// How far one gradient tensor is from the reference.
public struct TensorComparison: Sendable, Equatable {
    /// The input's name (`Wf`, `a0`, `x`).
    public var key: String
    /// `‖g − r‖₂ / (‖g‖₂ + ‖r‖₂)` over the whole tensor; 0 when both are zero.
    public var relativeError: Double
    /// `max |g − r|` over the elements.
    public var maxAbsError: Double
    /// The multi-index (in the Coursera shape) of the element with the largest `|g − r|`.
    public var worstIndex: [Int]
    /// `‖g‖₂` and `‖r‖₂`, so a reader can tell a wrong gradient from a tiny one.
    public var norm: Double
    public var referenceNorm: Double
    /// Per element `|g − r| / max(|g| + |r|, floor)`, in C order: the score the cs231n
    /// notes read element by element, for heat maps and the worst elements.
    public var elementScores: [Double]
    public var pass: Bool
    /// The decision, with what it rested on (see `Decision`); a plain comparison passes
    /// or fails on its tolerance alone.
    public var verdict: TensorVerdict
    /// The bound the relative error was held to.
    public var threshold: Double
    /// The reference's own estimated relative error on this tensor, and the route's
    /// estimated rounding error in the precision it ran in.
    public var referenceError: Double = 0
    public var roundingFloor: Double = 0
    /// Why the verdict is inconclusive, when it is.
    public var note: String?

    /// The largest per-element score.
    public var maxElementScore: Double { elementScores.max() ?? 0 }
}

/// A tensor's verdict.
public enum TensorVerdict: String, Sendable {
    case pass
    case fail
    /// The reference cannot tell: its own error is too large to confirm a match.
    case inconclusive
}

public enum Comparison {
    /// The default bound on the relative error. Central differences leave about
    /// 1e-10 to 1e-8 on these networks; a dropped carry costs 1e-3 and more.
    public static let defaultTolerance = 1e-6

    /// Compares `g` with reference `r` (same shape, an internal invariant).
    /// `floor` keeps the per-element score from dividing noise by noise where both values are tiny.
    public static func compare(_ key: String, _ g: Tensor, reference r: Tensor, tolerance: Double,
                               floor: Double = .leastNormalMagnitude) -> TensorComparison {
        assert(g.shape == r.shape, "\(key): \(g.shape) vs \(r.shape)")
        var worst = 0
        var maxAbs = 0.0
        var diff = Array(repeating: 0.0, count: g.count)
        for k in diff.indices {
            diff[k] = g.data[k] - r.data[k]
            if abs(diff[k]) > maxAbs {
                maxAbs = abs(diff[k])
                worst = k
            }
        }
        let ng = norm(g.data), nr = norm(r.data)
        let rel = ng + nr == 0 ? 0 : norm(diff) / (ng + nr)
        let scores = diff.indices.map { abs(diff[$0]) / max(abs(g.data[$0]) + abs(r.data[$0]), floor) }
        return TensorComparison(key: key, relativeError: rel, maxAbsError: maxAbs, worstIndex: g.index(ofFlat: worst),
                                norm: ng, referenceNorm: nr, elementScores: scores, pass: rel <= tolerance,
                                verdict: rel <= tolerance ? .pass : .fail, threshold: tolerance)
    }

    /// The Euclidean norm, scaled by the largest magnitude so squares cannot overflow.
    public static func norm(_ v: [Double]) -> Double {
        let scale = v.reduce(0) { max($0, abs($1)) }
        guard scale > 0, scale.isFinite else { return scale }
        var s = 0.0
        for e in v { s += (e / scale) * (e / scale) }
        return scale * s.squareRoot()
    }
}
