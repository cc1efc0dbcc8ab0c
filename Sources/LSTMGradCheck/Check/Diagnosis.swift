/// The most likely mistake behind a wrong gradient tensor, with the evidence.
public struct Diagnosis: Sendable, Equatable {
    /// A stable name: a catalogue method (`per-step`), or `sign`, `mean-over-batch`,
    /// `mean-over-time`, `mean-over-both`, `gate-swap`, `transpose`, `shifted-step`.
    public var kind: String
    /// Relative error between the user's tensor and what that mistake produces.
    public var evidence: Double
    /// What the tensor is, in one sentence.
    public var finding: String
    /// How to fix it, in one sentence.
    public var fix: String
}

/// Tests a wrong tensor against the catalogue of wrong derivations and against simple
/// transformations of the right answer, and names the closest within tolerance.
public struct Diagnoser: Sendable {
    let problem: LSTMProblem<Double>
    let reference: Gradients
    /// The catalogue's gradients, computed once.
    let catalogue: [(method: LSTMMethod, gradients: Gradients)]
    /// ∂L/∂a_0, the gradient at the first hidden output (what a da0 off by one step holds).
    let firstStateGradient: Tensor

    public init(problem: LSTMProblem<Double>, reference: Gradients) {
        self.problem = problem
        self.reference = reference
        let T = problem.dims.steps
        let wrong = LSTMMethod.catalogue(steps: T).filter { $0.expectation == .wrong }
            + (3..<max(3, T)).map { LSTMMethod.truncated($0, steps: T) }
        catalogue = wrong.map { ($0, $0.compute(problem)) }
        firstStateGradient = Tensor(BPTT.stateGradients(problem).da[0])
    }

    /// Every explanation of `user` (in `key`'s Coursera shape) within `tolerance`, the
    /// closest first, one per kind. Several can fit exactly: per-step and carry-dc-only
    /// give the same dWo (the output gate never sees dc), so the caller chooses among
    /// them with the rest of the file in view.
    public func explanations(_ key: String, _ user: Tensor, tolerance: Double) -> [Diagnosis] {
        guard let right = reference[key] else { return [] }
        var found: [Diagnosis] = []
        func consider(_ candidate: Tensor?, _ kind: String, _ finding: String, _ fix: String) {
            guard let candidate, candidate.shape == user.shape else { return }
            let e = Comparison.compare(key, user, reference: candidate, tolerance: tolerance).relativeError
            guard e <= tolerance else { return }
            let d = Diagnosis(kind: kind, evidence: e, finding: finding, fix: fix)
            if let k = found.firstIndex(where: { $0.kind == kind }) {
                if e < found[k].evidence { found[k] = d }
            } else {
                found.append(d)
            }
        }
        let d = problem.dims
        let name = GradientFile.fileKey(key)
        for (method, g) in catalogue {
            let (finding, fix) = Self.advice(method)
            consider(g[key], method.name, "\(name) equals what \(method.name) gives: \(finding)", fix)
        }
        consider(scaled(right, -1), "sign", "\(name) is the right gradient with the wrong sign.",
                 "Use dz = ŷ − y (not y − ŷ) at the softmax, and check the sign of every term you subtract.")
        for (factor, kind, over) in [(Double(d.batch), "mean-over-batch", "m = \(d.batch)"),
                                     (Double(d.steps), "mean-over-time", "T_x = \(d.steps)"),
                                     (Double(d.batch * d.steps), "mean-over-both", "m·T_x = \(d.batch * d.steps)")] where factor > 1 {
            consider(scaled(right, 1 / factor), kind, "\(name) is the right gradient divided by \(over): a mean where the loss is a sum.",
                     "The loss here is summed over time and batch, not averaged: drop the division by \(over).")
        }
        for other in Self.siblings(key) {
            consider(reference[other], "gate-swap", "\(name) is the right gradient of \(GradientFile.fileKey(other)): the gates are exchanged.",
                     "Check the order in which the gate gradients are computed and returned (f, i, c, o) against the cache's order.")
        }
        if user.shape.count == 2, user.shape[0] == user.shape[1] {
            consider(transposed(right), "transpose", "\(name) is the transpose of the right gradient.",
                     "Swap the product's operands: the gradient has the parameter's shape, e.g. np.dot(dft, concat.T).")
        }
        if key == "x" {
            for (shift, when) in [(1, "the step after"), (-1, "the step before")] {
                consider(shifted(right, by: shift), "shifted-step", "dx[:,:,t] holds the input gradient of \(when) t: an index off by one.",
                         "Store gradients['dxt'] at dx[:,:,t] for the t the cell call was made with.")
            }
        }
        if key == "a0" {
            consider(firstStateGradient, "shifted-step", "da0 is ∂L/∂a⟨1⟩, the gradient at the first hidden output, one step too late.",
                     "Take da0 from the cell call at t = 0 (its da_prev), after the loop's last iteration.")
        }
        // Equal evidence keeps the order considered: the catalogue first.
        return found.indices.sorted { (found[$0].evidence, $0) < (found[$1].evidence, $1) }.map { found[$0] }
    }

    /// `(finding, fix)` for a catalogue method.
    static func advice(_ m: LSTMMethod) -> (String, String) {
        let carryFix = "In lstm_backward call lstm_cell_backward(da[:,:,t] + da_prevt, dc_prevt, caches[t]) and set da_prevt, dc_prevt from its da_prev, dc_prev before the next (earlier) step."
        switch m.name {
        case "per-step": return ("nothing is carried back in time.", carryFix)
        case "carry-da-only": return ("da_prev is carried but dc_prev is not.", "Also set dc_prevt = gradients['dc_prev'] and pass it as dc_next.")
        case "carry-dc-only": return ("dc_prev is carried but da_prev is not.", "Pass da[:,:,t] + da_prevt as da_next, with da_prevt = gradients['da_prev'].")
        case "asker": return ("an explicit do_{t-1} term is added while da_prev is also carried, so the one-step-back term counts twice.",
                              "Drop the explicit t-1 term: the carried da_prev already brings it to step t-1.")
        case "asker-no-carry": return ("an explicit do_{t-1} term replaces the carry, which reaches only one step back.", carryFix)
        case "coursera-2018-printed": return ("the 2018 notebook's printed formulas (7)-(10), errata included.",
                                              "Multiply the whole bracket (dc_next·x + Γo(1 − tanh²c_next)·x·da_next) by the gate's derivative; in (8) drop the extra c~ and use 1 − c~²; in (10) use c_prev.")
        default: return ("backpropagation through time cut after \(m.name.dropFirst("truncated:".count)) steps.", carryFix)
        }
    }

    /// The same parameter of the other gates (`Wf` → `Wi Wc Wo`).
    static func siblings(_ key: String) -> [String] {
        for family in [["Wf", "Wi", "Wc", "Wo"], ["bf", "bi", "bc", "bo"]] where family.contains(key) {
            return family.filter { $0 != key }
        }
        return []
    }

    private func scaled(_ t: Tensor, _ s: Double) -> Tensor { Tensor(shape: t.shape, data: t.data.map { $0 * s }) }

    private func transposed(_ t: Tensor) -> Tensor { Tensor(t.matrix.transposed) }

    /// `out[:,:,t] = t[:,:,t + shift]`, zeros where that step does not exist.
    private func shifted(_ t: Tensor, by shift: Int) -> Tensor {
        let T = t.shape[2]
        var out = Tensor(zeros: t.shape)
        for k in t.data.indices {
            let step = k % T + shift
            if step >= 0 && step < T { out.data[k] = t.data[k + shift] }
        }
        return out
    }
}
