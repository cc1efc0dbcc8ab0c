import Foundation

/// A gradient file as the locator reads it, in any layout: each provided tensor beside the
/// right one in the file's own names and shapes, the same gradients in the cell's typed terms,
/// and how the file names the cell's tensors in a sentence.
struct FileView<C: Cell> {
    /// The user's tensor (in the right one's shape) and the right one, by file key.
    var files: [String: (user: Tensor, right: Tensor)]
    /// The user's gradients in the cell's terms, as far as the file gives them.
    var user: Gradients<C>
    /// The file key of the tensor that is `input` alone (every Coursera tensor; a layout's
    /// inputs, initial states and output layer); nil for one the file stacks with others.
    var key: (Input<C>) -> String?
    /// A gate parameter's gradient as the file holds it: `dWf`, or `dWx and dWh's f blocks`.
    var label: (C.Parameter) -> String
    /// A gate's derivative as the file's code has it: the name a sentence uses (`dft`, `the f
    /// block`) and the longer one it is introduced by.
    var gate: (GateSite<C>) -> (name: String, introduced: String)
    /// What each step hands back to the one before, in the file's words.
    var carry: String

    /// Coursera's file: one tensor per input, named by its gradient key.
    static func coursera(user: Gradients<C>, reference: Gradients<C>) -> FileView {
        var files: [String: (user: Tensor, right: Tensor)] = [:]
        for input in reference.inputs {
            if let u = user[input], let r = reference[input] { files[input.gradientName] = (u, r) }
        }
        return FileView(files: files, user: user, key: { $0.gradientName }, label: { Input<C>.parameter($0).gradientName },
                        gate: { ($0.variable, "\($0.variable) in the notebook's cell backward") }, carry: "da_prev, dc_prev")
    }
}

/// Where an error lives that no known mistake explains, read from its structure: arrays that
/// are all zeros, a constant factor, a sign flipped on part of an array, `dx` wrong only at
/// some steps, one gate's tensors far worse than the rest (a slip in that gate's local
/// derivative, which the carry then spreads thinly to every other tensor), or a whole file
/// that fits another network. Tensors with the same kind of finding (all zeros, a constant
/// factor, signs flipped) share one cause, so that a file has a handful of causes at most.
/// Each finding comes with the figures it rests on, in the file's names (`FileView`).
struct Locator<C: Cell> {
    let problem: Problem<C, Double>
    let reference: Gradients<C>
    let view: FileView<C>
    /// Every tensor of the report (the matching ones give the contrast).
    let tensors: [VerifiedTensor]

    /// Causes for `unexplained`, each tensor in at most one of them.
    func locate(_ unexplained: [VerifiedTensor]) -> [Cause] {
        var left = unexplained
        var causes: [Cause] = []
        /// A cause for `names`, which no later finding then claims.
        func found(_ names: [String], _ finding: String, evidence: String? = nil, fix: String) {
            causes.append(Cause(kind: nil, tensors: names, finding: finding, evidence: evidence, fix: fix))
            left.removeAll { names.contains($0.fileKey) }
        }

        let zeros = left.filter { view.files[$0.fileKey]?.user.data.allSatisfy { $0 == 0 } == true }
        if !zeros.isEmpty {
            let names = zeros.map(\.fileKey), counts = names.compactMap { view.files[$0]?.user.count }.map(String.init).joined(separator: ", ")
            if everyOther(than: names, { $0.norm == 0 }) {
                found(names, "Every tensor of the file is all zeros (\(counts) elements), where the right gradients are not.",
                      fix: "Check that the gradients are computed before they are saved: arrays made with zeros and never filled, or a file written before the backward pass ran, give exactly this.")
            } else {
                found(names, "\(list(names)) \(names.count == 1 ? "is" : "are") all zeros (\(counts) elements), where the right gradient is not.",
                      fix: "Check that the gradient is summed into and returned: an accumulator set to zeros and never added to gives exactly this.")
            }
        }
        if let factors = factorCause(left) { found(factors.names, factors.finding, evidence: factors.evidence, fix: factors.fix) }
        let flips = left.compactMap { t in view.files[t.fileKey].flatMap { partialSignFlip($0.user, $0.right) }.map { (name: t.fileKey, indices: $0) } }
        if let only = flips.first {
            func part(_ name: String, _ indices: [Int]) -> String {
                let u = view.files[name]?.user
                return "\(indices.count) of \(u?.count ?? 0) elements\(rows(indices, u?.shape ?? []))"
            }
            let finding = flips.count == 1
                ? "\(only.name) has the right magnitudes but the wrong sign on \(part(only.name, only.indices))."
                : "\(list(flips.map(\.name))) have the right magnitudes but the wrong sign on part of their elements: "
                    + flips.map { "\($0.name) \(part($0.name, $0.indices))" }.joined(separator: "; ") + "."
            found(flips.map(\.name), finding, evidence: "every |element| matches to 1e-9 relative",
                  fix: "Check the sign of the term that produces those elements (a subtraction written the wrong way round).")
        }
        // A file no simple structure explains may be another network's.
        if causes.isEmpty, let c = otherNetwork() { return [c] }
        if let gate = gateCause(left) {
            causes.append(gate)
            return causes
        }
        if let t = left.first(where: { $0.fileKey == view.key(.x) }), let steps = wrongSteps() {
            found([t.fileKey], "\(t.fileKey) is wrong only at steps \(steps) of 0…\(problem.dims.steps - 1); the other steps are right.",
                  fix: "Look at what differs at those steps: the carry into them, or the index t the result is stored at.")
        }
        if !left.isEmpty {
            causes.append(Cause(kind: nil, tensors: left.map(\.fileKey),
                                finding: "No known mistake matches \(list(left.map(\.fileKey))) (the catalogue of wrong derivations, a sign, a mean instead of a sum, swapped gates, a transpose, an index shifted by one step), and the errors show no simpler structure; start from the worst elements.",
                                evidence: nil, fix: nil))
        }
        return causes
    }

    /// The tensors the file gives.
    private var provided: [VerifiedTensor] { tensors.filter { $0.comparison != nil } }

    /// Whether every provided tensor but `names` matches, and does so with `holds` true of its
    /// comparison: a finding over `names` then speaks for the whole file (a right gradient that
    /// is zero is all zeros, and any multiple of itself, too).
    private func everyOther(than names: [String], _ holds: (TensorComparison) -> Bool) -> Bool {
        provided.allSatisfy { t in names.contains(t.fileKey) || (t.status == .matches && t.comparison.map(holds) == true) }
    }

    /// The relative error of the user's typed tensor `key`, when the file gives it.
    private func error(_ key: Input<C>) -> Double? {
        guard let u = view.user[key], let r = reference[key], u.shape == r.shape else { return nil }
        return Comparison.compare(key.name, u, reference: r, tolerance: 0).relativeError
    }

    /// Every provided tensor wrong, the output layer's bias too — which depends on the forward
    /// pass alone, so no backward mistake can touch it.
    private func otherNetwork() -> Cause? {
        guard let bias = view.key(.parameter(C.outputLayer.bias)) else { return nil }
        // A right gradient of zeros matched by zeros says nothing either way.
        let provided = provided.filter { $0.comparison.map { $0.norm > 0 || $0.referenceNorm > 0 } == true }
        guard provided.count >= 3, provided.allSatisfy({ $0.status == .mismatch && $0.diagnosis == nil }),
              let e = provided.first(where: { $0.fileKey == bias })?.comparison?.relativeError, e > 1e-3 else { return nil }
        let least = provided.compactMap { $0.comparison?.relativeError }.min() ?? 0
        return Cause(kind: nil, tensors: provided.map(\.fileKey),
                     finding: "Every tensor is wrong, \(bias) too, which depends only on the forward pass: were these gradients computed on this fixture?",
                     evidence: "\(bias) is off by \(sci(e)) relative, and no tensor by less than \(sci(least))",
                     fix: "Compute the gradients on this fixture's own weights, inputs and labels (its a0 and x too), not on another network of the same shape.")
    }

    /// The tensors of `candidates` that are the right gradient times a factor k (to 1e-9), as one
    /// finding, the tensors with one k (equal to 1e-8 relative) named together. A single k over
    /// the whole file is the gradient of k times the loss; over every tensor but the output
    /// layer's, which match, it enters with the gradient that reaches the hidden states. A tensor
    /// alone with its k needs three elements: with fewer its fit proves nothing (the two entries
    /// of a dby with n_y = 2 sum to zero, so any dby is a multiple of the right one).
    private func factorCause(_ candidates: [VerifiedTensor]) -> (names: [String], finding: String, evidence: String, fix: String)? {
        var groups: [(k: Double, names: [String], residual: Double)] = []
        for t in candidates {
            guard let (u, r) = view.files[t.fileKey], let k = constantFactor(u, r) else { continue }
            let e = residual(u, r, k)
            if let g = groups.firstIndex(where: { abs($0.k - k) <= 1e-8 * max(abs($0.k), abs(k)) }) {
                groups[g].names.append(t.fileKey)
                groups[g].residual = max(groups[g].residual, e)
            } else {
                groups.append((k, [t.fileKey], e))
            }
        }
        groups.removeAll { $0.names.count == 1 && (view.files[$0.names[0]]?.user.count ?? 0) < 3 }
        guard let first = groups.first else { return nil }
        let names = groups.flatMap(\.names), worst = groups.map(\.residual).max() ?? 0
        let factor = fmt(first.k)
        let evidence = "‖g \(groups.count > 1 ? "− k" : minus(first.k))·right‖ / ‖g‖ ≤ \(sci(worst)) for each of them\(groups.count > 1 ? ", k its own factor" : "")"
        if groups.count > 1 {
            return (names, "Each of \(list(names)) is the right gradient times a constant factor: "
                        + groups.map { "\(fmt($0.k)) (\(list($0.names)))" }.joined(separator: "; ") + ".",
                    evidence, "Look for a factor applied to each whole tensor: a scaled loss, a learning-rate or averaging factor, a doubled sum.")
        }
        if names.count == 1 {
            return (names, "\(names[0]) is the right gradient times \(factor) everywhere: a constant factor.",
                    "‖\(names[0]) \(minus(first.k))·right‖ / ‖\(names[0])‖ = \(sci(worst))",
                    "Look for a factor applied to the whole tensor: a scaled loss, a learning-rate or averaging factor, a doubled sum.")
        }
        let zeroRight: (TensorComparison) -> Bool = { $0.referenceNorm == 0 }
        let output = [C.outputLayer.weight, C.outputLayer.bias].compactMap { view.key(.parameter($0)) }
        let outputMatch = !output.isEmpty && output.allSatisfy { name in provided.contains { $0.fileKey == name && $0.status == .matches } }
        if everyOther(than: names, zeroRight) {
            return (names, "Every tensor of the file is the right gradient times \(factor): the gradient of \(factor) times the loss, one factor on the whole backward pass.",
                    evidence, "Look for one factor on the loss or on the gradient the backward pass starts from (dz = ŷ − y, or the upstream gradient): a loss counted twice, a scaled or averaged start.")
        }
        if outputMatch, everyOther(than: names + output, zeroRight) {
            return (names, "Each of \(list(names)) is the right gradient times \(factor), while the output layer's \(list(output)) match: one factor on the gradient that reaches the hidden states from the output layer.",
                    evidence, "Look where the output layer's gradient enters the hidden states (da_t = Wyᵀ·dz_t): a term added twice, or a scaled dz used there.")
        }
        return (names, "Each of \(list(names)) is the right gradient times \(factor) everywhere: one constant factor.", evidence,
                "Look for a factor these tensors share: a scaled loss or upstream gradient, an averaging factor, a doubled sum.")
    }

    /// One gate's tensors off by at least `gateMargin` times more than any other gate's. A slip in
    /// one gate's local derivative hits that gate's dW and db at every step; the carry passes
    /// it on, smaller, to the earlier steps of every other gate (and to da0 and dx, which sum
    /// everything, so they do not take part in the comparison).
    private func gateCause(_ left: [VerifiedTensor]) -> Cause? {
        let gates = C.gates
        guard !gates.isEmpty, !left.isEmpty else { return nil }
        let scored = gates.map { g in (g, g.parameters.compactMap { error(.parameter($0)) }) }.filter { $0.1.count == $0.0.parameters.count }
        // A gate's error: the geometric mean of its tensors' relative errors (dW and db).
        func level(_ errors: [Double]) -> Double { exp(errors.map { log(max($0, .leastNormalMagnitude)) }.reduce(0, +) / Double(max(errors.count, 1))) }
        guard let (gate, own) = scored.max(by: { level($0.1) < level($1.1) }), case let low = level(own), low > 1e-12 else { return nil }
        let rivals = scored.filter { $0.0.variable != gate.variable }
        let others = rivals.flatMap { g, errors in zip(g.parameters, errors).map { (view.label($0), $1) } }
        let otherWorst = others.max { $0.1 < $1.1 }
        let runnerUp = rivals.map { level($0.1) }.max() ?? 0
        guard low >= Self.gateMargin * runnerUp else { return nil }
        let figures = zip(gate.parameters.map(view.label), own).map { "\($0) \(sci($1))" }.joined(separator: ", ")
        let (name, introduced) = view.gate(gate)
        var finding = "The error lives in the \(gate.name) (\(introduced)): its tensors are off by \(figures) relative"
        // Errors within the bound a match is held to are rounding: nothing is carried there.
        let bound = tensors.map(\.tolerance).min() ?? 0
        if let (other, e) = otherWorst, e > bound {
            finding += " (geometric mean \(sci(low))), the other gates' by at most \(sci(e)) (\(other); the next gate's mean \(sci(runnerUp))): the pattern of one slip in \(name), which the carry (\(view.carry)) passes on, smaller, to the earlier steps of every other gate."
        } else {
            finding += ", and every other gate's tensors are right\(otherWorst.map { " (to \(sci($0.1)))" } ?? "")."
        }
        return Cause(kind: nil, tensors: left.map(\.fileKey), finding: finding, evidence: nil,
                     fix: "Re-derive \(name) line by line against the notebook's \(gate.formula)")
    }

    /// How many times worse than every other gate's a gate's tensors must be to be named.
    static var gateMargin: Double { 1.5 }

    /// k with u = k·r to 1e-9, when k is not 1 (a sign is the known mistake `sign`).
    private func constantFactor(_ u: Tensor, _ r: Tensor) -> Double? {
        let rr = zip(r.data, r.data).reduce(0) { $0 + $1.0 * $1.1 }, ur = zip(u.data, r.data).reduce(0) { $0 + $1.0 * $1.1 }
        guard rr > 0 else { return nil }
        let k = ur / rr
        guard k.isFinite, abs(k - 1) > 1e-6, abs(k + 1) > 1e-6, residual(u, r, k) <= 1e-9 else { return nil }
        return k
    }

    private func residual(_ u: Tensor, _ r: Tensor, _ k: Double) -> Double {
        Comparison.norm(zip(u.data, r.data).map { $0 - k * $1 }) / max(Comparison.norm(u.data), .leastNormalMagnitude)
    }

    /// The flat indices whose sign is flipped, when every magnitude is right and some (not all) signs are not.
    private func partialSignFlip(_ u: Tensor, _ r: Tensor) -> [Int]? {
        var flips: [Int] = []
        for k in u.data.indices {
            let a = u.data[k], b = r.data[k]
            guard abs(abs(a) - abs(b)) <= 1e-9 * max(abs(a), abs(b), .leastNormalMagnitude) else { return nil }
            if a != 0 && (a < 0) != (b < 0) { flips.append(k) }
        }
        return flips.isEmpty || flips.count == u.count ? nil : flips
    }

    /// `: rows 0 and 2` when the flipped elements are whole rows of a matrix.
    private func rows(_ flips: [Int], _ shape: [Int]) -> String {
        guard shape.count == 2 else { return "" }
        let cols = shape[1], set = Set(flips)
        let touched = Set(flips.map { $0 / cols }).sorted()
        guard touched.allSatisfy({ r in (0..<cols).allSatisfy { set.contains(r * cols + $0) } }) else { return "" }
        return ": \(touched.count == 1 ? "row" : "rows") \(list(touched.map(String.init)))"
    }

    /// The steps whose slice of dx is wrong, when some but not all are (`0…3`, `5`).
    private func wrongSteps() -> String? {
        guard let u = view.user[.x], let r = reference[.x], u.shape.count == 3, u.shape == r.shape else { return nil }
        let T = u.shape[2], scale = max(Comparison.norm(r.data), .leastNormalMagnitude)
        let wrong = (0..<T).filter { s in
            let d = stride(from: s, to: u.count, by: T).map { u.data[$0] - r.data[$0] }
            return Comparison.norm(d) > 1e-9 * scale
        }
        guard let first = wrong.first, let last = wrong.last, wrong.count < T else { return nil }
        if wrong.count > 1, last - first == wrong.count - 1 { return "\(first)…\(last)" }
        return list(wrong.map(String.init))
    }

    private func fmt(_ x: Double) -> String { String(format: "%.4g", x) }
    /// `− k` with its sign folded in: `+ 2` for k = −2, as one writes g + 2·right.
    private func minus(_ k: Double) -> String { k < 0 ? "+ \(fmt(-k))" : "− \(fmt(k))" }
}
