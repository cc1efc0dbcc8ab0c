/// One tensor of a file in a layout: its key, the key of its gradient, its shape and the
/// shape in the layout's letters (`D × 4H`).
struct LayoutEntry: Sendable, Equatable {
    enum Role: Sendable, Equatable {
        /// The gates' weights on x_t, stacked (`Wx`, `weight_ih_l0`, `kernel`).
        case inputWeight
        /// The gates' weights on h_{t−1}, stacked (`Wh`, `weight_hh_l0`, `recurrent_kernel`).
        case stateWeight
        /// The gates' biases, stacked; PyTorch's `bias_ih_l0` is bias 0, `bias_hh_l0` bias 1
        /// (Keras' two-row GRU `bias` is bias 0, both rows).
        case bias(Int)
        /// cs231n's temporal affine layer: `W_vocab` (H, V) and `b_vocab` (V).
        case outputWeight
        case outputBias
        /// The initial hidden and cell states (`h0`, `c0`).
        case hidden
        case cell
        /// The inputs x.
        case input
    }

    var role: Role
    var key: String
    var gradientKey: String
    var shape: [Int]
    var shapeText: String
    /// Inside the fixture's `"parameters"` object.
    var isParameter: Bool {
        switch role {
        case .inputWeight, .stateWeight, .bias, .outputWeight, .outputBias: return true
        case .hidden, .cell, .input: return false
        }
    }
    /// Whether the entry stacks gate blocks (along its `gateAxis`).
    var isStacked: Bool {
        switch role {
        case .inputWeight, .stateWeight, .bias: return true
        default: return false
        }
    }
}

/// The mapping between a cell's typed inputs and a layout's file tensors, for one problem's
/// sizes: which tensors the file has, in what shapes, and how each is made of the cell's
/// parameters and states (and back). Values and gradients map alike — every map is a
/// permutation, a transpose or a change of shape — except PyTorch's two biases for a cell with
/// one bias per gate (the LSTM): their values add up to the cell's bias, and each one's
/// gradient is that bias's gradient. A cell that keeps the recurrent side's bias apart (the
/// GRU, `GateBlock.stateBias`) has each of PyTorch's biases, or each row of Keras' two-row
/// `bias`, mapped to its own parameters.
struct LayoutMap<C: Cell>: Sendable {
    let form: LayoutForm
    let dims: Dims
    /// The layout's gate letters and the cell's blocks, in the layout's order.
    let gates: [(letter: String, block: GateBlock<C>)]
    /// The loss reads an output layer (cs231n's captioning loss).
    let hasOutputLayer: Bool
    /// The file has a `c0` (a cell with a cell state, in a layout that takes one).
    let hasCellState: Bool

    var layout: Layout { form.layout }

    /// Whether the cell keeps each gate's recurrent-side bias apart, so that a layout's two
    /// biases map one to one rather than add up.
    var splitsBiases: Bool { gates.allSatisfy { $0.block.stateBias != nil } }

    /// Keras holds such a cell's two biases as the rows of one `bias` (2 × 3H), as its
    /// `GRU(reset_after=True)` does.
    var stacksBiasRows: Bool { layout == .keras && splitsBiases }

    /// The cell's parameters that bias entry `index` holds, one list per row of the entry, each
    /// in the layout's gate order; every bias entry holds the one bias of a cell without
    /// `stateBias` (PyTorch's two then add up).
    func biasRows(_ index: Int) -> [[C.Parameter]] {
        let input = gates.map(\.block.bias), state = gates.compactMap(\.block.stateBias)
        guard splitsBiases else { return [input] }
        if stacksBiasRows { return [input, state] }
        return [index == 0 ? input : state]
    }

    /// The parameters whose gradient bias entry `index` of a gradient file gives: all of them
    /// for split biases; without, the first entry alone (the others should equal it).
    func biasSources(_ index: Int) -> [C.Parameter] {
        splitsBiases || index == 0 ? biasRows(index).flatMap { $0 } : []
    }

    /// nil when the layout does not hold cell `C`.
    init?(form: LayoutForm, dims: Dims, hasOutputLayer: Bool) {
        guard let order = form.layout.gateOrder(C.kind) else { return nil }
        var gates: [(letter: String, block: GateBlock<C>)] = []
        for letter in order {
            guard let block = C.gateBlock(letter) else { return nil }
            gates.append((letter, block))
        }
        self.form = form
        self.dims = dims
        self.gates = gates
        // Only cs231n's captioning loss has an output layer among the frameworks' files.
        self.hasOutputLayer = hasOutputLayer && form.layout == .cs231n
        hasCellState = C.hasCellState && form.layout != .cs231n
    }

    init?(form: LayoutForm, problem: Problem<C, Double>) {
        self.init(form: form, dims: problem.dims, hasOutputLayer: problem.hasOutputLayer)
    }

    // MARK: Entries

    var letters: (batch: String, steps: String, input: String, hidden: String, classes: String) { layout.sizeLetters }

    /// `4H` (or `H` for one block).
    var stackText: String { gates.count == 1 ? letters.hidden : "\(gates.count)\(letters.hidden)" }
    var stackSize: Int { gates.count * dims.n_a }

    private func entry(_ role: LayoutEntry.Role, _ key: String, _ shape: [Int], _ text: [String]) -> LayoutEntry {
        LayoutEntry(role: role, key: key, gradientKey: layout.gradientKey(key), shape: shape, shapeText: text.joined(separator: " × "))
    }

    /// The parameters, in the order the layout writes them.
    var parameterEntries: [LayoutEntry] {
        let (D, H, V, G) = (dims.n_x, dims.n_a, dims.n_y, stackSize)
        var out: [LayoutEntry]
        if layout.stacksRows {
            out = [entry(.inputWeight, layout.inputWeightKey, [G, D], [stackText, letters.input]),
                   entry(.stateWeight, layout.stateWeightKey, [G, H], [stackText, letters.hidden])]
        } else {
            out = [entry(.inputWeight, layout.inputWeightKey, [D, G], [letters.input, stackText]),
                   entry(.stateWeight, layout.stateWeightKey, [H, G], [letters.hidden, stackText])]
        }
        out += layout.biasKeys.enumerated().map {
            stacksBiasRows ? entry(.bias($0.offset), $0.element, [2, G], ["2", stackText]) : entry(.bias($0.offset), $0.element, [G], [stackText])
        }
        if hasOutputLayer {
            out += [entry(.outputWeight, "W_vocab", [H, V], [letters.hidden, letters.classes]),
                    entry(.outputBias, "b_vocab", [V], [letters.classes])]
        }
        return out
    }

    /// The inputs and initial states, in the order the layout writes them.
    var stateEntries: [LayoutEntry] {
        let (N, T, D, H) = (dims.batch, dims.steps, dims.n_x, dims.n_a)
        let batchMajor = !layout.stacksRows || form.batchFirst
        var out = [batchMajor ? entry(.input, layout.inputKey, [N, T, D], [letters.batch, letters.steps, letters.input])
                              : entry(.input, layout.inputKey, [T, N, D], [letters.steps, letters.batch, letters.input])]
        let stateShape = layout == .pytorch ? [1, N, H] : [N, H]
        let stateText = (layout == .pytorch ? ["1"] : []) + [letters.batch, letters.hidden]
        out.append(entry(.hidden, layout.hiddenKey, stateShape, stateText))
        if hasCellState { out.append(entry(.cell, "c0", stateShape, stateText)) }
        return out
    }

    /// Every tensor whose gradient the layout reports, in its gradient files' order (cs231n's
    /// `dx dh0 dWx dWh db`, the frameworks' parameters first).
    var gradientEntries: [LayoutEntry] {
        layout == .cs231n ? stateEntries + parameterEntries : parameterEntries + stateEntries
    }

    /// The upstream gradient's shape (shaped like the hidden-state sequence) and its text.
    var upstreamShape: (shape: [Int], text: String) {
        let (N, T, H) = (dims.batch, dims.steps, dims.n_a)
        let batchMajor = !layout.stacksRows || form.batchFirst
        return batchMajor ? ([N, T, H], [letters.batch, letters.steps, letters.hidden].joined(separator: " × "))
                          : ([T, N, H], [letters.steps, letters.batch, letters.hidden].joined(separator: " × "))
    }

    /// The axis of an entry's tensor along which its gate blocks lie (columns, or rows for PyTorch).
    func gateAxis(_ e: LayoutEntry) -> Int? {
        switch e.role {
        case .inputWeight, .stateWeight: return layout.stacksRows ? 0 : 1
        case .bias: return stacksBiasRows ? 1 : 0
        default: return nil
        }
    }

    /// The axis of an entry's tensor that is time (the inputs'), and the batch axis.
    func sequenceAxes(_ e: LayoutEntry) -> (steps: Int, batch: Int)? {
        guard e.role == .input else { return nil }
        return !layout.stacksRows || form.batchFirst ? (1, 0) : (0, 1)
    }

    // MARK: Typed → file

    /// The file's tensors of a problem's values: PyTorch's biases, where they add up to the
    /// cell's one bias, as the file gave them while they still do (`LayoutForm.biases`).
    func values(_ problem: Problem<C, Double>) -> [String: Tensor] {
        var out = tensors(of: { problem.tensor($0) }, entries: parameterEntries + stateEntries)
        if layout.biasKeys.count == 2 && !splitsBiases {
            let sum = stacked { problem.weights[$0.bias] }
            if let split = form.biases, split.ih.count == sum.count, split.hh.count == sum.count,
               zip(zip(split.ih, split.hh), sum).allSatisfy({ $0.0 + $0.1 == $1 }) {
                out[layout.biasKeys[0]] = Tensor(shape: [sum.count], data: split.ih)
                out[layout.biasKeys[1]] = Tensor(shape: [sum.count], data: split.hh)
            } else {
                out[layout.biasKeys[1]] = Tensor(zeros: [sum.count])
            }
        }
        return out
    }

    /// The file's tensors of gradients in the cell's terms: each of PyTorch's biases gets the
    /// cell's bias gradient (its own, for split biases). Entries whose typed tensors `g` lacks are
    /// left out. Named by their gradient keys (`dWx`), or by `name` (`\.key`: the tensors' own,
    /// as a report's rows).
    func gradients(_ g: Gradients<C>, named name: KeyPath<LayoutEntry, String> = \.gradientKey) -> [(key: String, tensor: Tensor)] {
        let files = tensors(of: { g[$0] }, entries: gradientEntries)
        return gradientEntries.compactMap { e in files[e.key].map { (e[keyPath: name], $0) } }
    }

    private func stacked(_ bias: (GateBlock<C>) -> Matrix<Double>) -> [Double] { gates.flatMap { bias($0.block).storage } }

    private func columns(_ part: GateBlock<C>.Columns, of m: Matrix<Double>) -> Range<Int> {
        switch part {
        case .all: return 0..<m.cols
        case .state: return 0..<dims.n_a
        case .input: return dims.n_a..<(dims.n_a + dims.n_x)
        }
    }

    /// The tensors of `entries` built from the typed tensors `typed` gives (nil: not there).
    private func tensors(of typed: (Input<C>) -> Tensor?, entries: [LayoutEntry]) -> [String: Tensor] {
        var out: [String: Tensor] = [:]
        func matrix(_ p: C.Parameter) -> Matrix<Double>? { typed(.parameter(p))?.matrix }
        for e in entries {
            switch e.role {
            case .inputWeight, .stateWeight:
                var blocks: [Matrix<Double>] = []
                for (_, block) in gates {
                    let (p, part) = e.role == .inputWeight ? block.inputWeight : block.stateWeight
                    guard let m = matrix(p) else { break }
                    blocks.append(m.columns(columns(part, of: m)))
                }
                guard blocks.count == gates.count else { continue }
                let rows = Matrix.stacked(blocks)
                out[e.key] = Tensor(layout.stacksRows ? rows : rows.transposed)
            case .bias(let index):
                let parameters = biasRows(index).flatMap { $0 }
                let biases = parameters.compactMap(matrix)
                guard biases.count == parameters.count else { continue }
                out[e.key] = Tensor(shape: e.shape, data: biases.flatMap(\.storage))
            case .outputWeight:
                if let Wy = matrix(C.outputLayer.weight) { out[e.key] = Tensor(Wy.transposed) }
            case .outputBias:
                if let by = matrix(C.outputLayer.bias) { out[e.key] = Tensor(shape: e.shape, data: by.storage) }
            case .hidden, .cell:
                guard let state = typed(e.role == .hidden ? .a0 : .c0) else { continue }
                out[e.key] = Tensor(shape: e.shape, data: state.matrix.transposed.storage)
            case .input:
                guard let x = typed(.x) else { continue }
                out[e.key] = fileSequence(x)
            }
        }
        return out
    }

    /// A typed sequence (rows × m × T: `x`, or an upstream `da`) in the layout's axis order.
    func fileSequence(_ t: Tensor) -> Tensor {
        t.permuted(!layout.stacksRows || form.batchFirst ? .batchMajor : .timeMajor)
    }

    /// A sequence in the layout's axis order as a typed rows × m × T tensor.
    func typedSequence(_ t: Tensor) -> Tensor {
        t.permuted(!layout.stacksRows || form.batchFirst ? .fromBatchMajor : .timeMajor)
    }

    // MARK: File → typed

    /// The cell's parameters from the file's tensors (each already of its entry's shape).
    /// `gradient: true` reads PyTorch's `bias_ih_l0` alone as the cell's bias gradient (the two
    /// are each that gradient); values add the two biases. Split biases are read one to one.
    func parameters(_ files: [String: Tensor], gradient: Bool) -> (C.Parameter) -> Matrix<Double>? {
        var out: [C.Parameter: Matrix<Double>] = [:]
        func zeros(_ p: C.Parameter) -> Matrix<Double> {
            let (rows, cols) = C.shape(of: p, dims)
            return Matrix(rows: rows, cols: cols)
        }
        let H = dims.n_a
        for e in parameterEntries {
            guard let t = files[e.key] else { continue }
            switch e.role {
            case .inputWeight, .stateWeight:
                let rows = layout.stacksRows ? t.matrix : t.matrix.transposed
                for (k, (_, block)) in gates.enumerated() {
                    let (p, part) = e.role == .inputWeight ? block.inputWeight : block.stateWeight
                    var m = out[p] ?? zeros(p)
                    let range = columns(part, of: m)
                    for r in 0..<H {
                        for (j, c) in range.enumerated() { m[r, c] = rows[k * H + r, j] }
                    }
                    out[p] = m
                }
            case .bias(let index) where splitsBiases:
                for (p, k) in zip(biasRows(index).flatMap { $0 }, 0...) {
                    out[p] = Matrix(rows: H, cols: 1, storage: Array(t.data[(k * H)..<((k + 1) * H)]))
                }
            case .bias(let index):
                if gradient && index > 0 { continue }
                for (k, (_, block)) in gates.enumerated() {
                    var m = out[block.bias] ?? zeros(block.bias)
                    for r in 0..<H { m.storage[r] = index == 0 ? t.data[k * H + r] : m.storage[r] + t.data[k * H + r] }
                    out[block.bias] = m
                }
            case .outputWeight:
                out[C.outputLayer.weight] = t.matrix.transposed
            case .outputBias:
                out[C.outputLayer.bias] = Matrix(rows: t.count, cols: 1, storage: t.data)
            case .hidden, .cell, .input:
                break
            }
        }
        return { out[$0] }
    }

    /// An initial state (`h0`, `c0`) in the file's shape as the cell's n_a × m.
    func typedState(_ t: Tensor) -> Matrix<Double> {
        Matrix(rows: dims.batch, cols: dims.n_a, storage: t.data).transposed
    }

    /// Gradients in the cell's terms from a gradient file's tensors, keyed by gradient key
    /// and each in its entry's shape: the inverse of `gradients(_:)` for the tensors `inputs`
    /// lists (a parameter whose file tensors are missing is left out).
    func typedGradients(_ files: [String: Tensor], inputs: [Input<C>]) -> Gradients<C> {
        var byKey: [String: Tensor] = [:]
        for e in gradientEntries { byKey[e.key] = files[e.gradientKey] }
        let parameters = parameters(byKey, gradient: true)
        var out = Gradients<C>()
        for input in inputs {
            switch input {
            case .parameter(let p):
                let sources = parameterEntries.filter { e in
                    switch e.role {
                    case .inputWeight: return gates.contains { $0.block.inputWeight.parameter == p }
                    case .stateWeight: return gates.contains { $0.block.stateWeight.parameter == p }
                    case .bias(let k): return biasSources(k).contains(p)
                    case .outputWeight: return p == C.outputLayer.weight
                    case .outputBias: return p == C.outputLayer.bias
                    default: return false
                    }
                }
                if !sources.isEmpty, sources.allSatisfy({ byKey[$0.key] != nil }), let m = parameters(p) { out[input] = Tensor(m) }
            case .a0, .c0:
                if let e = stateEntries.first(where: { $0.role == (input == .a0 ? .hidden : .cell) }), let t = byKey[e.key] {
                    out[input] = Tensor(typedState(t))
                }
            case .x:
                if let e = stateEntries.first(where: { $0.role == .input }), let t = byKey[e.key] { out[input] = typedSequence(t) }
            }
        }
        return out
    }
}

extension LayoutMap {
    /// A gradient file in this layout as the locator reads it: `files` (the user's tensors by
    /// gradient key, each in its entry's shape) beside the right ones of `reference`, read back
    /// into the cell's terms for `inputs`; a tensor the file holds alone named by its key, a gate
    /// parameter by its blocks (`dWx and dWh's f blocks`), a gate's derivative by its block.
    func view(_ files: [String: Tensor], reference: Gradients<C>, inputs: [Input<C>]) -> FileView<C> {
        let rights = self.files(reference)
        var pairs: [String: (user: Tensor, right: Tensor)] = [:]
        for (key, u) in files { if let r = rights[key] { pairs[key] = (u, r) } }
        let entries = gradientEntries
        func key(_ input: Input<C>) -> String? {
            let role: LayoutEntry.Role
            switch input {
            case .x: role = .input
            case .a0: role = .hidden
            case .c0: role = .cell
            case .parameter(let p) where p == C.outputLayer.weight: role = .outputWeight
            case .parameter(let p) where p == C.outputLayer.bias: role = .outputBias
            case .parameter: return nil
            }
            return entries.first { $0.role == role }?.gradientKey
        }
        func letter(_ p: C.Parameter) -> String? {
            gates.first { g in [g.block.inputWeight.parameter, g.block.stateWeight.parameter, g.block.bias, g.block.stateBias].contains(p) }?.letter
        }
        func label(_ p: C.Parameter) -> String {
            guard let letter = letter(p) else { return Input<C>.parameter(p).gradientName }
            let holders = parameterEntries.filter { e in
                switch e.role {
                case .inputWeight: return gates.contains { $0.block.inputWeight.parameter == p }
                case .stateWeight: return gates.contains { $0.block.stateWeight.parameter == p }
                case .bias(let k): return biasSources(k).contains(p)
                default: return false
                }
            }.map(\.gradientKey)
            return "\(list(holders))'s \(letter) block\(holders.count == 1 ? "" : "s")"
        }
        func gate(_ site: GateSite<C>) -> (name: String, introduced: String) {
            let letter = site.parameters.lazy.compactMap(letter).first ?? "?"
            return ("the \(letter) block", "the \(letter) block of the stacked gate gradients, the notebook's \(site.variable)")
        }
        return FileView(files: pairs, user: typedGradients(files, inputs: inputs), key: key, label: label, gate: gate,
                        carry: "the state gradients each step hands back")
    }
}

/// A reordering of a sequence tensor's three axes, as NumPy's `transpose(axes)`: axis k of the
/// result is axis `axes[k]`. Only the reorderings the layouts use exist, so every one is a
/// permutation of three axes.
struct AxisPermutation: Sendable {
    let axes: [Int]
    private init(axes: [Int]) { self.axes = axes }

    /// A typed sequence (features, batch, time) as a batch-major file's (batch, time, features).
    static let batchMajor = AxisPermutation(axes: [1, 2, 0])
    /// The inverse: a batch-major file's sequence as a typed one.
    static let fromBatchMajor = AxisPermutation(axes: [2, 0, 1])
    /// Features and time exchanged: typed to time-major (time, batch, features) and back.
    static let timeMajor = AxisPermutation(axes: [2, 1, 0])
    /// A file's first two axes exchanged: batch-first read as time-first, or the other way.
    static let firstTwoExchanged = AxisPermutation(axes: [1, 0, 2])
}

extension Tensor {
    /// The tensor with its three axes reordered by `permutation`.
    func permuted(_ permutation: AxisPermutation) -> Tensor {
        let axes = permutation.axes
        let newShape = axes.map { shape[$0] }
        var strides = Array(repeating: 1, count: shape.count)
        for d in stride(from: shape.count - 2, through: 0, by: -1) { strides[d] = strides[d + 1] * shape[d + 1] }
        var out = Tensor(zeros: newShape)
        var index = Array(repeating: 0, count: shape.count)
        for k in out.data.indices {
            var source = 0
            for (d, axis) in axes.enumerated() { source += index[d] * strides[axis] }
            out.data[k] = data[source]
            var d = shape.count - 1
            while d >= 0 {
                index[d] += 1
                if index[d] < newShape[d] { break }
                index[d] = 0
                d -= 1
            }
        }
        return out
    }
}

extension Layout {
    /// Gradients in the cell's terms as this layout's file tensors, keyed and ordered as its
    /// gradient files are (`dx dh0 dWx dWh db` for cs231n; `weight_ih_l0 … input h0 c0` for
    /// PyTorch, each bias with the cell's bias gradient; `kernel … inputs h0 c0` for Keras), in
    /// `form` (PyTorch's `batch_first`). The sizes are read from the gradients (`x`, `a0`).
    public func gradients<C: Cell>(_ g: Gradients<C>, form: LayoutForm? = nil) throws(InputError) -> [(key: String, tensor: Tensor)] {
        let form = form ?? LayoutForm(self)
        guard self != .coursera else { return g.inputs.compactMap { input in g[input].map { (input.gradientName, $0) } } }
        guard let x = g[.x], x.shape.count == 3, let a0 = g[.a0], a0.shape.count == 2 else {
            throw InputError(source: "gradients", key: "x", expected: "the gradients of x and a0, which give the sizes")
        }
        let Wy = g[.parameter(C.outputLayer.weight)]
        if Wy != nil && self != .cs231n {
            throw InputError(source: "gradients", key: C.outputLayer.weight.name,
                             expected: "no output layer in the \(rawValue) layout (its loss is Σ grad_output ⊙ h)", found: "its gradient")
        }
        let dims = Dims(n_x: x.shape[0], n_a: a0.shape[0], n_y: Wy?.shape[0] ?? 0, steps: x.shape[2], batch: x.shape[1])
        guard let map = LayoutMap<C>(form: form, dims: dims, hasOutputLayer: Wy != nil) else {
            throw InputError(source: "gradients", key: "cell", expected: "a cell the \(rawValue) layout holds", found: "\"\(C.kind.rawValue)\"")
        }
        return map.gradients(g)
    }

    /// A gradient file's tensors in this layout (keyed by gradient key, each in its layout
    /// shape) as gradients in the cell's terms for `problem`, the inverse of `gradients(_:form:)`:
    /// PyTorch's `bias_ih_l0` gradient is taken as the cell's bias gradient (the two should be
    /// equal; `Verify` holds each to it). Tensors the file lacks are left out.
    public func typedGradients<C: Cell>(_ files: [String: Tensor], for problem: Problem<C, Double>,
                                        form: LayoutForm? = nil) -> Gradients<C>? {
        guard self != .coursera else {
            var out = Gradients<C>()
            for input in problem.inputs { out[input] = files[input.gradientName] }
            return out
        }
        guard let map = LayoutMap<C>(form: form ?? LayoutForm(self), problem: problem) else { return nil }
        return map.typedGradients(files, inputs: problem.inputs)
    }
}
