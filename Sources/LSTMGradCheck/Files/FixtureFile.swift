/// A problem of some cell in `Double`: what a fixture holds. Generic code opens it
/// (`func f<P: CellProblem>(_ p: P)` takes an `any CellProblem`) and works on `typed`.
public protocol CellProblem: Sendable {
    associatedtype C: Cell
    var typed: Problem<C, Double> { get }
}

extension Problem: CellProblem where S == Double {
    public var typed: Problem<C, Double> { self }
}

extension CellProblem {
    public var kind: CellKind { C.kind }
    public var dims: Dims { typed.dims }
    public var target: Target { typed.target }
    /// The names of the tensors the loss is differentiated with respect to, in report order.
    public var inputNames: [String] { typed.inputs.map(\.name) }

    /// The shape of the input called `name` (a name the problem's own reports use); empty
    /// when the problem has no such input.
    public func shape(of name: String) -> [Int] {
        typed.inputs.first { $0.name == name }.map(typed.shape(of:)) ?? []
    }
}

/// A named network with its inputs and target, as stored in `Fixtures/*.json`, and the layout
/// its file was written in (`form`: the layout, and what it needs to write the file back as it
/// was — PyTorch's `batch_first` and two biases, the initial states left out).
public struct Fixture: Sendable {
    public var name: String
    public var description: String?
    public var network: any CellProblem
    public var form: LayoutForm
    /// The keys the layout was told by, when the file did not say (`"layout"`) and no layout
    /// was asked for: a reader says which layout it took, and why.
    public var layoutDetectedFrom: [String]?

    public init(name: String, description: String? = nil, network: any CellProblem, form: LayoutForm = .coursera) {
        self.name = name
        self.description = description
        self.network = network
        self.form = form
    }

    /// The layout the fixture's file is in.
    public var layout: Layout { form.layout }
}

/// The fixture format. By default Coursera's names and shapes, so a NumPy user can `json.dump`
/// their arrays unchanged: the top-level keys are `name`, `description`, `layout`, `cell`, `dims`,
/// `parameters` (the cell's parameter names), `a0`, `c0`, `x`, `y` or `da`, and `expect` (what
/// the fixture regression expects). With `"layout": "cs231n"`, `"pytorch"` or `"keras"` the
/// file is in that framework's names and shapes instead (`Layout`, `LayoutFixture`). Any other
/// key, or a parameter the cell does not have, is an error that names the closest known key.
public enum FixtureFile {
    /// The top-level keys a Coursera fixture may hold.
    static let topLevelKeys = ["name", "description", "layout", "cell", "dims", "parameters", "a0", "c0", "x", "y", "da", "expect"]

    /// Reads and validates the fixture at `path` (see `decode`); `name` defaults to the file's stem.
    public static func read(_ path: String, limits: Limits = .machineDefault, layout: Layout? = nil) throws(InputError) -> Fixture {
        let json = try FileAccess.json(try FileAccess.read(path, maxBytes: limits.maxFileBytes), source: path)
        let stem = path.split(separator: "/").last.map { String($0.split(separator: ".").first ?? $0[...]) } ?? path
        return try decode(json, source: path, defaultName: stem, layout: layout)
    }

    /// Validates a parsed fixture: every key known, every array rectangular and finite, every
    /// shape consistent with the cell's first parameter and `x` (or the layout's sizes), class
    /// indices in range. The file is in the layout its `"layout"` names; without that key, in
    /// `layout` when one is asked for, else in the layout its keys are unmistakably of
    /// (`Layout.detect`), else Coursera's. A `"layout"` other than the one asked for is an error.
    public static func decode(_ json: JSONValue, source: String, defaultName: String, layout asked: Layout? = nil) throws(InputError) -> Fixture {
        guard case .object(let members) = json else {
            throw InputError(source: source, expected: "a JSON object with \"parameters\", \"x\" and \"y\" or \"da\"", found: json.kindDescription)
        }
        var layout = Layout.coursera
        if let l = json["layout"] {
            let names = Layout.allCases.map(\.rawValue)
            guard case .string(let name) = l, let found = Layout(rawValue: name) else {
                var found = l.kindDescription
                if case .string(let name) = l { found = "\"\(name)\"" + InputError.didYouMean(name, in: names) }
                throw InputError(source: source, key: "layout", expected: "one of " + names.map { "\"\($0)\"" }.joined(separator: ", "), found: found)
            }
            if let asked, asked != found {
                throw InputError(source: source, key: "layout", expected: "\"\(asked.rawValue)\" (from --layout)", found: "\"\(found.rawValue)\"")
            }
            layout = found
        } else if let asked {
            layout = asked
        }
        var detectedFrom: [String]?
        let parameterKeys = json["parameters"].map { p -> [String] in if case .object(let m) = p { return m.map(\.key) } else { return [] } } ?? []
        let keys = members.map(\.key) + parameterKeys
        if json["layout"] == nil, asked == nil, let detected = Layout.detect(keys: keys), detected != .coursera {
            layout = detected
            detectedFrom = keys.filter(detected.distinctiveKeys.contains)
        }
        // A file read as Coursera's (asked for, or its keys are of no one layout) whose keys
        // are another layout's: say so where a key is unknown.
        let note = layout == .coursera
            ? Layout.detect(keys: keys).flatMap { $0 == .coursera ? nil : "these are the \($0.rawValue) layout's names, and --layout coursera reads Coursera's" }
            : nil
        /// A cell the layout holds no such network of is refused as such, before its keys
        /// (which are then another layout's) are.
        func refuseUnheld(_ kind: CellKind) throws(InputError) {
            guard !layout.holds(kind) else { return }
            let held = CellKind.allCases.filter(layout.holds).map { "\"\($0.rawValue)\"" }.joined(separator: " or ")
            throw InputError(source: source, key: "cell", expected: "\(held) in the \(layout.rawValue) layout", found: "\"\(kind.rawValue)\"")
        }
        // Every key is checked before anything is read, so a misspelt one is said, not what its
        // absence leads to (a misspelt "cell" leaves an LSTM, whose keys a GRU's file does not
        // fit). "c0" and "reset_after", which only some cells take, are left to the checks below.
        for member in members where member.key != "c0" && member.key != "reset_after" {
            if layout == .coursera {
                guard !topLevelKeys.contains(member.key) else { continue }
                throw InputError.unknownKey(member.key, in: topLevelKeys, source: source, what: "fixture key", note: note)
            }
            guard !CellKind.allCases.contains(where: { LayoutFixture.topLevelKeys(layout, $0).contains(member.key) }) else { continue }
            var named = CellKind.lstm
            if case .string(let name)? = json["cell"], let k = CellKind(rawValue: name) { named = k }
            try refuseUnheld(named)
            let known = LayoutFixture.topLevelKeys(layout, named)
            throw InputError.unknownKey(member.key, in: known, source: source, what: "\(layout.rawValue) fixture key",
                                        note: LayoutFixture.otherLayoutNote(member.key, known: known, layout: layout))
        }
        var kind = CellKind.lstm
        if let c = json["cell"] {
            guard case .string(let name) = c, let k = CellKind(rawValue: name) else {
                var found = c.kindDescription
                if case .string(let name) = c { found = "\"\(name)\"" + InputError.didYouMean(name, in: CellKind.allCases.map(\.rawValue)) }
                throw InputError(source: source, key: "cell", expected: CellKind.allCases.map { "\"\($0.rawValue)\"" }.joined(separator: " or "),
                                 found: found)
            }
            kind = k
        }
        kind = try LayoutFixture.cellKind(json, layout: layout, named: kind, source: source)
        let network: any CellProblem
        var form = LayoutForm.coursera
        if layout == .coursera {
            let reader = Reader(json: json, source: source, note: note)
            network = try reader.erased(kind.cell)
            try reader.checkDims(network.dims)
        } else {
            try refuseUnheld(kind)
            let known = LayoutFixture.topLevelKeys(layout, kind)
            for member in members where !known.contains(member.key) {
                if member.key == "c0" {
                    throw InputError(source: source, key: "c0", expected: layout == .cs231n
                        ? "no initial cell state in the cs231n layout (its LSTM starts from c = 0)"
                        : "no cell state for a \(kind.rawValue) (\"cell\": \"\(kind.rawValue)\")")
                }
                throw InputError.unknownKey(member.key, in: known, source: source, what: "\(layout.rawValue) fixture key",
                                            note: LayoutFixture.otherLayoutNote(member.key, known: known, layout: layout))
            }
            func decode<C: Cell>(_: C.Type) throws(InputError) -> any CellProblem {
                let (problem, f) = try LayoutFixture.decode(json, C.self, layout: layout, source: source)
                form = f
                return problem
            }
            network = try decode(kind.cell)
        }
        var description: String?
        if let d = json["description"] {
            guard case .string(let s) = d else {
                throw InputError(source: source, key: "description", expected: "a string", found: d.kindDescription)
            }
            description = s
        }
        var name = defaultName
        if let n = json["name"] {
            guard case .string(let s) = n, !s.isEmpty else {
                throw InputError(source: source, key: "name", expected: "a non-empty string", found: n.kindDescription)
            }
            name = s
        }
        var fixture = Fixture(name: name, description: description, network: network, form: form)
        fixture.layoutDetectedFrom = detectedFrom
        return fixture
    }

    /// The fixture as JSON in its own layout and form (`Fixture.form`): a fixture read from a
    /// file in a framework's layout is written back with the same keys, in the same order, and
    /// the same numbers bit for bit (a Coursera fixture gains `dims` and loses `expect`). An
    /// error when the layout cannot express the fixture's problem (`encode(_:layout:)`).
    public static func encode(_ fixture: Fixture) throws(InputError) -> JSONValue { try encode(fixture, layout: fixture.layout) }

    /// The fixture as JSON in `layout`: in its own form when that is its layout, else in the
    /// layout's plain form (PyTorch time-major). An error when the layout cannot express the
    /// problem: class labels outside Coursera's layout (`Layout.defaultForm` turns them into an
    /// upstream gradient), masked labels outside cs231n's, a non-zero `c0` in cs231n's, a cell
    /// the layout does not stack.
    public static func encode(_ fixture: Fixture, layout: Layout) throws(InputError) -> JSONValue {
        let form = layout == fixture.layout ? fixture.form : LayoutForm(layout)
        func encode<P: CellProblem>(_ network: P) throws(InputError) -> JSONValue {
            layout == .coursera ? try courseraEncode(fixture, network)
                : try LayoutFixture.encode(network.typed, form: form, name: fixture.name, description: fixture.description)
        }
        return try encode(fixture.network)
    }

    private static func courseraEncode<P: CellProblem>(_ fixture: Fixture, _ network: P) throws(InputError) -> JSONValue {
        let p = network.typed, d = p.dims
        if case .maskedLabels = p.target {
            throw InputError(source: fixture.name, key: "target", expected: "class labels \"y\" or an upstream \"da\" in the coursera layout (masked captions are cs231n's)",
                             found: "masked labels")
        }
        var members: [JSONMember] = [JSONMember("name", .string(fixture.name))]
        if let description = fixture.description { members.append(JSONMember("description", .string(description))) }
        if P.C.kind != .lstm { members.append(JSONMember("cell", .string(P.C.kind.rawValue))) }
        members.append(JSONMember("dims", .object([
            JSONMember("n_x", .number(Double(d.n_x))), JSONMember("n_a", .number(Double(d.n_a))),
            JSONMember("n_y", .number(Double(d.n_y))), JSONMember("steps", .number(Double(d.steps))),
            JSONMember("batch", .number(Double(d.batch))),
        ])))
        var parameters: [JSONMember] = [], states: [JSONMember] = []
        for input in p.inputs {
            let member = JSONMember(input.name, JSONArrays.json(p.tensor(input)))
            if case .parameter = input { parameters.append(member) } else { states.append(member) }
        }
        members.append(JSONMember("parameters", .object(parameters)))
        members += states
        switch p.target {
        case .labels(let labels):
            let y = (0..<d.batch).map { j in JSONValue.array(labels.map { .number(Double($0[j])) }) }
            members.append(JSONMember("y", .array(y)))
        case .upstream(let da):
            members.append(JSONMember("da", JSONArrays.json(Tensor(steps: da, rows: d.n_a, cols: d.batch))))
        case .maskedLabels:
            break
        }
        return .object(members)
    }
}

/// Reads the pieces of one fixture document, naming `source` and the key in every error.
private struct Reader {
    let json: JSONValue
    let source: String
    /// Said with an unknown parameter when the file looks like another layout's.
    var note: String? = nil

    func tensor(_ key: String, in object: JSONValue, prefix: String = "") throws(InputError) -> Tensor {
        guard let value = object[key] else {
            throw InputError(source: source, key: prefix + key, expected: "a value", found: "none (the key is missing)")
        }
        return try JSONArrays.tensor(value, source: source, key: prefix + key)
    }

    /// `rows`/`cols` nil means "any size ≥ 1".
    func matrix(_ key: String, in parent: String? = nil, rows: Int?, cols: Int?, what: String) throws(InputError) -> Matrix<Double> {
        let object = parent.flatMap { json[$0] } ?? json
        let prefix = parent.map { "\($0)." } ?? ""
        let t = try tensor(key, in: object, prefix: prefix)
        let wanted = "\(what)" + (rows.map { r in cols.map { " = \(r) × \($0)" } ?? "" } ?? "")
        guard t.shape.count == 2, t.shape[0] >= 1, t.shape[1] >= 1,
              rows.map({ $0 == t.shape[0] }) ?? true, cols.map({ $0 == t.shape[1] }) ?? true else {
            throw InputError(source: source, key: prefix + key, expected: "a matrix of shape \(wanted)", found: shapeText(t.shape))
        }
        return t.matrix
    }

    func optionalMatrix(_ key: String, in parent: String? = nil, rows: Int?, cols: Int?, what: String) throws(InputError) -> Matrix<Double>? {
        let object = parent.flatMap { json[$0] } ?? json
        guard object[key] != nil else { return nil }
        return try matrix(key, in: parent, rows: rows, cols: cols, what: what)
    }

    func erased<C: Cell>(_ cell: C.Type) throws(InputError) -> any CellProblem { try network(cell) }

    /// The problem of cell `C`: its parameters (the first fixes n_a), `x` (n_x, m, T_x),
    /// `a0`, `c0` for a cell with a cell state, and the target with the output layer.
    func network<C: Cell>(_: C.Type) throws(InputError) -> Problem<C, Double> {
        let names = C.Parameter.allCases.map(\.name)
        let recurrent = C.Parameter.allCases.filter { $0 != C.outputLayer.weight && $0 != C.outputLayer.bias }.map(\.name)
        let listing = recurrent.joined(separator: " ") + " (and \(C.outputLayer.weight.name) \(C.outputLayer.bias.name))"
        guard let params = json["parameters"], case .object(let members) = params else {
            throw InputError(source: source, key: "parameters", expected: "an object with \(listing)", found: json["parameters"]?.kindDescription ?? "none")
        }
        for member in members where !names.contains(member.key) {
            throw InputError.unknownKey(member.key, in: names, source: source, what: "\(C.kind.rawValue) parameter", keyPrefix: "parameters.", note: note)
        }
        let first = C.Parameter.allCases[0]
        let n_a = try matrix(first.name, in: "parameters", rows: nil, cols: nil, what: C.shapeText(of: first)).rows
        let xTensor = try tensor("x", in: json)
        guard xTensor.shape.count == 3, xTensor.shape.allSatisfy({ $0 >= 1 }) else {
            throw InputError(source: source, key: "x", expected: "shape n_x × m × T_x", found: shapeText(xTensor.shape))
        }
        var dims = Dims(n_x: xTensor.shape[0], n_a: n_a, n_y: 0, steps: xTensor.shape[2], batch: xTensor.shape[1])
        let (m, T) = (dims.batch, dims.steps)
        let a0 = try optionalMatrix("a0", rows: n_a, cols: m, what: "n_a × m") ?? Matrix(rows: n_a, cols: m)
        var c0: Matrix<Double>?
        if C.hasCellState {
            c0 = try optionalMatrix("c0", rows: n_a, cols: m, what: "n_a × m")
        } else if json["c0"] != nil {
            throw InputError(source: source, key: "c0", expected: "no cell state for a \(C.kind.rawValue) (\"cell\": \"\(C.kind.rawValue)\")")
        }
        let (wy, by) = (C.outputLayer.weight.name, C.outputLayer.bias.name)
        let target: Target
        switch (json["y"], json["da"]) {
        case (.some, .some):
            throw InputError(source: source, key: "da", expected: "either \"y\" (with \(wy), \(by)) or \"da\", not both")
        case (nil, nil):
            throw InputError(source: source, key: "y", expected: "class labels \"y\" (m × T_x) or an upstream gradient \"da\" (n_a × m × T')", found: "neither")
        case (.some(let y), nil):
            guard let Wy = try optionalMatrix(wy, in: "parameters", rows: nil, cols: n_a, what: "n_y × n_a") else {
                throw InputError(source: source, key: "parameters.\(wy)", expected: "the output layer \(wy) (n_y × n_a) and \(by) (n_y × 1) when \"y\" is given", found: "none")
            }
            dims.n_y = Wy.rows
            target = .labels(try labels(y, n_y: Wy.rows, m: m, T: T))
        case (nil, .some):
            let t = try tensor("da", in: json)
            guard t.shape.count == 3, t.shape[0] == n_a, t.shape[1] == m, (1...T).contains(t.shape[2]) else {
                throw InputError(source: source, key: "da", expected: "shape n_a × m × T' = \(n_a) × \(m) × (1 to \(T))", found: shapeText(t.shape))
            }
            target = .upstream(t.steps)
        }
        let hasOutput = dims.n_y > 0
        let weights = try Weights<C, Double> { p throws(InputError) -> Matrix<Double> in
            let (rows, cols) = C.shape(of: p, dims)
            if !hasOutput && (p == C.outputLayer.weight || p == C.outputLayer.bias) { return Matrix(rows: 0, cols: cols) }
            return try matrix(p.name, in: "parameters", rows: rows, cols: cols, what: C.shapeText(of: p))
        }
        return Problem(weights: weights, a0: a0, c0: c0, x: xTensor.steps, target: target)
    }

    /// `y` as m × T_x class indices, or one-hot n_y × m × T_x; returned per step.
    func labels(_ y: JSONValue, n_y: Int, m: Int, T: Int) throws(InputError) -> [[Int]] {
        let t = try JSONArrays.tensor(y, source: source, key: "y")
        var labels = Array(repeating: Array(repeating: 0, count: m), count: T)
        if t.shape == [m, T] {
            for j in 0..<m {
                for s in 0..<T {
                    let v = t.data[j * T + s]
                    guard v == v.rounded(), v >= 0, v < Double(n_y) else {
                        throw InputError(source: source, key: "y[\(j)][\(s)]", expected: "a class index, a whole number from 0 to \(n_y - 1)", found: "\(v)")
                    }
                    labels[s][j] = Int(v)
                }
            }
            return labels
        }
        guard t.shape == [n_y, m, T] else {
            throw InputError(source: source, key: "y", expected: "class indices of shape m × T_x = \(m) × \(T), or one-hot n_y × m × T_x = \(n_y) × \(m) × \(T)", found: shapeText(t.shape))
        }
        for j in 0..<m {
            for s in 0..<T {
                let column = (0..<n_y).map { t.data[($0 * m + j) * T + s] }
                guard column.allSatisfy({ $0 == 0 || $0 == 1 }), column.filter({ $0 == 1 }).count == 1,
                      let k = column.firstIndex(of: 1) else {
                    throw InputError(source: source, key: "y[:][\(j)][\(s)]", expected: "a one-hot column (a single 1, the rest 0)", found: "\(column)")
                }
                labels[s][j] = k
            }
        }
        return labels
    }

    /// An explicit `"dims"` object must agree with the arrays.
    func checkDims(_ d: Dims) throws(InputError) {
        guard let dims = json["dims"] else { return }
        guard case .object(let members) = dims else {
            throw InputError(source: source, key: "dims", expected: "an object of sizes", found: dims.kindDescription)
        }
        let actual = ["n_x": d.n_x, "n_a": d.n_a, "n_y": d.n_y, "steps": d.steps, "T_x": d.steps, "batch": d.batch, "m": d.batch]
        for member in members {
            guard let want = actual[member.key] else {
                throw InputError.unknownKey(member.key, in: ["n_x", "n_a", "n_y", "steps", "T_x", "batch", "m"], source: source,
                                            what: "size", keyPrefix: "dims.")
            }
            guard case .number(let v) = member.value, v == Double(want) else {
                throw InputError(source: source, key: "dims.\(member.key)", expected: "\(want), as the arrays say", found: member.value.kindDescription)
            }
        }
    }
}
