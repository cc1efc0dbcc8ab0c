/// One of the user's tensors measured against the reference.
public struct VerifiedTensor: Sendable {
    public enum Status: String, Sendable {
        case matches
        case mismatch
        /// Equal to the reference on a fixture that decides nothing (every gradient of it is
        /// exactly zero): agreement there proves nothing, so it is neither a pass nor a failure.
        case inconclusive
        /// A gradient the check needs that the file does not hold: the file is incomplete.
        case missing
        /// Not in the file and not required (the output layer, which the notebook's
        /// `lstm_backward` does not compute, or a tensor left out by `--keys`).
        case notChecked = "not-checked"
    }

    public struct Element: Sendable, Equatable {
        public var index: [Int]
        public var user: Double
        public var reference: Double
    }

    /// The input's name (`Wf`) and the file's (`dWf`); in a framework's layout the layout's
    /// tensor (`Wh`) and its gradient's key (`dWh`).
    public var key: String
    public var fileKey: String
    /// The right gradient's shape in the file's terms.
    public var shape: [Int]
    public var status: Status
    public var comparison: TensorComparison?
    /// The elements furthest from the reference, worst first.
    public var worstElements: [Element]
    public var diagnosis: Diagnosis?
    /// The bound this tensor was held to (looser for single-precision files).
    public var tolerance: Double
    public var singlePrecision: Bool
    /// Whether the file must hold it for the file to pass.
    public var required = true
    /// How the file stored it when not in `shape` but in an arrangement the check reads back
    /// (`.transpose`, `.unsummedBatch`, `.axisOrder`), and the shape it was stored in; the
    /// comparison is of the tensor read back.
    public var stored: DiagnosisKind?
    public var storedShape: [Int]?

    /// Stored in another arrangement whose values, read back, are right: only the arrangement
    /// is wrong, so its figures (those of the tensor read back) say nothing against it.
    public var rightOnceReadBack: Bool { stored != nil && comparison?.pass == true }
}

extension VerifiedTensor {
    /// A gradient the file does not hold (or `--keys` leaves out): missing when required, else not checked.
    static func absent(_ key: String, fileKey: String, shape: [Int], required: Bool, tolerance: Double) -> VerifiedTensor {
        VerifiedTensor(key: key, fileKey: fileKey, shape: shape, status: required ? .missing : .notChecked, comparison: nil,
                       worstElements: [], diagnosis: nil, tolerance: tolerance, singlePrecision: false, required: required)
    }
}

/// What `verify` found.
public struct VerifyReport: Sendable {
    public var name: String
    public var dims: Dims
    public var source: String
    public var reference: String
    public var tolerance: Double
    public var tensors: [VerifiedTensor]
    /// Keys in the file that are not gradients of this problem (listed, then ignored).
    public var extraKeys: [String]
    /// The mismatches grouped by what explains them, one cause per explanation (`Cause`).
    public var causes: [Cause] = []
    /// Which catalogue mistakes this fixture can catch (`Power`).
    public var power = Power()
    /// Set when every gradient of the fixture is exactly zero: nothing can be decided.
    public var vacuous: String?
    /// Whether `--keys` named the gradients required (else every one but the output layer's).
    public var narrowed = false

    /// Mismatch when a provided tensor is wrong, a required one is missing, or nothing was
    /// provided; inconclusive when nothing is wrong but the fixture cannot decide.
    public var status: ReportStatus {
        if tensors.contains(where: { $0.status == .mismatch || $0.status == .missing }) { return .mismatch }
        if !tensors.contains(where: { $0.comparison != nil }) { return .mismatch }
        return tensors.contains { $0.status == .inconclusive } ? .inconclusive : .passed
    }

    public var passed: Bool { status == .passed }

    /// The closing sentences, the same in every renderer. Tensors that equal a reference which
    /// decides nothing are never said to match: the reason is said once, naming them.
    public var conclusion: String {
        let provided = tensors.filter { $0.comparison != nil }
        let wrong = provided.filter { $0.status == .mismatch }.map(\.fileKey)
        let undecided = provided.filter { $0.status == .inconclusive }.map(\.fileKey)
        let missing = tensors.filter { $0.status == .missing }.map(\.fileKey)
        let unchecked = tensors.filter { $0.status == .notChecked }.map(\.fileKey)
        var s: [String] = []
        if provided.isEmpty {
            s.append("Nothing to check: \(source) holds none of the gradients of this fixture (\(list(tensors.map(\.fileKey)))).")
        } else if !provided.contains(where: \.required) {
            s.append("Nothing required was checked: \(source) holds only \(list(provided.map(\.fileKey))), which \(provided.count == 1 ? "is" : "are") not required.")
        } else if !wrong.isEmpty {
            s.append("\(wrong.count) of the \(provided.count) provided gradients \(wrong.count == 1 ? "is" : "are") wrong: \(wrong.joined(separator: ", ")).")
        } else if undecided.isEmpty {
            s.append((provided.count == 1 ? "The one provided gradient, \(provided[0].fileKey), matches" : "All \(provided.count) provided gradients match")
                     + " the \(reference) gradient.")
        }
        if !missing.isEmpty {
            s.append("MISSING: \(list(missing)) \(missing.count == 1 ? "is" : "are") required and not in the file, so the file does not pass.")
        }
        if !unchecked.isEmpty {
            s.append(narrowed ? "Not checked: \(list(unchecked)) (left out by --keys)."
                : "Not checked: \(list(unchecked)) (not required: the notebook's lstm_backward does not compute the output layer's gradients; --keys names them to check them).")
        }
        if let vacuous, !undecided.isEmpty {
            let which = undecided.count == 1 ? "\(undecided[0]) equals"
                : undecided.count == provided.count ? "the \(provided.count) provided gradients equal" : "\(list(undecided)) equal"
            s.append("NOTHING DECIDED: \(which) the \(reference) gradient, but \(vacuous).")
        } else if status == .passed, let power = power.sentence {
            s.append(power.replacingOccurrences(of: "On this network", with: "On this fixture"))
        }
        return s.joined(separator: " ")
    }
}

public enum Verify {
    /// A single-precision file cannot be closer than float32 rounding allows: gradients
    /// summed over steps and batch in float32 carry relative errors of 1e-6 to 1e-5, so
    /// such tensors are held to 1e-4 — still far below what a wrong formula costs.
    public static let singlePrecisionTolerance = 1e-4

    /// Compares the user's gradients with `reference`, diagnosing every mismatch. The file is
    /// in `form`'s layout, the fixture's: Coursera's names (`dWf` … `dx`) by default, else the
    /// layout's (`LayoutMap`), each tensor compared with the reference in the layout's terms
    /// (every map is a permutation, so the errors are those of the cell's tensors; each of
    /// PyTorch's two LSTM biases is held to the cell's bias gradient, each GRU bias to its own).
    /// Every gradient is required except the output layer's, in every layout (the notebook's
    /// `lstm_backward` does not compute `dWy`, `dby`, nor cs231n's `dW_vocab`, `db_vocab`), which
    /// is compared when given and else reported as not checked, unless `keys` (gradient-file
    /// names) names the set explicitly: then only those are compared, and all are required.
    /// Throws for a key in the file that is a slip for a wanted one (`slip`: "did you mean
    /// dWf"), for a `keys` entry that is no gradient of the problem, for a tensor whose shape is
    /// neither the expected shape, that shape with unit dimensions dropped or added, nor its
    /// transpose (or, in a layout, a sequence with its batch and time axes exchanged), and for
    /// a file in another layout's names.
    public static func run<C: Cell>(_ problem: Problem<C, Double>, name: String, user: UserGradients, reference: Gradients<C>,
                                    referenceName: String, tolerance: Double, keys: [String]? = nil,
                                    form: LayoutForm = .coursera) throws(InputError) -> VerifyReport {
        if form.layout != .coursera {
            let (report, view) = try runInLayout(problem, name: name, user: user, reference: reference, referenceName: referenceName,
                                                 tolerance: tolerance, keys: keys, form: form)
            return finish(report, problem: problem, reference: reference, view: view)
        }
        let output = [C.outputLayer.weight, C.outputLayer.bias].map { Input<C>.parameter($0).gradientName }
        let (required, extra) = try screen(user, tensors: problem.inputs.map { ($0.name, $0.gradientName) }, optional: Set(output),
                                           keys: keys, layout: .coursera)
        var diagnoser: Diagnoser<C>?
        var conformed = Gradients<C>()
        var out: [VerifiedTensor] = []
        // Every explanation of each wrong tensor (one per kind), by its position in `out`.
        var explained: [Int: [Diagnosis]] = [:]
        for key in problem.inputs {
            let fileKey = key.gradientName
            guard let r = reference[key] else { continue }
            guard let given = user.tensors.first(where: { $0.key == fileKey }), keys?.contains(fileKey) ?? true else {
                out.append(.absent(key.name, fileKey: fileKey, shape: r.shape, required: required.contains(fileKey), tolerance: tolerance))
                continue
            }
            let bound = given.singlePrecision ? max(tolerance, singlePrecisionTolerance) : tolerance
            let (g, stored) = try conform(given.tensor, to: r.shape, batch: problem.dims.batch, source: user.source, key: fileKey)
            conformed[key] = g
            let c = Comparison.compare(key.name, g, reference: r, tolerance: bound)
            let matches = c.pass && stored == nil
            var diagnosis: Diagnosis?
            if !matches {
                if stored == .transpose && c.pass {
                    diagnosis = Diagnosis(kind: .transpose, evidence: c.relativeError, subject: fileKey,
                                          predicate: "is stored transposed (\(shapeText(given.tensor.shape)) where the parameter is \(shapeText(r.shape))); its values are right.",
                                          fix: "Swap the product's operands so the gradient has the parameter's shape, e.g. np.dot(dft, concat.T).")
                } else if stored == .unsummedBatch && c.pass {
                    diagnosis = unsummed(fileKey, given.tensor.shape, c, batchLetter: "m",
                                         fix: "Sum over the batch: \(fileKey) = np.sum(…, axis=1, keepdims=True), as the notebook's cell backward does.")
                } else {
                    if diagnoser == nil { diagnoser = Diagnoser(problem: problem, reference: reference) }
                    explained[out.count] = diagnoser?.explanations(key, g, tolerance: bound)
                }
            }
            out.append(VerifiedTensor(key: key.name, fileKey: fileKey, shape: r.shape, status: matches ? .matches : .mismatch, comparison: c,
                                      worstElements: worst(g, r, count: 5), diagnosis: diagnosis,
                                      tolerance: bound, singlePrecision: given.singlePrecision, required: required.contains(fileKey),
                                      stored: stored, storedShape: stored == nil ? nil : given.tensor.shape))
        }
        choose(explained, &out)
        settleGateSwaps(&out)
        var report = VerifyReport(name: name, dims: problem.dims, source: user.source, reference: referenceName,
                                  tolerance: tolerance, tensors: out, extraKeys: extra)
        report.narrowed = keys != nil
        return finish(report, problem: problem, reference: reference, view: .coursera(user: conformed, reference: reference))
    }

    /// What a report adds once its tensors are compared: whether the fixture decides anything
    /// (when not, every tensor that equals the reference is inconclusive), what it can catch,
    /// and the causes of its mismatches in the file's terms (`view`).
    private static func finish<C: Cell>(_ report: VerifyReport, problem: Problem<C, Double>, reference: Gradients<C>,
                                        view: FileView<C>) -> VerifyReport {
        var report = report
        if reference.inputs.allSatisfy({ reference[$0]?.data.allSatisfy { $0 == 0 } == true }) {
            report.vacuous = Power.whyZero(problem.dims)
            for k in report.tensors.indices where report.tensors[k].status == .matches { report.tensors[k].status = .inconclusive }
        } else {
            report.power = Power.of(problem, exact: reference)
        }
        report.causes = Cause.group(report.tensors, problem: problem, reference: reference, view: view)
        return report
    }

    /// One mistake usually explains the whole file, so where several fit a tensor within
    /// tolerance (per-step and carry-dc-only give the same dWo) the one that explains
    /// most of the file's tensors is named, and the closest among those that tie.
    private static func choose(_ explained: [Int: [Diagnosis]], _ out: inout [VerifiedTensor]) {
        var support: [DiagnosisKind: Int] = [:]
        for kind in explained.values.flatMap({ $0.map(\.kind) }) + out.compactMap(\.diagnosis?.kind) {
            support[kind, default: 0] += 1
        }
        for (k, candidates) in explained {
            let most = candidates.map { support[$0.kind] ?? 0 }.max()
            out[k].diagnosis = candidates.first { support[$0.kind] == most }
        }
    }

    /// A tensor holding another gate's right gradient is an exchange only when that other
    /// tensor holds its right gradient in return; else it is a copy, and said so.
    private static func settleGateSwaps(_ out: inout [VerifiedTensor]) {
        let swaps = Dictionary(out.compactMap { t in t.diagnosis.flatMap { $0.kind == .gateSwap ? $0.counterpart.map { (t.fileKey, $0) } : nil } },
                               uniquingKeysWith: { a, _ in a })
        for k in out.indices where swaps[out[k].fileKey] != nil {
            let cycle = Diagnosis.swapCycle(out[k].fileKey, swaps)
            out[k].diagnosis?.settleGateSwap(cycle: cycle)
        }
    }

    /// `run` for a file in a framework's layout, and the file as the locator reads it.
    private static func runInLayout<C: Cell>(_ problem: Problem<C, Double>, name: String, user: UserGradients, reference: Gradients<C>,
                                             referenceName: String, tolerance: Double, keys: [String]?, form: LayoutForm) throws(InputError) -> (VerifyReport, FileView<C>) {
        let layout = form.layout
        guard let map = LayoutMap<C>(form: form, problem: problem) else {
            throw InputError(source: user.source, expected: "gradients of a cell the \(layout.rawValue) layout holds", found: "a \(C.kind.rawValue)")
        }
        let rights = map.gradients(reference)
        let entries = map.gradientEntries.filter { e in rights.contains { $0.key == e.gradientKey } }
        let output = entries.filter { $0.role == .outputWeight || $0.role == .outputBias }.map(\.gradientKey)
        let (required, extra) = try screen(user, tensors: entries.map { ($0.key, $0.gradientKey) }, optional: Set(output), keys: keys, layout: layout)
        var diagnoser: LayoutDiagnoser<C>?
        var out: [VerifiedTensor] = []
        var explained: [Int: [Diagnosis]] = [:]
        var conformed: [String: Tensor] = [:]
        for (e, (fileKey, r)) in zip(entries, rights) {
            guard let given = user.tensors.first(where: { $0.key == fileKey }), keys?.contains(fileKey) ?? true else {
                out.append(.absent(e.key, fileKey: fileKey, shape: r.shape, required: required.contains(fileKey), tolerance: tolerance))
                continue
            }
            let bound = given.singlePrecision ? max(tolerance, singlePrecisionTolerance) : tolerance
            let (g, reordered) = try conform(given.tensor, to: e, in: map, source: user.source)
            conformed[fileKey] = g
            let c = Comparison.compare(e.key, g, reference: r, tolerance: bound)
            let matches = c.pass && reordered == nil
            var diagnosis: Diagnosis?
            if !matches {
                if let reordered, c.pass {
                    diagnosis = reordered == .transpose
                        ? Diagnosis(kind: .transpose, evidence: c.relativeError, subject: fileKey,
                                    predicate: "is stored transposed (\(shapeText(given.tensor.shape)) where \(e.key) is \(e.shapeText) = \(shapeText(r.shape))); its values are right.",
                                    fix: "Swap the product's operands so the gradient has its tensor's layout: \(map.weightFix)")
                        : reordered == .unsummedBatch
                        ? unsummed(fileKey, given.tensor.shape, c, batchLetter: map.letters.batch,
                                   fix: "Sum over the batch axis: \(fileKey) = da.sum(axis=0), as every example adds its term.")
                        : Diagnosis(kind: .axisOrder, evidence: c.relativeError,
                                    finding: map.axisFinding(e, storedAs: given.tensor.shape) + " Its values are right.", fix: map.axisFix(e))
                } else {
                    if diagnoser == nil {
                        diagnoser = LayoutDiagnoser(problem: problem, reference: reference, map: map,
                                                    file: Dictionary(user.tensors.map { ($0.key, $0.tensor) }, uniquingKeysWith: { a, _ in a }))
                    }
                    explained[out.count] = diagnoser?.explanations(e, g, tolerance: bound)
                }
            }
            out.append(VerifiedTensor(key: e.key, fileKey: fileKey, shape: r.shape, status: matches ? .matches : .mismatch, comparison: c,
                                      worstElements: worst(g, r, count: 5), diagnosis: diagnosis,
                                      tolerance: bound, singlePrecision: given.singlePrecision, required: required.contains(fileKey),
                                      stored: reordered, storedShape: reordered == nil ? nil : given.tensor.shape))
        }
        choose(explained, &out)
        var report = VerifyReport(name: name, dims: problem.dims, source: user.source, reference: referenceName,
                                  tolerance: tolerance, tensors: out, extraKeys: extra)
        report.narrowed = keys != nil
        return (report, map.view(conformed, reference: reference, inputs: problem.inputs))
    }

    /// The user's tensor in entry `e`'s shape, and how it was stored when not so: transposed (a
    /// matrix), or with the batch and time axes exchanged (a sequence). A weight in the shape of
    /// the other weight is an error that says so.
    private static func conform<C: Cell>(_ t: Tensor, to e: LayoutEntry, in map: LayoutMap<C>, source: String) throws(InputError) -> (Tensor, DiagnosisKind?) {
        let shape = e.shape
        if t.shape == shape { return (t, nil) }
        if t.shape.filter({ $0 != 1 }) == shape.filter({ $0 != 1 }) { return (Tensor(shape: shape, data: t.data), nil) }
        if t.shape.count == 2, shape.count == 2, t.shape == [shape[1], shape[0]] { return (Tensor(t.matrix.transposed), .transpose) }
        if map.sequenceAxes(e) != nil, t.shape == [shape[1], shape[0], shape[2]] { return (t.permuted(.firstTwoExchanged), .axisOrder) }
        if e.isParameter, map.dims.batch > 1, t.shape == [map.dims.batch] + shape {
            // One entry per example: read summed over the batch, the sum the gradient misses.
            var sum = Tensor(zeros: shape)
            for n in 0..<map.dims.batch { for k in sum.data.indices { sum.data[k] += t.data[n * sum.count + k] } }
            return (sum, .unsummedBatch)
        }
        var hint = ""
        if let other = map.gradientEntries.first(where: { $0.key != e.key && $0.shape == t.shape && $0.isParameter == e.isParameter }) {
            hint = " (the shape of \(other.gradientKey): are \(e.gradientKey) and \(other.gradientKey) exchanged?)"
        }
        throw InputError(source: source, key: e.gradientKey, expected: "shape \(e.shapeText) = \(shapeText(shape))", found: shapeText(t.shape) + hint)
    }

    /// The gradient keys the file must hold — `keys` when given, else every one of `tensors`'
    /// but the `optional` (the output layer's) — and the file's keys that are no gradient of the
    /// fixture (listed, then ignored). Throws for a `keys` entry that is no gradient of the
    /// fixture, for a file in another layout's names, and for a key that is a slip (`slip`) for
    /// a gradient the file lacks, which would otherwise go unchecked.
    private static func screen(_ user: UserGradients, tensors: [(name: String, gradient: String)], optional: Set<String>, keys: [String]?,
                               layout: Layout) throws(InputError) -> (required: Set<String>, extra: [String]) {
        let gradients = tensors.map(\.gradient)
        func unknown(_ key: String, in source: String) -> InputError {
            InputError.unknownKey(key, in: gradients, source: source, what: "\(layout.rawValue) gradient",
                                  note: slip(key, for: tensors).map { "did you mean \"\($0)\"?" })
        }
        for key in keys ?? [] where !gradients.contains(key) { throw unknown(key, in: "--keys") }
        let fileKeys = user.tensors.map(\.key)
        try refuseOtherLayout(user.keys, layout: layout, wanted: gradients, source: user.source)
        let extra = fileKeys.filter { !gradients.contains($0) }
        for key in extra {
            if let near = slip(key, for: tensors), !fileKeys.contains(near) { throw unknown(key, in: user.source) }
        }
        // A key whose content is no gradient (`epoch=3`, `loss=nan`, a note) is listed and ignored
        // like any other extra key, unless it is one the check needs: a wanted gradient (NaN in
        // `dWf` stays bad input) or a slip for one the file lacks.
        var unreadable: [String] = []
        for u in user.unreadable {
            if gradients.contains(u.key) {
                if keys?.contains(u.key) ?? true { throw u.reason }
                continue
            }
            if let near = slip(u.key, for: tensors), !fileKeys.contains(near) {
                var reason = u.reason
                reason.found = (reason.found.map { $0 + " " } ?? "") + "(did you mean \"\(near)\"?)"
                throw reason
            }
            unreadable.append(u.key)
        }
        return (keys.map(Set.init) ?? Set(gradients).subtracting(optional), extra + unreadable)
    }

    /// The gradient that `key`, none of `tensors`' gradient keys, is a slip for, if any: the
    /// gradient of the tensor it names (`Wx` for `dWx`: the parameter's name without the `d`),
    /// a case or spelling variant or a missing `d` (`dwf`, `Wf`, `weight_hh_I0`: at most two
    /// edits, `InputError.closest`), or the one key it begins (`weight_hh` for `weight_hh_l0`);
    /// tried on the whole key, then on each part of a dotted or slashed path
    /// (`rnn.weight_hh_l0`, `weight_hh_l0.grad`).
    static func slip(_ key: String, for tensors: [(name: String, gradient: String)]) -> String? {
        let gradients = tensors.map(\.gradient)
        let parts = key.split(whereSeparator: { $0 == "." || $0 == "/" }).map(String.init)
        for part in [key] + (parts.count > 1 ? parts : []) {
            let lower = part.lowercased()
            if let t = tensors.first(where: { $0.name.lowercased() == lower }) { return t.gradient }
            if let near = InputError.closest(part, in: gradients) ?? InputError.closest("d" + part, in: gradients) { return near }
            let longer = gradients.filter { $0.lowercased().hasPrefix(lower) }
            if !part.isEmpty, longer.count == 1 { return longer[0] }
        }
        return nil
    }

    /// Bad input when a gradient file's keys are another layout's than the fixture's.
    private static func refuseOtherLayout(_ keys: [String], layout: Layout, wanted: [String], source: String) throws(InputError) {
        guard let other = Layout.detect(keys: keys), other != layout else { return }
        throw InputError(source: source, expected: "the \(layout.rawValue) layout's gradient names, as the fixture's (\(wanted.joined(separator: " ")))",
                         found: "the \(other.rawValue) layout's (\(keys.prefix(5).joined(separator: " "))\(keys.count > 5 ? " …" : ""))")
    }

    /// The user's tensor in the Coursera shape, and how it was stored when not so: transposed,
    /// or a bias (n × 1) left with one column per example (n × m), which is read summed.
    static func conform(_ t: Tensor, to shape: [Int], batch m: Int, source: String, key: String) throws(InputError) -> (Tensor, DiagnosisKind?) {
        if t.shape == shape { return (t, nil) }
        if t.shape.filter({ $0 != 1 }) == shape.filter({ $0 != 1 }) { return (Tensor(shape: shape, data: t.data), nil) }
        if t.shape.count == 2, shape.count == 2, t.shape == [shape[1], shape[0]] { return (Tensor(t.matrix.transposed), .transpose) }
        if m > 1, shape.count == 2, shape[1] == 1, t.shape == [shape[0], m] { return (Tensor(shape: shape, data: t.matrix.rowSums().storage), .unsummedBatch) }
        throw InputError(source: source, key: key, expected: "shape \(shapeText(shape))", found: shapeText(t.shape))
    }

    /// A gradient kept per example whose sum over the batch is right.
    private static func unsummed(_ fileKey: String, _ stored: [Int], _ c: TensorComparison, batchLetter: String, fix: String) -> Diagnosis {
        Diagnosis(kind: .unsummedBatch, evidence: c.relativeError, subject: fileKey,
                  predicate: "holds one entry per example (\(shapeText(stored))): summed over the batch (\(batchLetter)) it is right, so the sum over the batch is missing.",
                  fix: fix)
    }

    /// The `count` elements with the largest `|g − r|`, worst first (ties by position).
    static func worst(_ g: Tensor, _ r: Tensor, count: Int) -> [VerifiedTensor.Element] {
        g.data.indices.sorted { a, b in
            let da = abs(g.data[a] - r.data[a]), db = abs(g.data[b] - r.data[b])
            return da != db ? da > db : a < b
        }.prefix(count).map { VerifiedTensor.Element(index: g.index(ofFlat: $0), user: g.data[$0], reference: r.data[$0]) }
    }
}
