/// The network a fixture holds: the LSTM, or the course's plain RNN (`"cell": "rnn"`).
public enum Network: Sendable {
    case lstm(LSTMProblem<Double>)
    case rnn(RNNProblem<Double>)

    public var cell: String {
        switch self {
        case .lstm: return "lstm"
        case .rnn: return "rnn"
        }
    }

    public var dims: LSTMDims {
        switch self {
        case .lstm(let p): return p.dims
        case .rnn(let p): return p.dims
        }
    }

    public var target: LSTMTarget {
        switch self {
        case .lstm(let p): return p.target
        case .rnn(let p): return p.target
        }
    }

    public func shape(of key: String) -> [Int] {
        switch self {
        case .lstm(let p): return p.shape(of: key)
        case .rnn(let p): return p.shape(of: key)
        }
    }

    public var inputKeys: [String] {
        switch self {
        case .lstm(let p): return p.inputKeys
        case .rnn(let p): return p.inputKeys
        }
    }
}

/// A named network with its inputs and target, as stored in `Fixtures/*.json`.
public struct Fixture: Sendable {
    public var name: String
    public var description: String?
    public var network: Network

    public init(name: String, description: String? = nil, network: Network) {
        self.name = name
        self.description = description
        self.network = network
    }

    public init(name: String, description: String? = nil, problem: LSTMProblem<Double>) {
        self.init(name: name, description: description, network: .lstm(problem))
    }

    /// The LSTM, when the fixture holds one.
    public var lstm: LSTMProblem<Double>? {
        if case .lstm(let p) = network { return p }
        return nil
    }
}

/// The fixture format of SPEC.md: Coursera's names and shapes, so a NumPy user can
/// `json.dump` their arrays unchanged.
public enum FixtureFile {
    /// Reads and validates the fixture at `path`; `name` defaults to the file's stem.
    public static func read(_ path: String, limits: Limits = .machineDefault) throws(InputError) -> Fixture {
        let json = try FileAccess.json(try FileAccess.read(path, maxBytes: limits.maxFileBytes), source: path)
        let stem = path.split(separator: "/").last.map { String($0.split(separator: ".").first ?? $0[...]) } ?? path
        return try decode(json, source: path, defaultName: stem)
    }

    /// Validates a parsed fixture: every array rectangular and finite, every shape
    /// consistent with the first weight and `x`, class indices in range.
    public static func decode(_ json: JSONValue, source: String, defaultName: String) throws(InputError) -> Fixture {
        guard case .object = json else {
            throw InputError(source: source, expected: "a JSON object with \"parameters\", \"x\" and \"y\" or \"da\"", found: json.kindDescription)
        }
        var cell = "lstm"
        if let c = json["cell"] {
            guard case .string(let name) = c, name == "lstm" || name == "rnn" else {
                throw InputError(source: source, key: "cell", expected: "\"lstm\" or \"rnn\"", found: c.kindDescription)
            }
            cell = name
        }
        let reader = Reader(json: json, source: source)
        let network: Network
        if cell == "rnn" {
            let p = try reader.rnnParameters()
            let (x, a0, target, output) = try reader.sequence(n_a: p.n_a, n_x: p.n_x, from: "Wax", output: ("Wya", "by"))
            if json["c0"] != nil {
                throw InputError(source: source, key: "c0", expected: "no cell state for a plain RNN (\"cell\": \"rnn\")")
            }
            var parameters = p
            parameters.Wya = output.Wy
            parameters.by = output.by
            network = .rnn(RNNProblem(parameters: parameters, a0: a0, x: x, target: target))
        } else {
            let p = try reader.parameters()
            let (x, a0, target, output) = try reader.sequence(n_a: p.n_a, n_x: p.n_x, from: "Wf", output: ("Wy", "by"))
            let c0 = try reader.optionalMatrix("c0", rows: p.n_a, cols: a0.cols, what: "n_a × m")
            var parameters = p
            parameters.Wy = output.Wy
            parameters.by = output.by
            network = .lstm(LSTMProblem(parameters: parameters, a0: a0, c0: c0, x: x, target: target))
        }
        try reader.checkDims(network.dims)
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
        return Fixture(name: name, description: description, network: network)
    }

    /// The fixture as JSON, in the layout `decode` reads (and SPEC.md describes).
    public static func encode(_ fixture: Fixture) -> JSONValue {
        let d = fixture.network.dims
        var members: [JSONMember] = [JSONMember("name", .string(fixture.name))]
        if let description = fixture.description { members.append(JSONMember("description", .string(description))) }
        if case .rnn = fixture.network { members.append(JSONMember("cell", .string("rnn"))) }
        members.append(JSONMember("dims", .object([
            JSONMember("n_x", .number(Double(d.n_x))), JSONMember("n_a", .number(Double(d.n_a))),
            JSONMember("n_y", .number(Double(d.n_y))), JSONMember("steps", .number(Double(d.steps))),
            JSONMember("batch", .number(Double(d.batch))),
        ])))
        let inputs: [String: Tensor]
        let parameterKeys: [String]
        switch fixture.network {
        case .lstm(let p):
            parameterKeys = p.inputKeys.filter { $0 != "a0" && $0 != "c0" && $0 != "x" }
            inputs = Dictionary(uniqueKeysWithValues: p.inputKeys.map { ($0, p.tensor($0)) })
        case .rnn(let p):
            parameterKeys = p.inputKeys.filter { $0 != "a0" && $0 != "x" }
            inputs = Dictionary(uniqueKeysWithValues: p.inputKeys.map { ($0, p.tensor($0)) })
        }
        members.append(JSONMember("parameters", .object(parameterKeys.compactMap { key in
            inputs[key].map { JSONMember(key, JSONArrays.json($0)) }
        })))
        for key in ["a0", "c0", "x"] {
            if let t = inputs[key] { members.append(JSONMember(key, JSONArrays.json(t))) }
        }
        switch fixture.network.target {
        case .labels(let labels):
            let y = (0..<d.batch).map { j in JSONValue.array(labels.map { .number(Double($0[j])) }) }
            members.append(JSONMember("y", .array(y)))
        case .upstream(let da):
            members.append(JSONMember("da", JSONArrays.json(Tensor(steps: da, rows: d.n_a, cols: d.batch))))
        }
        return .object(members)
    }
}

/// Reads the pieces of one fixture document, naming `source` and the key in every error.
private struct Reader {
    let json: JSONValue
    let source: String

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

    func parameters() throws(InputError) -> LSTMParameters<Double> {
        guard let params = json["parameters"] else {
            throw InputError(source: source, key: "parameters", expected: "an object with Wf bf Wi bi Wc bc Wo bo (and Wy by)", found: "none")
        }
        guard case .object = params else {
            throw InputError(source: source, key: "parameters", expected: "an object with Wf bf Wi bi Wc bc Wo bo (and Wy by)", found: params.kindDescription)
        }
        let Wf = try matrix("Wf", in: "parameters", rows: nil, cols: nil, what: "n_a × (n_a + n_x)")
        let n_a = Wf.rows
        guard Wf.cols > n_a else {
            throw InputError(source: source, key: "parameters.Wf", expected: "n_a × (n_a + n_x) with n_x ≥ 1, so more columns than rows", found: shapeText([Wf.rows, Wf.cols]))
        }
        func gate(_ key: String) throws(InputError) -> Matrix<Double> {
            try matrix(key, in: "parameters", rows: n_a, cols: Wf.cols, what: "n_a × (n_a + n_x), as Wf")
        }
        func bias(_ key: String) throws(InputError) -> Matrix<Double> {
            try matrix(key, in: "parameters", rows: n_a, cols: 1, what: "n_a × 1")
        }
        return LSTMParameters(Wf: Wf, bf: try bias("bf"), Wi: try gate("Wi"), bi: try bias("bi"),
                              Wc: try gate("Wc"), bc: try bias("bc"), Wo: try gate("Wo"), bo: try bias("bo"),
                              Wy: Matrix(rows: 0, cols: n_a), by: Matrix(rows: 0, cols: 1))
    }

    func rnnParameters() throws(InputError) -> RNNParameters<Double> {
        guard let params = json["parameters"], case .object = params else {
            throw InputError(source: source, key: "parameters", expected: "an object with Waa Wax ba (and Wya by)",
                             found: json["parameters"]?.kindDescription ?? "none")
        }
        let Waa = try matrix("Waa", in: "parameters", rows: nil, cols: nil, what: "n_a × n_a")
        guard Waa.rows == Waa.cols else {
            throw InputError(source: source, key: "parameters.Waa", expected: "a square n_a × n_a matrix", found: shapeText([Waa.rows, Waa.cols]))
        }
        let Wax = try matrix("Wax", in: "parameters", rows: Waa.rows, cols: nil, what: "n_a × n_x")
        let ba = try matrix("ba", in: "parameters", rows: Waa.rows, cols: 1, what: "n_a × 1")
        return RNNParameters(Waa: Waa, Wax: Wax, ba: ba, Wya: Matrix(rows: 0, cols: Waa.rows), by: Matrix(rows: 0, cols: 1))
    }

    /// `x`, `a0` and the target, shaped by n_a and n_x (named after the weight `from` that
    /// fixed them), and the output layer `output` when the target is labels.
    func sequence(n_a: Int, n_x: Int, from: String, output: (String, String)) throws(InputError)
        -> (x: [Matrix<Double>], a0: Matrix<Double>, target: LSTMTarget, output: (Wy: Matrix<Double>, by: Matrix<Double>)) {
        let xTensor = try tensor("x", in: json)
        guard xTensor.shape.count == 3, xTensor.shape[0] == n_x, xTensor.shape[1] >= 1, xTensor.shape[2] >= 1 else {
            throw InputError(source: source, key: "x", expected: "shape n_x × m × T_x with n_x = \(n_x) (from \(from))", found: shapeText(xTensor.shape))
        }
        let (m, T) = (xTensor.shape[1], xTensor.shape[2])
        let a0 = try optionalMatrix("a0", rows: n_a, cols: m, what: "n_a × m") ?? Matrix(rows: n_a, cols: m)
        let (wyName, byName) = output
        switch (json["y"], json["da"]) {
        case (.some, .some):
            throw InputError(source: source, key: "da", expected: "either \"y\" (with \(wyName), \(byName)) or \"da\", not both")
        case (nil, nil):
            throw InputError(source: source, key: "y", expected: "class labels \"y\" (m × T_x) or an upstream gradient \"da\" (n_a × m × T')", found: "neither")
        case (.some(let y), nil):
            guard let Wy = try optionalMatrix(wyName, in: "parameters", rows: nil, cols: n_a, what: "n_y × n_a"),
                  let by = try optionalMatrix(byName, in: "parameters", rows: Wy.rows, cols: 1, what: "n_y × 1 (n_y from \(wyName))") else {
                throw InputError(source: source, key: "parameters.\(wyName)", expected: "the output layer \(wyName) (n_y × n_a) and \(byName) (n_y × 1) when \"y\" is given", found: "none")
            }
            return (xTensor.steps, a0, .labels(try labels(y, n_y: Wy.rows, m: m, T: T)), (Wy, by))
        case (nil, .some):
            let t = try tensor("da", in: json)
            guard t.shape.count == 3, t.shape[0] == n_a, t.shape[1] == m, (1...T).contains(t.shape[2]) else {
                throw InputError(source: source, key: "da", expected: "shape n_a × m × T' = \(n_a) × \(m) × (1 to \(T))", found: shapeText(t.shape))
            }
            return (xTensor.steps, a0, .upstream(t.steps), (Matrix(rows: 0, cols: n_a), Matrix(rows: 0, cols: 1)))
        }
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
    func checkDims(_ d: LSTMDims) throws(InputError) {
        guard let dims = json["dims"] else { return }
        guard case .object(let members) = dims else {
            throw InputError(source: source, key: "dims", expected: "an object of sizes", found: dims.kindDescription)
        }
        let actual = ["n_x": d.n_x, "n_a": d.n_a, "n_y": d.n_y, "steps": d.steps, "T_x": d.steps, "batch": d.batch, "m": d.batch]
        for member in members {
            guard let want = actual[member.key] else {
                throw InputError(source: source, key: "dims.\(member.key)", expected: "one of n_x, n_a, n_y, steps, batch")
            }
            guard case .number(let v) = member.value, v == Double(want) else {
                throw InputError(source: source, key: "dims.\(member.key)", expected: "\(want), as the arrays say", found: member.value.kindDescription)
            }
        }
    }
}
