/// How far one gradient tensor is from the reference.
public struct TensorComparison: Sendable, Equatable {
    /// The tensor's name (`Wf`, `a0`, `x`; `Wx`, `weight_hh_l0` in a framework's layout).
    public var key: String
    /// The tensor's shape, in which `worstIndex` (and, comparing every element, `elementScores`) is laid out.
    public var shape: [Int]
    /// `‖g − r‖₂ / (‖g‖₂ + ‖r‖₂)` over the whole tensor; 0 when both are zero.
    public var relativeError: Double
    /// `max |g − r|` over the elements.
    public var maxAbsError: Double
    /// The multi-index (in `shape`) of the element with the largest `|g − r|`.
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
    /// Why the verdict is inconclusive (or a non-finite tensor wrong), when it is.
    public var note: String?
    /// Set when a tensor holds NaN or an infinity: it is then never a pass.
    public var nonFinite: NonFinite?
    /// The flat (C-order) indices of the elements compared, in the order drawn, when a check
    /// compared a sample (`Selection.sample`): the figures are those of these elements as one
    /// vector, and `elementScores` follow this order. nil when every element was compared.
    public var elements: [Int]?

    /// How many elements the figures are over.
    public var checked: Int { elements?.count ?? shape.reduce(1, *) }

    /// The relative error as a report shows it: `NaN` or `inf` for a tensor holding one.
    public var figure: String {
        switch nonFinite {
        case .route(_, let v)?, .reference(_, let v)?: return v.isNaN ? "NaN" : "inf"
        case nil: return sci(relativeError)
        }
    }

    /// The largest per-element score.
    public var maxElementScore: Double { elementScores.max() ?? 0 }
}

/// A NaN or an infinity where a gradient should be.
public enum NonFinite: Sendable, Equatable {
    /// In the derivation's (or the user's) gradient, where the reference is finite: a mismatch.
    case route(index: [Int], value: Double)
    /// In the reference gradient: nothing can be decided.
    case reference(index: [Int], value: Double)

    static func word(_ v: Double) -> String { v.isNaN ? "NaN" : v > 0 ? "+infinity" : "−infinity" }

    /// The plain-language reason.
    public var sentence: String {
        switch self {
        case .route(let i, let v): return "the gradient holds \(Self.word(v)) at \(i) where the reference is finite"
        case .reference(let i, let v): return "the reference gradient holds \(Self.word(v)) at \(i) (the loss overflows on this network), so nothing can be decided"
        }
    }
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
    /// Both tensors are scaled by their largest magnitude first, so values near the top of the
    /// `Double` range cannot overflow the differences or the norms. A tensor holding NaN or an
    /// infinity is never a pass: `nonFinite` says which side, the figures are those of the
    /// finite elements, and the verdict is `fail` (the route) or `inconclusive` (the reference).
    public static func compare(_ key: String, _ g: Tensor, reference r: Tensor, tolerance: Double,
                               floor: Double = .leastNormalMagnitude) -> TensorComparison {
        assert(g.shape == r.shape, "\(key): \(g.shape) vs \(r.shape)")
        let badReference = r.data.firstIndex { !$0.isFinite }, badRoute = g.data.firstIndex { !$0.isFinite }
        func finite(_ x: Double) -> Double { x.isFinite ? x : 0 }
        // A power of two, so the scaling is exact: the figures are those of the unscaled tensors
        // wherever those do not overflow.
        let largest = zip(g.data, r.data).reduce(0) { max($0, abs(finite($1.0)), abs(finite($1.1))) }
        let scale = largest == 0 ? 0 : Double(sign: .plus, exponent: largest.exponent, significand: 1)
        var worst = 0
        var maxScaled = 0.0
        var diff = Array(repeating: 0.0, count: g.count)
        if scale > 0 {
            for k in diff.indices {
                diff[k] = finite(g.data[k]) / scale - finite(r.data[k]) / scale
                if abs(diff[k]) > maxScaled {
                    maxScaled = abs(diff[k])
                    worst = k
                }
            }
        }
        let unit = max(scale, .leastNormalMagnitude), scaledFloor = max(floor / unit, .leastNonzeroMagnitude)
        let ng = norm(g.data.map(finite)), nr = norm(r.data.map(finite))
        let sg = norm(g.data.map { finite($0) / unit }), sr = norm(r.data.map { finite($0) / unit })
        let rel = sg + sr == 0 ? 0 : norm(diff) / (sg + sr)
        let scores = diff.indices.map { abs(diff[$0]) / max((abs(finite(g.data[$0])) + abs(finite(r.data[$0]))) / unit, scaledFloor) }
        var c = TensorComparison(key: key, shape: r.shape, relativeError: rel, maxAbsError: min(maxScaled * scale, .greatestFiniteMagnitude),
                                 worstIndex: g.index(ofFlat: worst), norm: ng, referenceNorm: nr, elementScores: scores,
                                 pass: rel <= tolerance, verdict: rel <= tolerance ? .pass : .fail, threshold: tolerance)
        if let k = badReference {
            c.nonFinite = .reference(index: r.index(ofFlat: k), value: r.data[k])
        } else if let k = badRoute {
            c.nonFinite = .route(index: g.index(ofFlat: k), value: g.data[k])
        }
        if c.nonFinite != nil {
            c.relativeError = 1   // the largest this measure takes: nothing is shown to agree
            c.verdict = badReference == nil ? .fail : .inconclusive
            c.pass = false
            c.note = c.nonFinite?.sentence
        }
        return c
    }

    /// `compare(_:_:reference:tolerance:floor:)` over the elements `elements` of `g` (flat
    /// indices), against their reference values `r` in the same order, as one vector: the worst
    /// element and a non-finite one are named in `g`'s shape.
    public static func compare(_ key: String, _ g: Tensor, at elements: [Int], reference r: [Double],
                               tolerance: Double) -> TensorComparison {
        let selected = elements.map { g.data[$0] }
        var c = compare(key, Tensor(shape: [selected.count], data: selected), reference: Tensor(shape: [r.count], data: r),
                        tolerance: tolerance)
        func named(_ index: [Int]) -> [Int] { elements.isEmpty ? [] : g.index(ofFlat: elements[index[0]]) }
        c.shape = g.shape
        c.worstIndex = named(c.worstIndex)
        c.elements = elements
        switch c.nonFinite {
        case .route(let i, let v)?: c.nonFinite = .route(index: named(i), value: v)
        case .reference(let i, let v)?: c.nonFinite = .reference(index: named(i), value: v)
        case nil: break
        }
        if c.nonFinite != nil { c.note = c.nonFinite?.sentence }
        return c
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
