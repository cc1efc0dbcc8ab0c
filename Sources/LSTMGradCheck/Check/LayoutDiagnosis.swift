/// `Diagnoser` for a gradient file in a framework's layout: the same catalogue of wrong
/// derivations and the same plain slips (sign, a mean, an index off by one step), tested in
/// the file's names and shapes, beside the mistakes only the layout can hold
/// (`LayoutMap.mistakes`: gate order, exchanged weights, PyTorch's biases, batch_first; the gate
/// order mixed up in the forward or the backward pass alone).
/// The Coursera path (`Diagnoser.explanations`) is untouched by it.
struct LayoutDiagnoser<C: Cell>: Sendable {
    let map: LayoutMap<C>
    let target: Target
    /// The right gradients in file terms, by gradient key.
    let rights: [String: Tensor]
    /// Each suspect's gradients in file terms.
    let routes: [(method: Method<C>, files: [String: Tensor])]
    /// Right answers with one typed slip, in file terms: the inputs' gradient a step late or
    /// early, the initial state's one step late.
    let shifted: [(files: [String: Tensor], kind: DiagnosisKind, finding: @Sendable (String) -> String, fix: String)]
    /// What a gate order mixed up gives: a forward pass that reads two gates in each other's
    /// place (`LayoutMap.misreadGates`), or a right one behind a backward pass that stacks their
    /// gradients in each other's place (`LayoutMap.misstackedGates`).
    let mixedOrders: [(files: [String: Tensor], finding: String, fix: String)]

    /// The user's file as given, by gradient key (what one tensor's mistake may say of another).
    let file: [String: Tensor]

    init(problem: Problem<C, Double>, reference: Gradients<C>, map: LayoutMap<C>, file: [String: Tensor]) {
        let base = Diagnoser(problem: problem, reference: reference)
        let files = map.files
        self.map = map
        self.file = file
        target = problem.target
        rights = files(reference)
        routes = base.catalogue.map { ($0.method, files($0.gradients)) }
        var shifted: [(files: [String: Tensor], kind: DiagnosisKind, finding: @Sendable (String) -> String, fix: String)] = []
        if let x = reference[.x] {
            for (shift, when) in [(1, "the step after"), (-1, "the step before")] {
                var g = reference
                g[.x] = base.shifted(x, by: shift)
                shifted.append((files(g), .shiftedStep, { "\($0)'s step t holds the input gradient of \(when) t: an index off by one." },
                                "Store each step's input gradient at the step whose backward computed it."))
            }
        }
        if reference[.a0] != nil {
            var g = reference
            g[.a0] = Tensor(shape: base.firstStateGradient.shape, data: base.firstStateGradient.data)
            shifted.append((files(g), .shiftedStep, { "\($0) is ∂L/∂h at the first step's output, one step too late." },
                            "Take it from what step 0's backward hands back, after the loop's last iteration."))
        }
        self.shifted = shifted
        mixedOrders = map.misreadGates(problem) { C.bptt.compute($0) } + map.misstackedGates(problem)
    }

    /// Every explanation of `user` (entry `e`'s tensor, in its shape) within `tolerance`, the
    /// closest first, one per kind (the caller chooses among several with the file in view). Of
    /// one kind the first candidate that fits is kept, as they are considered in order of how
    /// much of a file they explain: with one step, a backward's misstacked gate order and the
    /// same blocks exchanged in the weight gradients alone are one gradient, and the first
    /// explains dx and the initial states too.
    func explanations(_ e: LayoutEntry, _ user: Tensor, tolerance: Double) -> [Diagnosis] {
        guard let right = rights[e.gradientKey] else { return [] }
        var found: [Diagnosis] = []
        // A candidate of zeros is no evidence (it fits only a tensor of zeros, which is said as
        // such), but for a bias left at zero while the file gives the other the gradient.
        func consider(_ candidate: Tensor?, _ kind: DiagnosisKind, _ finding: String, _ fix: String) {
            guard let candidate, candidate.shape == user.shape, candidate != right,
                  kind == .biasSplit || candidate.data.contains(where: { $0 != 0 }) else { return }
            let ev = Comparison.compare(e.key, user, reference: candidate, tolerance: tolerance).relativeError
            guard ev <= tolerance else { return }
            guard !found.contains(where: { $0.kind == kind }) else { return }
            found.append(Diagnosis(kind: kind, evidence: ev, finding: finding, fix: fix))
        }
        let name = e.gradientKey, d = map.dims, letters = map.letters
        for (method, files) in routes {
            guard let (finding, fix) = method.advice else { continue }
            consider(files[name], .route(method.name), "\(name) equals what \(method.name) gives: \(finding)", map.carryFix(method.name, target: target) ?? fix)
        }
        consider(Tensor(shape: right.shape, data: right.data.map { -$0 }), .sign, "\(name) is the right gradient with the wrong sign.",
                 "Check the sign of the upstream gradient you start from and of every term you subtract.")
        for (factor, kind, over) in [(d.batch, DiagnosisKind.meanOverBatch, "\(letters.batch) = \(d.batch)"),
                                     (d.steps, .meanOverTime, "\(letters.steps) = \(d.steps)"),
                                     (d.batch * d.steps, .meanOverBoth, "\(letters.batch)·\(letters.steps) = \(d.batch * d.steps)")] where factor > 1 {
            let (finding, fix) = map.meanText(name, over: over, target: target)
            consider(Tensor(shape: right.shape, data: right.data.map { $0 / Double(factor) }), kind, finding, fix)
        }
        for s in shifted { consider(s.files[name], s.kind, s.finding(name), s.fix) }
        for m in mixedOrders { consider(m.files[name], .gateOrder, "\(name) \(m.finding)", m.fix) }
        for m in map.mistakes(e, right: right, rights: rights, file: file) { consider(m.candidate, m.kind, m.finding, m.fix) }
        // Equal evidence keeps the order considered: the catalogue first.
        return found.indices.sorted { (found[$0].evidence, $0) < (found[$1].evidence, $1) }.map { found[$0] }
    }
}
