/// The most likely mistake behind a wrong gradient tensor, with the evidence.
public struct Diagnosis: Sendable, Equatable {
    public var kind: DiagnosisKind
    /// Relative error between the user's tensor and what that mistake produces.
    public var evidence: Double
    /// What the tensor is, in one sentence that starts with its name.
    public var finding: String {
        subject.isEmpty ? predicate : subject + " " + predicate
    }
    /// The tensor's file key (`dWf`).
    public var subject: String
    /// The rest of `finding` (`equals what per-step gives: …`).
    public var predicate: String

    public init(kind: DiagnosisKind, evidence: Double, subject: String, predicate: String, fix: String) {
        self.kind = kind
        self.evidence = evidence
        self.subject = subject
        self.predicate = predicate
        self.fix = fix
    }

    /// A diagnosis whose finding names its tensors itself (a layout's, in file terms).
    public init(kind: DiagnosisKind, evidence: Double, finding: String, fix: String) {
        self.init(kind: kind, evidence: evidence, subject: "", predicate: finding, fix: fix)
    }
    /// How to fix it, in one sentence.
    public var fix: String
    /// For a gate swap, the file key whose right gradient the tensor holds (`dWi`).
    public var counterpart: String?
}

extension Diagnosis {
    /// The gate a gate parameter's gradient key belongs to, by its last letter (`dWf`: forget).
    static func gateName(_ key: String) -> String {
        switch key.last {
        case "f": return "forget"
        case "i": return "input"
        case "c": return "candidate"
        case "o": return "output"
        default: return "\(key)'s"
        }
    }

    /// The length of the cycle of gate swaps `key` is in, following `held` (file key → the
    /// key whose right gradient it holds): 2 for two exchanged gates, more for gates whose
    /// gradients are rotated, nil when the chain ends (a copy).
    static func swapCycle(_ key: String, _ held: [String: String]) -> Int? {
        var next = held[key], length = 1
        while let k = next, length <= held.count {
            if k == key { return length }
            next = held[k]
            length += 1
        }
        return nil
    }

    /// A gate swap's sentence and fix once the rest of the file is known (`cycle`, `swapCycle`):
    /// "exchanged" only when the counterpart holds this tensor's right gradient in return,
    /// "rotated" for a longer cycle; else the tensor holds a copy of the other gate's gradient,
    /// and the other may well be right.
    mutating func settleGateSwap(cycle: Int?) {
        guard kind == .gateSwap, let other = counterpart else { return }
        if cycle == 2 {
            predicate = "is the right gradient of \(other): the gates are exchanged."
        } else if cycle != nil {
            predicate = "is the right gradient of \(other): the gates' gradients are rotated."
        } else {
            let mine = Self.gateName(subject), theirs = Self.gateName(other)
            predicate = "is the right gradient of \(other): the \(mine) gate's gradient is the \(theirs) gate's (copied, not exchanged)."
            fix = "Compute \(subject) from the \(mine) gate's own derivative: the line that computes it uses the \(theirs) gate's (a copied line that kept its variables?)."
        }
    }
}

/// What a wrong tensor was found to be.
public enum DiagnosisKind: Hashable, Sendable {
    /// What a wrong derivation of the catalogue gives (its `Method.name`).
    case route(String)
    case sign
    case meanOverBatch, meanOverTime, meanOverBoth
    case gateSwap
    case transpose
    case shiftedStep
    /// A layout's stacked gate blocks in another order (cs231n's i, f, o, g read as i, f, g, o).
    case gateOrder
    /// A layout's input and recurrent weights exchanged.
    case swappedWeights
    /// One of PyTorch's two biases given the bias gradient, the other zero (or each half of it).
    case biasSplit
    /// A GRU's input-side and recurrent-side biases given one gradient, as if interchangeable
    /// (they are not: the recurrent one sits inside `r ⊙ (…)`).
    case biasShared
    /// A sequence's batch and time axes exchanged (PyTorch's `batch_first` confused).
    case axisOrder
    /// A weight's or bias's gradient left with one entry per example: the sum over the batch missing.
    case unsummedBatch

    /// The stable name in machine output: the route's name, or `sign`, `mean-over-batch`,
    /// `mean-over-time`, `mean-over-both`, `gate-swap`, `transpose`, `shifted-step`,
    /// `gate-order`, `swapped-weights`, `bias-split`, `bias-shared`, `batch-first`, `unsummed-batch`.
    public var name: String {
        switch self {
        case .route(let name): return name
        case .sign: return "sign"
        case .meanOverBatch: return "mean-over-batch"
        case .meanOverTime: return "mean-over-time"
        case .meanOverBoth: return "mean-over-both"
        case .gateSwap: return "gate-swap"
        case .transpose: return "transpose"
        case .shiftedStep: return "shifted-step"
        case .gateOrder: return "gate-order"
        case .swappedWeights: return "swapped-weights"
        case .biasSplit: return "bias-split"
        case .biasShared: return "bias-shared"
        case .axisOrder: return "batch-first"
        case .unsummedBatch: return "unsummed-batch"
        }
    }
}

/// Tests a wrong tensor against the catalogue of wrong derivations and against simple
/// transformations of the right answer, and names the closest within tolerance.
public struct Diagnoser<C: Cell>: Sendable {
    let problem: Problem<C, Double>
    let reference: Gradients<C>
    /// The suspects' gradients, computed once.
    let catalogue: [(method: Method<C>, gradients: Gradients<C>)]
    /// ∂L/∂a_0, the gradient at the first hidden output (what a da0 off by one step holds).
    let firstStateGradient: Tensor

    public init(problem: Problem<C, Double>, reference: Gradients<C>) {
        self.problem = problem
        self.reference = reference
        catalogue = C.suspects(steps: problem.dims.steps).map { ($0, $0.compute(problem)) }
        firstStateGradient = Tensor(C.stateGradients(problem).da[0])
    }

    /// Every explanation of `user` (in `key`'s Coursera shape) within `tolerance`, the
    /// closest first, one per kind. Several can fit exactly: per-step and carry-dc-only
    /// give the same dWo (the output gate never sees dc), so the caller chooses among
    /// them with the rest of the file in view.
    public func explanations(_ key: Input<C>, _ user: Tensor, tolerance: Double) -> [Diagnosis] {
        guard let right = reference[key] else { return [] }
        var found: [Diagnosis] = []
        let name = key.gradientName
        // A candidate of zeros is no evidence: it fits only a tensor of zeros, which is said as such.
        func consider(_ candidate: Tensor?, _ kind: DiagnosisKind, _ predicate: String, _ fix: String, counterpart: String? = nil) {
            guard let candidate, candidate.shape == user.shape, candidate.data.contains(where: { $0 != 0 }) else { return }
            let c = Comparison.compare(key.name, user, reference: candidate, tolerance: tolerance)
            guard c.nonFinite == nil, c.relativeError <= tolerance else { return }
            let e = c.relativeError
            var d = Diagnosis(kind: kind, evidence: e, subject: name, predicate: predicate, fix: fix)
            d.counterpart = counterpart
            if let k = found.firstIndex(where: { $0.kind == kind }) {
                if e < found[k].evidence { found[k] = d }
            } else {
                found.append(d)
            }
        }
        let d = problem.dims
        for (method, g) in catalogue {
            guard let (finding, fix) = method.advice else { continue }
            consider(g[key], .route(method.name), "equals what \(method.name) gives: \(finding)", fix)
        }
        consider(scaled(right, -1), .sign, "is the right gradient with the wrong sign.",
                 "Use dz = ŷ − y (not y − ŷ) at the softmax, and check the sign of every term you subtract.")
        for (factor, kind, over) in [(Double(d.batch), DiagnosisKind.meanOverBatch, "m = \(d.batch)"),
                                     (Double(d.steps), .meanOverTime, "T_x = \(d.steps)"),
                                     (Double(d.batch * d.steps), .meanOverBoth, "m·T_x = \(d.batch * d.steps)")] where factor > 1 {
            consider(scaled(right, 1 / factor), kind, "is the right gradient divided by \(over): a mean where the loss is a sum.",
                     "The loss here is summed over time and batch, not averaged: drop the division by \(over).")
        }
        let siblings: [Input<C>] = if case .parameter(let p) = key { C.siblings(of: p).map { .parameter($0) } } else { [] }
        for other in siblings {
            consider(reference[other], .gateSwap, "is the right gradient of \(other.gradientName): the gates are exchanged.",
                     "Check the order in which the gate gradients are computed and returned (f, i, c, o) against the cache's order.",
                     counterpart: other.gradientName)
        }
        if user.shape.count == 2, user.shape[0] == user.shape[1] {
            consider(transposed(right), .transpose, "is the transpose of the right gradient.",
                     "Swap the product's operands: the gradient has the parameter's shape, e.g. np.dot(dft, concat.T).")
        }
        if key == .x {
            for (shift, when) in [(1, "the step after"), (-1, "the step before")] {
                consider(shifted(right, by: shift), .shiftedStep, "holds at [:,:,t] the input gradient of \(when) t: an index off by one.",
                         "Store gradients['dxt'] at dx[:,:,t] for the t the cell call was made with.")
            }
        }
        if key == .a0 {
            consider(firstStateGradient, .shiftedStep, "is ∂L/∂a⟨1⟩, the gradient at the first hidden output, one step too late.",
                     "Take da0 from the cell call at t = 0 (its da_prev), after the loop's last iteration.")
        }
        // Equal evidence keeps the order considered: the catalogue first.
        return found.indices.sorted { (found[$0].evidence, $0) < (found[$1].evidence, $1) }.map { found[$0] }
    }

    func scaled(_ t: Tensor, _ s: Double) -> Tensor { Tensor(shape: t.shape, data: t.data.map { $0 * s }) }

    func transposed(_ t: Tensor) -> Tensor { Tensor(t.matrix.transposed) }

    /// `out[:,:,t] = t[:,:,t + shift]`, zeros where that step does not exist.
    func shifted(_ t: Tensor, by shift: Int) -> Tensor {
        let T = t.shape[2]
        var out = Tensor(zeros: t.shape)
        for k in t.data.indices {
            let step = k % T + shift
            if step >= 0 && step < T { out.data[k] = t.data[k + shift] }
        }
        return out
    }
}
