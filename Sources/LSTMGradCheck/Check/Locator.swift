import Foundation

/// Where an error lives that no known mistake explains, read from its structure: arrays that
/// are all zeros, a constant factor, a sign flipped on part of an array, `dx` wrong only at
/// some steps, one gate's tensors far worse than the rest (a slip in that gate's local
/// derivative, which the carry then spreads thinly to every other tensor), or a whole file
/// that fits another network. Each finding comes with the figures it rests on.
struct Locator<C: Cell> {
    let problem: Problem<C, Double>
    let reference: Gradients<C>
    let user: Gradients<C>
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

        if let c = otherNetwork() { return [c] }
        let zeros = left.filter { t in input(t).flatMap { user[$0] }?.data.allSatisfy { $0 == 0 } == true }
        if !zeros.isEmpty {
            let names = zeros.map(\.fileKey), counts = zeros.compactMap { input($0).flatMap { user[$0]?.count } }
            found(names, "\(list(names)) \(names.count == 1 ? "is" : "are") all zeros (\(counts.map(String.init).joined(separator: ", ")) elements), where the right gradient is not.",
                  fix: "Check that the gradient is summed into and returned: an accumulator set to zeros and never added to gives exactly this.")
        }
        for t in left {
            guard let key = input(t), let u = user[key], let r = reference[key], let k = constantFactor(u, r) else { continue }
            found([t.fileKey], "\(t.fileKey) is the right gradient times \(fmt(k)) everywhere: a constant factor.",
                  evidence: "‖\(t.fileKey) − \(fmt(k))·right‖ / ‖\(t.fileKey)‖ = \(sci(residual(u, r, k)))",
                  fix: "Look for a factor applied to the whole tensor: a scaled loss, a learning-rate or averaging factor, a doubled sum.")
        }
        for t in left {
            guard let key = input(t), let u = user[key], let r = reference[key], let flips = partialSignFlip(u, r) else { continue }
            found([t.fileKey], "\(t.fileKey) has the right magnitudes but the wrong sign on \(flips.count) of \(u.count) elements\(rows(flips, u.shape)).",
                  evidence: "every |element| matches to 1e-9 relative",
                  fix: "Check the sign of the term that produces those elements (a subtraction written the wrong way round).")
        }
        if let gate = gateCause(left) {
            causes.append(gate)
            return causes
        }
        if let t = left.first(where: { input($0) == .x }), let steps = wrongSteps(t) {
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

    private func input(_ t: VerifiedTensor) -> Input<C>? { reference.inputs.first { $0.gradientName == t.fileKey } }

    private func error(_ key: Input<C>) -> Double? { tensors.first { $0.fileKey == key.gradientName }?.comparison?.relativeError }

    /// Every provided tensor wrong, the output layer's bias too — which depends on the forward
    /// pass alone, so no backward mistake can touch it.
    private func otherNetwork() -> Cause? {
        let bias = Input<C>.parameter(C.outputLayer.bias)
        let provided = tensors.filter { $0.comparison != nil }
        guard provided.count >= 3, provided.allSatisfy({ $0.status == .mismatch && $0.diagnosis == nil }),
              let e = error(bias), e > 1e-3 else { return nil }
        let least = provided.compactMap { $0.comparison?.relativeError }.min() ?? 0
        return Cause(kind: nil, tensors: provided.map(\.fileKey),
                     finding: "Every tensor is wrong, \(bias.gradientName) too, which depends only on the forward pass: were these gradients computed on this fixture?",
                     evidence: "\(bias.gradientName) is off by \(sci(e)) relative, and no tensor by less than \(sci(least))",
                     fix: "Compute the gradients on this fixture's own weights, inputs and labels (its a0 and x too), not on another network of the same shape.")
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
        let others = rivals.flatMap { g, errors in zip(g.parameters, errors).map { (Input<C>.parameter($0).gradientName, $1) } }
        let otherWorst = others.max { $0.1 < $1.1 }
        let runnerUp = rivals.map { level($0.1) }.max() ?? 0
        guard low >= Self.gateMargin * runnerUp else { return nil }
        let mine = gate.parameters.map { Input<C>.parameter($0).gradientName }
        let figures = zip(mine, own).map { "\($0) \(sci($1))" }.joined(separator: ", ")
        var finding = "The error lives in the \(gate.name) (\(gate.variable) in the notebook's cell backward): its tensors are off by \(figures) relative"
        if let (name, e) = otherWorst, e > 0 {
            finding += " (geometric mean \(sci(low))), the other gates' by at most \(sci(e)) (\(name); the next gate's mean \(sci(runnerUp))): the pattern of one slip in \(gate.variable), which the carry (da_prev, dc_prev) passes on, smaller, to the earlier steps of every other gate."
        } else {
            finding += ", and every other gate's tensors are right."
        }
        return Cause(kind: nil, tensors: left.map(\.fileKey), finding: finding, evidence: nil,
                     fix: "Re-derive \(gate.variable) line by line against the notebook's \(gate.formula)")
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

    /// For dx: the steps whose slice is wrong, when some but not all are (`0…3`, `5`).
    private func wrongSteps(_ t: VerifiedTensor) -> String? {
        guard let u = user[.x], let r = reference[.x], u.shape.count == 3 else { return nil }
        let T = u.shape[2], scale = max(Comparison.norm(r.data), .leastNormalMagnitude)
        let wrong = (0..<T).filter { s in
            let d = stride(from: s, to: u.count, by: T).map { u.data[$0] - r.data[$0] }
            return Comparison.norm(d) > 1e-9 * scale
        }
        guard !wrong.isEmpty, wrong.count < T else { return nil }
        if wrong.count > 1, wrong.last! - wrong.first! == wrong.count - 1 { return "\(wrong.first!)…\(wrong.last!)" }
        return list(wrong.map(String.init))
    }

    private func fmt(_ x: Double) -> String {
        let s = String(format: "%.4g", x)
        return s
    }
}
