import Foundation

/// How gradient travels back through time in one network.
public struct FlowReport: Sendable {
    /// ‖∂L/∂a_t‖₂ for every step t (every later loss included).
    public var hidden: [Double]
    /// ‖∂L/∂c_t‖₂ for every step (empty for a cell without a cell state).
    public var cell: [Double]
    /// `byDistance[k]`: the mean over losses L_s (that have a step s − k) of ‖∂L_s/∂a_{s−k}‖₂,
    /// how much of one step's loss still reaches the hidden state k steps earlier.
    public var byDistance: [Double]

    /// The fitted per-step factor of the decay: exp of the least-squares slope of
    /// log(byDistance[k]) over k (1 when there is one step or nothing to fit).
    public var decayPerStep: Double {
        let points = byDistance.enumerated().filter { $0.element > 0 }.map { (Double($0.offset), log($0.element)) }
        guard points.count >= 2 else { return 1 }
        let n = Double(points.count)
        let mk = points.reduce(0) { $0 + $1.0 } / n, mv = points.reduce(0) { $0 + $1.1 } / n
        let cov = points.reduce(0) { $0 + ($1.0 - mk) * ($1.1 - mv) }, vk = points.reduce(0) { $0 + ($1.0 - mk) * ($1.0 - mk) }
        return exp(cov / vk)
    }

    /// `byDistance[k] / byDistance[0]`, the decay with distance (0 where nothing starts).
    public var decay: [Double] {
        guard let first = byDistance.first, first > 0 else { return byDistance.map { _ in 0 } }
        return byDistance.map { $0 / first }
    }
}

public enum GradientFlow {
    public static func flow<C: Cell>(_ problem: Problem<C, Double>) -> FlowReport {
        let states = C.stateGradients(problem)
        let caches = C.caches(problem)
        let head = OutputLayer.backward(problem, C.hiddenStates(problem))
        let zeros = Matrix<Double>(rows: problem.a0.rows, cols: problem.a0.cols)
        let distances = byDistance(steps: caches.count, start: { StateGradient(da: head.da[$0], dc: zeros) }, hidden: { $0.da }) { state, t in
            C.cellBackward(state, caches[t], problem.weights).back
        }
        return FlowReport(hidden: states.da.map { Comparison.norm($0.storage) }, cell: states.dc.map { Comparison.norm($0.storage) },
                          byDistance: distances)
    }

    /// Each step's loss alone, carried back step by step by `back(state, t)` (the notebook's
    /// loop fed one loss); the mean norm of the hidden-state gradient k steps back, per k.
    private static func byDistance<State>(steps: Int, start: (Int) -> State, hidden: (State) -> Matrix<Double>,
                                          back: (State, Int) -> State) -> [Double] {
        var sums = Array(repeating: 0.0, count: steps), counts = sums
        for s in 0..<steps {
            var state = start(s)
            for t in stride(from: s, through: 0, by: -1) {
                sums[s - t] += Comparison.norm(hidden(state).storage)
                counts[s - t] += 1
                state = back(state, t)
            }
        }
        return zip(sums, counts).map { $1 > 0 ? $0 / $1 : 0 }
    }
}

/// The LSTM's and a plain RNN's gradient flow on the same inputs, and what they say
/// about the claim that the LSTM carries gradient further back in time.
public struct FlowComparison: Sendable {
    /// The gated cell's flow (an LSTM's or a GRU's), and the plain RNN's beside it.
    public var gated: FlowReport
    public var rnn: FlowReport
    /// Which gated cell, for its name in words.
    public var cell: CellKind
    /// Its carry gate's mean (`Cell.carryGate`): the state path keeps that share of its gradient
    /// per step, so this is what drives how far it reaches.
    public var carryGate: CarryGate

    /// The scale the RNN's weights are drawn at (uniform in [−scale, scale)).
    public var rnnScale: Double
    /// Whether that is the scale the gated network's weights were drawn at (a generated network);
    /// false for a fixture's network, whose weights were not drawn by this tool.
    public var sameScale: Bool
    /// The largest |w| over the gated cell's recurrent weights and biases (not its output layer,
    /// which the RNN shares), for a reader to judge the scales by.
    public var gatedLargestWeight: Double

    /// Both flows on `gated` and on a plain RNN beside it (`Problem.beside`, from `seed`), its
    /// weights drawn at `scale` when the gated network was drawn at that scale, and at 1 when it
    /// was not drawn by the tool (`scale` nil); nil for a cell without a carry gate (the plain RNN
    /// itself), which has nothing to compare.
    public init?<C: Cell>(_ gated: Problem<C, Double>, rnnSeed seed: UInt64, scale: Double? = nil) {
        guard let gate = C.carryGate(gated) else { return nil }
        self.gated = GradientFlow.flow(gated)
        rnnScale = scale ?? GenerationScale.standard.weights
        sameScale = scale != nil
        rnn = GradientFlow.flow(Problem<RNN, Double>.beside(gated, seed: seed, scale: GenerationScale(weights: rnnScale, inputs: 1)))
        cell = C.kind
        carryGate = gate
        gatedLargestWeight = Explain.parameters(C.self).flatMap { gated.weights[$0].storage }.map(abs).max() ?? 0
    }

    /// The same for a fixture's network, whatever its cell.
    public init?(network: any CellProblem, rnnSeed seed: UInt64, scale: Double? = nil) {
        func compare<P: CellProblem>(_ p: P) -> FlowComparison? { FlowComparison(p.typed, rnnSeed: seed, scale: scale) }
        guard let comparison = compare(network) else { return nil }
        self = comparison
    }

    /// The gated cell's name in words.
    public var name: String { cell == .lstm ? "LSTM" : "GRU" }

    /// Below this fraction of its k = 0 value a curve is rounding, not signal.
    public static let floor = 1e-12

    /// The distances k ≥ 1 where both decay curves are above `floor`: the range a comparison may read.
    public var comparable: ClosedRange<Int>? {
        let a = gated.decay, b = rnn.decay
        var last = 0
        for k in 1..<max(min(a.count, b.count), 1) where a[k] >= Self.floor && b[k] >= Self.floor && last == k - 1 { last = k }
        return last >= 1 ? 1...last : nil
    }

    /// One stretch of k over which the same curve is ahead (at or above the other).
    public struct Lead: Sendable, Equatable {
        /// Whether the gated cell's curve is the one ahead.
        public var gated: Bool
        public var range: ClosedRange<Int>
    }

    public enum Winner: Sendable, Equatable {
        /// The gated cell's curve is at or above the RNN's at every comparable k.
        case gated
        /// The RNN's is at or above the LSTM's at every comparable k.
        case rnn
        /// They cross, once or more: every stretch of k over which one curve is ahead, in order of k
        /// (at least two, alternating, together covering `comparable`).
        case mixed([Lead])
        /// One step, or curves that fall to rounding at once: nothing to compare.
        case undecided
    }

    /// Every stretch of k in `comparable` over which the same curve is ahead, in order of k.
    public var leads: [Lead] {
        guard let range = comparable else { return [] }
        let a = gated.decay, b = rnn.decay
        var leads: [Lead] = []
        for k in range {
            let g = a[k] >= b[k]
            if let last = leads.last, last.gated == g { leads[leads.count - 1].range = last.range.lowerBound...k } else { leads.append(Lead(gated: g, range: k...k)) }
        }
        return leads
    }

    /// Who reaches further, read over `comparable` alone.
    public var winner: Winner {
        let leads = leads
        guard let first = leads.first else { return .undecided }
        if leads.count == 1 { return first.gated ? .gated : .rnn }
        return .mixed(leads)
    }

    /// Whether the gated cell's gradient reaches at least as far as the RNN's wherever both can be read.
    public var gatedCarriesFurther: Bool { winner == .gated }

    /// `k = 3` or `k = 3…7`.
    static func ks(_ range: ClosedRange<Int>) -> String {
        range.count == 1 ? "k = \(range.lowerBound)" : "k = \(range.lowerBound)…\(range.upperBound)"
    }

    /// The conclusion: who is ahead, over which k, with the figures at the far end of the range
    /// and, where known, the forget gate that drives it.
    public var conclusion: String {
        let a = gated.decay, b = rnn.decay
        guard let range = comparable else {
            return "On this network the two curves cannot be compared: there is only one step, or one of them falls below \(sci(Self.floor)) of its k = 0 value at once."
        }
        let K = range.upperBound
        func who(_ lead: Lead) -> String { lead.gated ? name : "plain RNN" }
        let figures = "(at k = \(K): \(sci(a[K])) of the k = 0 norm for the \(name) against \(sci(b[K])) for the RNN)"
        let span = "k = 1…\(K), where both are above \(sci(Self.floor)) of their k = 0 value"
        var s: String
        switch winner {
        case .gated:
            s = "On this network the \(name) carries gradient further back than the plain RNN at every \(span) \(figures)."
        case .rnn:
            s = "On this network the claim that the \(name) carries gradient further back does not hold: the plain RNN's gradient is ahead at every \(span) \(figures)."
        case .mixed(let leads) where leads.count == 2:
            let (first, second) = (who(leads[0]), who(leads[1]))
            s = "On this network the result is mixed: the \(first)'s gradient is ahead up to k = \(leads[0].range.upperBound) and the \(second)'s from k = \(leads[1].range.lowerBound) (over \(span); \(figures.dropFirst().dropLast()))."
        case .mixed(let leads):
            let turns = leads.map { "the \(who($0))'s at \(Self.ks($0.range))" }
            s = "On this network the result is mixed: the lead changes \(leads.count - 1) times, the gradient ahead being \(turns.dropLast().joined(separator: ", ")) and \(turns.last ?? "") (over \(span); \(figures.dropFirst().dropLast()))."
        case .undecided:
            s = "On this network the two curves cannot be compared."
        }
        let g = carryGate, f = g.mean, l = g.letter
        // That the path fades is said only where the figures show the gated cell behind at the far end.
        let fades = f < 0.8 && a[K] < b[K]
        s += " What drives it: the \(name)'s \(g.state) keeps a fraction \(l) of its gradient per step, and its \(g.name) averages \(l) = \(String(format: "%.2f", f)) here\(fades ? ", far from 1, so that path fades within a few steps" : "")."
        return s
    }
}
