/// One weight's gradient split by time step and by path: at step t the notebook's cell
/// is linear in what it is fed, `da[:,:,t] + da_prevt` and `dc_prevt`, so its `dW` splits
/// exactly into the part from the loss at t (what `per-step` keeps) and the parts carried
/// back from later steps through `a_t` and through `c_t` (what `per-step` drops).
public struct ExplainReport: Sendable {
    public struct Step: Sendable {
        public var t: Int
        /// ‖part‖₂ of the local term and of the two carried terms.
        public var local: Double, viaA: Double, viaC: Double
        /// ⟨part, total⟩ / ‖total‖²: the share of the whole gradient (the shares add up to 1).
        public var localShare: Double, carriedShare: Double
    }

    /// The parameter's name.
    public var key: String
    /// The cell it belongs to (whose carry goes through a, or through a and c).
    public var cell: CellKind
    public var steps: [Step]
    /// Norms of the whole gradient and of its summed local and carried parts.
    public var totalNorm: Double, localNorm: Double, carriedNorm: Double
    /// Shares of the whole (projections; they add up to 1).
    public var localShare: Double, carriedShare: Double
    /// ‖Σ parts − bptt‖ / ‖bptt‖: the split is exact in exact arithmetic, so within
    /// `reconstructionLimit` this is rounding.
    public var reconstructionError: Double
    /// The BPTT gradient and the sum of the parts, flattened.
    public var bptt: [Double], sum: [Double]
    /// How far each of the two is from the exact reference (`Explain.judged`), when a
    /// reconstruction beyond `reconstructionLimit` asked which one is off.
    public var reference: Reference?

    public struct Reference: Sendable {
        /// ‖bptt − exact‖ / ‖exact‖ and ‖Σ parts − exact‖ / ‖exact‖.
        public var bptt: Double, sum: Double
    }

    /// Σ parts and bptt are held to agree within this (relative).
    public static let reconstructionLimit = 1e-12

    /// Whether the parts add up to the BPTT gradient within `reconstructionLimit`.
    public var adds: Bool { reconstructionError <= Self.reconstructionLimit }
}

public enum Explain {
    /// The parameters a split over time exists for: every recurrent parameter (not the output layer).
    public static func parameters<C: Cell>(_: C.Type) -> [C.Parameter] {
        C.Parameter.allCases.filter { $0 != C.outputLayer.weight && $0 != C.outputLayer.bias }
    }

    /// The split of `parameter`'s gradient; nil for the output layer.
    public static func split<C: Cell>(_ problem: Problem<C, Double>, parameter: C.Parameter) -> ExplainReport? {
        split(problem, tensor: parameter.name, names: .cell)
    }

    /// The tensors a split exists for, under `names`: the recurrent parameters, or the layout's
    /// stacked weights and biases they make up.
    public static func tensors<C: Cell>(_ problem: Problem<C, Double>, names: ReportNames<C>) -> [String] {
        names.tensors(gradients(of: { problem.weights[$0] })).map(\.name)
    }

    /// The split of the gradient of the tensor `names` calls `name` (a recurrent parameter, or a
    /// layout's stack of them: every part of the split regroups alike); nil for any other.
    public static func split<C: Cell>(_ problem: Problem<C, Double>, tensor name: String, names: ReportNames<C>) -> ExplainReport? {
        func view(_ parameter: (C.Parameter) -> Matrix<Double>?) -> [Double]? { names.dictionary(gradients(of: parameter))[name]?.data }
        let bptt = C.bptt.compute(problem)
        guard let total = view({ bptt[.parameter($0)]?.matrix }) else { return nil }
        let caches = C.caches(problem)
        let head = OutputLayer.backward(problem, C.hiddenStates(problem))
        let (rows, cols) = (problem.a0.rows, problem.a0.cols)
        let zeros = Matrix<Double>(rows: rows, cols: cols), none = Array(repeating: 0.0, count: total.count)
        var parts: [Part] = []
        var carried = StateGradient.zeros(rows, cols)
        for t in caches.indices.reversed() {
            let local = C.cellBackward(StateGradient(da: head.da[t], dc: zeros), caches[t], problem.weights)
            let viaA = C.cellBackward(StateGradient(da: carried.da, dc: zeros), caches[t], problem.weights)
            let viaC = C.hasCellState ? C.cellBackward(StateGradient(da: zeros, dc: carried.dc), caches[t], problem.weights) : nil
            parts.append(Part(t: t, local: view(local.local) ?? none, viaA: view(viaA.local) ?? none,
                              viaC: viaC.flatMap { view($0.local) } ?? none))
            carried = local.back + viaA.back + (viaC?.back ?? .zeros(rows, cols))
        }
        return assemble(name, C.kind, parts.reversed(), total: total)
    }

    /// The recurrent parameters' tensors that `parameter` gives.
    private static func gradients<C: Cell>(of parameter: (C.Parameter) -> Matrix<Double>?) -> Gradients<C> {
        var g = Gradients<C>()
        for p in parameters(C.self) { g[.parameter(p)] = parameter(p).map { Tensor($0) } }
        return g
    }

    /// One step's three parts of the weight's gradient, flattened.
    struct Part {
        var t: Int
        var local: [Double], viaA: [Double], viaC: [Double]
    }

    private static func assemble(_ key: String, _ cell: CellKind, _ parts: [Part], total: [Double]) -> ExplainReport {
        let localSum = parts.reduce(Array(repeating: 0.0, count: total.count)) { add($0, $1.local) }
        let carriedSum = parts.reduce(Array(repeating: 0.0, count: total.count)) { add(add($0, $1.viaA), $1.viaC) }
        let norm2 = max(dot(total, total), .leastNormalMagnitude)
        let steps = parts.map { part in
            ExplainReport.Step(t: part.t, local: Comparison.norm(part.local), viaA: Comparison.norm(part.viaA),
                               viaC: Comparison.norm(part.viaC), localShare: dot(part.local, total) / norm2,
                               carriedShare: dot(add(part.viaA, part.viaC), total) / norm2)
        }
        let rebuilt = add(localSum, carriedSum)
        return ExplainReport(key: key, cell: cell, steps: steps, totalNorm: Comparison.norm(total), localNorm: Comparison.norm(localSum),
                             carriedNorm: Comparison.norm(carriedSum), localShare: dot(localSum, total) / norm2,
                             carriedShare: dot(carriedSum, total) / norm2,
                             reconstructionError: relative(rebuilt, total), bptt: total, sum: rebuilt)
    }

    /// `e` with the distances of bptt and of Σ parts from `exact`, the exact reference's
    /// gradient of the same tensor: which of the two is off when they disagree.
    public static func judged(_ e: ExplainReport, exact: [Double]) -> ExplainReport {
        var e = e
        e.reference = .init(bptt: relative(e.bptt, exact), sum: relative(e.sum, exact))
        return e
    }

    /// ‖a − b‖ / ‖b‖.
    private static func relative(_ a: [Double], _ b: [Double]) -> Double {
        Comparison.norm(zip(a, b).map { $0 - $1 }) / max(Comparison.norm(b), .leastNormalMagnitude)
    }

    private static func add(_ a: [Double], _ b: [Double]) -> [Double] { zip(a, b).map { $0 + $1 } }
    private static func dot(_ a: [Double], _ b: [Double]) -> Double { zip(a, b).reduce(0) { $0 + $1.0 * $1.1 } }
}
