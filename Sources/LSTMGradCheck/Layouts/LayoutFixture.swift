/// Fixtures in a framework's layout (cs231n, PyTorch, Keras): read into the cell's typed
/// problem through the layout's `LayoutMap`, and written back from it. The document is
///
///     {"name", "description", "layout", "cell", "batch_first" (PyTorch, optional),
///      "reset_after" (a Keras GRU, optional: false is `GRUResetBefore`),
///      "parameters": {the layout's parameter names},
///      the inputs, the initial states (optional: zeros), the upstream gradient
///      (or cs231n's "captions" and "mask")}
///
/// in the layout's names and shapes (`Layout`); any other key is an error naming the closest
/// known one, and every shape error names the layout's key and the shape in its letters.
enum LayoutFixture {
    /// The top-level keys of a fixture of cell `kind` in `layout`, in the order they are written.
    static func topLevelKeys(_ layout: Layout, _ kind: CellKind) -> [String] {
        var keys = ["name", "description", "layout", "cell"] + (layout == .pytorch ? ["batch_first"] : [])
        if takesResetAfter(layout, kind) { keys.append("reset_after") }
        keys += ["parameters", layout.inputKey, layout.hiddenKey]
        if hasCellState(layout, kind) { keys.append("c0") }
        keys += layout == .cs231n ? ["dout", "captions", "mask"] : [layout.upstreamKey]
        return keys
    }

    /// Keras says which of its GRUs a layer is with `reset_after`; no other layout has two.
    static func takesResetAfter(_ layout: Layout, _ kind: CellKind) -> Bool {
        layout == .keras && (kind == .gru || kind == .gruResetBefore)
    }

    /// The cell a fixture's `"cell"` and `"reset_after"` name together: in Keras' layout
    /// `"cell": "gru"` with `"reset_after": false` is `keras.layers.GRU(reset_after=False)`, the
    /// reset-before GRU; true, or no key, is Keras' default, PyTorch's GRU. Any other layout,
    /// or cell, with the key is refused: PyTorch's GRU always resets after.
    static func cellKind(_ json: JSONValue, layout: Layout, named kind: CellKind, source: String) throws(InputError) -> CellKind {
        guard let flag = json["reset_after"] else { return kind }
        guard layout == .keras else {
            let why = layout == .pytorch ? "torch.nn.GRU always applies the reset gate after W_hn·h + b_hn; reset_after=False is Keras'"
                                         : "only Keras' GRU has it; in this layout say \"cell\": \"gru-reset-before\""
            throw InputError(source: source, key: "reset_after", expected: "no reset_after in the \(layout.rawValue) layout (\(why))")
        }
        guard case .bool(let after) = flag else {
            throw InputError(source: source, key: "reset_after", expected: "true or false", found: flag.kindDescription)
        }
        switch (kind, after) {
        case (.gru, false): return .gruResetBefore
        case (.gru, true), (.gruResetBefore, false): return kind
        case (.gruResetBefore, true):
            throw InputError(source: source, key: "reset_after", expected: "false, or no reset_after, for \"cell\": \"gru-reset-before\"", found: "true")
        default:
            throw InputError(source: source, key: "reset_after", expected: "no reset_after for a \(kind.rawValue) (only Keras' GRU has it)")
        }
    }

    /// The `"cell"` and `"reset_after"` a fixture of cell `kind` says in `layout`: Keras writes
    /// its reset-before GRU as `"gru"` with `"reset_after": false`, as its layer is configured.
    static func fileCell(_ kind: CellKind, _ layout: Layout) -> (cell: String, resetAfter: Bool?) {
        layout == .keras && kind == .gruResetBefore ? (CellKind.gru.rawValue, false) : (kind.rawValue, nil)
    }

    /// Said of an unknown key that is no slip of one of `known` but another layout's own name
    /// (`kernel` in a cs231n file): nil when a known name is near, so the suggestion is said.
    static func otherLayoutNote(_ key: String, known: [String], layout: Layout) -> String? {
        guard InputError.suggestion(key, in: known) == nil,
              let other = Layout.allCases.first(where: { $0 != layout && $0.distinctiveKeys.contains(key) }) else { return nil }
        return "\"\(key)\" is the \(other.rawValue) layout's name, and this file is in the \(layout.rawValue) layout"
    }

    static func hasCellState(_ layout: Layout, _ kind: CellKind) -> Bool {
        func state<C: Cell>(_: C.Type) -> Bool { C.hasCellState }
        return state(kind.cell) && layout != .cs231n
    }

    // MARK: Reading

    /// The problem of cell `C` in a `layout` fixture, and how the file spelled it. The caller
    /// has checked the top-level keys, the layout and the cell.
    static func decode<C: Cell>(_ json: JSONValue, _: C.Type, layout: Layout, source: String) throws(InputError) -> (Problem<C, Double>, LayoutForm) {
        let reader = LayoutReader(json: json, source: source, layout: layout)
        var form = LayoutForm(layout)
        if let flag = json["batch_first"] {
            guard case .bool(let b) = flag else {
                throw InputError(source: source, key: "batch_first", expected: "true or false", found: flag.kindDescription)
            }
            form.batchFirst = b
        }
        guard let order = layout.gateOrder(C.kind) else {
            throw InputError(source: source, key: "cell", expected: "a cell the \(layout.rawValue) layout stacks")
        }
        let G = order.count
        let parameterKeys = [layout.inputWeightKey, layout.stateWeightKey] + layout.biasKeys + (layout == .cs231n ? ["W_vocab", "b_vocab"] : [])
        let letters = layout.sizeLetters
        let stack = G == 1 ? letters.hidden : "\(G)\(letters.hidden)"
        guard let params = json["parameters"], case .object(let members) = params else {
            throw InputError(source: source, key: "parameters",
                             expected: "an object with \(parameterKeys.prefix(2 + layout.biasKeys.count).joined(separator: " "))",
                             found: json["parameters"]?.kindDescription ?? "none")
        }
        for member in members where !parameterKeys.contains(member.key) {
            throw InputError.unknownKey(member.key, in: parameterKeys, source: source, what: "\(layout.rawValue) \(C.kind.rawValue) parameter",
                                        keyPrefix: "parameters.", note: otherLayoutNote(member.key, known: parameterKeys, layout: layout))
        }

        // The sizes: N, T, D from the inputs, H from the recurrent weight, V from W_vocab.
        let batchMajor = !layout.stacksRows || form.batchFirst
        let sequenceText = batchMajor ? [letters.batch, letters.steps, letters.input] : [letters.steps, letters.batch, letters.input]
        let input = try reader.tensor(layout.inputKey, in: json)
        guard input.shape.count == 3, input.shape.allSatisfy({ $0 >= 1 }) else {
            throw InputError(source: source, key: layout.inputKey, expected: "an array of shape \(sequenceText.joined(separator: " × "))",
                             found: shapeText(input.shape))
        }
        let (N, T, D) = batchMajor ? (input.shape[0], input.shape[1], input.shape[2]) : (input.shape[1], input.shape[0], input.shape[2])
        let recurrent = try reader.tensor(layout.stateWeightKey, in: params, prefix: "parameters.")
        let stateText = layout.stacksRows ? "\(stack) × \(letters.hidden)" : "\(letters.hidden) × \(stack)"
        let H = recurrent.shape.count == 2 ? recurrent.shape[layout.stacksRows ? 1 : 0] : 0
        guard H >= 1, recurrent.shape == (layout.stacksRows ? [G * H, H] : [H, G * H]) else {
            // The weight's own axes cannot be trusted for H (a transposed H × 4H reads as H = 4H):
            // the other tensors say it.
            let h = reader.hiddenSize(in: params, gates: G) ?? H
            throw InputError(source: source, key: "parameters.\(layout.stateWeightKey)", expected: "a matrix of shape \(stateText)"
                             + (h >= 1 ? " = \(layout.stacksRows ? G * h : h) × \(layout.stacksRows ? h : G * h)" : ""),
                             found: shapeText(recurrent.shape))
        }

        // The target, and with captions the output layer's size V.
        var V = 0
        let captioning = layout == .cs231n && (json["captions"] != nil || json["mask"] != nil)
        if layout == .cs231n {
            if captioning, json["dout"] != nil {
                throw InputError(source: source, key: "dout", expected: "either an upstream gradient \"dout\" or \"captions\" with \"mask\", not both")
            }
            if !captioning, json["dout"] == nil {
                throw InputError(source: source, key: "dout",
                                 expected: "an upstream gradient \"dout\" (N × T × H) or \"captions\" and \"mask\" (N × T)", found: "neither")
            }
            if captioning {
                guard params["W_vocab"] != nil, params["b_vocab"] != nil else {
                    throw InputError(source: source, key: "parameters.\(params["W_vocab"] == nil ? "W_vocab" : "b_vocab")",
                                     expected: "the temporal affine layer W_vocab (H × V) and b_vocab (V) when \"captions\" are given", found: "none")
                }
                let Wv = try reader.tensor("W_vocab", in: params, prefix: "parameters.")
                guard Wv.shape.count == 2, Wv.shape[0] == H, Wv.shape[1] >= 1 else {
                    throw InputError(source: source, key: "parameters.W_vocab", expected: "a matrix of shape H × V = \(H) × V",
                                     found: shapeText(Wv.shape))
                }
                V = Wv.shape[1]
            } else if let extra = ["W_vocab", "b_vocab"].first(where: { params[$0] != nil }) {
                throw InputError(source: source, key: "parameters.\(extra)",
                                 expected: "no temporal affine layer with an upstream \"dout\" (the loss is Σ dout ⊙ h); it goes with \"captions\" and \"mask\"")
            }
        }
        let dims = Dims(n_x: D, n_a: H, n_y: V, steps: T, batch: N)
        guard let map = LayoutMap<C>(form: form, dims: dims, hasOutputLayer: captioning) else {
            throw InputError(source: source, key: "cell", expected: "a cell the \(layout.rawValue) layout stacks")
        }

        var files: [String: Tensor] = [:]
        for e in map.parameterEntries {
            if case .bias = e.role, takesResetAfter(layout, C.kind) { try reader.kerasGRUBias(e, in: params, twoRows: map.stacksBiasRows) }
            files[e.key] = try reader.tensor(e, in: params, prefix: "parameters.")
        }
        var a0 = Matrix<Double>(rows: H, cols: N), c0: Matrix<Double>? = map.hasCellState ? Matrix(rows: H, cols: N) : nil
        var x: [Matrix<Double>] = []
        for e in map.stateEntries {
            guard json[e.key] != nil || e.role == .input else {
                form.absentStates.insert(e.key)
                continue
            }
            let t = try reader.tensor(e, in: json)
            switch e.role {
            case .input: x = map.typedSequence(t).steps
            case .hidden: a0 = map.typedState(t)
            case .cell: c0 = map.typedState(t)
            default: break
            }
        }
        if layout.biasKeys.count == 2, !map.splitsBiases, let ih = files[layout.biasKeys[0]], let hh = files[layout.biasKeys[1]] {
            form.biases = SplitBias(ih: ih.data, hh: hh.data)
        }

        let target: Target
        if captioning {
            let captions = try reader.integers("captions", shape: [N, T], range: 0..<V, what: "a word index, a whole number from 0 to \(V - 1)")
            let mask = try reader.integers("mask", shape: [N, T], range: 0..<2, what: "0 or 1")
            target = .maskedLabels(labels: (0..<T).map { t in (0..<N).map { captions[$0 * T + t] } },
                                   mask: (0..<T).map { t in (0..<N).map { mask[$0 * T + t] == 1 } },
                                   scale: 1 / Double(N))
        } else {
            let (shape, text) = map.upstreamShape
            let upstream = try reader.tensor(LayoutEntry(role: .input, key: layout.upstreamKey, gradientKey: layout.upstreamKey,
                                                         shape: shape, shapeText: text), in: json)
            target = .upstream(map.typedSequence(upstream).steps)
        }

        let parameters = map.parameters(files, gradient: false)
        let weights = Weights<C, Double> { p in
            if let m = parameters(p) { return m }
            // Only the output layer is absent: the loss does not read it.
            let (_, cols) = C.shape(of: p, dims)
            return Matrix(rows: 0, cols: cols)
        }
        return (Problem(weights: weights, a0: a0, c0: c0, x: x, target: target), form)
    }

    // MARK: Writing

    /// `problem` as a fixture document in `form`'s layout; an error when the layout cannot
    /// express it (its target, or a cell state cs231n does not have).
    static func encode<C: Cell>(_ problem: Problem<C, Double>, form: LayoutForm, name: String, description: String?) throws(InputError) -> JSONValue {
        let layout = form.layout, source = name
        guard let map = LayoutMap<C>(form: form, problem: problem) else {
            let note = C.kind == .gruResetBefore ? " (the reset-before GRU is Keras' reset_after=False; PyTorch's GRU is --cell gru)" : ""
            throw InputError(source: source, key: "cell", expected: "a cell the \(layout.rawValue) layout stacks",
                             found: "\"\(C.kind.rawValue)\"\(note)")
        }
        let d = problem.dims
        switch problem.target {
        case .upstream:
            break
        case .maskedLabels(_, _, let scale) where layout == .cs231n:
            guard scale == 1 / Double(d.batch) else {
                throw InputError(source: source, key: "captions", expected: "the captioning loss averaged over N = \(d.batch) (scale 1/N)",
                                 found: "scale \(scale)")
            }
        case .labels, .maskedLabels:
            let takes = layout == .cs231n ? "an upstream \"dout\", or \"captions\" with \"mask\"" : "an upstream \"\(layout.upstreamKey)\""
            throw InputError(source: source, key: "target", expected: "\(takes) in the \(layout.rawValue) layout (Layout.defaultForm turns a problem into one)",
                             found: "class labels")
        }
        if C.hasCellState, !map.hasCellState, problem.hasC0, problem.c0.storage.contains(where: { $0 != 0 }) {
            throw InputError(source: source, key: "c0", expected: "no initial cell state in the \(layout.rawValue) layout (its LSTM starts from c = 0)",
                             found: "a non-zero c0")
        }
        var members = [JSONMember("name", .string(name))]
        if let description { members.append(JSONMember("description", .string(description))) }
        let (cell, resetAfter) = fileCell(C.kind, layout)
        members += [JSONMember("layout", .string(layout.rawValue)), JSONMember("cell", .string(cell))]
        if let resetAfter { members.append(JSONMember("reset_after", .bool(resetAfter))) }
        if form.batchFirst && layout == .pytorch { members.append(JSONMember("batch_first", .bool(true))) }
        let values = map.values(problem)
        members.append(JSONMember("parameters", .object(map.parameterEntries.compactMap { e in
            values[e.key].map { JSONMember(e.key, JSONArrays.json($0)) }
        })))
        for e in map.stateEntries {
            if e.role == .cell && !problem.hasC0 { continue }
            if form.absentStates.contains(e.key), let t = values[e.key], t.data.allSatisfy({ $0 == 0 }) { continue }
            if let t = values[e.key] { members.append(JSONMember(e.key, JSONArrays.json(t))) }
        }
        switch problem.target {
        case .upstream(let da):
            var padded = da.prefix(d.steps).map { $0 }
            while padded.count < d.steps { padded.append(Matrix(rows: d.n_a, cols: d.batch)) }
            members.append(JSONMember(layout.upstreamKey, JSONArrays.json(map.fileSequence(Tensor(steps: padded, rows: d.n_a, cols: d.batch)))))
        case .maskedLabels(let labels, let mask, _):
            func integers(_ value: (Int, Int) -> Int) -> JSONValue {
                .array((0..<d.batch).map { n in .array((0..<d.steps).map { t in .number(Double(value(t, n))) }) })
            }
            members.append(JSONMember("captions", integers { labels[$0][$1] }))
            members.append(JSONMember("mask", integers { mask[$0][$1] ? 1 : 0 }))
        case .labels:
            break
        }
        return .object(members)
    }
}

/// Reads the tensors of one layout fixture, naming `source`, the key and the layout's shape in errors.
private struct LayoutReader {
    let json: JSONValue
    let source: String
    let layout: Layout

    func tensor(_ key: String, in object: JSONValue, prefix: String = "") throws(InputError) -> Tensor {
        guard let value = object[key] else {
            throw InputError(source: source, key: prefix + key, expected: "a value", found: "none (the key is missing)")
        }
        return try JSONArrays.tensor(value, source: source, key: prefix + key)
    }

    /// H as the tensors other than the recurrent weight say it: the input weight's stacked axis
    /// (4H for an LSTM) over `gates`, else the last axis of the initial hidden state or the
    /// upstream gradient (H in every layout); nil when none says.
    func hiddenSize(in params: JSONValue, gates: Int) -> Int? {
        if let w = try? tensor(layout.inputWeightKey, in: params), w.shape.count == 2 {
            let stacked = w.shape[layout.stacksRows ? 0 : 1]
            if stacked >= gates, stacked % gates == 0 { return stacked / gates }
        }
        for key in [layout.hiddenKey, layout.upstreamKey] {
            if let t = try? tensor(key, in: json), let last = t.shape.last, last >= 1 { return last }
        }
        return nil
    }

    /// Entry `e`, which must have exactly its shape.
    func tensor(_ e: LayoutEntry, in object: JSONValue, prefix: String = "") throws(InputError) -> Tensor {
        let t = try tensor(e.key, in: object, prefix: prefix)
        guard t.shape == e.shape else {
            let what = e.shape.count == 1 ? "a vector" : e.shape.count == 2 ? "a matrix" : "an array"
            throw InputError(source: source, key: prefix + e.key,
                             expected: "\(what) of shape \(e.shapeText) = \(e.shape.map(String.init).joined(separator: " × "))",
                             found: shapeText(t.shape))
        }
        return t
    }

    /// Keras' GRU bias in the other `reset_after`'s shape (two rows for true, one for false):
    /// the error says which key to change.
    func kerasGRUBias(_ e: LayoutEntry, in object: JSONValue, twoRows: Bool) throws(InputError) {
        let t = try tensor(e.key, in: object, prefix: "parameters.")
        let stack = e.shape[e.shape.count - 1]
        guard t.shape == (twoRows ? [stack] : [2, stack]) else { return }
        let hint = twoRows ? "reset_after=False's one-row bias: add \"reset_after\": false" : "reset_after=True's two-row bias: drop \"reset_after\": false"
        throw InputError(source: source, key: "parameters.\(e.key)",
                         expected: "\(twoRows ? "a matrix" : "a vector") of shape \(e.shapeText) = \(e.shape.map(String.init).joined(separator: " × "))",
                         found: "\(shapeText(t.shape)) (\(hint))")
    }

    /// A top-level array of whole numbers in `range`, C order.
    func integers(_ key: String, shape: [Int], range: Range<Int>, what: String) throws(InputError) -> [Int] {
        let t = try tensor(key, in: json)
        let letters = layout.sizeLetters
        guard t.shape == shape else {
            throw InputError(source: source, key: key, expected: "an array of shape \(letters.batch) × \(letters.steps) = \(shape.map(String.init).joined(separator: " × "))",
                             found: shapeText(t.shape))
        }
        var out: [Int] = []
        out.reserveCapacity(t.count)
        for (k, v) in t.data.enumerated() {
            guard v == v.rounded(), v >= Double(range.lowerBound), v < Double(range.upperBound) else {
                throw InputError(source: source, key: "\(key)\(t.index(ofFlat: k))", expected: what, found: "\(v)")
            }
            out.append(Int(v))
        }
        return out
    }
}

extension Layout {
    /// `problem` as this layout's fixtures hold it by default: unchanged for Coursera; for the
    /// frameworks, an upstream gradient over every step in place of class labels (the loss
    /// `Σ upstream ⊙ h`, as cs231n's gradient check and a framework's `backward(grad_output)`
    /// use), drawn uniform in [−1, 1) from `SeededGenerator(seed: seed ^ 0x6C61796F7574)`, step
    /// by step, each step's n_a × m in C order; the output layer dropped; and the initial cell
    /// state given (zeros unless the problem had one) where the layout takes one, absent for
    /// cs231n. An upstream target is kept as it is.
    public func defaultForm<C: Cell>(of problem: Problem<C, Double>, seed: UInt64) -> Problem<C, Double> {
        guard self != .coursera else { return problem }
        var p = problem
        if p.hasOutputLayer { p = p.withUpstreamGradient(seed: seed ^ 0x6C61_796F_7574) }
        if self == .cs231n {
            p.c0 = Matrix(rows: p.a0.rows, cols: p.a0.cols)
            p.hasC0 = false
        } else {
            p.hasC0 = C.hasCellState
        }
        return p
    }

    /// `fixture` in this layout's default form (`defaultForm(of:seed:)`), ready for
    /// `FixtureFile.encode`; an error when the layout does not hold the fixture's cell.
    public func defaultForm(of fixture: Fixture, seed: UInt64) throws(InputError) -> Fixture {
        guard holds(fixture.network.kind) else {
            throw InputError(source: fixture.name, key: "cell", expected: "a cell the \(rawValue) layout holds",
                             found: "\"\(fixture.network.kind.rawValue)\"")
        }
        func convert<P: CellProblem>(_ p: P) -> any CellProblem { defaultForm(of: p.typed, seed: seed) }
        var out = fixture
        out.network = convert(fixture.network)
        out.form = LayoutForm(self)
        return out
    }
}
