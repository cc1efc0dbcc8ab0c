/// What of each gradient a check compares with its reference. The full check, `--sample` and
/// `--projection` are this one choice over the same `CheckReport`, decided by the same
/// `MethodReport.Outcome` and `ReportStatus`.
public enum Selection: Sendable, Equatable {
    /// Every element of every tensor (`GradCheck.check`).
    case all
    /// `count` elements of each tensor (all of a smaller one), drawn from `seed`
    /// (`GradCheck.sampled`): each tensor's comparison is over those elements
    /// (`TensorComparison.elements`).
    case sample(count: Int, seed: UInt64)
    /// Every element at once, along `directions` random directions drawn from `seed`
    /// (`GradCheck.projected`). A directional derivative measures ⟨g, d⟩, a sum over all the
    /// elements, not any one of them: its methods carry their probes (`MethodReport.projection`)
    /// and no `TensorComparison`, whose per-tensor figures it never measures.
    case projection(directions: Int, seed: UInt64)

    /// `.sample(count:seed:)`'s elements of each of `keys`, as flat (C-order) indices in the
    /// order drawn: all of a tensor with at most `count`, otherwise `count` distinct ones by a
    /// partial Fisher–Yates shuffle, the tensors drawn in order from one `SeededGenerator(seed:)`,
    /// so the same seed gives the same elements. The shuffle keeps only the positions it moved:
    /// a sample costs memory in its own size, not the tensor's.
    static func sample<C: Cell>(_ problem: Problem<C, Double>, keys: [Input<C>], count: Int, seed: UInt64) -> [[Int]] {
        var g = SeededGenerator(seed: seed)
        return keys.map { key in
            let n = problem.shape(of: key).reduce(1, *)
            var moved: [Int: Int] = [:], picks: [Int] = []
            for i in 0..<min(max(count, 0), n) {
                let j = i + g.index(n - i)
                picks.append(moved[j] ?? j)
                moved[j] = moved[i] ?? i
            }
            return picks
        }
    }
}
