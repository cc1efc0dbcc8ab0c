import Testing
@testable import LSTMGradCheck

/// The notebook's `lstm_cell_backward` with one operator changed at a time — a factor
/// dropped, `c_prev` and `c_next` swapped, a sign flipped, a term dropped — as a learner's
/// slip would change it. `check` must call every mutant that changes the gradient wrong, and
/// `verify` must place each mutant of a gate's local derivative in that gate.
enum Mutant: String, CaseIterable, Sendable {
    /// No change: the notebook's cell.
    case none
    case dotDropsSigmoidDerivative, dotDropsTanh, dotFlipsSign
    case dcctUsesTanhOfCct, dcctDropsCarriedTerm, dcctDropsDerivative
    case ditUsesItForCct, ditDropsCarriedTerm, ditFlipsSign
    case dftUsesCNextForCPrev, dftDropsLocalTerm, dftDropsDerivative
    case dcPrevDropsLocalTerm, dcPrevUsesCNextForFt
    case daPrevDropsOutputGate, dxtDropsForgetGate

    /// The gate whose local derivative the mutant changes (nil: a carried or input gradient).
    var gate: String? {
        switch self {
        case .dotDropsSigmoidDerivative, .dotDropsTanh, .dotFlipsSign: return "output gate"
        case .dcctUsesTanhOfCct, .dcctDropsCarriedTerm, .dcctDropsDerivative: return "candidate"
        case .ditUsesItForCct, .ditDropsCarriedTerm, .ditFlipsSign: return "input gate"
        case .dftUsesCNextForCPrev, .dftDropsLocalTerm, .dftDropsDerivative: return "forget gate"
        default: return nil
        }
    }

    /// The cell backward with this mutant, written out as the notebook writes it.
    func cellBackward(_ da_next: Matrix<Double>, _ dc_next: Matrix<Double>, _ cache: LSTMCellCache<Double>,
                      _ p: Weights<LSTM, Double>) -> (dW: [LSTM.Parameter: Matrix<Double>], da_prev: Matrix<Double>, dc_prev: Matrix<Double>, dxt: Matrix<Double>) {
        let (c_next, c_prev, ft, it, cct, ot, xt, a_prev) = (cache.c_next, cache.c_prev, cache.ft, cache.it, cache.cct, cache.ot, cache.xt, cache.a_prev)
        let dtanh = ot * (1 - np.tanh(c_next) ** 2)   // ∂a_next/∂c_next
        var dot = da_next * np.tanh(c_next) * ot * (1 - ot)
        if self == .dotDropsSigmoidDerivative { dot = da_next * np.tanh(c_next) }
        if self == .dotDropsTanh { dot = da_next * ot * (1 - ot) }
        if self == .dotFlipsSign { dot = 0 - dot }
        var dcct = (dc_next * it + dtanh * it * da_next) * (1 - cct ** 2)
        if self == .dcctUsesTanhOfCct { dcct = (dc_next * it + dtanh * it * da_next) * (1 - np.tanh(cct) ** 2) }
        if self == .dcctDropsCarriedTerm { dcct = (dtanh * it * da_next) * (1 - cct ** 2) }
        if self == .dcctDropsDerivative { dcct = dc_next * it + dtanh * it * da_next }
        var dit = (dc_next * cct + dtanh * cct * da_next) * it * (1 - it)
        if self == .ditUsesItForCct { dit = (dc_next * it + dtanh * it * da_next) * it * (1 - it) }
        if self == .ditDropsCarriedTerm { dit = (dtanh * cct * da_next) * it * (1 - it) }
        if self == .ditFlipsSign { dit = 0 - dit }
        var dft = (dc_next * c_prev + dtanh * c_prev * da_next) * ft * (1 - ft)
        if self == .dftUsesCNextForCPrev { dft = (dc_next * c_next + dtanh * c_next * da_next) * ft * (1 - ft) }
        if self == .dftDropsLocalTerm { dft = (dc_next * c_prev) * ft * (1 - ft) }
        if self == .dftDropsDerivative { dft = dc_next * c_prev + dtanh * c_prev * da_next }
        let concat = np.concatenate(a_prev, xt)
        let n_a = a_prev.rows, h = 0..<n_a, in_ = n_a..<(n_a + xt.rows)
        var dW: [LSTM.Parameter: Matrix<Double>] = [:]
        for (d, W, b) in [(dft, LSTM.Parameter.Wf, LSTM.Parameter.bf), (dit, .Wi, .bi), (dcct, .Wc, .bc), (dot, .Wo, .bo)] {
            dW[W] = np.dot(d, concat.T)
            dW[b] = np.sumRows(d)
        }
        var da_prev = np.dot(p[.Wf].columns(h).T, dft) + np.dot(p[.Wi].columns(h).T, dit) + np.dot(p[.Wc].columns(h).T, dcct)
        if self != .daPrevDropsOutputGate { da_prev = da_prev + np.dot(p[.Wo].columns(h).T, dot) }
        var dc_prev = dc_next * ft + dtanh * ft * da_next
        if self == .dcPrevDropsLocalTerm { dc_prev = dc_next * ft }
        if self == .dcPrevUsesCNextForFt { dc_prev = dc_next * c_next + dtanh * c_next * da_next }
        var dxt = np.dot(p[.Wi].columns(in_).T, dit) + np.dot(p[.Wc].columns(in_).T, dcct) + np.dot(p[.Wo].columns(in_).T, dot)
        if self != .dxtDropsForgetGate { dxt = dxt + np.dot(p[.Wf].columns(in_).T, dft) }
        return (dW, da_prev, dc_prev, dxt)
    }

    /// The notebook's `lstm_backward` loop (with the carry) around the mutated cell.
    func gradients(_ problem: Problem<LSTM, Double>) -> Gradients<LSTM> {
        let caches = LSTM.forward(problem)
        let head = OutputLayer.backward(problem, caches.map(\.a_next))
        var dW = problem.weights.zeros
        dW[.Wy] = head.dWy
        dW[.by] = head.dby
        var dx = problem.x.map { Matrix<Double>(rows: $0.rows, cols: $0.cols) }
        let zeros = Matrix<Double>(rows: problem.a0.rows, cols: problem.a0.cols)
        var da_prevt = zeros, dc_prevt = zeros
        for t in caches.indices.reversed() {
            let g = cellBackward(head.da[t] + da_prevt, dc_prevt, caches[t], problem.weights)
            for (k, v) in g.dW { dW[k] += v }
            dx[t] = g.dxt
            (da_prevt, dc_prevt) = (g.da_prev, g.dc_prev)
        }
        return problem.gradients(dW: dW, da0: da_prevt, dc0: dc_prevt, dx: dx)
    }
}

@Suite struct MutationTests {
    static let networks = [Problem<LSTM, Double>.random(Dims(n_x: 3, n_a: 5, n_y: 2, steps: 7, batch: 10), seed: 1),
                           Problem<LSTM, Double>.random(Dims(n_x: 2, n_a: 4, n_y: 3, steps: 5, batch: 3), seed: 12)]

    /// With no mutation the written-out cell is the notebook's: the same gradient as bptt.
    @Test func theUnmutatedCellIsRight() {
        for p in Self.networks {
            let g = Mutant.gradients(p), e = exact(p)
            #expect(worstRelativeError(g, e).error <= 1e-12)
        }
    }

    @Test(arguments: Mutant.allCases.filter { $0 != .none })
    func checkCallsEveryMutantWrongAndVerifyLocatesItsGate(_ mutant: Mutant) throws {
        for p in Self.networks {
            let g = mutant.gradients(p), e = exact(p)
            let changed = worstRelativeError(g, e).error
            guard changed > 1e-9 else { continue }   // a mutant that changes nothing cannot be caught
            let method = Method<LSTM>(name: mutant.rawValue, expectation: .correct, summary: "", reason: "",
                                      compute: { mutant.gradients($0) }, computeSingle: nil)
            let report = GradCheck.check(p, name: "m", methods: [method], options: CheckOptions(showNumerical: false))
            #expect(report.methods[0].outcome == .mismatch, "\(mutant): changes the gradient by \(changed) yet \(report.methods[0].outcome)")
            let user = UserGradients(source: "m.json", tensors: g.inputs.map { UserTensor(key: $0.gradientName, tensor: g[$0]!, singlePrecision: false) })
            let verified = try Verify.run(p, name: "m", user: user, reference: e, referenceName: "exact", tolerance: Comparison.defaultTolerance)
            #expect(verified.status == .mismatch, "\(mutant)")
            if let gate = mutant.gate {
                let located = verified.causes.contains { $0.finding.contains("the \(gate) (") }
                #expect(located, "\(mutant): \(verified.causes.map(\.finding))")
            }
        }
    }
}

extension Mutant {
    /// The loop with no mutant at all.
    static func gradients(_ p: Problem<LSTM, Double>) -> Gradients<LSTM> { Mutant.none.gradients(p) }
}
